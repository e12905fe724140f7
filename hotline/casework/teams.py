"""Teams of console users (Primero's and CasePro's): a report assigned to a team is in each member's
"Mes signalements". A team works in one area; its members are console users who work on cases
there. Creating and changing a team is audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.casework.actions import CaseworkError
from hotline.casework.assignment import assignable_users
from hotline.models import Team, TeamMember
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit

MAX_NAME = 80


def save_team(
    session: Session,
    runtime: Runtime,
    team: Team | None,
    *,
    name: str,
    area_code: str,
    member_ids: list[int],
    active: bool,
    user_id: int,
) -> Team:
    """Create ``team`` (None) or change it; members must work on cases in its area."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise CaseworkError(N_("Name the team (80 characters at most)."))
    if not runtime.locations.is_valid(area_code):
        raise CaseworkError(N_("Choose the team's area."))
    clash = session.scalar(select(Team).where(Team.name == name))
    if clash is not None and clash is not team:
        raise CaseworkError(N_("Another team has this name."))
    allowed = {u.id for u in assignable_users(session, area_code)}
    if any(member not in allowed for member in member_ids):
        raise CaseworkError(N_("A member must be a console user who works on cases in the team's area."))
    if team is None:
        team = Team(name=name, area_code=area_code, active=active, created_at=runtime.clock.now())
        session.add(team)
        action = "team_created"
    else:
        team.name, team.area_code, team.active = name, area_code, active
        action = "team_updated"
    team.members = [TeamMember(user_id=member) for member in sorted(set(member_ids))]
    session.flush()
    audit(
        session,
        runtime,
        user_id,
        action,
        "team",
        str(team.id),
        name=name,
        area=area_code,
        members=sorted(set(member_ids)),
        active=active,
    )
    return team
