"""Partner systems calling the REST API: clients, their tokens, scopes and areas, and rate limits.

A token is shown once, when the client is created; only its SHA-256 is stored. Tokens come from
``secrets.token_urlsafe(32)`` (256 random bits), so a fast hash is enough: there is nothing to
guess, unlike a password. A client may be restricted to areas, like a console user.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from hotline.models import ApiClient, Report
from hotline.platform import counters
from hotline.platform.locations import area_covers, areas_cover
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit

SCOPES = ("reports:read", "reports:write", "reports:personal", "workers:read")
TOKEN_PREFIX = "htl_"  # noqa: S105  (not a secret: recognisable in a leaked file or by a secret scanner)
HINT_LENGTH = 8
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


class ApiClientError(ValueError):
    """A refused client definition; the message says what is wrong."""


@dataclass(frozen=True)
class Caller:
    """The authenticated client of one API request: a detached snapshot of its row."""

    id: int
    name: str
    scopes: frozenset[str]
    areas: tuple[str, ...]

    @property
    def actor(self) -> str:
        return f"api:{self.id}"

    def may(self, scope: str) -> bool:
        return scope in self.scopes

    def sees(self, location_code: str) -> bool:
        """The console's and the alarms' rule (``area_covers``); no areas: every area."""
        return not self.areas or any(area_covers(area, location_code) for area in self.areas)

    def report_filter(self) -> ColumnElement[bool]:
        """SQL condition restricting reports to this client's areas (all when it has none)."""
        if not self.areas:
            return true()
        return areas_cover(self.areas, Report.location_code)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_client(
    session: Session,
    runtime: Runtime,
    name: str,
    scopes: list[str],
    areas: list[str],
    created_by: int | None = None,
) -> tuple[ApiClient, str]:
    """Add a client in the caller's transaction; returns it and its token (never stored in clear)."""
    name = name.strip()
    if not name or len(name) > 120:
        raise ApiClientError("the name is empty or longer than 120 characters")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ApiClientError(f"scopes must be among {', '.join(SCOPES)} (got {unknown or 'none'})")
    bad_areas = [a for a in areas if not runtime.locations.is_valid(a)]
    if bad_areas:
        raise ApiClientError(f"unknown area code(s): {', '.join(bad_areas)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        token_hash=token_hash(token),
        token_hint=token[:HINT_LENGTH],
        scopes=sorted(set(scopes)),
        areas=sorted(set(areas)),
        created_by=created_by,
        created_at=runtime.clock.now(),
    )
    session.add(client)
    session.flush()
    audit(
        session,
        runtime,
        created_by,
        "api_client_created",
        "api_client",
        client.id,
        name=client.name,
        scopes=client.scopes,
        areas=client.areas,
    )
    return client, token


def list_clients(session: Session) -> list[ApiClient]:
    return list(
        session.scalars(
            select(ApiClient).order_by(ApiClient.revoked_at.is_not(None), ApiClient.name, ApiClient.id)
        )
    )


def revoke_client(
    session: Session, runtime: Runtime, client_id: int, revoked_by: int | None = None
) -> ApiClient:
    client = session.get(ApiClient, client_id)
    if client is None:
        raise ApiClientError(f"no API client {client_id}")
    if client.revoked_at is None:
        client.revoked_at = runtime.clock.now()
        audit(session, runtime, revoked_by, "api_client_revoked", "api_client", client.id, name=client.name)
    return client


def authenticate(runtime: Runtime, token: str) -> Caller | None:
    """The live client holding ``token``, or None (unknown, revoked or malformed token)."""
    if not token or len(token) > 200:
        return None
    wanted = token_hash(token)
    now = runtime.clock.now()
    with runtime.session() as session:
        client = session.scalar(select(ApiClient).where(ApiClient.token_hash == wanted))
        # The lookup is by a hash of 256 random bits; the constant-time compare is belt and braces.
        if client is None or not hmac.compare_digest(client.token_hash, wanted):
            return None
        if client.revoked_at is not None:
            return None
        if client.last_used_at is None or now - client.last_used_at >= TOUCH_EVERY:
            client.last_used_at = now  # not on every request: one write a minute is enough to see use
            session.commit()
        return Caller(client.id, client.name, frozenset(client.scopes or ()), tuple(client.areas or ()))


def over_rate_limit(runtime: Runtime, caller: Caller) -> int | None:
    """Count this request; seconds to wait when the client is over HOTLINE_API_RATE_PER_MINUTE,
    else None.

    A fixed one-minute window in Redis, by the injected clock. If Redis is down the request is
    let through: the API must not stop because a counter is unavailable.
    """
    now = runtime.clock.now().timestamp()
    window = int(now // 60)
    key = f"api:rate:{caller.id}:{window}"
    try:
        [count] = counters.count(runtime.redis, {key: 120})
    except RedisError:
        return None
    if count <= runtime.settings.api_rate_per_minute:
        return None
    return max(1, int((window + 1) * 60 - now))
