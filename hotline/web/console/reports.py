"""Console pages: reports (inbox, report page, actions, export)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from ...models import Report
from . import bp, runtime
from .access import requires


@bp.get("/")
@requires("view")
def inbox():  # type: ignore[no-untyped-def]
    with runtime().session() as db:
        reports = db.scalars(
            select(Report).where(current_user.report_filter())
            .order_by(Report.urgent.desc(), Report.created_at.desc()).limit(50)
        ).all()
    return render_template("console/inbox.html", reports=reports)
