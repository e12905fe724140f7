"""The shipped catalogs with the field's reviewed corrections on top, kept current in every process.

Corrections and the languages' states are rows in the database (``hotline.models.TranslationText``
and ``LanguageStatus``, written by ``hotline.languages``); each process keeps them in memory. Whoever
changes one writes a new token under VERSION_KEY in Redis after the commit (``publish``). A process
compares that token with the one it loaded:

- the USSD hop reads it in the MGET it makes anyway (``observe``): no extra round trip, and the very
  next screen after a correction is the corrected one;
- any other caller (a worker writing an alert, a console page) at most once every CHECK_EVERY
  seconds, one GET, inside ``translate``.

Only a changed token reloads the rows (one query). The rows are reloaded every FULL_RELOAD seconds
anyway, in case Redis lost the token or could not be written when a correction was saved; a failed
read (Redis or the database away) keeps what the process has and is tried again RETRY_AFTER later,
so a hop never waits on it twice.

The tables are read by name (SQLAlchemy Core): the platform imports no domain package.
``tests/test_translation_overlay.py`` checks the names against the models.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine, column, select, table
from sqlalchemy.exc import SQLAlchemyError

from hotline.platform.i18n import DEFAULT_LANGUAGE, Translations

log = logging.getLogger(__name__)

VERSION_KEY = "hotline:translations:version"
CHECK_EVERY = 1.0  # seconds between two GETs of the token outside the USSD hop
RETRY_AFTER = 10.0  # seconds before a failed read is tried again
FULL_RELOAD = 300.0  # seconds: the rows are read again even if the token did not change

_TEXTS = table("translation_texts", column("lang"), column("msgid"), column("msgstr"))
_STATES = table("languages", column("code"), column("state"))
_UNSEEN = object()


@dataclass(frozen=True)
class Overlay:
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # lang -> msgid -> text
    states: Mapping[str, str] = field(default_factory=dict)  # lang -> draft / in_review / approved


def read_overlay(engine: Engine) -> Overlay:
    texts: dict[str, dict[str, str]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(_TEXTS.c.lang, _TEXTS.c.msgid, _TEXTS.c.msgstr).where(_TEXTS.c.msgstr.is_not(None))
        )
        for lang, msgid, msgstr in rows:
            if msgstr:
                texts.setdefault(lang, {})[msgid] = msgstr
        states = {code: state for code, state in conn.execute(select(_STATES.c.code, _STATES.c.state))}
    return Overlay(texts, states)


def publish(redis: Redis) -> bytes:
    """Tell every process the corrections changed (after the commit). Raises RedisError."""
    token = secrets.token_hex(8).encode()
    redis.set(VERSION_KEY, token)
    return token


class LiveTranslations(Translations):
    def __init__(
        self,
        shipped: Translations,
        redis: Redis,
        load: Callable[[], Overlay],
        pilot: tuple[str, ...] = (),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(shipped._catalogs)  # shared, not copied: one set of catalogs per process
        self.pilot = pilot
        self._redis, self._load, self._monotonic = redis, load, monotonic
        self._overlay = Overlay()
        self._version: object = _UNSEEN
        self._check_at = 0.0  # when to GET the token again
        self._reload_at = 0.0  # when to read the rows again whatever the token
        self._failed_until = 0.0

    def translate(self, lang: str, message: str) -> str:
        self._keep_current()
        texts = self._overlay.texts
        for code in (lang, DEFAULT_LANGUAGE):
            found = texts.get(code, {}).get(message) or self._catalogs.get(code, {}).get(message)
            if found:
                return found
        return message

    def missing(self, lang: str, messages: list[str]) -> list[str]:
        self._keep_current()
        corrected = self._overlay.texts.get(lang, {})
        return [m for m in super().missing(lang, messages) if not corrected.get(m)]

    def corrected(self, lang: str, message: str) -> str | None:
        """The correction in force for this message, if any (no fallback)."""
        self._keep_current()
        return self._overlay.texts.get(lang, {}).get(message)

    def state(self, lang: str) -> str:
        self._keep_current()
        return self._overlay.states.get(lang) or super().state(lang)

    def observe(self, version: object) -> None:
        """The token as read elsewhere (the hop's MGET); reloads the rows if it changed."""
        now = self._monotonic()
        self._check_at = max(self._check_at, now + CHECK_EVERY)
        if (version == self._version and now < self._reload_at) or now < self._failed_until:
            return
        try:
            overlay = self._load()
        except SQLAlchemyError as exc:
            log.warning("translation corrections not reloaded: %s", type(exc).__name__)
            self._failed_until = now + RETRY_AFTER
            return
        self._overlay, self._version, self._reload_at = overlay, version, now + FULL_RELOAD

    def _keep_current(self) -> None:
        now = self._monotonic()
        if now < self._check_at:
            return
        self._check_at = now + CHECK_EVERY
        version: object
        try:
            version = self._redis.get(VERSION_KEY)
        except RedisError as exc:
            log.warning("translation version not read: %s", type(exc).__name__)
            self._check_at = now + RETRY_AFTER
            version = self._version  # the rows are still read again when FULL_RELOAD is due
        self.observe(version)
