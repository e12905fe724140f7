"""A report's timeline: every step that happened to it, in order, without personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hotline.models import ReportEvent


def record(
    session: Session, report_id: int, kind: str, at: datetime, actor: str | None = None, **detail: Any
) -> ReportEvent:
    event = ReportEvent(report_id=report_id, kind=kind, at=at, actor=actor, detail=detail)
    session.add(event)
    return event
