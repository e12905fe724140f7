"""Text for small screens and SMS: ASCII folding for USSD, GSM-7 detection and segment counting."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# GSM 03.38 basic character set and its extension table (each extension char costs two septets).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_GSM7 = frozenset(GSM7_BASIC + GSM7_EXTENSION)

# Characters that folding by decomposition would not turn into ASCII.
_SPECIAL = {
    "œ": "oe",
    "Œ": "OE",
    "æ": "ae",
    "Æ": "AE",
    "ß": "ss",
    # Lingala's and Kikongo's open vowels, which a reviewer may write: on a phone, plain e and o.
    "ɛ": "e",
    "Ɛ": "E",
    "ɔ": "o",
    "Ɔ": "O",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
}


def fold_ascii(text: str) -> str:
    """``Sécurité d’abord`` -> ``Securite d'abord``; anything left that is not ASCII is dropped.

    USSD gateways render accents badly or not at all, so every USSD screen is folded.
    """
    return text if text.isascii() else _fold(text)


@lru_cache(maxsize=4096)  # the same catalog lines and place names are folded on every hop
def _fold(text: str) -> str:
    out = []
    for ch in text:
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in decomposed if ord(c) < 128 and not unicodedata.combining(c)))
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7 for ch in text)


def to_gsm7(text: str) -> str:
    """Keep GSM-7 characters (é, è, à, ù are in it) and fold the rest, so the SMS never turns UCS-2.

    One ``ç`` or curly quote would switch a whole SMS to UCS-2 and cut a part from 160 to 70
    characters, doubling what each alert costs.
    """
    folded = "".join(ch if ch in _GSM7 else fold_ascii(ch) for ch in text)
    # Folding gives ASCII, but a few ASCII characters (` and tab, for instance) are not GSM-7 either.
    return "".join(ch for ch in folded if ch in _GSM7)


def sms_segments(text: str) -> int:
    """How many parts the gateway bills for ``text``."""
    if is_gsm7(text):
        septets = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        return 1 if septets <= 160 else -(-septets // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)
