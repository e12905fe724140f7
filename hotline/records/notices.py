"""Alarms for operators: a condition someone must act on (SMS cap reached, gateway balance low).

A notice is raised under a key that names the condition and its period ("sms-cap:hour:2026112714"):
raising it again updates the open notice instead of stacking copies. Clearing it ends it, and so
does the end of its period when it was raised with one (``ends_at``): a cap reached at 14:00 says
nothing about 15:00, whether or not anything happens then. The console shows open notices on every
page; the log gets one ``NOTICE`` line per raise, with counts only.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.models import Notice

log = logging.getLogger(__name__)
LEVELS = ("info", "warning", "critical")


def raise_notice(
    session: Session,
    now: datetime,
    key: str,
    kind: str,
    level: str = "warning",
    *,
    ends_at: datetime | None = None,
    **detail: Any,
) -> Notice:
    """Open (or refresh) the notice ``key``, open until cleared or until ``ends_at``.

    ``detail`` holds counts and codes, never personal data.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown notice level {level!r}")
    notice = session.scalar(select(Notice).where(Notice.key == key))
    if notice is None:
        notice = Notice(key=key, kind=kind, level=level, detail=detail, raised_at=now, ends_at=ends_at)
        session.add(notice)
        log.warning("NOTICE %s raised (%s) %s", kind, level, detail)
    else:
        notice.level, notice.detail, notice.cleared_at, notice.ends_at = level, detail, None, ends_at
    return notice


def clear_notice(session: Session, now: datetime, key: str) -> bool:
    notice = session.scalar(select(Notice).where(Notice.key == key, Notice.cleared_at.is_(None)))
    if notice is None:
        return False
    notice.cleared_at = now
    return True


def open_notices(session: Session, now: datetime) -> list[Notice]:
    """Neither cleared nor past the end of their period; the newest first."""
    return list(
        session.scalars(
            select(Notice)
            .where(Notice.cleared_at.is_(None), or_(Notice.ends_at.is_(None), Notice.ends_at > now))
            .order_by(Notice.raised_at.desc())
        )
    )
