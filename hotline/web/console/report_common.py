"""What the console's report pages share: finding a report in the user's areas, and the user's
local time (the report pages, their actions, the dashboard and the people pages show times)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Report
from hotline.web.console.access import report_or_404
from hotline.web.console.base import runtime

DEFAULT_ZONE = "Africa/Kinshasa"


def find_report(db: Session, reference: str) -> Report:
    report = db.scalar(select(Report).where(Report.reference == reference.strip().upper()[:8]))
    return report_or_404(report)


def viewer_zone() -> ZoneInfo:
    """The time zone of the user's first area (Kwilu and Kinshasa UTC+1, the east UTC+2)."""
    locations = runtime().locations
    area = next((a for a in current_user.areas if locations.is_valid(a)), None)
    return ZoneInfo(locations.timezone(area) if area else DEFAULT_ZONE)


def viewer_today() -> date:
    return runtime().clock.now().astimezone(viewer_zone()).date()


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(viewer_zone()).strftime("%d/%m/%Y %H:%M")
