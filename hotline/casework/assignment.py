"""Who a report is assigned to: one SMS worker, one console user or one team, or nobody.

An assignee is written ``worker:<id>``, ``user:<id>`` or ``team:<id>`` (the console's forms post
that); "" takes the assignment away. Each may hold only reports of their areas: a worker covering
the place (``actions.assignable_workers``), an active console user who works on cases there, an
active team whose area covers it. Every change is audited and on the report's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.casework.actions import CaseworkError, actor, assign, assignable_workers
from hotline.models import Report, SocialWorker, Team, TeamMember, User
from hotline.platform.locations import area_covers
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit
from hotline.records.timeline import record

# The console roles that work on cases (the console's "edit" permission).
CASEWORK_ROLES = ("admin", "supervisor", "operator")
KINDS = ("worker", "user", "team")


@dataclass(frozen=True)
class Choices:
    """Who a report may be assigned to, each list sorted by name."""

    users: list[User]
    teams: list[Team]
    workers: list[SocialWorker]


def covers(user: User, location_code: str) -> bool:
    return user.role == "admin" or any(area_covers(area, location_code) for area in user.areas or [])


def assignable_users(session: Session, location_code: str) -> list[User]:
    users = session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(CASEWORK_ROLES)).order_by(User.name, User.id)
    )
    return [u for u in users if covers(u, location_code)]


def assignable_teams(session: Session, location_code: str) -> list[Team]:
    teams = session.scalars(select(Team).where(Team.active.is_(True)).order_by(Team.name, Team.id))
    return [t for t in teams if area_covers(t.area_code, location_code)]


def choices(session: Session, runtime: Runtime, report: Report) -> Choices:
    return Choices(
        assignable_users(session, report.location_code),
        assignable_teams(session, report.location_code),
        assignable_workers(session, runtime, report),
    )


def assignee_of(report: Report) -> str:
    if report.assigned_user_id:
        return f"user:{report.assigned_user_id}"
    if report.assigned_team_id:
        return f"team:{report.assigned_team_id}"
    if report.assigned_to_id:
        return f"worker:{report.assigned_to_id}"
    return ""


def assign_to(session: Session, runtime: Runtime, report: Report, assignee: str, user_id: int) -> None:
    """Assign ``report`` to ``assignee`` (see the module docstring); refused with CaseworkError when
    the assignee may not hold it or nothing would change."""
    previous = assignee_of(report)
    if assignee == previous:
        raise CaseworkError(N_("The report is already assigned there."))
    kind, _, raw = assignee.partition(":")
    if not assignee:
        _set(report, None, None, None)
        now = runtime.clock.now()
        report.updated_at = now
        record(session, report.id, "unassigned", now, actor=actor(user_id))
        audit(session, runtime, user_id, "report_unassigned", "report", report.reference, previous=previous)
        return
    if kind not in KINDS or not raw.isdigit():
        raise CaseworkError(N_("Choose who to assign the report to."))
    if kind == "worker":
        assign(session, runtime, report, int(raw), user_id)  # audited and on the timeline there
        _set(report, report.assigned_to_id, None, None)
        return
    name = _name(session, report, kind, int(raw))
    if name is None:
        raise CaseworkError(N_("This person or team does not work on cases in the report's area."))
    if kind == "user":
        _set(report, None, int(raw), None)
    else:
        _set(report, None, None, int(raw))
    now = runtime.clock.now()
    report.updated_at = now
    record(session, report.id, "assigned", now, actor=actor(user_id), assignee=assignee, name=name)
    audit(
        session,
        runtime,
        user_id,
        "report_assigned",
        "report",
        report.reference,
        assignee=assignee,
        previous=previous,
    )


def mine(user_id: int) -> ColumnElement[bool]:
    """Reports assigned to this user or to a team they belong to ("Mes signalements")."""
    teams = select(TeamMember.team_id).where(TeamMember.user_id == user_id)
    return or_(Report.assigned_user_id == user_id, Report.assigned_team_id.in_(teams))


def names(session: Session, reports: list[Report]) -> dict[int, str]:
    """Each report's assignee as a name, for lists (reports assigned to nobody are absent)."""
    user_names = _names(session, User, {r.assigned_user_id for r in reports if r.assigned_user_id})
    team_names = _names(session, Team, {r.assigned_team_id for r in reports if r.assigned_team_id})
    worker_names = _names(session, SocialWorker, {r.assigned_to_id for r in reports if r.assigned_to_id})
    found: dict[int, str] = {}
    for r in reports:
        name = (
            user_names.get(r.assigned_user_id or 0)
            or team_names.get(r.assigned_team_id or 0)
            or worker_names.get(r.assigned_to_id or 0)
        )
        if name:
            found[r.id] = name
    return found


def _name(session: Session, report: Report, kind: str, wanted: int) -> str | None:
    if kind == "user":
        user = next((u for u in assignable_users(session, report.location_code) if u.id == wanted), None)
        return user.name if user else None
    team = next((t for t in assignable_teams(session, report.location_code) if t.id == wanted), None)
    return team.name if team else None


def _set(report: Report, worker_id: int | None, user_id: int | None, team_id: int | None) -> None:
    report.assigned_to_id, report.assigned_user_id, report.assigned_team_id = worker_id, user_id, team_id


def _names(
    session: Session, model: type[User] | type[Team] | type[SocialWorker], ids: set[int]
) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())
