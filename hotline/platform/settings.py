"""Settings: read from the environment in one place, validated once, passed everywhere.

Nothing below this module reads ``os.environ``. A bad value stops the process at start with a message
naming the variable, never later in the middle of a report.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlparse

from cryptography.fernet import Fernet

from hotline.platform.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hotline.platform.money import AmountError, parse_amount

ENVIRONMENTS = ("production", "development", "test")
GATEWAYS = ("africastalking", "android", "outbox")
DEFAULT_INSTANCE = Path.cwd() / "instance"


class SettingsError(ValueError):
    """A configuration value is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    env: str
    instance_path: Path
    database_url: str
    redis_url: str
    secret_key: str = field(repr=False)
    webhook_token: str = field(repr=False)
    pii_keys: tuple[str, ...] = field(repr=False)
    sms_gateway: str
    at_username: str = "sandbox"
    at_api_key: str = field(default="", repr=False)
    at_sender_id: str | None = None
    at_api_url: str | None = None
    # Phone calls as an escalation step (HOTLINE_VOICE=on; hotline.alerting.calls): the AT virtual
    # number they come from, where AT fetches the recorded prompts, and the languages AT's
    # text-to-speech speaks (the others hear the recordings).
    voice: bool = False
    at_voice_number: str | None = None
    voice_prompt_url: str | None = None
    voice_say: tuple[str, ...] = ("en",)
    # SMS_GATEWAYS: the routes in order, first tried first (() when SMS_GATEWAY names the only one).
    sms_gateways: tuple[str, ...] = ()
    android_url: str | None = None  # the app's API: http://PHONE:8080 or its cloud server
    android_username: str | None = None
    android_password: str | None = field(default=None, repr=False)
    android_sim: int | None = None  # which SIM sends (1-3); None: the phone's default
    android_signing_key: str | None = field(default=None, repr=False)  # the app's webhook signing key
    ussd_service_code: str | None = None
    escalation_wait_seconds: int | None = None
    alarm_seconds: int | None = None  # drills: replaces every policy's alarm time
    # An AT callback is answered within this, whatever is slow behind it (AT gives up at 10 s).
    callback_budget_seconds: float = 4.0
    # A deployment's own files instead of the ones shipped in hotline/data (None: the shipped ones).
    locations_file: Path | None = None
    escalation_policy_file: Path | None = None
    queue_name: str = "hotline"
    tick_seconds: int = 15
    draft_ttl_seconds: int = 1800
    trusted_proxies: int = 0
    sms_acknowledge: bool = True
    # Accepted besides webhook_token while AT's callback URLs move to a new token (rotation).
    webhook_token_previous: str | None = field(default=None, repr=False)
    flood_reports_hour: int = 5
    flood_reports_day: int = 20
    flood_sms_hour: int = 20
    sms_cap_hour: int = 600
    sms_cap_day: int = 6000
    sms_cap_alert_share: int = 20  # percent of each cap only alerts to workers may use
    api_rate_per_minute: int = 120  # per API client: a partner's sync job, not a crawler
    retention_days: int = 180  # after a report finished, its personal data goes (hotline.privacy.retention)
    bundle_after: int = 3  # alerts to one worker in 10 minutes before the next are bundled; 0: never
    public_url: str | None = None  # https://hotline.example.org: the callback URLs AT is given
    metrics_token: str | None = field(default=None, repr=False)  # /metrics exists only with it
    log_format: str = "json"
    balance_minimum: str | None = None  # "USD 5" or "5": below it operators get a notice
    # Non-public networks partner webhooks may still be sent to (hotline.partners.egress); none by default.
    webhook_private_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    # Languages offered to reporters before an admin approved them: a supervised pilot (hotline.languages).
    pilot_languages: tuple[str, ...] = ()

    @property
    def routes(self) -> tuple[str, ...]:
        """The SMS routes in order (one, unless SMS_GATEWAYS names several)."""
        return self.sms_gateways or (self.sms_gateway,)

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (``os.environ`` by default) or raise SettingsError."""
        env_map = dict(os.environ if environ is None else environ)
        return _parse(env_map)


def _parse(env: dict[str, str]) -> Settings:
    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    environment = get("HOTLINE_ENV") or "production"
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"HOTLINE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    generated_ok = environment != "production"

    instance = Path(get("HOTLINE_INSTANCE_PATH") or DEFAULT_INSTANCE).resolve()
    database_url = get("DATABASE_URL") or f"sqlite:///{instance / 'hotline.sqlite3'}"
    _check_url("DATABASE_URL", database_url, ("sqlite", "postgresql", "postgresql+psycopg"))
    redis_url = get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    _check_url("REDIS_URL", redis_url, ("redis", "rediss", "unix"))

    secret_key = get("SECRET_KEY") or _generated(instance, "secret_key", generated_ok, "SECRET_KEY")
    if len(secret_key) < 16:
        raise SettingsError("SECRET_KEY must be at least 16 characters long")
    token = get("HOTLINE_WEBHOOK_TOKEN") or _generated(
        instance, "webhook_token", generated_ok, "HOTLINE_WEBHOOK_TOKEN"
    )
    token, previous_token = _webhook_tokens(token, get("HOTLINE_WEBHOOK_TOKEN_PREVIOUS"))
    pii_keys = _pii_keys(get("HOTLINE_PII_KEY"), instance, generated_ok)

    api_key = get("AT_API_KEY") or ""
    routes = _routes(get, api_key)
    at_api_url = get("AT_API_URL")
    if at_api_url:
        _check_url("AT_API_URL", at_api_url, ("http", "https"))
        at_api_url = at_api_url.rstrip("/")

    service_code = get("USSD_SERVICE_CODE")
    if service_code and not (service_code.startswith("*") and service_code.endswith("#")):
        raise SettingsError(f"USSD_SERVICE_CODE must look like *384*123#, not {service_code!r}")

    wait = get("HOTLINE_ESCALATION_WAIT_SECONDS")
    wait_seconds = None
    if wait is not None:
        if not (wait.isascii() and wait.isdigit()) or not 1 <= int(wait) <= 86400:
            raise SettingsError("HOTLINE_ESCALATION_WAIT_SECONDS must be a whole number from 1 to 86400")
        wait_seconds = int(wait)

    tick = get("HOTLINE_TICK_SECONDS") or "15"
    if not (tick.isascii() and tick.isdigit()) or not 1 <= int(tick) <= 300:
        raise SettingsError("HOTLINE_TICK_SECONDS must be a whole number from 1 to 300")

    draft_minutes = get("HOTLINE_DRAFT_MINUTES") or "30"
    if not (draft_minutes.isascii() and draft_minutes.isdigit()) or not 1 <= int(draft_minutes) <= 1440:
        raise SettingsError("HOTLINE_DRAFT_MINUTES must be a whole number from 1 to 1440")
    ack = (get("HOTLINE_SMS_ACK") or "on").lower()
    if ack not in ("on", "off"):
        raise SettingsError("HOTLINE_SMS_ACK must be on or off")

    proxies = get("HOTLINE_TRUSTED_PROXIES") or "0"
    if not (proxies.isascii() and proxies.isdigit()) or int(proxies) > 5:
        raise SettingsError("HOTLINE_TRUSTED_PROXIES must be a whole number from 0 to 5")

    observe = _observability(get, environment)
    return Settings(
        env=environment,
        instance_path=instance,
        database_url=database_url,
        redis_url=redis_url,
        secret_key=secret_key,
        webhook_token=token,
        pii_keys=pii_keys,
        sms_gateway=routes[0],
        sms_gateways=routes if get("SMS_GATEWAYS") else (),
        at_username=get("AT_USERNAME") or "sandbox",
        at_api_key=api_key,
        at_sender_id=get("AT_SENDER_ID"),
        at_api_url=at_api_url,
        **_voice(get, api_key),
        **_android(get, "android" in routes),
        ussd_service_code=service_code,
        escalation_wait_seconds=wait_seconds,
        alarm_seconds=_optional_whole(get, "HOTLINE_ALARM_SECONDS", 1, 7 * 86400),
        callback_budget_seconds=float(_whole(get, "HOTLINE_CALLBACK_BUDGET_SECONDS", 4, 2, 8)),
        locations_file=_data_file(get, "HOTLINE_LOCATIONS_FILE"),
        escalation_policy_file=_data_file(get, "HOTLINE_ESCALATION_POLICY_FILE"),
        queue_name=get("HOTLINE_QUEUE") or "hotline",
        tick_seconds=int(tick),
        draft_ttl_seconds=int(draft_minutes) * 60,
        trusted_proxies=int(proxies),
        sms_acknowledge=ack == "on",
        webhook_token_previous=previous_token,
        flood_reports_hour=_whole(get, "HOTLINE_FLOOD_REPORTS_HOUR", 5, 1, 1000),
        flood_reports_day=_whole(get, "HOTLINE_FLOOD_REPORTS_DAY", 20, 1, 10000),
        flood_sms_hour=_whole(get, "HOTLINE_FLOOD_SMS_HOUR", 20, 1, 10000),
        sms_cap_hour=_whole(get, "HOTLINE_SMS_CAP_HOUR", 600, 1, 1_000_000),
        sms_cap_day=_whole(get, "HOTLINE_SMS_CAP_DAY", 6000, 1, 10_000_000),
        sms_cap_alert_share=_whole(get, "HOTLINE_SMS_CAP_ALERT_SHARE", 20, 0, 100),
        api_rate_per_minute=_whole(get, "HOTLINE_API_RATE_PER_MINUTE", 120, 1, 100_000),
        retention_days=_whole(get, "HOTLINE_RETENTION_DAYS", 180, 1, 3650),
        bundle_after=_whole(get, "HOTLINE_BUNDLE_AFTER", 3, 0, 100),
        webhook_private_networks=_networks(get("HOTLINE_WEBHOOK_PRIVATE_NETWORKS")),
        pilot_languages=_pilot_languages(get("HOTLINE_PILOT_LANGUAGES")),
        **observe,
    )


def _routes(get: Callable[[str], str | None], api_key: str) -> tuple[str, ...]:
    """SMS_GATEWAYS (routes in order, e.g. africastalking,android) or SMS_GATEWAY (the only one)."""
    listed, single = get("SMS_GATEWAYS"), get("SMS_GATEWAY")
    if listed and single:
        raise SettingsError("set SMS_GATEWAYS (routes in order) or SMS_GATEWAY (one route), not both")
    if not listed:
        gateway = single or ("africastalking" if api_key else "outbox")
        if gateway not in GATEWAYS:
            raise SettingsError(f"SMS_GATEWAY must be one of {', '.join(GATEWAYS)}, not {gateway!r}")
        routes: tuple[str, ...] = (gateway,)
    else:
        routes = tuple(part.strip() for part in listed.split(","))
        if not all(routes) or len(set(routes)) != len(routes) or not set(routes) <= set(GATEWAYS):
            raise SettingsError(
                f"SMS_GATEWAYS names routes from {', '.join(GATEWAYS)}, each once, in order, "
                f"separated by commas (e.g. africastalking,android), not {listed!r}"
            )
        if "outbox" in routes and len(routes) > 1:
            raise SettingsError(
                "SMS_GATEWAYS: outbox keeps every SMS on this machine; it cannot be one route of several"
            )
    if "africastalking" in routes and not api_key:
        raise SettingsError("SMS_GATEWAY=africastalking needs AT_API_KEY")
    return routes


class _Android(TypedDict):
    android_url: str | None
    android_username: str | None
    android_password: str | None
    android_sim: int | None
    android_signing_key: str | None


def _android(get: Callable[[str], str | None], used: bool) -> _Android:
    """ANDROID_GATEWAY_URL, _USERNAME, _PASSWORD (needed when android is a route), _SIM and
    ANDROID_WEBHOOK_SIGNING_KEY (docs/android-sms-gateway.md)."""
    url, username, password = (get(f"ANDROID_GATEWAY_{n}") for n in ("URL", "USERNAME", "PASSWORD"))
    if used and not (url and username and password):
        raise SettingsError(
            "the android route needs ANDROID_GATEWAY_URL, ANDROID_GATEWAY_USERNAME and "
            "ANDROID_GATEWAY_PASSWORD"
        )
    if url:
        _check_url("ANDROID_GATEWAY_URL", url, ("http", "https"))
    signing_key = get("ANDROID_WEBHOOK_SIGNING_KEY")
    if signing_key is not None and len(signing_key) < 16:
        raise SettingsError("ANDROID_WEBHOOK_SIGNING_KEY must be at least 16 characters long")
    return {
        "android_url": url.rstrip("/") if url else None,
        "android_username": username,
        "android_password": password,
        "android_sim": _optional_whole(get, "ANDROID_GATEWAY_SIM", 1, 3),
        "android_signing_key": signing_key,
    }


def _data_file(get: Callable[[str], str | None], name: str) -> Path | None:
    """A file that replaces one shipped in hotline/data: it must exist when the process starts."""
    value = get(name)
    if value is None:
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise SettingsError(f"{name}: no such file: {path}")
    return path


class _Observability(TypedDict):
    public_url: str | None
    metrics_token: str | None
    log_format: str
    balance_minimum: str | None


def _observability(get: Callable[[str], str | None], environment: str) -> _Observability:
    """HOTLINE_PUBLIC_URL, HOTLINE_METRICS_TOKEN, HOTLINE_LOG_FORMAT and AT_BALANCE_MIN."""
    public_url = get("HOTLINE_PUBLIC_URL")
    if public_url:
        _check_url("HOTLINE_PUBLIC_URL", public_url, ("https", "http"))
        public_url = public_url.rstrip("/")
    metrics_token = get("HOTLINE_METRICS_TOKEN")
    if metrics_token is not None and len(metrics_token) < 22:
        raise SettingsError("HOTLINE_METRICS_TOKEN must be at least 22 characters (128 bits)")
    log_format = (get("HOTLINE_LOG_FORMAT") or ("text" if environment != "production" else "json")).lower()
    if log_format not in ("json", "text"):
        raise SettingsError("HOTLINE_LOG_FORMAT must be json or text")
    minimum = get("AT_BALANCE_MIN")
    if minimum is not None:
        try:
            parse_amount(minimum)
        except AmountError as exc:
            raise SettingsError(f"AT_BALANCE_MIN {exc}") from None
    return {
        "public_url": public_url,
        "metrics_token": metrics_token,
        "log_format": log_format,
        "balance_minimum": minimum,
    }


class _Voice(TypedDict):
    voice: bool
    at_voice_number: str | None
    voice_prompt_url: str | None
    voice_say: tuple[str, ...]


def _voice(get: Callable[[str], str | None], api_key: str) -> _Voice:
    """HOTLINE_VOICE, AT_VOICE_NUMBER, HOTLINE_VOICE_PROMPT_URL and HOTLINE_VOICE_SAY."""
    switch = (get("HOTLINE_VOICE") or "off").lower()
    if switch not in ("on", "off"):
        raise SettingsError("HOTLINE_VOICE must be on or off")
    number = get("AT_VOICE_NUMBER")
    if number is not None and not re.fullmatch(r"\+\d{6,15}", number):
        raise SettingsError("AT_VOICE_NUMBER must be the AT virtual number in E.164, like +243800000000")
    say = tuple(part.strip() for part in (get("HOTLINE_VOICE_SAY") or "en").split(",") if part.strip())
    if not set(say) <= set(LANGUAGES):
        raise SettingsError(f"HOTLINE_VOICE_SAY names languages of {', '.join(LANGUAGES)}, like en or en,fr")
    public_url = (get("HOTLINE_PUBLIC_URL") or "").rstrip("/")
    prompts = get("HOTLINE_VOICE_PROMPT_URL")
    if prompts:
        _check_url("HOTLINE_VOICE_PROMPT_URL", prompts, ("https", "http"))
    if switch == "on":
        missing = [
            name
            for name, value in (
                ("AT_API_KEY", api_key),
                ("AT_VOICE_NUMBER", number),
                ("HOTLINE_PUBLIC_URL", public_url),
            )
            if not value
        ]
        if missing:
            raise SettingsError(f"HOTLINE_VOICE=on needs {', '.join(missing)}")
    if not prompts and public_url:
        prompts = public_url + "/static/voice"  # the recordings shipped in hotline/static/voice
    return {
        "voice": switch == "on",
        "at_voice_number": number,
        "voice_prompt_url": prompts.rstrip("/") if prompts else None,
        "voice_say": say,
    }


def _whole(get: Callable[[str], str | None], name: str, default: int, low: int, high: int) -> int:
    raw = get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _optional_whole(get: Callable[[str], str | None], name: str, low: int, high: int) -> int | None:
    return None if get(name) is None else _whole(get, name, low, low, high)


def _networks(raw: str | None) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in (raw or "").split(",") if part.strip())
    except ValueError:
        raise SettingsError(
            "HOTLINE_WEBHOOK_PRIVATE_NETWORKS must be networks separated by commas, "
            "like 10.8.0.0/16,192.168.4.20/32"
        ) from None


def _pilot_languages(raw: str | None) -> tuple[str, ...]:
    """HOTLINE_PILOT_LANGUAGES: codes separated by commas (kg,ln), each a language we ship once."""
    codes = [part.strip() for part in (raw or "").split(",")]
    pilot = [code for code in LANGUAGES if code in codes and code != DEFAULT_LANGUAGE]
    if raw and (len(pilot) != len(codes) or not pilot):
        allowed = ", ".join(code for code in LANGUAGES if code != DEFAULT_LANGUAGE)
        raise SettingsError(
            f"HOTLINE_PILOT_LANGUAGES must be language codes separated by commas, each once, among {allowed}"
        )
    return tuple(pilot)


def _webhook_tokens(raw: str, previous: str | None) -> tuple[str, str | None]:
    """The token AT's URLs carry, and during a rotation the old one ("new,old" or
    HOTLINE_WEBHOOK_TOKEN_PREVIOUS); each must be >= 128 bits of URL-safe characters."""
    tokens = [t.strip() for t in raw.split(",") if t.strip()]
    if previous:
        tokens.append(previous)
    if not tokens or len(tokens) > 2:
        raise SettingsError("HOTLINE_WEBHOOK_TOKEN holds one token, or two (new,old) during a rotation")
    for token in tokens:
        if len(token) < 22 or not token.replace("-", "").replace("_", "").isalnum():
            raise SettingsError(
                "HOTLINE_WEBHOOK_TOKEN must be at least 22 URL-safe characters (128 bits); "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'"
            )
    return tokens[0], tokens[1] if len(tokens) == 2 else None


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> None:
    scheme = urlparse(value).scheme
    if scheme not in schemes:
        raise SettingsError(f"{name} must start with one of {', '.join(s + ':' for s in schemes)}")


def _pii_keys(raw: str | None, instance: Path, generated_ok: bool) -> tuple[str, ...]:
    """Several comma-separated Fernet keys: the first encrypts, all decrypt (key rotation)."""
    if raw is None:
        raw = _generated(instance, "pii_key", generated_ok, "HOTLINE_PII_KEY", Fernet.generate_key)
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    if not keys:  # "," would otherwise start a service that cannot encrypt a single number
        raise SettingsError("HOTLINE_PII_KEY must hold at least one Fernet key")
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise SettingsError(
                "HOTLINE_PII_KEY must be Fernet keys separated by commas; generate one with: "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            ) from exc
    return keys


def _generated(
    instance: Path, name: str, allowed: bool, variable: str, make: Callable[[], bytes] | None = None
) -> str:
    """Development and tests: create a secret once and keep it in the instance folder."""
    if not allowed:
        raise SettingsError(f"{variable} is required when HOTLINE_ENV=production")
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    value = make().decode() if make else secrets.token_urlsafe(32)
    # Created readable by us alone from the first byte, not chmod-ed after the fact.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
