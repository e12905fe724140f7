"""Amounts of money as gateways word them: "USD 12.3400", "KES 1,234.50", "12.5", "CDF 10 000".

Read by the settings (the balance threshold), the meters (the cost of each send) and the balance
check, so it lives below all three.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# An optional ISO code, then the amount.
AMOUNT = re.compile(r"^\s*(?:([A-Za-z]{3})\s*)?([0-9][0-9 ,]*(?:\.[0-9]+)?)\s*$")


class AmountError(ValueError):
    """A balance or threshold that is not "<currency> <amount>" or "<amount>"."""


def parse_amount(text: str) -> tuple[str | None, Decimal]:
    """``"USD 12.3400"`` -> ``("USD", Decimal("12.3400"))``; a bare number has no currency."""
    match = AMOUNT.match(text or "")
    if not match:
        raise AmountError(f"must look like 'USD 5' or '5', not {text[:24]!r}")
    try:
        amount = Decimal(match.group(2).replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise AmountError(f"must look like 'USD 5' or '5', not {text[:24]!r}") from None
    return (match.group(1).upper() if match.group(1) else None), amount
