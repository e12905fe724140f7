"""What a reporter's SMS asks for: help, the status of a report, stop, or (anything else) a report.

Keywords in the six languages; words other than French and English are drafts awaiting
native-speaker review. Also a small guess of the language and of urgency from the words used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.commands import is_reference
from flows.text import fold_ascii

HELP, STATUS, STOP, REPORT = "help", "status", "stop", "report"

KEYWORDS = {
    "AIDE": HELP,
    "HELP": HELP,
    "SOS": HELP,
    "LISALISI": HELP,
    "MSAADA": HELP,
    "LUSADISU": HELP,
    "DIAMBULUISHA": HELP,
    "STATUT": STATUS,
    "STATUS": STATUS,
    "SUIVI": STATUS,
    "HALI": STATUS,
    "EZALELI": STATUS,
    "STOP": STOP,
    "ARRET": STOP,
    "ARRETER": STOP,
    "SIMAMA": STOP,
    "TIKA": STOP,
    "KUMA": STOP,
}
# A few everyday words per language: enough to pick the language of a reply, never to decide
# anything else. Drafts (ln, kg, sw, lua) for native-speaker review.
LANGUAGE_WORDS = {
    "en": {"the", "help", "child", "children", "work", "girl", "forced", "please", "they"},
    "sw": {"na", "ya", "watoto", "mtoto", "kazi", "msaada", "wasichana", "tafadhali", "hapa"},
    "ln": {"bana", "mwana", "mosala", "lisalisi", "basi", "awa", "bato", "mibali", "bolingo"},
    "kg": {"bantu", "kisalu", "lusadisu", "ya", "kele", "yandi", "beto", "muntu"},
    "lua": {"bantu", "mudimu", "muana", "bana", "badi", "ditunga", "mulongo"},
}
URGENT_WORDS = {
    "urgent",
    "urgence",
    "danger",
    "maintenant",
    "vite",
    "now",
    "haraka",
    "noki",
    "sasa",
    "mbangu",
    "lukasa",
}
PIN = re.compile(r"^[0-9]{4}$")


@dataclass(frozen=True)
class Intent:
    kind: str
    reference: str | None = None
    pin: str | None = None


def parse(text: str) -> Intent:
    words = fold_ascii(text).strip().split()
    if not words:
        return Intent(REPORT)
    kind = KEYWORDS.get(words[0].upper().rstrip(".!:,"))
    if kind is None or (kind == STOP and len(words) > 3):
        return Intent(REPORT)  # "stop" inside a sentence is a report, not an opt-out
    if kind == STATUS:
        reference = words[1].upper() if len(words) > 1 and is_reference(words[1]) else None
        pin = words[2] if len(words) > 2 and PIN.match(words[2]) else None
        return Intent(STATUS, reference, pin) if reference else Intent(HELP)
    return Intent(kind)


def guess_language(text: str) -> str | None:
    words = set(re.findall(r"[a-z]+", fold_ascii(text).lower()))
    scores = {lang: len(words & vocabulary) for lang, vocabulary in LANGUAGE_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= 2 else None


def looks_urgent(text: str) -> bool:
    return bool(set(re.findall(r"[a-z]+", fold_ascii(text).lower())) & URGENT_WORDS)
