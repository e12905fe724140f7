"""Alarms for operators: a condition someone must act on (SMS cap reached, gateway balance low).

A notice is raised under a key that names the condition and its period ("sms-cap:hour:2026-11-27T14"):
raising it again updates the open notice instead of stacking copies, and clearing it ends it. The console
shows open notices on every page; the log gets one ``NOTICE`` line per raise, with counts only.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Notice

log = logging.getLogger(__name__)
LEVELS = ("info", "warning", "critical")


def raise_notice(session: Session, now: datetime, key: str, kind: str, level: str = "warning",
                 **detail: Any) -> Notice:
    """Open (or refresh) the notice ``key``; ``detail`` holds counts and codes, never personal data."""
    if level not in LEVELS:
        raise ValueError(f"unknown notice level {level!r}")
    notice = session.scalar(select(Notice).where(Notice.key == key))
    if notice is None:
        notice = Notice(key=key, kind=kind, level=level, detail=detail, raised_at=now)
        session.add(notice)
        log.warning("NOTICE %s raised (%s) %s", kind, level, detail)
    else:
        notice.level, notice.detail, notice.cleared_at = level, detail, None
    return notice


def clear_notice(session: Session, now: datetime, key: str) -> bool:
    notice = session.scalar(select(Notice).where(Notice.key == key, Notice.cleared_at.is_(None)))
    if notice is None:
        return False
    notice.cleared_at = now
    return True


def open_notices(session: Session) -> list[Notice]:
    return list(session.scalars(
        select(Notice).where(Notice.cleared_at.is_(None)).order_by(Notice.raised_at.desc())
    ))
