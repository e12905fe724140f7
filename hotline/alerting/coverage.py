"""Coverage warnings: the escalation levels nobody would answer, now or in the coming days.

For every area with active workers or a roster, each level (primary, backup, supervisor) is asked
of ``routing.recipients``, the function that alerts people, at now and at every moment one of the
area's rosters hands over in the coming days (``oncall.week_view``, the roster preview's own
intervals). A level with nobody at one of those moments is a gap until the next moment someone is
there. The national duty level is asked the same way, for the whole country.

An area without a roster has no hand-overs: its answer is the same all week, and routing without a
roster never finds a backup (its workers are primaries, its supervisors the supervisor level).
The console's on-call page and dashboard and ``hotline check`` show these gaps as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerting import oncall
from hotline.alerting.routing import NATIONAL, recipients, roster_spec
from hotline.alerting.training import TRAINING_ROLE
from hotline.models import Roster, SocialWorker, WorkerArea
from hotline.platform.locations import COUNTRY, Locations

DAYS = 7


@dataclass(frozen=True)
class Gap:
    """A level nobody would be alerted at, for reports in ``area``, from ``starts_at``."""

    area: str  # a location code; "CD" for the national duty level
    level: str  # primary, backup, supervisor or national
    starts_at: datetime  # the moment asked for (the ``now`` given): nobody now
    ends_at: datetime | None  # someone again from then; None: nobody until the end of the days looked at
    rostered: bool  # a roster decides (the area's or its province's); False: routing without one

    def now(self, at: datetime) -> bool:
        return self.starts_at <= at


def watched_areas(session: Session) -> list[str]:
    """Areas with an active worker (the simulator's are not staff) or a roster, the national roster
    aside: the areas the on-call page lists."""
    staffed = session.scalars(
        select(WorkerArea.location_code)
        .join(SocialWorker)
        .where(SocialWorker.active.is_(True), SocialWorker.role != TRAINING_ROLE)
    )
    rostered = session.scalars(select(Roster.area_code))
    return sorted({*staffed, *rostered} - {COUNTRY})


def gaps(session: Session, locations: Locations, now: datetime, days: int = DAYS) -> list[Gap]:
    """Every gap in the ``days`` from ``now``: the national duty level first, then area by area in
    the order of ``watched_areas``, levels in escalation order."""
    rosters = {r.area_code: roster_spec(r) for r in session.scalars(select(Roster))}
    national = _moments(rosters, (NATIONAL,), now, days)
    found = _level_gaps(session, locations, NATIONAL, "national", national, NATIONAL in rosters)
    for area in watched_areas(session):
        if not locations.is_valid(area):
            continue  # a code the locations file no longer has: routing cannot reach it either
        covering = locations.covering(area)
        moments, rostered = _moments(rosters, covering, now, days), any(a in rosters for a in covering)
        for level in oncall.LEVELS:
            found += _level_gaps(session, locations, area, level, moments, rostered)
    return found


def _moments(
    rosters: dict[str, oncall.Roster], areas: tuple[str, ...], now: datetime, days: int
) -> list[datetime]:
    """Now and each moment one of these areas' rosters changes its answer, in the coming days."""
    moments = {now}
    for area in areas:
        spec = rosters.get(area)
        if spec is not None and (spec.rotations or spec.overrides):
            moments |= {start for start, _, _ in oncall.week_view(spec, now, days)}
    return sorted(moment for moment in moments if moment >= now)


def _level_gaps(
    session: Session,
    locations: Locations,
    area: str,
    level: str,
    moments: list[datetime],
    rostered: bool,
) -> list[Gap]:
    found: list[Gap] = []
    starts: datetime | None = None
    for moment in moments:
        nobody = not recipients(session, locations, area, level, moment)
        if nobody and starts is None:
            starts = moment
        elif not nobody and starts is not None:
            found.append(Gap(area, level, starts, moment, rostered))
            starts = None
    if starts is not None:
        found.append(Gap(area, level, starts, None, rostered))
    return found
