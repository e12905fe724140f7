"""Who is on call for an area at a given moment: rotations plus overrides, as one pure function.

Modelled on grafana/oncall schedules and PagerDuty layers. A roster is plain data (no database, no
clock): the console and the escalation service load it, pass a time, and get worker ids per level.
Shift times are local to the area, because workers in Kwilu and in Lubumbashi live one hour apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LEVELS = ("primary", "backup", "supervisor")


@dataclass(frozen=True)
class Rotation:
    level: str  # one of LEVELS
    members: tuple[int, ...]  # worker ids, in turn order
    start: date  # the local date the first member's first shift starts
    handoff_hour: int  # local hour (0-23) at which shifts change
    every_days: int = 7  # shift length in days (>= 1)


@dataclass(frozen=True)
class Override:
    level: str
    worker_id: int
    starts_at: datetime  # timezone-aware (any zone)
    ends_at: datetime  # exclusive
    replaces: int | None = None  # None: takes the whole level; else replaces only that worker


@dataclass(frozen=True)
class Roster:
    area: str  # location code, e.g. "CD-KL", "CD-KL/kikwit" or "CD" (national)
    timezone: str  # IANA zone name
    rotations: tuple[Rotation, ...]
    overrides: tuple[Override, ...] = ()


def validate(roster: Roster) -> ZoneInfo:
    """Raise ValueError naming the first thing wrong with `roster`; return its time zone."""
    if not roster.area:
        raise ValueError("roster area is empty")
    try:
        zone = ZoneInfo(roster.timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"{roster.area}: unknown time zone {roster.timezone!r}") from error
    for rotation in roster.rotations:
        where = f"{roster.area} rotation {rotation.level!r}"
        _check_level(rotation.level, where)
        if not rotation.members:
            raise ValueError(f"{where}: members is empty")
        if rotation.every_days < 1:
            raise ValueError(f"{where}: every_days must be >= 1, not {rotation.every_days}")
        if not 0 <= rotation.handoff_hour <= 23:
            raise ValueError(f"{where}: handoff_hour must be 0-23, not {rotation.handoff_hour}")
    for override in roster.overrides:
        where = f"{roster.area} override for worker {override.worker_id}"
        _check_level(override.level, where)
        _check_aware(override.starts_at, f"{where}: starts_at")
        _check_aware(override.ends_at, f"{where}: ends_at")
        if override.ends_at <= override.starts_at:
            raise ValueError(f"{where}: ends_at must be after starts_at")
    return zone


def on_call(roster: Roster, at: datetime) -> dict[str, tuple[int, ...]]:
    """Worker ids on call at `at` (aware datetime) for each level that has anyone, in LEVELS order.

    1. Take the current member of every rotation (shifts are counted in the roster's local time).
    2. Apply the overrides active at `at` (starts_at <= at < ends_at) in order of starts_at, so a
       later-starting override wins for the same worker; ties keep the roster's order.
    3. Drop duplicates and the levels left with nobody.
    """
    zone = validate(roster)
    _check_aware(at, "at")
    local = at.astimezone(zone).replace(tzinfo=None)
    # Each slot is (scheduled worker, worker covering now); both start as the rotation's member.
    slots: dict[str, list[tuple[int, int]]] = {level: [] for level in LEVELS}
    for rotation in roster.rotations:
        member = _current_member(rotation, local)
        if member is not None:
            slots[rotation.level].append((member, member))
    active = [o for o in roster.overrides if o.starts_at <= at < o.ends_at]
    for override in sorted(active, key=lambda o: o.starts_at):
        slots[override.level] = _apply(slots[override.level], override)
    answer = {level: _unique(now for _, now in slots[level]) for level in LEVELS}
    return {level: workers for level, workers in answer.items() if workers}


def next_handoff(roster: Roster, at: datetime) -> datetime | None:
    """The first moment after `at` when the answer may change, in the roster's zone, or None if never.

    Candidates are every rotation's next shift boundary and every override's start or end. The answer
    may stay the same across one (e.g. a one-member rotation); week_view merges such neighbours.
    """
    zone = validate(roster)
    _check_aware(at, "at")
    local = at.astimezone(zone).replace(tzinfo=None)
    candidates = [_next_boundary(rotation, local, zone, at) for rotation in roster.rotations]
    for override in roster.overrides:
        candidates += [moment for moment in (override.starts_at, override.ends_at) if moment > at]
    return min(candidates).astimezone(zone) if candidates else None


def week_view(
    roster: Roster, start: datetime, days: int = 7
) -> list[tuple[datetime, datetime, dict[str, tuple[int, ...]]]]:
    """Contiguous intervals [from, until) covering `days` days from `start`, each with a constant answer.

    Neighbouring intervals with the same answer are merged, so each row is a real change for the reader.
    Times are in the roster's zone.
    """
    zone = validate(roster)
    _check_aware(start, "start")
    if days < 1:
        raise ValueError(f"days must be >= 1, not {days}")
    moment = start.astimezone(zone)
    end = moment + timedelta(days=days)
    rows: list[tuple[datetime, datetime, dict[str, tuple[int, ...]]]] = []
    while moment < end:
        following = next_handoff(roster, moment)
        until = end if following is None else min(following, end)
        answer = on_call(roster, moment)
        if rows and rows[-1][2] == answer:
            rows[-1] = (rows[-1][0], until, answer)
        else:
            rows.append((moment, until, answer))
        moment = until
    return rows


def _first_handoff(rotation: Rotation) -> datetime:
    return datetime.combine(rotation.start, time(rotation.handoff_hour))


def _current_member(rotation: Rotation, local: datetime) -> int | None:
    # Counted on the local wall clock, so a shift is "08:00 to 08:00" whatever the UTC offset.
    first = _first_handoff(rotation)
    if local < first:
        return None
    shift = (local - first) // timedelta(days=rotation.every_days)
    return rotation.members[shift % len(rotation.members)]


def _next_boundary(rotation: Rotation, local: datetime, zone: ZoneInfo, at: datetime) -> datetime:
    first = _first_handoff(rotation)
    step = timedelta(days=rotation.every_days)
    boundary = first if local < first else first + ((local - first) // step + 1) * step
    aware = boundary.replace(tzinfo=zone)
    # Only a zone with daylight saving (none in the DRC) could put a wall-clock boundary at or before
    # `at`; step on so the caller always moves forward.
    while aware <= at:
        boundary += step
        aware = boundary.replace(tzinfo=zone)
    return aware


def _apply(slots: list[tuple[int, int]], override: Override) -> list[tuple[int, int]]:
    if override.replaces is None:
        # Leave cover: this worker alone holds the level, whoever was scheduled.
        return [(override.worker_id, override.worker_id)]
    # A swap matches the scheduled worker or the one covering now: a later swap for the same worker
    # wins over an earlier one, and a cover can be covered in turn. No match: the override is ignored.
    return [
        (scheduled, override.worker_id if override.replaces in (scheduled, now) else now)
        for scheduled, now in slots
    ]


def _unique(workers: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(workers))  # keeps first-seen order, i.e. rotation order


def _check_level(level: str, where: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"{where}: unknown level {level!r} (expected one of {', '.join(LEVELS)})")


def _check_aware(moment: datetime, what: str) -> None:
    # A naive time would silently mean the server's zone, not the area's: refuse it.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment!r}")
