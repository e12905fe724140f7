"""The audit log: who read personal data, who changed what, when. Written in the caller's
transaction, so an action and its audit line are committed together or not at all."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hotline.models import AuditEntry
from hotline.platform.runtime import Runtime

TARGET_MAX = 64  # the audit_log.target_id column


def audit(
    session: Session,
    runtime: Runtime,
    user_id: int | str | None,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    **detail: Any,
) -> AuditEntry:
    """``user_id`` is a console user's id, or an actor string such as "api:3" for a partner system
    (no users row: the actor goes in the detail)."""
    if isinstance(user_id, str):
        detail = {"actor": user_id, **detail}
        user_id = None
    entry = AuditEntry(
        at=runtime.clock.now(),
        user_id=user_id,
        action=action,
        target_type=target_type,
        # What users type (an e-mail on the login page) may be longer.
        target_id=None if target_id is None else str(target_id)[:TARGET_MAX],
        detail=detail,
    )
    session.add(entry)
    return entry
