"""The reviewed corrections on top of the shipped catalogs, in a running process
(hotline.platform.i18n_live): a changed token in Redis reloads them, the check is cheap and
throttled, and a Redis or database outage keeps what the process has.

Time is injected: each test gives the translations its own monotonic clock and moves it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from redis import Redis
from sqlalchemy import delete, inspect

from hotline.models import LanguageStatus, TranslationText
from hotline.ops.redis_server import free_port
from hotline.platform.i18n import default_translations
from hotline.platform.i18n_live import (
    CHECK_EVERY,
    FULL_RELOAD,
    RETRY_AFTER,
    VERSION_KEY,
    LiveTranslations,
    Overlay,
    publish,
    read_overlay,
)
from hotline.platform.runtime import Runtime

MENU = "Hotline against trafficking. Free and confidential."
SHIPPED_LN = "Nimero ya kobunda na mombongo ya bato. Ofele, sekele."
CORRECTED_LN = "Nimero ya kobundisa mombongo ya bato. Ofele mpe sekele."
NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def live(
    runtime: Runtime, redis: Redis | None = None, pilot: tuple[str, ...] = ()
) -> tuple[LiveTranslations, Ticks]:
    ticks = Ticks()
    translations = LiveTranslations(
        default_translations(), redis or runtime.redis, lambda: read_overlay(runtime.engine), pilot, ticks
    )
    return translations, ticks


def correct(runtime: Runtime, lang: str, message: str, text: str | None, state: str = "reviewed") -> None:
    with runtime.session() as db:
        db.execute(
            delete(TranslationText).where(TranslationText.lang == lang, TranslationText.msgid == message)
        )
        db.add(TranslationText(lang=lang, msgid=message, msgstr=text, state=state, updated_at=NOW))
        db.commit()


class CountingRedis(Redis):
    """A Redis client that counts its GETs (the server it names is not there)."""

    tries = 0

    def get(self, name: str) -> object:
        self.tries += 1
        return super().get(name)


def gets(redis: Redis) -> int:
    return int(redis.info("commandstats").get("cmdstat_get", {}).get("calls", 0))


def test_the_overlay_reads_the_tables_the_models_define(runtime: Runtime) -> None:
    # The platform reads them by name (it imports no domain package): the names must hold.
    columns = {
        t: {c["name"] for c in inspect(runtime.engine).get_columns(t)}
        for t in ("translation_texts", "languages")
    }
    assert {"lang", "msgid", "msgstr"} <= columns["translation_texts"]
    assert {"code", "state"} <= columns["languages"]
    assert (
        TranslationText.__tablename__ == "translation_texts" and LanguageStatus.__tablename__ == "languages"
    )


def test_a_published_correction_is_used_from_the_next_look_up(runtime: Runtime) -> None:
    translations, _ = live(runtime)
    assert translations.translate("ln", MENU) == SHIPPED_LN

    correct(runtime, "ln", MENU, CORRECTED_LN)
    assert translations.translate("ln", MENU) == SHIPPED_LN  # nobody said anything yet
    translations.observe(publish(runtime.redis))  # as the hop does with the token its MGET read

    assert translations.translate("ln", MENU) == CORRECTED_LN
    assert translations.translate("kg", MENU) != CORRECTED_LN  # one language only
    assert translations.corrected("ln", MENU) == CORRECTED_LN


def test_other_callers_see_the_token_within_a_second_and_ask_redis_at_most_once_a_second(
    runtime: Runtime,
) -> None:
    translations, ticks = live(runtime)
    translations.translate("ln", MENU)
    correct(runtime, "ln", MENU, CORRECTED_LN)
    publish(runtime.redis)  # another process saved it

    before = gets(runtime.redis)
    for _ in range(500):  # a worker writing alerts: no GET per look-up
        assert translations.translate("ln", MENU) == SHIPPED_LN
    assert gets(runtime.redis) == before

    ticks.now += CHECK_EVERY
    assert translations.translate("ln", MENU) == CORRECTED_LN
    assert gets(runtime.redis) == before + 1


def test_a_correction_taken_back_falls_back_to_the_shipped_text(runtime: Runtime) -> None:
    translations, _ = live(runtime)
    correct(runtime, "ln", MENU, CORRECTED_LN)
    translations.observe(publish(runtime.redis))
    assert translations.translate("ln", MENU) == CORRECTED_LN

    correct(runtime, "ln", MENU, None)  # reviewed, the catalog's text stands
    translations.observe(publish(runtime.redis))
    assert translations.translate("ln", MENU) == SHIPPED_LN


def test_without_the_token_the_rows_are_read_again_within_five_minutes(runtime: Runtime) -> None:
    translations, ticks = live(runtime)
    translations.translate("ln", MENU)
    correct(runtime, "ln", MENU, CORRECTED_LN)  # Redis was not told (it was away)

    ticks.now += FULL_RELOAD - 1
    assert translations.translate("ln", MENU) == SHIPPED_LN
    ticks.now += 1
    assert translations.translate("ln", MENU) == CORRECTED_LN


def test_with_redis_away_the_process_answers_from_what_it_has_and_waits_before_trying_again(
    runtime: Runtime,
) -> None:
    correct(runtime, "ln", MENU, CORRECTED_LN)
    # As the runtime builds its client (from_url), towards a port where no Redis listens.
    away = CountingRedis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_timeout=0.2)
    translations, ticks = live(runtime, redis=away)

    assert translations.translate("ln", MENU) == CORRECTED_LN  # the rows, read at the first use
    assert away.tries == 1
    for _ in range(3):
        ticks.now += CHECK_EVERY
        assert translations.translate("ln", MENU) == CORRECTED_LN  # answered all the same...
    assert away.tries == 1  # ...without trying Redis again before RETRY_AFTER
    ticks.now += RETRY_AFTER
    translations.translate("ln", MENU)
    assert away.tries == 2


def test_with_the_database_away_the_process_keeps_its_corrections(runtime: Runtime) -> None:
    correct(runtime, "ln", MENU, CORRECTED_LN)
    calls: list[int] = []

    def failing_after_first() -> Overlay:
        calls.append(1)
        if len(calls) > 1:
            with runtime.engine.connect() as conn:
                conn.exec_driver_sql("SELECT * FROM no_such_table")
        return read_overlay(runtime.engine)

    ticks = Ticks()
    translations = LiveTranslations(default_translations(), runtime.redis, failing_after_first, (), ticks)
    assert translations.translate("ln", MENU) == CORRECTED_LN
    translations.observe(publish(runtime.redis))  # a new token, the database refuses
    assert translations.translate("ln", MENU) == CORRECTED_LN
    translations.observe(publish(runtime.redis))  # asked again at once: not retried yet
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("states", "pilot", "offered"),
    [
        pytest.param({}, (), ("fr", "en"), id="as-shipped-french-and-english"),
        pytest.param({"kg": "approved"}, (), ("fr", "kg", "en"), id="kikongo-approved"),
        pytest.param({"kg": "in_review"}, (), ("fr", "en"), id="in-review-is-not-offered"),
        pytest.param({"en": "draft"}, (), ("fr",), id="english-taken-back"),
        pytest.param({}, ("lua",), ("fr", "lua", "en"), id="tshiluba-in-a-pilot"),
    ],
)
def test_the_languages_offered_to_reporters(
    runtime: Runtime, states: dict[str, str], pilot: tuple[str, ...], offered: tuple[str, ...]
) -> None:
    with runtime.session() as db:
        db.add_all(LanguageStatus(code=code, state=state, updated_at=NOW) for code, state in states.items())
        db.commit()
    translations, _ = live(runtime, pilot=pilot)
    assert translations.offered() == offered
    assert runtime.redis.get(VERSION_KEY) is None  # nothing published: read at the first use
