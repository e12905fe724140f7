"""What a social worker can answer by SMS, in any of the six languages: a pure parser.

``1 K7F3QX`` accepts, ``2 K7F3QX`` declines, ``FIN K7F3QX note`` closes, ``NOTE K7F3QX text``
adds a note, ``INFO K7F3QX`` asks for the details, ``LISTE`` sends the next waiting alerts (those a
short bundle SMS had no room for), ``AIDE`` lists the commands. A bare ``1`` means the latest open
alert sent to that worker. Words other than French and English are drafts
awaiting native-speaker review (see the README).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.text import fold_ascii

ACCEPT, DECLINE, DONE, NOTE, INFO, HELP = "accept", "decline", "done", "note", "info", "help"
LIST = "list"

# First word -> command. Digits and French/English are reviewed; the rest are drafts.
KEYWORDS: dict[str, str] = {
    # accept
    "1": ACCEPT,
    "OK": ACCEPT,
    "ACK": ACCEPT,
    "ACCEPTER": ACCEPT,
    "ACCEPTE": ACCEPT,
    "ACCEPT": ACCEPT,
    "OUI": ACCEPT,
    "YES": ACCEPT,
    "IYO": ACCEPT,  # ln (draft)
    "NDIYO": ACCEPT,
    "SAWA": ACCEPT,  # sw (draft)
    "EYO": ACCEPT,  # kg (draft)
    "EYOWA": ACCEPT,  # lua (draft)
    # decline
    "2": DECLINE,
    "NON": DECLINE,
    "NO": DECLINE,
    "REFUSER": DECLINE,
    "REFUSE": DECLINE,
    "DECLINE": DECLINE,
    "TE": DECLINE,  # ln (draft)
    "HAPANA": DECLINE,  # sw (draft)
    "VE": DECLINE,  # kg (draft)
    "TO": DECLINE,  # lua (draft)
    # done
    "FIN": DONE,
    "DONE": DONE,
    "CLOS": DONE,
    "CLOSE": DONE,
    "TERMINE": DONE,
    "MWISHO": DONE,  # sw (draft)
    "SUKA": DONE,  # ln (draft)
    # note
    "NOTE": NOTE,
    "N": NOTE,
    "MAONI": NOTE,  # sw (draft)
    # info
    "INFO": INFO,
    "DETAILS": INFO,
    "DETAIL": INFO,
    "HABARI": INFO,  # sw (draft)
    "SANGO": INFO,  # ln (draft)
    # list: the next waiting alerts
    "LISTE": LIST,
    "LIST": LIST,
    "LISITI": LIST,  # ln, kg (draft)
    "ORODHA": LIST,  # sw (draft)
    "MULONGO": LIST,  # lua (draft; unsure: "line, row")
    # help
    "AIDE": HELP,
    "HELP": HELP,
    "?": HELP,
    "MENU": HELP,
    "MSAADA": HELP,  # sw (draft)
    "LISALISI": HELP,  # ln (draft)
    "LUSADISU": HELP,  # kg (draft)
    "DIAMBULUISHA": HELP,  # lua (draft)
}
# Reference codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, which people confuse on a small screen or a call.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE = re.compile(f"^[{REFERENCE_ALPHABET}]{{6,8}}$")


def is_reference(text: str) -> bool:
    """``acd347`` or `` ACD347 `` as typed on a keypad: a well-formed reference code."""
    return bool(REFERENCE.match(text.strip().upper()))


# A word of a reference's length with a character codes never use: a mistyped reference. Taken
# as one (it matches no report: "unknown reference"), never as a bare "1" acting on another case.
MISTYPED_REFERENCE = re.compile(r"^[A-Z0-9]{6,8}$")
NOTE_MAX = 480


@dataclass(frozen=True)
class Command:
    kind: str
    reference: str | None = None
    text: str | None = None


def parse(message: str) -> Command | None:
    """The command in ``message``, or None when it is not one (the caller answers with help)."""
    words = fold_ascii(message).strip().split(None, 2)
    if not words:
        return None
    kind = KEYWORDS.get(words[0].upper().rstrip(".!:,"))
    if kind is None:
        return None
    rest = words[1:]
    reference = None
    if kind == LIST:
        return Command(LIST)  # nothing to take after it: the next page is the service's to know
    if rest and kind != HELP and MISTYPED_REFERENCE.match(rest[0].upper()):
        reference = rest.pop(0).upper()
    text = " ".join(rest).strip()[:NOTE_MAX] or None
    if kind == NOTE and text is None:
        return Command(HELP)
    return Command(kind, reference, text)
