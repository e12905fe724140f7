"""The dashboard's numbers, computed from plain rows: no Flask, no SQL, so each is tested by hand.

The console loads the rows (already narrowed by the user's areas); these functions still drop
training reports and rows outside the scope they are given, so a careless caller cannot leak a
simulator report or another province's numbers into a chart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

# A report in one of these is no longer waiting for anyone.
CLOSED_STATUSES = ("closed", "duplicate", "unfounded")
# Africa's Talking's end-of-session statuses, in the order the funnel shows them.
SESSION_STATUSES = ("Success", "Incomplete", "Failed")
UNKNOWN_SCREEN = "?"


@dataclass(frozen=True)
class ReportRow:
    created_at: datetime
    accepted_at: datetime | None
    category: str
    location_code: str
    urgent: bool = False
    status: str = "new"
    training: bool = False


def countable(rows: Iterable[ReportRow], sees: Callable[[str], bool]) -> list[ReportRow]:
    """The rows that belong in statistics: real reports (not training) in areas the user sees."""
    return [r for r in rows if not r.training and sees(r.location_code)]


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def day_starts(today: date, count: int) -> list[date]:
    """The last ``count`` days, oldest first, ending with ``today``."""
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]


def week_starts(today: date, count: int) -> list[date]:
    """The Mondays of the last ``count`` weeks, oldest first, ending with this week's."""
    this_week = week_start(today)
    return [this_week - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def count_by(
    rows: Iterable[ReportRow],
    buckets: Sequence[date],
    bucket_of: Callable[[ReportRow], date],
    group_of: Callable[[ReportRow], str],
) -> dict[str, list[int]]:
    """For each group, how many rows fell in each bucket (rows outside the buckets are ignored).

    Groups come out largest first, so a chart's legend reads from the biggest share down.
    """
    index = {bucket: i for i, bucket in enumerate(buckets)}
    groups: dict[str, list[int]] = {}
    for row in rows:
        i = index.get(bucket_of(row))
        if i is not None:
            groups.setdefault(group_of(row), [0] * len(buckets))[i] += 1
    return dict(sorted(groups.items(), key=lambda item: (-sum(item[1]), item[0])))


def keep_largest(groups: dict[str, list[int]], keep: int, other: str) -> dict[str, list[int]]:
    """The ``keep`` largest groups, the rest added up under ``other`` (26 provinces fit no legend)."""
    ordered = sorted(groups.items(), key=lambda item: (-sum(item[1]), item[0]))
    if len(ordered) <= keep + 1:
        return dict(ordered)
    kept = dict(ordered[:keep])
    rest = [g for _, g in ordered[keep:]]
    kept[other] = [sum(column) for column in zip(*rest, strict=True)]
    return kept


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks; None if empty.

    The same definition as numpy's default and statistics.quantiles(method="inclusive"):
    quantile([1, 2, 3, 4], 0.5) is 2.5.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Acceptance:
    accepted: int  # reports of the period a worker accepted
    waiting: int  # reports of the period still open and never accepted
    median_seconds: float | None
    p90_seconds: float | None


def acceptance(rows: Iterable[ReportRow], since: datetime) -> Acceptance:
    """Time from a report's arrival to its first acceptance, over reports received since ``since``.

    The reports still waiting are counted apart: leaving them out silently would flatter the
    median exactly when nobody answers.
    """
    waits: list[float] = []
    waiting = 0
    for row in rows:
        if row.training or row.created_at < since:
            continue
        if row.accepted_at is not None:
            waits.append(max(0.0, (row.accepted_at - row.created_at).total_seconds()))
        elif row.status not in CLOSED_STATUSES:
            waiting += 1
    return Acceptance(len(waits), waiting, quantile(waits, 0.5), quantile(waits, 0.9))


@dataclass(frozen=True)
class Delivery:
    delivered: int
    failed: int
    pending: int  # waiting to be sent, or sent with no delivery report yet
    not_sent: int  # cancelled (accepted before it left) or folded into a bundle SMS

    @property
    def total(self) -> int:
        """The alerts that went, or are going, to a phone on their own."""
        return self.delivered + self.failed + self.pending

    def share(self, part: int) -> float:
        return part / self.total if self.total else 0.0


def delivery(statuses: Iterable[str]) -> Delivery:
    """Alert messages by outcome, from their outbox statuses."""
    counts = Counter(statuses)
    return Delivery(
        delivered=counts["delivered"],
        failed=counts["failed"],
        pending=counts["pending"] + counts["sent"],
        not_sent=counts["cancelled"] + counts["bundled"],
    )


@dataclass(frozen=True)
class FunnelStep:
    screen: str
    ended: dict[str, int]  # session status -> sessions that ended on this screen with it

    @property
    def total(self) -> int:
        return sum(self.ended.values())

    @property
    def dropped(self) -> int:
        return self.total - self.ended.get("Success", 0)


def ussd_funnel(events: Iterable[tuple[str | None, str]]) -> list[FunnelStep]:
    """Where USSD sessions ended, per last screen, split by status; most drop-outs first.

    ``events`` are (last_screen, status) pairs. A status AT may add later is kept under its own
    name rather than dropped, so the totals always match the number of sessions.
    """
    per_screen: dict[str, Counter[str]] = {}
    for screen, status in events:
        per_screen.setdefault(screen or UNKNOWN_SCREEN, Counter())[status] += 1
    steps = [
        FunnelStep(screen, {s: counts.get(s, 0) for s in (*SESSION_STATUSES, *sorted(counts))})
        for screen, counts in per_screen.items()
    ]
    return sorted(steps, key=lambda s: (-s.dropped, -s.total, s.screen))
