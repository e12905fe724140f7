"""Reference codes a reporter can read out or type on a keypad: random, short, unambiguous."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flows.commands import REFERENCE_ALPHABET as ALPHABET

LENGTH = 6  # 25**6 = 244 million codes: guessing one is hopeless at 5 lookups an hour.

ReferenceFactory = Callable[[], str]


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
