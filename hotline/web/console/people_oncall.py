"""Console page: who is on call now, and the coverage warnings it shares with the dashboard.

The warnings are ``hotline.alerting.coverage``'s gaps (the levels nobody would be alerted at, now
and in the coming week, and a missing national duty officer) for the areas the user sees, each as
a sentence in the user's language and the area's local time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.alerting import coverage
from hotline.alerting.oncall import LEVELS
from hotline.alerting.routing import NATIONAL, recipients
from hotline.alerting.training import TRAINING_ROLE
from hotline.models import Roster, SocialWorker, WorkerArea
from hotline.web.console.access import requires
from hotline.web.console.base import bp, runtime, translate
from hotline.web.console.people_common import LEVEL_LABELS, area_choices, area_label, local_time, zone_of

NOBODY_NOW = N_("{where}: nobody now.")
NOBODY_NOW_UNTIL = N_("{where}: nobody now, until {until}.")
NOBODY_FROM = N_("{where}: nobody from {start} to {until}.")
NOBODY_FROM_ON = N_("{where}: nobody from {start}, nor in the rest of the next {days} days.")
NOBODY_NO_ROSTER = N_("{where}: nobody (no roster: routing alerts nobody at this level).")


@bp.get("/people/on-call")
@requires("people")
def on_call_now() -> ResponseReturnValue:
    """Per area with workers or a roster, who would be alerted now at each level; the warnings."""
    rt = runtime()
    now = rt.clock.now()
    with rt.session() as db:
        rostered = set(db.scalars(select(Roster.area_code)))
        staffed = set(
            db.scalars(
                select(WorkerArea.location_code)
                .join(SocialWorker)
                .where(SocialWorker.active.is_(True), SocialWorker.role != TRAINING_ROLE)
            )
        )
        shown = [code for code, _ in area_choices(include_country=True) if code in rostered | staffed]
        areas = [_area_on_call(db, code, rostered, now) for code in shown]
        national = [w.name for w in recipients(db, rt.locations, NATIONAL, "national", now)]
        warnings = coverage_warnings(db)
    return render_template(
        "console/people_oncall.html",
        areas=areas,
        national=national,
        level_labels=LEVEL_LABELS,
        now=now,
        warnings=warnings,
        days=coverage.DAYS,
    )


def coverage_warnings(db: Session) -> list[str]:
    """The coverage gaps of the national level and of the areas the user sees, as sentences."""
    rt = runtime()
    now = rt.clock.now()
    return [
        _sentence(gap, now)
        for gap in coverage.gaps(db, rt.locations, now)
        if gap.level == "national" or current_user.sees(gap.area)
    ]


def _sentence(gap: coverage.Gap, now: datetime) -> str:
    zone = zone_of(gap.area)
    level = translate(LEVEL_LABELS[gap.level])
    where = level if gap.level == "national" else f"{area_label(gap.area)}, {level}"
    if not gap.rostered and gap.level != "national":
        return translate(NOBODY_NO_ROSTER, where=where)
    until = local_time(gap.ends_at, zone) if gap.ends_at else ""
    if gap.now(now):
        return translate(NOBODY_NOW_UNTIL if until else NOBODY_NOW, where=where, until=until)
    start = local_time(gap.starts_at, zone)
    if until:
        return translate(NOBODY_FROM, where=where, start=start, until=until)
    return translate(NOBODY_FROM_ON, where=where, start=start, days=coverage.DAYS)


def _area_on_call(db: Session, code: str, rostered: set[str], now: Any) -> dict[str, Any]:
    locations = runtime().locations
    source = next((area for area in locations.covering(code) if area in rostered), None)
    levels = {level: [w.name for w in recipients(db, locations, code, level, now)] for level in LEVELS}
    return {
        "code": code,
        "label": area_label(code),
        "levels": levels,
        "source": None if source is None else area_label(source),
        "has_roster": code in rostered,
    }
