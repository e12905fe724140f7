"""Reviewing a language: its entries (every message a reporter or a worker can see), a reviewer's
corrections, review states and notes, and the language's state. Every change is audited with its
before and after, in the caller's transaction; ``announce`` after the commit tells every running
process (``hotline.platform.i18n_live``).

An entry's state as shipped comes from its catalog: "draft" when it carries the translator comment
``draft: needs native-speaker review`` (or has no text), else "reviewed". A row of
``translation_texts`` replaces it once a reviewer acted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.languages import checks, phone, sms
from hotline.models import LanguageStatus, TranslationText, User
from hotline.platform.i18n import LANGUAGE_STATES, LANGUAGES, catalog_path, read_messages
from hotline.platform.i18n_live import publish
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit

ENTRY_STATES = ("draft", "reviewed", "flagged")
DRAFT_MARK = "draft: needs native-speaker review"
UNSURE_MARK = "unsure:"
FLAG_MARK = "flagged:"
NOTE_MAX = 500
Actor = int | str  # a console user's id, or "cli" for the hotline command


class ReviewError(ValueError):
    """A change refused; ``reasons`` say why, in French."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Shipped:
    """A message as its catalog ships it."""

    text: str
    state: str
    unsure: tuple[str, ...]  # the drafts' "unsure:" notes: what to check first
    comments: tuple[str, ...]  # the catalog's translator comments, all of them


@dataclass(frozen=True)
class Entry:
    lang: str
    key: str
    message: str  # the message id (English)
    screens: tuple[str, ...]  # USSD screens it is on
    sms: tuple[str, ...]  # SMS it is in
    shipped: Shipped
    text: str  # in force: the correction, else the catalog's text ("" when neither: French shows)
    corrected: bool
    state: str
    note: str | None


def key_of(message: str) -> str:
    return hashlib.sha256(message.encode()).hexdigest()[:12]


@lru_cache(maxsize=len(LANGUAGES))
def shipped_catalog(lang: str) -> dict[str, Shipped]:
    """The catalog of ``lang`` as shipped, read once per process (it does not change)."""
    path = catalog_path(lang)
    found: dict[str, Shipped] = {}
    for m in read_messages(path) if path.exists() else []:
        if not isinstance(m.id, str) or not m.id:
            continue
        text = m.string if isinstance(m.string, str) and not m.fuzzy else ""
        comments = tuple(str(c) for c in m.user_comments)
        draft = any(c.strip() == DRAFT_MARK for c in comments) or not text
        unsure = tuple(
            c.strip()[len(UNSURE_MARK) :].strip() for c in comments if c.strip().startswith(UNSURE_MARK)
        )
        found[m.id] = Shipped(text, "draft" if draft else "reviewed", unsure, comments)
    return found


def phone_messages(runtime: Runtime) -> list[str]:
    """Every message a reporter or a worker can see, in the order they meet them: the USSD
    screens in flow order, then the SMS. Only catalog messages (a place name is not one)."""
    french = shipped_catalog("fr")
    ordered = [*phone.screens_of_messages(runtime.locations), *sms.sms_of_messages(runtime.locations)]
    return [m for m in dict.fromkeys(ordered) if m in french]


def entries(session: Session, runtime: Runtime, lang: str) -> list[Entry]:
    rows = {
        row.msgid: row for row in session.scalars(select(TranslationText).where(TranslationText.lang == lang))
    }
    return [_entry(runtime, lang, message, rows.get(message)) for message in phone_messages(runtime)]


def entry(session: Session, runtime: Runtime, lang: str, key: str) -> Entry | None:
    message = next((m for m in phone_messages(runtime) if key_of(m) == key), None)
    if message is None:
        return None
    return _entry(runtime, lang, message, _row(session, lang, message))


def _entry(runtime: Runtime, lang: str, message: str, row: TranslationText | None) -> Entry:
    shipped = shipped_catalog(lang).get(message) or Shipped("", "draft", (), ())
    return Entry(
        lang=lang,
        key=key_of(message),
        message=message,
        screens=phone.screens_of_messages(runtime.locations).get(message, ()),
        sms=sms.sms_of_messages(runtime.locations).get(message, ()),
        shipped=shipped,
        text=(row.msgstr if row and row.msgstr else shipped.text),
        corrected=bool(row and row.msgstr),
        state=row.state if row else shipped.state,
        note=row.note if row else None,
    )


def _row(session: Session, lang: str, message: str) -> TranslationText | None:
    return session.scalars(
        select(TranslationText).where(TranslationText.lang == lang, TranslationText.msgid == message)
    ).first()


def refusals_for(runtime: Runtime, lang: str, message: str, text: str) -> list[str]:
    """The checks of hotline.languages.checks against what the service shows today."""
    proposal = checks.Proposal(lang, message, text)
    return checks.refusals(proposal, runtime.translations.translate, runtime.locations)


def change(
    session: Session,
    runtime: Runtime,
    actor: Actor,
    current: Entry,
    *,
    text: str | None = None,
    state: str,
    note: str | None = None,
    check: bool = True,
) -> Entry:
    """Set an entry's text (None: keep it), state and note; refused (ReviewError) if the text
    fails a check (``check=False``: the caller checked it, with other texts changing at once).
    A text equal to the catalog's is stored as no correction."""
    if state not in ENTRY_STATES:
        raise ReviewError([f"État inconnu : {state}."])
    if text is not None:
        text = text.strip()
        if (
            check
            and text != current.text
            and (reasons := refusals_for(runtime, current.lang, current.message, text))
        ):
            raise ReviewError(reasons)
    note = " ".join((note or "").split())[:NOTE_MAX] or None  # one line: it is a .po comment too
    if state == "flagged" and not note:
        raise ReviewError(["Dites en une phrase ce qui ne va pas : la note aide le relecteur suivant."])
    after = current.text if text is None else text
    row = _row(session, current.lang, current.message)
    if row is None:
        row = TranslationText(lang=current.lang, msgid=current.message)
        session.add(row)
    row.msgstr = None if after == current.shipped.text else after
    row.state, row.note = state, note if state == "flagged" else None
    row.updated_at = runtime.clock.now()
    row.updated_by_id = actor if isinstance(actor, int) else None
    detail = {"language": current.lang, "message": current.message, "state_before": current.state}
    if after != current.text:
        detail |= {"before": current.text, "after": after}
    if row.note:
        detail["note"] = row.note
    action = "translation_corrected" if after != current.text else f"translation_{state}"
    audit(session, runtime, actor, action, "translation", f"{current.lang}/{current.key}", **detail)
    session.flush()
    return _entry(runtime, current.lang, current.message, row)


def language_state(session: Session, lang: str) -> str:
    row = session.get(LanguageStatus, lang)
    return row.state if row else ("approved" if lang in ("fr", "en") else "draft")


def set_language_state(session: Session, runtime: Runtime, actor: Actor, lang: str, state: str) -> None:
    """An admin's decision. Approval needs every entry reviewed and none flagged; French, the
    fallback every screen relies on, stays approved."""
    if lang not in LANGUAGES or state not in LANGUAGE_STATES:
        raise ReviewError(["Langue ou état inconnu."])
    before = language_state(session, lang)
    if lang == "fr" and state != "approved":
        raise ReviewError(["Le français reste approuvé : c'est la langue de secours de chaque écran."])
    if state == "approved":
        left = [e for e in entries(session, runtime, lang) if e.state != "reviewed"]
        if left:
            flagged = sum(1 for e in left if e.state == "flagged")
            raise ReviewError(
                [
                    f"Pas encore : {len(left) - flagged} texte(s) à relire et {flagged} signalé(s). "
                    "Une langue est approuvée quand chaque texte est relu et aucun n'est signalé."
                ]
            )
    if before == state:
        return
    row = session.get(LanguageStatus, lang) or LanguageStatus(code=lang)
    row.state, row.updated_at = state, runtime.clock.now()
    row.updated_by_id = actor if isinstance(actor, int) else None
    session.add(row)
    audit(session, runtime, actor, "language_state_changed", "language", lang, before=before, after=state)
    session.flush()


def set_translator_languages(
    session: Session, runtime: Runtime, actor: Actor, user: User, languages: Sequence[str]
) -> None:
    chosen = [code for code in LANGUAGES if code in set(languages)]
    if chosen == list(user.languages or []):
        return
    audit(
        session,
        runtime,
        actor,
        "user_languages_changed",
        "user",
        user.id,
        before=user.languages,
        after=chosen,
    )
    user.languages = chosen
    session.flush()


def announce(runtime: Runtime) -> bool:
    """After the commit: every process uses the change from its next screen or SMS. False if
    Redis could not be told (processes still read the rows again within five minutes)."""
    try:
        runtime.translations.observe(publish(runtime.redis))
    except RedisError:
        return False
    return True
