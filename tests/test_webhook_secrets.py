"""The callbacks' secret and shape, from fixture tables: which token opens them (two during a
rotation), that no token ever reaches a log line, and that a field AT could never have sent is
refused before anything is stored.
"""

from __future__ import annotations

import logging
import runpy
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient
from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

from hotline.models import InboundMessage, Report, UssdSessionEvent
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings, SettingsError
from tests.support.builders import app_for, how_many
from tests.support.environment import BASE, ROUTES, TEST_TOKEN
from tests.support.sms import incoming
from tests.support.ussd import end_of_session, new_session_id, screen_of, ussd_form

NEW = "new-token-A1b2C3d4E5f6G7h8I9j0"
OLD = "old-token-Z9y8X7w6V5u4T3s2R1q0"
GUNICORN_CONF = Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"


@pytest.fixture
def rotating(runtime: Runtime, clock: FrozenClock) -> Iterator[FlaskClient]:
    """A deployment half-way through a token rotation: HOTLINE_WEBHOOK_TOKEN=new,old."""
    settings = Settings.from_env({**environ_of(runtime), "HOTLINE_WEBHOOK_TOKEN": f"{NEW},{OLD}"})
    with app_for(settings, clock) as (client, _):
        yield client


def environ_of(runtime: Runtime) -> dict[str, str]:
    s = runtime.settings
    return {
        "HOTLINE_ENV": "test",
        "HOTLINE_INSTANCE_PATH": str(s.instance_path),
        "DATABASE_URL": s.database_url,
        "REDIS_URL": s.redis_url,
        "SECRET_KEY": s.secret_key,
        "HOTLINE_PII_KEY": ",".join(s.pii_keys),
    }


def form_for(route: str) -> dict[str, str]:
    return {
        "/ussd": ussd_form(new_session_id(), ""),
        "/ussd/events": end_of_session("ATUid_rot"),
        "/sms": incoming(),
        "/sms/delivery": {"id": "ATXid_" + "a" * 32, "status": "Success"},
    }[route]


# --- two tokens during a rotation ------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("token", "expected"),
    [
        pytest.param(NEW, 200, id="the-new-token"),
        pytest.param(OLD, 200, id="the-previous-token"),
        pytest.param(f"{NEW},{OLD}", 404, id="both-joined-as-configured"),
        pytest.param(NEW[:-1], 404, id="the-new-token-cut-short"),
        pytest.param(OLD + "x", 404, id="the-old-token-with-one-more-character"),
        pytest.param("test-webhook-token-0123456789abcdef", 404, id="a-token-of-another-deployment"),
    ],
)
def test_during_a_rotation_the_new_and_the_previous_token_open_the_callbacks_and_nothing_else(
    rotating: FlaskClient,
    route: str,
    token: str,
    expected: int,
) -> None:
    response = rotating.post(f"/webhooks/at/{token}{route}", data=form_for(route))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("variables", "new", "previous"),
    [
        pytest.param({"HOTLINE_WEBHOOK_TOKEN": NEW}, NEW, None, id="one-token"),
        pytest.param({"HOTLINE_WEBHOOK_TOKEN": f" {NEW} , {OLD} "}, NEW, OLD, id="new-comma-old"),
        pytest.param(
            {"HOTLINE_WEBHOOK_TOKEN": NEW, "HOTLINE_WEBHOOK_TOKEN_PREVIOUS": OLD},
            NEW,
            OLD,
            id="a-variable-for-the-previous-one",
        ),
    ],
)
def test_the_previous_token_can_be_given_either_way(
    runtime: Runtime, variables: dict[str, str], new: str, previous: str | None
) -> None:
    settings = Settings.from_env({**environ_of(runtime), **variables})
    assert (settings.webhook_token, settings.webhook_token_previous) == (new, previous)
    assert NEW not in repr(settings) and OLD not in repr(settings)


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"HOTLINE_WEBHOOK_TOKEN": f"{NEW},{OLD},{NEW}x"}, id="three-tokens"),
        pytest.param({"HOTLINE_WEBHOOK_TOKEN": f"{NEW},short"}, id="a-short-previous-token"),
        pytest.param(
            {"HOTLINE_WEBHOOK_TOKEN": NEW, "HOTLINE_WEBHOOK_TOKEN_PREVIOUS": "a/b" * 10},
            id="a-previous-token-that-is-not-url-safe",
        ),
        pytest.param({"HOTLINE_WEBHOOK_TOKEN": ",", "HOTLINE_ENV": "production"}, id="only-a-comma"),
    ],
)
def test_a_bad_token_setting_stops_the_service_at_start(runtime: Runtime, variables: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="HOTLINE_WEBHOOK_TOKEN"):
        Settings.from_env({**environ_of(runtime), **variables})


# --- tokens never logged ---------------------------------------------------------------------------


def test_no_token_right_or_wrong_reaches_the_logs(
    rotating: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "guessed-token-0123456789abcdefXYZ"
    for token in (NEW, OLD, wrong):
        for route in ROUTES:
            rotating.post(f"/webhooks/at/{token}{route}", data=form_for(route))
        rotating.post(f"/webhooks/at/{token}/ussd", data={"padding": "x" * 20_000})
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for token in (NEW, OLD, wrong):
        assert token not in logged


def test_gunicorns_access_log_format_would_not_print_the_token() -> None:
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert conf["accesslog"] is None  # off...
    config = Config()
    config.set("access_log_format", conf["access_log_format"])
    path = f"/webhooks/at/{NEW}/sms"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path + "?x=1",
        "PATH_INFO": path,
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": f"https://hotline.example{path}",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=3)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = Logger(config).atoms(response, request, environ, timedelta(milliseconds=12))
    line = config.access_log_format % SafeAtoms(atoms)  # ...and harmless if switched on
    assert line == '10.0.0.1 "POST" 200 3 12ms'
    assert NEW not in line


def test_the_access_line_is_built_only_when_an_access_log_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Our logging config would make gunicorn build (and drop) a line per request; its Logger
    builds one only for --access-logfile."""
    from gunicorn import glogging

    monkeypatch.setattr(glogging, "dictConfig", lambda config: None)  # keep this process's logging
    conf = runpy.run_path(str(GUNICORN_CONF))
    built: list[str] = []

    class Counting(conf["logger_class"]):  # type: ignore[misc, name-defined]
        def atoms(self, *args):  # type: ignore[no-untyped-def]
            built.append("line")
            return super().atoms(*args)

    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/x",
        "PATH_INFO": "/x",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=3)
    request = SimpleNamespace(headers=[])
    for accesslog in (None, "-"):
        config = Config()
        config.set("logconfig_dict", conf["logconfig_dict"])
        config.set("accesslog", accesslog)
        Counting(config).access(response, request, environ, timedelta(milliseconds=1))
    assert built == ["line"]  # for "-" only


# --- fields checked for shape ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"serviceCode": "*384*44135"}, id="service-code-without-hash"),
        pytest.param({"serviceCode": "384*44135#"}, id="service-code-without-star"),
        pytest.param({"serviceCode": "*384*abc#"}, id="service-code-with-letters"),
        pytest.param({"serviceCode": ""}, id="empty-service-code"),
        pytest.param({"sessionId": "ATUid_<script>"}, id="session-id-with-markup"),
        pytest.param({"sessionId": "A" * 97}, id="session-id-longer-than-any-of-ats"),
        pytest.param({"sessionId": "../../etc"}, id="session-id-like-a-path"),
        pytest.param({"phoneNumber": "+243 81 000 0001 ext 2"}, id="phone-with-words"),
        pytest.param({"phoneNumber": "+1"}, id="phone-too-short"),
    ],
)
def test_a_ussd_hop_of_the_wrong_shape_ends_kindly_and_leaves_nothing(
    client: FlaskClient,
    runtime: Runtime,
    changes: dict[str, str],
) -> None:
    form = {**ussd_form(new_session_id(), ""), **changes}
    body = screen_of(client.post(f"{BASE}/ussd", data=form))
    assert body.startswith("END ") and "129" in body
    assert list(runtime.redis.scan_iter("hotline:ussd:*")) == []
    assert how_many(runtime, Report) == 0


@pytest.mark.parametrize(
    ("route", "changes", "model"),
    [
        pytest.param("/sms", {"id": "ATSMS 1"}, InboundMessage, id="sms-id-with-a-space"),
        pytest.param("/sms", {"id": "x" * 97}, InboundMessage, id="sms-id-too-long"),
        pytest.param("/sms", {"id": "'; DROP TABLE reports; --"}, InboundMessage, id="sms-id-sql"),
        pytest.param(
            "/ussd/events", {"sessionId": "ATUid_<b>"}, UssdSessionEvent, id="event-session-id-with-markup"
        ),
        pytest.param("/sms/delivery", {"id": "ATXid_\n1"}, None, id="delivery-id-with-a-newline"),
    ],
)
def test_a_callback_with_an_identifier_at_never_sends_is_refused_and_nothing_is_stored(
    client: FlaskClient,
    runtime: Runtime,
    route: str,
    changes: dict[str, str],
    model: type | None,
) -> None:
    form = {**form_for(route), **changes}
    response = client.post(f"{BASE}{route}", data=form)
    assert response.status_code == 400
    if model is not None:
        assert how_many(runtime, model) == 0


@pytest.mark.parametrize(
    ("service_code", "prefix"),
    [
        pytest.param("*384*44135#", "CON ", id="a-code-shaped-like-ats"),
        pytest.param("*1#", "CON ", id="a-short-code"),
        pytest.param("*384*44135*1#", "CON ", id="with-an-extra-segment"),
        pytest.param("#384#", "END ", id="hashes-only"),
    ],
)
def test_without_a_configured_code_any_code_shaped_like_a_dial_is_answered(
    client: FlaskClient,
    service_code: str,
    prefix: str,
) -> None:
    form = ussd_form(new_session_id(), "", serviceCode=service_code)
    body = screen_of(client.post(f"{BASE}/ussd", data=form))
    assert body.startswith(prefix)


@pytest.mark.parametrize(
    "path", [f"/webhooks/at/{TEST_TOKEN}//sms", "/webhooks/at/x%2F/sms", f"/webhooks/at//{TEST_TOKEN}/sms"]
)
def test_a_path_with_doubled_slashes_is_not_found_never_redirected(client: FlaskClient, path: str) -> None:
    response = client.post(path, data={"from": "+243810000001", "text": "aide"})
    assert response.status_code == 404 and "Location" not in response.headers
