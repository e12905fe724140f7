"""Who is alerted for a report, at each escalation level.

The most specific area with a roster decides: the place, then its province. The national duty
roster ("CD") answers only the policy's last level, "national". A place with no roster anywhere
alerts the active workers (role "worker") covering it as primaries and its supervisors at the
supervisor level; where nobody but supervisors covers it, the supervisors are the primaries (so a
fresh install with one supervisor still reaches someone). A level that finds nobody is passed at
once by the escalation (hotline.alerting.escalation).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerting import oncall
from hotline.alerting.training import TRAINING_ROLE
from hotline.models import Roster, SocialWorker, WorkerArea
from hotline.platform.locations import Locations

NATIONAL = "CD"
ESCALATION_LEVELS = (*oncall.LEVELS, "national")


def workers_for(session: Session, locations: Locations, location_code: str) -> list[SocialWorker]:
    """Active workers covering the report's exact place or its whole province, each once, by id."""
    query = (
        select(SocialWorker)
        .join(WorkerArea)
        .where(
            WorkerArea.location_code.in_(locations.covering(location_code)),
            SocialWorker.active.is_(True),
            SocialWorker.role != TRAINING_ROLE,
        )
        .distinct()
        .order_by(SocialWorker.id)
    )
    return list(session.scalars(query))


def roster_spec(roster: Roster) -> oncall.Roster:
    return oncall.Roster(
        area=roster.area_code,
        timezone=roster.timezone,
        rotations=tuple(
            oncall.Rotation(
                level=r.level,
                members=tuple(r.members),
                start=r.start_date,
                handoff_hour=r.handoff_hour,
                every_days=r.every_days,
            )
            for r in roster.rotations
        ),
        overrides=tuple(
            oncall.Override(
                level=o.level,
                worker_id=o.worker_id,
                starts_at=o.starts_at,
                ends_at=o.ends_at,
                replaces=o.replaces_id,
            )
            for o in roster.overrides
        ),
    )


def on_call_now(session: Session, area_code: str, at: datetime) -> dict[str, tuple[int, ...]] | None:
    """The answer of the area's own roster, or None when the area has no roster."""
    roster = session.scalar(select(Roster).where(Roster.area_code == area_code))
    return oncall.on_call(roster_spec(roster), at) if roster else None


def recipients(
    session: Session, locations: Locations, location_code: str, level: str, at: datetime
) -> list[SocialWorker]:
    """The active workers to alert at ``level`` for a report at ``location_code``, at time ``at``."""
    if level == "national":
        return _national(session, at)
    any_roster = False
    for area in locations.covering(location_code):
        answer = on_call_now(session, area, at)
        if answer is None:
            continue
        any_roster = True
        found = _active(session, answer.get(level, ()))
        if found:
            return found
    if any_roster:
        return []
    covering = workers_for(session, locations, location_code)
    workers = [w for w in covering if w.role == "worker"]
    supervisors = [w for w in covering if w.role == "supervisor"]
    if level == "primary":
        return workers or supervisors
    if level == "supervisor" and workers:  # else they were the primaries already
        return supervisors
    return []


def _national(session: Session, at: datetime) -> list[SocialWorker]:
    answer = on_call_now(session, NATIONAL, at)
    if answer is not None:
        # One duty officer: the first ACTIVE one in level order, so a deactivated primary
        # hands over to the backup instead of leaving the last level with nobody.
        return _active(session, [w for level in oncall.LEVELS for w in answer.get(level, ())])[:1]
    return list(
        session.scalars(
            select(SocialWorker)
            .where(SocialWorker.role == "national_duty", SocialWorker.active.is_(True))
            .order_by(SocialWorker.id)
        )
    )


def _active(session: Session, ids: tuple[int, ...] | list[int]) -> list[SocialWorker]:
    if not ids:
        return []
    # The simulator's emulated workers never take a real report, even if put on a roster.
    found = {
        w.id: w
        for w in session.scalars(
            select(SocialWorker).where(
                SocialWorker.id.in_(ids), SocialWorker.active.is_(True), SocialWorker.role != TRAINING_ROLE
            )
        )
    }
    return [found[i] for i in ids if i in found]
