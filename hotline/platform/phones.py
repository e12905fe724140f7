"""Phone numbers: one way to normalise them (phonenumbers, region CD) and one way to mask them."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "CD"
# +243 89 000 0xxx: the training simulator's phones (hotline.alerting.training), never a real one.
TRAINING_RANGE = "+243890000"


class InvalidPhone(ValueError):
    pass


def normalise(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the E.164 form of ``raw`` or raise InvalidPhone.

    ``0812345678``, ``243812345678``, ``00243812345678`` and ``+243 81 234 5678`` all give
    ``+243812345678``. Gateways sometimes drop the ``+``: a bare run of digits that starts with
    a country code is tried as international before it is tried as national.
    """
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidPhone("empty or too long")
    if any(ch.isalpha() for ch in text):
        # phonenumbers reads "0812345ABC" as a keypad word (+243812345222): a typo would reach a stranger.
        raise InvalidPhone("letters in a phone number")
    found = _parsed(text, region)
    if found is None:
        raise InvalidPhone("not a valid phone number")
    return found


# A USSD session posts the same number at each of its ~14 hops: phonenumbers parses it once
# (its parse and validation were ~5% of a hop). A few hundred numbers, in the process that
# received them anyway; the cache holds the same strings, never anything else.
@lru_cache(maxsize=512)
def _parsed(text: str, region: str) -> str | None:
    """The E.164 form of a stripped, letter-free ``text``, or None."""
    candidates = [text]
    digits = "".join(ch for ch in text if ch.isdigit())
    if text[0].isdigit() and not text.startswith("0") and len(digits) > 9:
        candidates.insert(0, "+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def try_normalise(raw: str | None) -> str | None:
    try:
        return normalise(raw or "")
    except InvalidPhone:
        return None


def mask(e164: str) -> str:
    """``+243812345678`` -> ``+243 81* *** *678``: enough to tell two numbers apart, not to call."""
    if len(e164) < 8:
        return "***"
    return f"{e164[:4]} {e164[4:6]}* *** *{e164[-3:]}"


def is_training_phone(e164: str) -> bool:
    """A number of the simulator's reserved range: its messages never leave this machine."""
    return e164.startswith(TRAINING_RANGE) and len(e164) == len(TRAINING_RANGE) + 3
