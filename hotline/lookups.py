"""A reporter checks a report: one neutral line, never details, and never a way to enumerate.

From the number that reported, the reference is enough; from any other phone the PIN chosen at
the end of the report is needed. Unknown references and wrong PINs get the same answer, and each
number has at most five lookups an hour.
"""

from __future__ import annotations

import hmac

from sqlalchemy import select

from .models import Report
from .reports import pin_hash
from .runtime import Runtime

LOOKUPS_PER_HOUR = 5
STATUS_BUCKETS = {
    "new": "received", "alerted": "received",
    "accepted": "handled", "in_progress": "handled", "referred": "handled",
    "closed": "closed", "duplicate": "closed", "unfounded": "closed",
}


def check_report(runtime: Runtime, phone_hash: str, reference: str, pin: str | None) -> str:
    """received | handled | closed | not_found | limited | need_pin (see the module docstring)."""
    with runtime.session() as session:
        report = session.scalar(select(Report).where(Report.reference == reference))
        own = report is not None and phone_hash in _reporting_hashes(report)
        if not own and pin is None:
            # Also for an unknown reference: nothing to learn from it, so it is not a lookup.
            # Counting it too would make one check from another phone cost two of the five.
            return "need_pin"
        if _over_limit(runtime, phone_hash):
            return "limited"
        if not own:
            expected = pin_hash(runtime, reference, pin or "")
            if report is None or not report.pin_hash or not hmac.compare_digest(
                    report.pin_hash, expected):
                return "not_found"
        return STATUS_BUCKETS.get(report.status, "received")


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
