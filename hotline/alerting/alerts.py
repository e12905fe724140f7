"""The SMS a social worker receives: the alert (no description, no reporter number) and, after
acceptance, the details for the one who accepted. Always GSM-7, in the worker's language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.engine import N_
from flows.reporter import CATEGORY_LABELS, SAFE_TIMES
from flows.text import fold_ascii, to_gsm7
from flows.ussd import fill
from hotline.models import Report
from hotline.platform.i18n import Translations
from hotline.platform.locations import Locations
from hotline.platform.runtime import Runtime

ALERT = N_(
    "ALERT {reference} {urgency}{place}: {category}. Reply 1 {reference} to accept, 2 {reference} to decline."
)
URGENT = N_("URGENT")
BUNDLE = N_("ALERTS: {alerts}. Reply 1 REF to accept, 2 REF to decline.")
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
    """The references a bundle SMS already lists (they follow its first colon, "; "-separated)."""
    if ":" not in body:
        return []
    listed = body.split(":", 1)[1].split(".", 1)[0]
    return [part.split()[0] for part in listed.split(";") if part.split()]


def bundle_text(session: Session, runtime: Runtime, references: list[str], lang: str) -> str:
    """``ALERTES: K7F3QX URGENT Kwilu/Kikwit; ... Repondez 1 REF pour accepter.``"""

    def tr(message: str) -> str:
        return runtime.translations.translate(lang, message)

    # One query for the whole list: in a surge a bundle grows by one report at a time, and a
    # query per listed report made each new alert slower than the last (see bench/NOTES.md).
    wanted = list(dict.fromkeys(references))
    found = {
        row.reference: row
        for row in session.execute(
            select(Report.reference, Report.urgent, Report.location_code).where(Report.reference.in_(wanted))
        )
    }
    items = []
    for reference in wanted:
        if (report := found.get(reference)) is not None:
            urgent = " " + tr(URGENT) if report.urgent else ""
            items.append(f"{reference}{urgent} {fold_ascii(runtime.locations.label(report.location_code))}")
    return to_gsm7(fill(tr(BUNDLE), {"alerts": "; ".join(items)}))


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
