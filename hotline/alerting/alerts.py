"""The SMS a social worker receives: the alert (no description, no reporter number) and, after
acceptance, the details for the one who accepted. Always GSM-7, in the worker's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.engine import N_
from flows.reporter import CATEGORY_LABELS, SAFE_TIMES
from flows.text import fold_ascii, sms_segments, to_gsm7
from flows.ussd import fill
from hotline.models import Report
from hotline.platform.i18n import Translations
from hotline.platform.locations import Locations
from hotline.platform.runtime import Runtime

ALERT = N_(
    "ALERT {reference} {urgency}{place}: {category}. Reply 1 {reference} to accept, 2 {reference} to decline."
)
URGENT = N_("URGENT")
# A bundle names its waiting reports, most urgent first, in at most two GSM-7 parts (MAX_PARTS):
# BUNDLE when they all fit, else BUNDLE_MORE with the count of the others and the LIST command;
# WAITING answers LIST. Each keeps "<words>: REF ...; REF ... . <words>" (bundle_references).
BUNDLE = N_("ALERTS ({count}): {alerts}. Reply 1 REF to accept, 2 REF to decline.")
BUNDLE_MORE = N_(
    "ALERTS ({count}), most urgent first: {alerts}. Reply 1 REF to accept, 2 REF to decline, "
    "LIST for the other {rest}."
)
WAITING = N_("WAITING ({count}): {alerts}. Reply 1 REF to accept, 2 REF to decline, LIST for more.")
MAX_PARTS = 2  # 2 x 153 GSM-7 characters: what a basic phone shows as one message
MOST_NAMED = MAX_PARTS * 153 // len("K7F3QX X; ")  # no more references can ever fit
DETAILS = N_("{reference} {place}{detail}. People: {people}, children: {children}. {callback}")
CALL_BACK = N_("Call back {phone}, {safe_time}.")
NO_CALL = N_("Do not call: the reporter did not agree.")
UNKNOWN = N_("unknown")
YES, NO = N_("Yes"), N_("No")
SAFE_TIME_LABELS = {option.value: option.label for option in SAFE_TIMES}


def alert_text(report: Report, lang: str, translations: Translations, locations: Locations) -> str:
    def tr(message: str) -> str:
        return translations.translate(lang, message)

    return to_gsm7(
        fill(
            tr(ALERT),
            {
                "reference": report.reference,
                "urgency": tr(URGENT) + " " if report.urgent else "",
                "place": fold_ascii(locations.label(report.location_code)),
                "category": tr(CATEGORY_LABELS.get(report.category, report.category)).lower(),
            },
        )
    )


def bundle_references(body: str) -> list[str]:
    """The references a bundle or list SMS lists (they follow its first colon, "; "-separated, up
    to the first full stop). Only what the SMS names: a short bundle leaves some of its reports out."""
    if ":" not in body:
        return []
    listed = body.split(":", 1)[1].split(".", 1)[0]
    return [part.split()[0] for part in listed.split(";") if part.split()]


@dataclass(frozen=True)
class Listed:
    """A waiting report as a bundle or a list SMS names it."""

    report_id: int
    reference: str
    urgent: bool
    location_code: str
    created_at: datetime

    @property
    def rank(self) -> tuple[bool, datetime, int]:
        """Urgent before normal, then the oldest first."""
        return (not self.urgent, self.created_at, self.report_id)


def waiting_reports(session: Session, report_ids: Iterable[int | None]) -> list[Listed]:
    """The reports among ``report_ids`` nobody has accepted or finished, most urgent first."""
    wanted = {report_id for report_id in report_ids if report_id is not None}
    if not wanted:
        return []
    rows = session.execute(
        select(Report.id, Report.reference, Report.urgent, Report.location_code, Report.created_at).where(
            Report.id.in_(wanted), Report.accepted_at.is_(None), Report.finished_at.is_(None)
        )
    )
    return sorted((Listed(*row) for row in rows), key=lambda listed: listed.rank)


def bundle_text(runtime: Runtime, alerts: Sequence[Listed], lang: str) -> str:
    """``ALERTES (47), urgentes d'abord : K7F3QX URGENT Kikwit; ... LISTE pour les 40 autres.``

    ``alerts`` (most urgent first) are the waiting reports the bundle carries: as many as fit in
    two GSM-7 parts are named, in that order; the count says how many there are, and LIST how to
    get the others.
    """

    def tr(message: str) -> str:
        return runtime.translations.translate(lang, message)

    count = len(alerts)
    items = _items(runtime, alerts[:MOST_NAMED], lang)
    if count <= MOST_NAMED:
        whole = to_gsm7(fill(tr(BUNDLE), {"count": str(count), "alerts": "; ".join(items)}))
        if sms_segments(whole) <= MAX_PARTS:
            return whole
    return _longest_that_fits(
        lambda n: to_gsm7(
            fill(
                tr(BUNDLE_MORE),
                {"count": str(count), "alerts": "; ".join(items[:n]), "rest": str(count - n)},
            )
        ),
        len(items),
    )


def waiting_text(runtime: Runtime, page: Sequence[Listed], waiting: int, lang: str) -> str:
    """The answer to LIST: how many alerts wait for the worker, and the next of them that fit."""

    def tr(message: str) -> str:
        return runtime.translations.translate(lang, message)

    items = _items(runtime, page[:MOST_NAMED], lang)
    return _longest_that_fits(
        lambda n: to_gsm7(fill(tr(WAITING), {"count": str(waiting), "alerts": "; ".join(items[:n])})),
        len(items),
    )


def _items(runtime: Runtime, alerts: Sequence[Listed], lang: str) -> list[str]:
    """``K7F3QX URGENT Kikwit``: the place by its own name (``Kwilu/Kikwit`` in the alert), to
    leave room for more references; a province-wide report by the province's."""
    urgent = " " + runtime.translations.translate(lang, URGENT)
    return [
        f"{a.reference}{urgent if a.urgent else ''} "
        f"{fold_ascii(runtime.locations.label(a.location_code).rsplit('/', 1)[-1])}"
        for a in alerts
    ]


def _longest_that_fits(text_with: Callable[[int], str], most: int) -> str:
    """The text naming as many of the first items as fit in MAX_PARTS (always at least one)."""
    best = text_with(min(1, most))
    for n in range(2, most + 1):
        text = text_with(n)
        if sms_segments(text) > MAX_PARTS:
            break
        best = text
    return best


def details_text(runtime: Runtime, report: Report, lang: str) -> str:
    """What only the accepting worker gets. The number only when the reporter agreed to a call."""

    def tr(message: str) -> str:
        return runtime.translations.translate(lang, message)

    contact = report.contact
    if contact is not None and contact.consent == "callback":
        callback = fill(
            tr(CALL_BACK),
            {
                "phone": runtime.cipher.decrypt(contact.phone_encrypted),
                "safe_time": tr(SAFE_TIME_LABELS.get(contact.safe_time or "any", UNKNOWN)).lower(),
            },
        )
    else:
        callback = tr(NO_CALL)
    answers: dict[bool | None, str] = {True: tr(YES), False: tr(NO)}
    children = answers.get(report.children_involved, tr(UNKNOWN))
    return to_gsm7(
        fill(
            tr(DETAILS),
            {
                "reference": report.reference,
                "place": fold_ascii(runtime.locations.label(report.location_code)),
                "detail": f", {report.place_detail}" if report.place_detail else "",
                "people": str(report.people_count) if report.people_count else tr(UNKNOWN),
                "children": children,
                "callback": callback,
            },
        )
    )
