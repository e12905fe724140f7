"""AT's end-of-session event, after the webhook read it: one row per session, kept without
personal data, that says where reporters leave the conversation and in which language."""

from __future__ import annotations

from dataclasses import dataclass

from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from hotline.intake.ussd import last_screen
from hotline.models import UssdSessionEvent
from hotline.platform.crypto import PiiError
from hotline.platform.runtime import Runtime


@dataclass(frozen=True)
class SessionEnd:
    session_id: str
    status: str
    network_code: str | None = None
    duration_ms: int | None = None
    hops: int | None = None
    hops_metadata: str | None = None  # AT's echo of our screen labels, "|" or ","-separated
    error_message: str | None = None


def record_session_end(runtime: Runtime, end: SessionEnd) -> None:
    """Store the event once: AT may post the same one again."""
    screen, language = _last_screen(runtime, end)
    event = UssdSessionEvent(
        session_id=end.session_id,
        status=end.status[:16],
        network_code=(end.network_code or "")[:8] or None,
        duration_ms=end.duration_ms,
        hops=end.hops,
        last_screen=screen,
        language=language,
        error_message=(end.error_message or "")[:200] or None,
        received_at=runtime.clock.now(),
    )
    with runtime.session() as session:
        session.add(event)
        try:
            session.commit()
        except IntegrityError:  # AT sent the same event again
            session.rollback()


def _last_screen(runtime: Runtime, end: SessionEnd) -> tuple[str | None, str | None]:
    """Our own record of the session's last screen and language if Redis still has it, else AT's
    echo of the screen (and no language)."""
    try:
        kept = last_screen(runtime, end.session_id)
    except (RedisError, PiiError, ValueError, KeyError):
        kept = None
    if kept:
        return kept[0], kept[1] or None
    hops = end.hops_metadata
    return (hops.replace(",", "|").split("|")[-1][:64] if hops else None), None
