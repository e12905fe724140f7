"""The alert SMS a social worker receives: short, GSM-7, no description, no reporter number."""

from __future__ import annotations

from flows.engine import N_
from flows.reporter import CATEGORY_LABELS
from flows.text import fold_ascii, to_gsm7
from flows.ussd import fill

from .i18n import Translations
from .locations import Locations
from .models import Report

ALERT = N_("ALERT {reference} {urgency}{place}: {category}. Open the console for details.")
URGENT = N_("URGENT")


def alert_text(report: Report, lang: str, translations: Translations, locations: Locations) -> str:
    def tr(message: str) -> str:
        return translations.translate(lang, message)

    urgency = tr(URGENT) + " " if report.urgent else ""
    text = fill(tr(ALERT), {
        "reference": report.reference,
        "urgency": urgency,
        "place": fold_ascii(locations.label(report.location_code)),
        "category": tr(CATEGORY_LABELS.get(report.category, report.category)).lower(),
    })
    return to_gsm7(text)
