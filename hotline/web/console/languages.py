"""Console pages: the reporter's and workers' texts per language, for the field to review.

A translator reviews the languages an admin gave them; an admin any language, and decides its
state (only approved languages reach reporters). Each text is shown beside its French and English
source and as the phone shows it; a reviewer corrects it, marks it reviewed or flags it. The work
is in ``hotline.languages``; every change is audited there, and announced to the running service.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flows.engine import N_
from hotline.languages import checks, preview, review, voice
from hotline.languages.progress import progress
from hotline.languages.review import Entry, ReviewError
from hotline.models import AuditEntry, User
from hotline.platform.i18n import LANGUAGE_STATES, LANGUAGES
from hotline.web.console.access import requires
from hotline.web.console.base import NAV, bp, runtime, translate
from hotline.web.console.people_common import LANGUAGE_NAMES
from hotline.web.console.report_common import when

NAV.append(("console.languages", N_("Languages"), "translate"))

STATE_LABELS = {"draft": N_("Draft"), "in_review": N_("In review"), "approved": N_("Approved")}
ENTRY_LABELS = {"draft": N_("To review"), "reviewed": N_("Reviewed"), "flagged": N_("Flagged")}
SHOWN = ("all", "draft", "flagged", "reviewed", "unsure", "corrected")
HISTORY = 20
NOT_TOLD = N_(
    "Saved, but the running service could not be told at once: it uses the change within 5 minutes."
)


@bp.before_app_request
def translators_land_on_their_languages() -> Response | None:
    """A translator sees no report: the console's home (the inbox) is their languages."""
    home = request.endpoint == "console.inbox" and current_user.is_authenticated
    if home and not current_user.can("view") and current_user.can("translate"):
        return redirect(url_for("console.languages"))
    return None


@bp.get("/languages")
@requires("translate")
def languages() -> ResponseReturnValue:
    rt = runtime()
    mine = [code for code in LANGUAGES if current_user.reviews(code)]
    with rt.session() as db:
        found = progress(db, rt, mine)
        translators = (
            list(
                db.scalars(
                    select(User).where(User.role == "translator").order_by(User.active.desc(), User.name)
                )
            )
            if current_user.can("languages")
            else []
        )
        recordings = {code: voice.recordings(rt, code) for code in mine}
    return render_template(
        "console/languages.html",
        found=found,
        translators=translators,
        recordings=recordings,
        names=LANGUAGE_NAMES,
        state_labels=STATE_LABELS,
        states=LANGUAGE_STATES,
        pilot=rt.settings.pilot_languages,
        codes=LANGUAGES,
    )


@bp.get("/languages/<code>")
@requires("translate")
def language_review(code: str) -> ResponseReturnValue:
    lang = _may_review(code)
    shown = request.args.get("shown", "all")
    shown = shown if shown in SHOWN else "all"
    rt = runtime()
    with rt.session() as db:
        found = review.entries(db, rt, lang)
    listed = [e for e in found if _matches(e, shown)]
    return render_template(
        "console/language_review.html",
        lang=lang,
        name=LANGUAGE_NAMES.get(lang, lang),
        entries=listed,
        total=len(found),
        shown=shown,
        choices=SHOWN,
        source=lambda code, message: rt.translations.translate(code, message),
        entry_labels=ENTRY_LABELS,
    )


def _matches(entry: Entry, shown: str) -> bool:
    if shown == "unsure":
        return bool(entry.shipped.unsure) and entry.state != "reviewed"
    if shown == "corrected":
        return entry.corrected
    return shown == "all" or entry.state == shown


@bp.route("/languages/<code>/<key>", methods=["GET", "POST"])
@requires("translate")
def language_entry(code: str, key: str) -> ResponseReturnValue:
    lang = _may_review(code)
    rt = runtime()
    with rt.session() as db:
        found = review.entry(db, rt, lang, key)
        if found is None:
            abort(404)
        if request.method == "GET":
            return _entry_page(db, found, found.text)
        action = request.form.get("action", "")
        text = request.form.get("text", found.text)[: checks.MAX_LENGTH + 1]
        note = request.form.get("note", "")
        if action == "preview":
            refused = (
                review.refusals_for(rt, lang, found.message, text.strip())
                if text.strip() != found.text
                else []
            )
            return _entry_page(db, found, text.strip(), refused, previewed=True)
        try:
            if action == "correct":
                review.change(db, rt, current_user.id, found, text=text, state="reviewed")
            elif action == "reviewed":
                review.change(db, rt, current_user.id, found, state="reviewed")
            elif action == "flag":
                review.change(db, rt, current_user.id, found, state="flagged", note=note)
            else:
                abort(400)
        except ReviewError as error:
            db.rollback()
            return _entry_page(db, found, text.strip(), error.reasons, note=note), 400
        db.commit()
    _announced(N_("Saved: reporters and workers see it from their next screen or SMS."))
    return redirect(url_for("console.language_entry", code=lang, key=key))


def _entry_page(
    db: Session,
    entry: Entry,
    text: str,
    refused: list[str] | None = None,
    previewed: bool = False,
    note: str = "",
) -> str:
    rt = runtime()
    translate_now = rt.translations.translate
    history = db.execute(
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.target_type == "translation", AuditEntry.target_id == f"{entry.lang}/{entry.key}")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(HISTORY)
    ).all()
    return render_template(
        "console/language_entry.html",
        entry=entry,
        text=text,
        name=LANGUAGE_NAMES.get(entry.lang, entry.lang),
        french=translate_now("fr", entry.message),
        english=translate_now("en", entry.message),
        screens=preview.screens(translate_now, rt.locations, entry.lang, entry.message, text),
        messages=preview.messages(translate_now, rt.locations, entry.lang, entry.message, text),
        refused=refused or [],
        previewed=previewed,
        note=note or entry.note or "",
        history=history,
        when=when,
        entry_labels=ENTRY_LABELS,
        filled=preview.filled,
    )


@bp.post("/languages/<code>/state")
@requires("languages")
def language_state(code: str) -> Response:
    if code not in LANGUAGES:
        abort(404)
    lang = code
    rt = runtime()
    with rt.session() as db:
        try:
            review.set_language_state(db, rt, current_user.id, lang, request.form.get("state", ""))
        except ReviewError as error:
            db.rollback()
            for reason in error.reasons:
                flash(reason, "error")
            return redirect(url_for("console.languages"))
        db.commit()
    _announced(N_("The language's state was saved; the reporter's menu follows it from the next call."))
    return redirect(url_for("console.languages"))


@bp.post("/languages/translators/<int:user_id>")
@requires("languages")
def translator_languages(user_id: int) -> Response:
    rt = runtime()
    with rt.session() as db:
        user = db.get(User, user_id)
        if user is None or user.role != "translator":
            abort(404)
        review.set_translator_languages(db, rt, current_user.id, user, request.form.getlist("languages"))
        db.commit()
        flash(translate(N_("The languages {name} reviews were saved."), name=user.name))
    return redirect(url_for("console.languages"))


def _may_review(code: str) -> str:
    """Another language than the user's is a 404, as another area's report is."""
    if code not in LANGUAGES or not current_user.reviews(code):
        abort(404)
    return code


def _announced(saved: str) -> None:
    if review.announce(runtime()):
        flash(translate(saved))
    else:
        flash(translate(NOT_TOLD), "error")
