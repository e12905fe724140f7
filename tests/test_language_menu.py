"""Only approved languages reach reporters (issue 19 item 4): the language menu offers French and
English as shipped, a draft language appears once an admin approved it (from the next call, no
restart), or during a supervised pilot (HOTLINE_PILOT_LANGUAGES). Each language keeps its number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from flows.text import fold_ascii
from hotline.languages.review import announce
from hotline.models import LanguageStatus, Report, UssdSessionEvent
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings, SettingsError
from tests.support.builders import app_for
from tests.support.environment import BASE
from tests.support.sms import sms
from tests.support.ussd import Call

AS_SHIPPED = "CON Langue / Language\n1 Francais\n6 English"
MENU = "Hotline against trafficking. Free and confidential."
NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def language_screen(client: FlaskClient, phone: str = "+243810000001") -> str:
    return Call(client, phone).dial()


def approve(runtime: Runtime, *codes: str) -> None:
    """An admin's approval as the database keeps it, told to the running service."""
    with runtime.session() as db:
        db.add_all(LanguageStatus(code=code, state="approved", updated_at=NOW) for code in codes)
        db.commit()
    assert announce(runtime)


def test_as_shipped_the_menu_offers_french_and_english_only_each_with_its_own_number(
    client: FlaskClient,
) -> None:
    assert language_screen(client) == AS_SHIPPED


@pytest.mark.parametrize("key", ["2", "3", "4", "5"], ids=["lingala", "kikongo", "kiswahili", "tshiluba"])
def test_a_draft_language_s_number_is_refused_like_any_other_wrong_key(client: FlaskClient, key: str) -> None:
    call = Call(client)
    call.dial()
    refused = call.press(key)
    assert refused == "CON Choisissez un numero de la liste.\n1 Francais\n6 English"
    assert call.screens[-1] == "language"
    assert call.press("6").startswith("CON Hotline against trafficking.")  # English still works


def test_an_approved_language_is_on_the_next_call_without_a_restart(
    client: FlaskClient, runtime: Runtime
) -> None:
    assert "Kikongo" not in language_screen(client)

    approve(runtime, "kg")

    assert (
        language_screen(client, "+243810000002") == "CON Langue / Language\n1 Francais\n3 Kikongo\n6 English"
    )
    call = Call(client, "+243810000003")
    call.dial()
    menu = call.press("3")
    assert call.screens[-1] == "menu"
    assert menu.startswith(f"CON {fold_ascii(runtime.translations.translate('kg', MENU))}\n1 ")


def test_a_language_in_review_is_not_offered(client: FlaskClient, runtime: Runtime) -> None:
    with runtime.session() as db:
        db.add(LanguageStatus(code="ln", state="in_review", updated_at=NOW))
        db.commit()
    announce(runtime)
    assert language_screen(client) == AS_SHIPPED


def test_a_pilot_offers_its_draft_languages_and_no_other(
    runtime: Runtime, environ: dict[str, str], clock: FrozenClock
) -> None:
    settings = Settings.from_env({**environ, "HOTLINE_PILOT_LANGUAGES": "kg,lua"})
    with app_for(settings, clock) as (pilot, _):
        assert language_screen(pilot) == "CON Langue / Language\n1 Francais\n3 Kikongo\n5 Tshiluba\n6 English"
        call = Call(pilot)
        call.dial()
        assert call.press("5").startswith("CON ")
        assert call.screens[-1] == "menu"


def test_a_number_that_chose_a_language_no_longer_offered_is_asked_again(
    client: FlaskClient, runtime: Runtime
) -> None:
    approve(runtime, "ln")
    first = Call(client)
    first.dial()
    first.press("2")  # Lingala, remembered for this number
    assert Call(client).dial().startswith("CON Nimero ya kobunda")  # the next call: in Lingala

    with runtime.session() as db:
        db.get(LanguageStatus, "ln").state = "in_review"  # the admin takes it back
        db.commit()
    announce(runtime)

    assert Call(client).dial() == AS_SHIPPED


def test_a_reporter_sms_in_a_draft_language_is_answered_in_french(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    sms(client, "Tafadhali msaada, watoto wanafanya kazi hapa usiku")  # Swahili words
    run_jobs()
    with runtime.session() as db:
        [report] = db.scalars(select(Report)).all()
    assert report.language == "fr"


def test_the_end_of_a_session_keeps_its_language_for_the_funnel_and_no_number(
    client: FlaskClient, runtime: Runtime
) -> None:
    call = Call(client)
    call.dial()
    call.press("6", "1")  # English, report: on the category screen
    client.post(f"{BASE}/ussd/events", data={"sessionId": call.session_id, "status": "Incomplete"})
    with runtime.session() as db:
        [event] = db.scalars(select(UssdSessionEvent)).all()
    assert (event.last_screen, event.language) == ("category", "en")


@pytest.mark.parametrize(
    ("raw", "pilot"),
    [("kg", ("kg",)), ("lua, kg", ("kg", "lua")), ("", ())],
)
def test_the_pilot_setting_names_shipped_languages(tmp_path: Path, raw: str, pilot: tuple[str, ...]) -> None:
    env = {"HOTLINE_ENV": "test", "HOTLINE_INSTANCE_PATH": str(tmp_path), "HOTLINE_PILOT_LANGUAGES": raw}
    assert Settings.from_env(env).pilot_languages == pilot


@pytest.mark.parametrize("raw", ["xx", "kg,kg", "kg,,ln", "fr", "KG", "kg;ln"])
def test_a_pilot_setting_that_is_not_a_list_of_shipped_languages_stops_the_process(
    tmp_path: Path, raw: str
) -> None:
    env = {"HOTLINE_ENV": "test", "HOTLINE_INSTANCE_PATH": str(tmp_path), "HOTLINE_PILOT_LANGUAGES": raw}
    with pytest.raises(SettingsError, match="HOTLINE_PILOT_LANGUAGES"):
        Settings.from_env(env)
