"""Console pages: teams of console users, to assign reports to (hotline.casework.teams).

A supervisor sees and manages the teams of their areas; an admin, all of them.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from flows.engine import N_
from hotline.casework.actions import CaseworkError
from hotline.casework.assignment import assignable_users
from hotline.casework.teams import save_team
from hotline.models import Team, User
from hotline.web.console.access import requires
from hotline.web.console.base import NAV, bp, runtime, translate
from hotline.web.console.people_common import area_choices, area_label

NAV.append(("console.teams", N_("Teams"), "people"))


@bp.route("/people/teams", methods=["GET", "POST"])
@requires("people")
def teams() -> ResponseReturnValue:
    return _page(None)


@bp.route("/people/teams/<int:team_id>", methods=["GET", "POST"])
@requires("people")
def team(team_id: int) -> ResponseReturnValue:
    return _page(team_id)


def _page(team_id: int | None) -> ResponseReturnValue:
    rt = runtime()
    status = 200
    with rt.session() as db:
        shown = [
            t
            for t in db.scalars(select(Team).options(selectinload(Team.members)).order_by(Team.name))
            if current_user.sees(t.area_code)
        ]
        current = next((t for t in shown if t.id == team_id), None)
        if team_id is not None and current is None:
            abort(404)
        if request.method == "POST":
            area = request.form.get("area", "")
            if area and not current_user.sees(area):
                abort(404)
            try:
                saved = save_team(
                    db,
                    rt,
                    current,
                    name=request.form.get("name", ""),
                    area_code=area,
                    member_ids=[int(m) for m in request.form.getlist("members") if m.isdigit()],
                    active=request.form.get("active", "1") == "1",
                    user_id=current_user.id,
                )
            except CaseworkError as refusal:
                db.rollback()
                flash(translate(str(refusal)), "error")
                status = 400
            else:
                db.commit()
                flash(translate(N_("Team saved.")), "info")
                return redirect(url_for("console.team", team_id=saved.id), code=303)
        candidates: list[User] = assignable_users(db, current.area_code) if current else []
        members = {m.user_id for m in current.members} if current else set()
        return render_template(
            "console/people_teams.html",
            teams=shown,
            team=current,
            members=members,
            candidates=candidates,
            areas=area_choices(include_country=True),
            area_label=area_label,
        ), status
