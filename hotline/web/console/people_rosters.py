"""Console pages: rosters. Per area, the week ahead (who is primary, backup and supervisor in each
interval), the rotations, and dated overrides (a swap, or cover for a whole level).

Every change is checked by ``hotline.alerting.oncall.validate`` on the whole roster, as it would be after
the change, before anything is written: a refused form saves nothing. Times are the area's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flows.engine import N_
from hotline.alerting import oncall
from hotline.alerting.routing import roster_spec
from hotline.alerting.training import TRAINING_ROLE
from hotline.models import Roster, RosterOverride, RosterRotation, SocialWorker, WorkerArea
from hotline.records.audit import audit
from hotline.web.console.access import requires
from hotline.web.console.base import bp, runtime, translate
from hotline.web.console.people_common import (
    INPUT_FORMAT,
    LEVEL_LABELS,
    area_choices,
    area_label,
    local_time,
    managed_area_or_404,
    worker_names,
    workers_for_area,
)

WEEK_DAYS = 7
MAX_ROTATIONS = 12
MAX_MEMBERS = 20
SPARE_MEMBER_FIELDS = 2  # empty member choices offered after a rotation's members


@dataclass
class RotationRow:
    """One rotation as the form shows it (strings as typed, so a refused form comes back as sent)."""

    level: str = "primary"
    members: list[int] = field(default_factory=list)
    start: str = ""
    handoff_hour: str = "8"
    every_days: str = "7"
    new: bool = False

    @classmethod
    def of(cls, rotation: RosterRotation) -> RotationRow:
        return cls(
            rotation.level,
            list(rotation.members),
            rotation.start_date.isoformat(),
            str(rotation.handoff_hour),
            str(rotation.every_days),
        )

    def member_fields(self) -> list[int | None]:
        spare = min(SPARE_MEMBER_FIELDS, MAX_MEMBERS - len(self.members))
        return [*self.members, *([None] * max(spare, 3 - len(self.members), 0))]


@bp.get("/people/rosters")
@requires("people")
def rosters() -> ResponseReturnValue:
    wanted = request.args.get("area", "")
    if wanted:
        return redirect(url_for("console.roster", area=managed_area_or_404(wanted)))
    with runtime().session() as db:
        by_area = {r.area_code: r for r in db.scalars(select(Roster))}
        staffed = set(
            db.scalars(
                select(WorkerArea.location_code)
                .join(SocialWorker)
                .where(SocialWorker.active.is_(True), SocialWorker.role != TRAINING_ROLE)
            )
        )
        choices = area_choices(include_country=True)
        listed = [
            (code, label, by_area.get(code)) for code, label in choices if code in by_area or code in staffed
        ]
        now = runtime().clock.now()
        rows = [
            (
                code,
                label,
                len(r.rotations) if r else 0,
                sum(1 for o in r.overrides if o.ends_at > now) if r else 0,
            )
            for code, label, r in listed
        ]
    return render_template("console/people_rosters.html", rows=rows, areas=choices)


@bp.route("/people/rosters/<path:area>", methods=["GET", "POST"])
@requires("people")
def roster(area: str) -> ResponseReturnValue:
    area = managed_area_or_404(area)
    rt = runtime()
    with rt.session() as db:
        current = db.scalar(select(Roster).where(Roster.area_code == area))
        if request.method == "GET":
            return _page(db, area, current)
        action = request.form.get("action", "")
        if action == "rotations":
            return _save_rotations(db, area, current)
        if current is None:
            abort(404)
        if action == "add_override":
            return _add_override(db, area, current)
        if action == "remove_override":
            return _remove_override(db, current)
        if action == "remove_roster":
            audit(db, rt, current_user.id, "roster_removed", "roster", area)
            db.delete(current)
            db.commit()
            flash(
                translate(
                    N_("The roster was removed: every active worker covering the area is alerted as primary.")
                )
            )
            return redirect(url_for("console.roster", area=area))
        abort(400)


def _save_rotations(db: Session, area: str, current: Roster | None) -> tuple[str, int] | Response:
    rt = runtime()
    rows = _rows_from_form()
    errors: list[str] = []
    kept = [row for row in rows if not (row.new and not row.members)]
    allowed = _allowed_ids(db, area, current)
    rotations = [r for r in (_rotation(n, row, allowed, errors) for n, row in enumerate(kept, 1)) if r]
    if not kept:
        errors.append(
            translate(
                N_(
                    "A roster needs at least one rotation. To alert every worker of "
                    "the area instead, remove the roster."
                )
            )
        )
    zone_name = current.timezone if current else rt.locations.timezone(area)
    overrides = roster_spec(current).overrides if current else ()
    if not errors:
        errors += _invalid(oncall.Roster(area, zone_name, tuple(rotations), overrides))
    if errors:
        return _page(db, area, current, errors=errors, rows=rows, status=400)
    now = rt.clock.now()
    if current is None:
        current = Roster(area_code=area, timezone=zone_name, created_at=now)
        db.add(current)
    current.updated_at = now
    current.rotations = [
        RosterRotation(
            level=r.level,
            members=list(r.members),
            start_date=r.start,
            handoff_hour=r.handoff_hour,
            every_days=r.every_days,
        )
        for r in rotations
    ]
    audit(
        db,
        rt,
        current_user.id,
        "roster_rotations_saved",
        "roster",
        area,
        rotations=[
            {
                "level": r.level,
                "members": list(r.members),
                "start": r.start.isoformat(),
                "handoff_hour": r.handoff_hour,
                "every_days": r.every_days,
            }
            for r in rotations
        ],
    )
    db.commit()
    flash(translate(N_("The rotations were saved.")))
    return redirect(url_for("console.roster", area=area))


def _add_override(db: Session, area: str, current: Roster) -> tuple[str, int] | Response:
    rt = runtime()
    form = {
        name: request.form.get(name, "").strip()
        for name in ("level", "worker", "replaces", "starts", "ends", "reason")
    }
    zone = ZoneInfo(current.timezone)
    allowed = _allowed_ids(db, area, current)
    errors = []
    starts, ends = _moment(form["starts"], zone), _moment(form["ends"], zone)
    worker = int(form["worker"]) if form["worker"].isdigit() else None
    replaces = int(form["replaces"]) if form["replaces"].isdigit() else None
    if worker not in allowed or (form["replaces"] and replaces not in allowed):
        errors.append(translate(N_("Choose workers of this area.")))
    if starts is None or ends is None:
        errors.append(translate(N_("Give the start and the end as a date and an hour.")))
    elif ends <= rt.clock.now():
        errors.append(translate(N_("This override would already be over.")))
    if not form["reason"] or len(form["reason"]) > 200:
        errors.append(translate(N_("Give a reason of at most 200 characters.")))
    if not errors and worker is not None and starts and ends:
        override = oncall.Override(form["level"], worker, starts, ends, replaces)
        spec = roster_spec(current)
        errors += _invalid(oncall.Roster(area, current.timezone, spec.rotations, (*spec.overrides, override)))
    if errors:
        return _page(db, area, current, errors=errors, override_form=form, status=400)
    row = RosterOverride(
        level=form["level"],
        worker_id=worker,
        replaces_id=replaces,
        starts_at=starts,
        ends_at=ends,
        reason=form["reason"],
    )
    current.overrides.append(row)
    current.updated_at = rt.clock.now()
    db.flush()
    audit(
        db,
        rt,
        current_user.id,
        "roster_override_added",
        "roster",
        area,
        override_id=row.id,
        level=row.level,
        worker_id=worker,
        replaces_id=replaces,
        starts_at=row.starts_at.isoformat(),
        ends_at=row.ends_at.isoformat(),
        reason=row.reason,
    )
    db.commit()
    flash(translate(N_("The override was added.")))
    return redirect(url_for("console.roster", area=area))


def _remove_override(db: Session, current: Roster) -> Response:
    wanted = request.form.get("override_id", type=int)
    found = next((o for o in current.overrides if o.id == wanted), None)
    if found is None:
        abort(404)
    rt = runtime()
    audit(
        db,
        rt,
        current_user.id,
        "roster_override_removed",
        "roster",
        current.area_code,
        override_id=found.id,
        level=found.level,
        worker_id=found.worker_id,
        replaces_id=found.replaces_id,
        starts_at=found.starts_at.isoformat(),
        ends_at=found.ends_at.isoformat(),
    )
    current.overrides.remove(found)
    current.updated_at = rt.clock.now()
    db.commit()
    flash(translate(N_("The override was removed.")))
    return redirect(url_for("console.roster", area=current.area_code))


def _page(
    db: Session,
    area: str,
    current: Roster | None,
    *,
    errors: list[str] | None = None,
    rows: list[RotationRow] | None = None,
    override_form: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    rt = runtime()
    zone = ZoneInfo(current.timezone if current else rt.locations.timezone(area))
    now = rt.clock.now()
    today = now.astimezone(zone).date()
    if rows is None:
        rows = [RotationRow.of(r) for r in current.rotations] if current else []
        rows.append(RotationRow(start=today.isoformat(), new=True))
    week = _week(current, datetime.combine(today, time.min, zone)) if current else []
    overrides = [o for o in current.overrides if o.ends_at > now] if current else []
    choices = workers_for_area(db, area)
    ids = {w for _, _, answer in week for found in answer.values() for w in found}
    ids |= {m for row in rows for m in row.members}
    ids |= {w for o in overrides for w in (o.worker_id, o.replaces_id) if w}
    names = worker_names(db, ids | {w.id for w in choices})
    others = sorted(ids - {w.id for w in choices})  # deactivated, or moved to another area
    return render_template(
        "console/people_roster.html",
        area=area,
        label=area_label(area),
        roster=current,
        zone=zone.key,
        week=week,
        now=now,
        rows=rows,
        overrides=overrides,
        names=names,
        choices=[(w.id, w.name) for w in choices] + [(i, names.get(i, str(i))) for i in others],
        levels=oncall.LEVELS,
        level_labels=LEVEL_LABELS,
        errors=errors or [],
        override_form=override_form or {},
        when=lambda moment: local_time(moment, zone),
        default_period=_default_period(now, zone),
    ), status


def _default_period(now: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """An override form's suggestion: from the coming hour, for a day."""
    starts = now.astimezone(zone).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return starts.strftime(INPUT_FORMAT), (starts + timedelta(days=1)).strftime(INPUT_FORMAT)


def _week(current: Roster, start: datetime) -> list[tuple[datetime, datetime, dict[str, Any]]]:
    spec = roster_spec(current)
    if not spec.rotations and not spec.overrides:
        return []
    return oncall.week_view(spec, start, WEEK_DAYS)


def _rows_from_form() -> list[RotationRow]:
    rows = []
    for i in range(min(request.form.get("rows", 0, type=int) or 0, MAX_ROTATIONS + 1)):

        def value(name: str, i: int = i) -> str:
            return request.form.get(f"r{i}-{name}", "").strip()

        if value("remove"):
            continue
        members = [int(v) for v in request.form.getlist(f"r{i}-members") if v.isdigit()]
        rows.append(
            RotationRow(
                value("level"),
                members[:MAX_MEMBERS],
                value("start"),
                value("hour"),
                value("every"),
                new=bool(value("new")),
            )
        )
    return rows


def _rotation(number: int, row: RotationRow, allowed: set[int], errors: list[str]) -> oncall.Rotation | None:
    """The rotation a form row describes; on a problem, a message in ``errors`` and None."""
    problems = []
    try:
        start = date.fromisoformat(row.start)
    except ValueError:
        start = None
        problems.append(translate(N_("the start date is missing or not a date")))
    numbers = [_whole(row.handoff_hour), _whole(row.every_days)]
    if None in numbers:
        problems.append(translate(N_("the handoff hour and the number of days are whole numbers")))
    if any(m not in allowed for m in row.members):
        problems.append(translate(N_("choose workers of this area")))
    if problems or start is None or numbers[0] is None or numbers[1] is None:
        errors += [translate(N_("Rotation {number}: {problem}."), number=number, problem=p) for p in problems]
        return None
    return oncall.Rotation(row.level, tuple(row.members), start, numbers[0], numbers[1])


def _allowed_ids(db: Session, area: str, current: Roster | None) -> set[int]:
    """Workers who may be put on the roster, and those on it already (even if since deactivated)."""
    allowed = {w.id for w in workers_for_area(db, area)}
    if current:
        allowed |= {m for r in current.rotations for m in r.members}
    return allowed


def _invalid(spec: oncall.Roster) -> list[str]:
    try:
        oncall.validate(spec)
    except ValueError as error:
        return [translate(N_("Not saved: {problem}"), problem=str(error))]
    return []


def _whole(text: str) -> int | None:
    return int(text) if text.lstrip("-").isdigit() and len(text) < 6 else None


def _moment(text: str, zone: ZoneInfo) -> datetime | None:
    try:
        return datetime.strptime(text, INPUT_FORMAT).replace(tzinfo=zone)
    except ValueError:
        return None
