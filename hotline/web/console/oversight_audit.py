"""Console page: the audit log (who read or changed what), in the console's words.

Actions, targets and details are shown by their labels (``audit_labels``); the filter on an action
still takes its code. A line about a report is shown outside the admin role only when that report
is in the user's areas, as the report itself would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from flows.engine import N_
from hotline.models import AuditEntry, Report, User
from hotline.records.audit import audit
from hotline.web.console.access import requires
from hotline.web.console.audit_details import detail_lines, mentioned_workers
from hotline.web.console.audit_labels import action_label, target_label
from hotline.web.console.base import NAV, bp, page_count, runtime, translate
from hotline.web.console.people_common import area_label
from hotline.web.console.report_common import viewer_zone, when
from hotline.web.console.report_filters import DATE_IGNORED, FilterProblem
from hotline.web.console.report_timeline import worker_labels

NAV.append(("console.audit_log", N_("Audit log"), "audit"))

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    who: str = ""  # part of a user's name or e-mail address
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    since: date | None = None
    until: date | None = None
    problems: tuple[FilterProblem, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Any) -> AuditFilters:
        def text(name: str) -> str:
            return str(args.get(name, "")).strip()[:100]

        since, until = text("since"), text("until")
        return cls(
            who=text("who"),
            action=text("action"),
            target_type=text("target_type"),
            target_id=text("target_id"),
            since=_day(since),
            until=_day(until),
            problems=tuple(
                FilterProblem(DATE_IGNORED, typed[:20])
                for typed in (since, until)
                if typed and not _day(typed)
            ),
        )

    def conditions(self, zone: ZoneInfo) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.who:
            needle = self.who.lower()
            found.append(
                or_(
                    func.lower(User.name).contains(needle, autoescape=True),
                    func.lower(User.email).contains(needle, autoescape=True),
                )
            )
        if self.action:
            found.append(AuditEntry.action == self.action)
        if self.target_type:
            found.append(AuditEntry.target_type == self.target_type)
        if self.target_id:
            found.append(func.lower(AuditEntry.target_id) == self.target_id.lower())
        if self.since:
            found.append(AuditEntry.at >= datetime.combine(self.since, time.min, zone))
        if self.until:
            found.append(AuditEntry.at < datetime.combine(self.until + timedelta(days=1), time.min, zone))
        return found

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for the pager's links), empty ones left out."""
        values = {
            "who": self.who,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in values.items() if value}


@bp.get("/audit")
@requires("audit")
def audit_log() -> ResponseReturnValue:
    rt = runtime()
    filters = AuditFilters.from_args(request.args)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    query = _audit_query(filters)
    with rt.session() as db:
        total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = db.execute(
            query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * AUDIT_PAGE_SIZE)
            .limit(AUDIT_PAGE_SIZE)
        ).all()
        actions = list(db.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
        types = list(
            db.scalars(
                select(AuditEntry.target_type)
                .distinct()
                .where(AuditEntry.target_type.is_not(None))
                .order_by(AuditEntry.target_type)
            )
        )
        workers = worker_labels(db, mentioned_workers([entry.detail for entry, _, _ in rows]), translate)
        # Reading the log is itself a read of personal data (numbers revealed, reasons typed).
        audit(db, rt, current_user.id, "audit_viewed", None, None, page=page, filters=filters.args())
        db.commit()
    return render_template(
        "console/oversight_audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total, AUDIT_PAGE_SIZE),
        filters=filters,
        actions=sorted(actions, key=lambda code: translate(action_label(code))),
        types=sorted(types, key=lambda code: translate(target_label(code))),
        when=when,
        action_label=action_label,
        target_label=target_label,
        detail_lines=lambda detail: detail_lines(detail, translate, workers, area_label, when),
    )


def _audit_query(filters: AuditFilters) -> Select[AuditEntry, str | None, str | None]:
    """Entries with their author's name and address. Outside the admin role, a line about a
    report is shown only if that report is in the user's areas, like the report itself."""
    query = (
        select(AuditEntry, User.name, User.email)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(*filters.conditions(viewer_zone()))
    )
    if current_user.role != "admin":
        query = query.outerjoin(
            Report, and_(AuditEntry.target_type == "report", Report.reference == AuditEntry.target_id)
        )
        query = query.where(
            or_(
                AuditEntry.target_type.is_(None),
                AuditEntry.target_type != "report",
                AuditEntry.target_id.is_(None),
                current_user.report_filter(),
            )
        )
    return query


def _day(text: str) -> date | None:
    """``2025-03-14`` or ``14/03/2025``; None for anything else."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date() if text else None
        except ValueError:
            continue
    return None
