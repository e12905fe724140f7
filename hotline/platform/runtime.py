"""Everything a process needs, built once from settings: the seams tests substitute."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hotline.gateways import SmsGateway
from hotline.gateways.voice import NoVoice, VoiceGateway
from hotline.platform.clock import Clock, SystemClock
from hotline.platform.crypto import PiiCipher
from hotline.platform.db import make_engine, make_session_factory
from hotline.platform.i18n import Translations, default_translations
from hotline.platform.i18n_live import LiveTranslations, read_overlay
from hotline.platform.locations import Locations, default_locations
from hotline.platform.queue import JobQueue
from hotline.platform.references import ReferenceFactory, new_reference
from hotline.platform.settings import Settings


class RuntimeParts(TypedDict, total=False):
    """The parts of a Runtime besides its settings: ``Runtime.build`` builds them unless given."""

    engine: Engine
    session_factory: sessionmaker[Session]
    redis: Redis
    queue: JobQueue
    gateway: SmsGateway
    cipher: PiiCipher
    locations: Locations
    translations: Translations
    clock: Clock
    new_reference: ReferenceFactory
    voice: VoiceGateway


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    redis: Redis
    queue: JobQueue
    gateway: SmsGateway
    cipher: PiiCipher
    locations: Locations
    translations: Translations
    clock: Clock = field(default_factory=SystemClock)
    new_reference: ReferenceFactory = new_reference
    voice: VoiceGateway = field(default_factory=NoVoice)  # phone calls (HOTLINE_VOICE), or none

    @classmethod
    def build(
        cls,
        settings: Settings,
        redis_timeout: float = 5.0,
        redis_retries: int | None = None,
        **overrides: Unpack[RuntimeParts],
    ) -> Runtime:
        """``redis_timeout``: seconds any one Redis call may take. The web process, which answers
        AT within a budget, asks for less than the workers, and for no retry: redis-py would
        otherwise try a timed-out call three more times, four timeouts where one was meant."""
        engine = make_engine(settings.database_url)
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=redis_timeout,
            socket_connect_timeout=redis_timeout,
            **({"retry": Retry(NoBackoff(), 0)} if redis_retries == 0 else {}),
        )
        parts: RuntimeParts = {
            "engine": engine,
            "session_factory": make_session_factory(engine),
            "redis": redis,
            "queue": JobQueue(redis, settings.queue_name),
            "gateway": build_gateway(settings),
            "voice": build_voice(settings),
            "cipher": PiiCipher(settings.pii_keys),
            "locations": (
                Locations.load(settings.locations_file) if settings.locations_file else default_locations()
            ),
            # The shipped catalogs with the reviewed corrections on top (hotline.platform.i18n_live).
            "translations": LiveTranslations(
                default_translations(), redis, lambda: read_overlay(engine), settings.pilot_languages
            ),
        }
        parts.update(overrides)
        return cls(settings, **parts)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that rolls back on error and always closes; callers commit explicitly."""
        session = self.session_factory()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
        self.redis.close()


def build_gateway(settings: Settings) -> SmsGateway:
    """The gateway ``SMS_GATEWAY`` names, or a router over the routes ``SMS_GATEWAYS`` lists, in order
    (an adapter is imported only when it is chosen)."""
    routes = [_adapter(settings, name) for name in settings.routes]
    if len(routes) == 1:
        return routes[0]
    from hotline.gateways.router import GatewayRouter

    return GatewayRouter(routes)


def _adapter(settings: Settings, name: str) -> SmsGateway:
    if name == "africastalking":
        from hotline.gateways.africastalking import AfricasTalkingGateway

        return AfricasTalkingGateway(
            username=settings.at_username,
            api_key=settings.at_api_key,
            sender_id=settings.at_sender_id,
            api_url=settings.at_api_url,
        )
    if name == "android":
        from hotline.gateways.android import AndroidGateway

        return AndroidGateway(
            url=settings.android_url or "",
            username=settings.android_username or "",
            password=settings.android_password or "",
            sim_number=settings.android_sim,
        )
    from hotline.gateways.local import LocalOutbox

    return LocalOutbox()


def build_voice(settings: Settings) -> VoiceGateway:
    """Africa's Talking Voice when ``HOTLINE_VOICE=on``, else nothing that rings."""
    if not settings.voice or not settings.at_voice_number:
        return NoVoice()
    from hotline.gateways.africastalking_voice import AfricasTalkingVoice

    return AfricasTalkingVoice(
        settings.at_username, settings.at_api_key, settings.at_voice_number, api_url=settings.at_api_url
    )
