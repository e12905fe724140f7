"""`hotline check` against the suite's Redis and database and a live fake AT on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hotline.ops.checks import TEST_SMS
from hotline.ops.cli import main
from hotline.ops.redis_server import free_port
from tests.support.builders import KIKWIT, add_worker
from tests.support.environment import TEST_TOKEN

PUBLIC_URL = "https://hotline.example.org"
# The fake AT alone: `hotline check` builds its own runtime, with this key and username.
pytestmark = pytest.mark.fake_at(api_key="check-key", username="hotline", runtime=False)


@pytest.fixture
def check_env(environ, fake_at) -> dict[str, str]:
    return {
        **environ,
        "SMS_GATEWAY": "africastalking",
        "AT_USERNAME": "hotline",
        "AT_API_KEY": "check-key",
        "AT_API_URL": fake_at.url,
        "HOTLINE_PUBLIC_URL": PUBLIC_URL,
    }


def check(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["check", *args], env=env)


def test_a_healthy_installation_passes_and_prints_the_callback_urls(check_env, app):
    result = check(check_env)
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert "ok    sms gateway: africastalking: account reached, balance USD 12.3400" in result.output
    urls = [line.split(": ", 1)[1] for line in result.output.splitlines() if "callback URL:" in line]
    base = f"{PUBLIC_URL}/webhooks/at/{TEST_TOKEN}"
    assert urls == [f"{base}/ussd", f"{base}/ussd/events", f"{base}/sms", f"{base}/sms/delivery"]
    client = app.test_client()
    for url in urls:  # each is a route the app answers (a 405 for GET, never a 404)
        assert client.get(url.removeprefix(PUBLIC_URL)).status_code == 405


def test_the_test_sms_goes_out_through_the_real_gateway(check_env, fake_at):
    result = check(check_env, "--send-test-sms", "+243 81 000 0042")
    assert result.exit_code == 0, result.output
    [sms] = fake_at.messages
    assert (sms.to, sms.message) == ("+243810000042", TEST_SMS)
    assert f"ok    test SMS: accepted by africastalking (id {sms.message_id})" in result.output


def test_a_test_sms_to_something_that_is_not_a_number_fails(check_env, fake_at):
    result = check(check_env, "--send-test-sms", "hello")
    assert result.exit_code == 1
    assert "FAIL  test SMS: not a phone number" in result.output
    assert fake_at.messages == []


def test_a_wrong_api_key_fails_the_gateway_check(check_env):
    result = check({**check_env, "AT_API_KEY": "not-the-key"})
    assert result.exit_code == 1
    assert "FAIL  sms gateway: africastalking: gateway refused the request" in result.output


def test_an_unreachable_redis_fails(check_env):
    result = check({**check_env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert result.exit_code == 1
    assert "FAIL  redis: unreachable" in result.output
    assert "ok    database" in result.output


def test_a_database_behind_the_code_says_to_upgrade(check_env, tmp_path: Path):
    result = check({**check_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    assert result.exit_code == 1
    assert "FAIL  database: schema at revision none" in result.output
    assert "run hotline db upgrade" in result.output


def test_a_bad_configuration_is_named(check_env):
    result = check({**check_env, "HOTLINE_PUBLIC_URL": "hotline.example.org"})
    assert result.exit_code == 1
    assert "configuration error: HOTLINE_PUBLIC_URL must start with" in result.output


def test_without_a_public_url_it_says_what_to_set(check_env):
    result = check({**check_env, "HOTLINE_PUBLIC_URL": ""})
    assert result.exit_code == 0
    assert "Set HOTLINE_PUBLIC_URL" in result.output and "/webhooks/at/" not in result.output


def test_levels_nobody_would_answer_are_printed_as_warnings_that_do_not_fail_the_check(check_env, runtime):
    add_worker(runtime, "Amani", [KIKWIT])  # one Kikwit worker, no roster, no national officer
    result = check(check_env)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("WARN")]
    assert warnings == [
        "WARN  coverage: national duty: nobody now",
        "WARN  coverage: Kwilu/Kikwit (CD-KL/kikwit), backup: nobody now (no roster)",
        "WARN  coverage: Kwilu/Kikwit (CD-KL/kikwit), supervisor: nobody now (no roster)",
    ]
    assert "FAIL" not in result.output


def test_an_installation_with_a_national_officer_and_no_area_yet_is_covered(check_env, runtime):
    add_worker(runtime, "Esther", [], role="national_duty")
    result = check(check_env)
    assert result.exit_code == 0, result.output
    assert "ok    coverage: someone at every level of every area with workers" in result.output
    assert "WARN" not in result.output
