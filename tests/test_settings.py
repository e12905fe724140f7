"""Settings (hotline.platform.settings): safe defaults for development, strict refusals in production."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hotline.platform.settings import Settings, SettingsError
from tests.support.environment import TEST_PII_KEY, TEST_TOKEN

API_KEY = "atsk_0123456789abcdef-not-a-real-key"


def production(**extra: str) -> dict[str, str]:
    """A complete production environment; tests remove or spoil one variable at a time."""
    env = {
        "HOTLINE_ENV": "production",
        "DATABASE_URL": "postgresql://hotline@db.internal/hotline",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "SECRET_KEY": "a-production-secret-key-of-some-length",
        "HOTLINE_WEBHOOK_TOKEN": TEST_TOKEN,
        "HOTLINE_PII_KEY": TEST_PII_KEY,
    }
    env.update(extra)
    return env


def development(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HOTLINE_ENV": "development", "HOTLINE_INSTANCE_PATH": str(tmp_path / "instance"), **extra}


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    return str(info.value)


# Development and test: start with nothing configured


@pytest.mark.parametrize("name", ["development", "test"])
def test_it_starts_with_nothing_configured_outside_production(tmp_path: Path, name: str) -> None:
    instance = tmp_path / "instance"
    settings = Settings.from_env({"HOTLINE_ENV": name, "HOTLINE_INSTANCE_PATH": str(instance)})

    assert settings.env == name
    assert settings.database_url == f"sqlite:///{instance.resolve() / 'hotline.sqlite3'}"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.sms_gateway == "outbox"
    Fernet(settings.pii_keys[0])  # a usable key, not a placeholder


def test_it_keeps_generated_secrets_in_the_instance_folder_readable_only_by_the_owner(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env(development(tmp_path))

    files = {
        "secret_key": settings.secret_key,
        "webhook_token": settings.webhook_token,
        "pii_key": settings.pii_keys[0],
    }
    for name, value in files.items():
        path = settings.instance_path / name
        assert path.read_text().strip() == value
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_it_reuses_the_generated_secrets_on_the_next_start(tmp_path: Path) -> None:
    first = Settings.from_env(development(tmp_path))
    second = Settings.from_env(development(tmp_path))

    # A new PII key on every start would make every stored phone number unreadable.
    assert second.pii_keys == first.pii_keys
    assert second.secret_key == first.secret_key
    assert second.webhook_token == first.webhook_token


def test_generated_secrets_are_different_for_each_instance_folder(tmp_path: Path) -> None:
    one = Settings.from_env(development(tmp_path / "one"))
    two = Settings.from_env(development(tmp_path / "two"))

    assert one.secret_key != two.secret_key
    assert one.webhook_token != two.webhook_token
    assert one.pii_keys != two.pii_keys


def test_a_configured_secret_wins_over_the_generated_one(tmp_path: Path) -> None:
    Settings.from_env(development(tmp_path))
    settings = Settings.from_env(development(tmp_path, HOTLINE_WEBHOOK_TOKEN=TEST_TOKEN))

    assert settings.webhook_token == TEST_TOKEN


# Production: nothing secret is invented


def test_a_complete_production_environment_is_accepted() -> None:
    settings = Settings.from_env(production())

    assert settings.env == "production"
    assert settings.pii_keys == (TEST_PII_KEY,)
    assert settings.webhook_token == TEST_TOKEN


def test_production_is_the_default_environment() -> None:
    env = production()
    del env["HOTLINE_ENV"], env["SECRET_KEY"]

    assert "SECRET_KEY is required when HOTLINE_ENV=production" in refusal(env)


@pytest.mark.parametrize("variable", ["SECRET_KEY", "HOTLINE_WEBHOOK_TOKEN", "HOTLINE_PII_KEY"])
def test_production_refuses_to_start_without_a_secret_and_names_it(tmp_path: Path, variable: str) -> None:
    env = production(HOTLINE_INSTANCE_PATH=str(tmp_path / "instance"))
    del env[variable]

    assert refusal(env) == f"{variable} is required when HOTLINE_ENV=production"
    assert not (tmp_path / "instance").exists()  # nothing was generated behind the operator's back


@pytest.mark.parametrize("variable", ["SECRET_KEY", "HOTLINE_WEBHOOK_TOKEN", "HOTLINE_PII_KEY"])
def test_production_treats_a_blank_secret_as_missing(variable: str) -> None:
    assert variable in refusal(production(**{variable: "   "}))


def test_production_does_not_fall_back_on_secrets_left_in_the_instance_folder(tmp_path: Path) -> None:
    Settings.from_env(development(tmp_path))  # leaves secret_key, webhook_token, pii_key behind
    env = production(HOTLINE_INSTANCE_PATH=str(tmp_path / "instance"))
    del env["HOTLINE_PII_KEY"]

    assert "HOTLINE_PII_KEY" in refusal(env)


# Bad values: each one stops the start with a message naming the variable


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HOTLINE_ENV", "staging", "HOTLINE_ENV must be one of production, development, test"),
        ("HOTLINE_ENV", "Production", "HOTLINE_ENV must be one of"),
        ("DATABASE_URL", "mysql://hotline@db/hotline", "DATABASE_URL must start with one of"),
        ("DATABASE_URL", "/var/lib/hotline.sqlite3", "DATABASE_URL must start with one of"),
        ("REDIS_URL", "http://cache.internal:6379", "REDIS_URL must start with one of"),
        ("REDIS_URL", "127.0.0.1:6379", "REDIS_URL must start with one of"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 16 characters"),
        ("HOTLINE_WEBHOOK_TOKEN", "abc123", "HOTLINE_WEBHOOK_TOKEN must be at least 22"),
        ("HOTLINE_WEBHOOK_TOKEN", "x" * 21, "HOTLINE_WEBHOOK_TOKEN must be at least 22"),
        ("HOTLINE_WEBHOOK_TOKEN", "has/slash/in/the/token/0123", "URL-safe"),
        ("HOTLINE_PII_KEY", "not-a-fernet-key", "HOTLINE_PII_KEY must be Fernet keys"),
        ("HOTLINE_PII_KEY", f"{TEST_PII_KEY},oops", "HOTLINE_PII_KEY must be Fernet keys"),
        ("SMS_GATEWAY", "twilio", "SMS_GATEWAY must be one of africastalking, android, outbox"),
        ("SMS_GATEWAY", "africastalking", "SMS_GATEWAY=africastalking needs AT_API_KEY"),
        ("AT_API_URL", "ftp://api.africastalking.com", "AT_API_URL must start with one of http:, https:"),
        ("AT_API_URL", "api.africastalking.com/version1", "AT_API_URL must start with one of"),
        ("USSD_SERVICE_CODE", "384*123", "USSD_SERVICE_CODE must look like *384*123#"),
        ("USSD_SERVICE_CODE", "*384*123", "USSD_SERVICE_CODE must look like *384*123#"),
        ("HOTLINE_ESCALATION_WAIT_SECONDS", "ten", "HOTLINE_ESCALATION_WAIT_SECONDS must be a whole"),
        ("HOTLINE_ESCALATION_WAIT_SECONDS", "0", "HOTLINE_ESCALATION_WAIT_SECONDS must be a whole"),
        ("HOTLINE_ESCALATION_WAIT_SECONDS", "-5", "HOTLINE_ESCALATION_WAIT_SECONDS must be a whole"),
        ("HOTLINE_ESCALATION_WAIT_SECONDS", "1.5", "HOTLINE_ESCALATION_WAIT_SECONDS must be a whole"),
        ("HOTLINE_ESCALATION_WAIT_SECONDS", "86401", "from 1 to 86400"),
        ("HOTLINE_ESCALATION_WAIT_SECONDS", "²", "HOTLINE_ESCALATION_WAIT_SECONDS must be a whole"),
    ],
)
def test_it_refuses_a_bad_value_with_a_message_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    assert message in refusal(production(**{variable: value}))


def test_the_pii_key_message_never_repeats_the_bad_key() -> None:
    # The value may be a real key pasted with a typo: it must not end up in a crash log.
    bad = "3q2-yXc6V3HXh1tPiU7vG1dRdbOvBf6AA0Q9qk2vF2"
    assert bad not in refusal(production(HOTLINE_PII_KEY=bad))


def test_a_token_from_token_urlsafe_is_accepted() -> None:
    token = "Ab3_-Zx9" * 4
    assert Settings.from_env(production(HOTLINE_WEBHOOK_TOKEN=token)).webhook_token == token


def test_it_accepts_several_pii_keys_separated_by_commas_the_first_one_encrypting() -> None:
    new = Fernet.generate_key().decode()
    settings = Settings.from_env(production(HOTLINE_PII_KEY=f" {new} , {TEST_PII_KEY} "))

    assert settings.pii_keys == (new, TEST_PII_KEY)


@pytest.mark.parametrize("value", [",", " , ,"])
def test_it_refuses_a_pii_key_list_with_no_key_in_it(value: str) -> None:
    assert "HOTLINE_PII_KEY" in refusal(production(HOTLINE_PII_KEY=value))


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////var/lib/hotline/hotline.sqlite3",
        "postgresql://hotline@db.internal/hotline",
        "postgresql+psycopg://hotline@db.internal/hotline",
    ],
)
def test_it_accepts_the_supported_databases(url: str) -> None:
    assert Settings.from_env(production(DATABASE_URL=url)).database_url == url


@pytest.mark.parametrize("url", ["redis://cache:6379/0", "rediss://cache:6380/0", "unix:///run/redis.sock"])
def test_it_accepts_the_supported_redis_urls(url: str) -> None:
    assert Settings.from_env(production(REDIS_URL=url)).redis_url == url


# The SMS gateway


def test_sms_go_to_the_local_outbox_when_there_is_no_api_key() -> None:
    assert Settings.from_env(production()).sms_gateway == "outbox"


def test_sms_go_through_africas_talking_as_soon_as_an_api_key_is_set() -> None:
    settings = Settings.from_env(production(AT_API_KEY=API_KEY, AT_USERNAME="hotline-cd"))

    assert settings.sms_gateway == "africastalking"
    assert settings.at_api_key == API_KEY
    assert settings.at_username == "hotline-cd"


def test_the_outbox_can_be_forced_even_with_an_api_key() -> None:
    assert Settings.from_env(production(AT_API_KEY=API_KEY, SMS_GATEWAY="outbox")).sms_gateway == "outbox"


def test_the_at_api_url_loses_its_trailing_slash() -> None:
    settings = Settings.from_env(production(AT_API_URL="http://127.0.0.1:9090/"))
    assert settings.at_api_url == "http://127.0.0.1:9090"


def test_well_formed_ussd_code_and_escalation_wait_are_kept() -> None:
    settings = Settings.from_env(
        production(USSD_SERVICE_CODE="*384*123#", HOTLINE_ESCALATION_WAIT_SECONDS="86400")
    )
    assert settings.ussd_service_code == "*384*123#"
    assert settings.escalation_wait_seconds == 86400


# Secrets stay out of logs and tracebacks


def test_the_repr_of_settings_never_shows_the_api_key_or_the_pii_keys() -> None:
    old = Fernet.generate_key().decode()
    settings = Settings.from_env(production(AT_API_KEY=API_KEY, HOTLINE_PII_KEY=f"{TEST_PII_KEY},{old}"))

    shown = repr(settings)
    assert "Settings(" in shown and "africastalking" in shown  # still useful for debugging
    assert API_KEY not in shown
    assert TEST_PII_KEY not in shown
    assert old not in shown


def test_webhooks_may_go_to_the_private_networks_named_and_to_none_by_default() -> None:
    settings = Settings.from_env(production(HOTLINE_WEBHOOK_PRIVATE_NETWORKS="10.8.0.0/16, 192.168.4.20"))
    assert settings.webhook_private_networks == (
        ipaddress.ip_network("10.8.0.0/16"),
        ipaddress.ip_network("192.168.4.20/32"),
    )
    assert Settings.from_env(production()).webhook_private_networks == ()
    for wrong in ("10.8.0.0/33", "vpn", "10.8.0.1/16"):
        assert "HOTLINE_WEBHOOK_PRIVATE_NETWORKS" in refusal(
            production(HOTLINE_WEBHOOK_PRIVATE_NETWORKS=wrong)
        )


def test_the_api_rate_is_120_a_minute_unless_set() -> None:
    assert Settings.from_env(production()).api_rate_per_minute == 120
    assert Settings.from_env(production(HOTLINE_API_RATE_PER_MINUTE="600")).api_rate_per_minute == 600
    assert "HOTLINE_API_RATE_PER_MINUTE" in refusal(production(HOTLINE_API_RATE_PER_MINUTE="0"))
