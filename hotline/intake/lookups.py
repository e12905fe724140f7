"""A reporter checks a report: one neutral line, never details, and never a way to enumerate.

From the number that reported, the reference is enough; from any other phone the PIN chosen at
the end of the report is needed. Unknown references and wrong PINs get the same answer, and each
number has at most five lookups an hour.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from sqlalchemy import select

from hotline.models import Report
from hotline.platform.runtime import Runtime

LOOKUPS_PER_HOUR = 5
STATUS_BUCKETS = {
    "new": "received",
    "alerted": "received",
    "accepted": "handled",
    "in_progress": "handled",
    "referred": "handled",
    "closed": "closed",
    "duplicate": "closed",
    "unfounded": "closed",
}


def check_report(runtime: Runtime, phone_hashes: str | Sequence[str], reference: str, pin: str | None) -> str:
    """received | handled | closed | not_found | limited | need_pin (see the module docstring).

    ``phone_hashes``: the caller's fingerprint, or all of them during a key rotation.
    """
    hashes = (phone_hashes,) if isinstance(phone_hashes, str) else tuple(phone_hashes)
    with runtime.session() as session:
        report = session.scalar(select(Report).where(Report.reference == reference))
        own = report is not None and not _reporting_hashes(report).isdisjoint(hashes)
        if not own and pin is None:
            # Also for an unknown reference: nothing to learn from it, so it is not a lookup.
            # Counting it too would make one check from another phone cost two of the five.
            return "need_pin"
        if _over_limit(runtime, hashes[0]):
            return "limited"
        if report is None or not (own or _pin_matches(runtime, report, pin or "")):
            return "not_found"
        if not own:
            session.commit()  # a PIN kept under an old key was just re-keyed
        return STATUS_BUCKETS.get(report.status, "received")


def _pin_matches(runtime: Runtime, report: Report, pin: str) -> bool:
    """Compare the PIN under every configured key (each one, so timing says nothing). A match
    under an old key re-keys the stored hash: the PIN itself is never stored, so a right answer
    is the only moment it can move to the new key."""
    if not report.pin_hash:
        return False
    candidates = runtime.cipher.lookup_hashes(f"pin:{report.reference}:{pin}")
    matches = [hmac.compare_digest(report.pin_hash, c) for c in candidates]
    if any(matches[1:]) and not matches[0]:
        report.pin_hash = candidates[0]
    return any(matches)


def _reporting_hashes(report: Report) -> set[str]:
    hashes = {report.reporter_hash} if report.reporter_hash else set()
    if report.contact is not None:
        hashes.add(report.contact.phone_hash)
    return hashes


def _over_limit(runtime: Runtime, phone_hash: str) -> bool:
    key = f"hotline:lookups:{phone_hash}"
    count = runtime.redis.incr(key)
    if count == 1:
        runtime.redis.expire(key, 3600)
    return count > LOOKUPS_PER_HOUR
