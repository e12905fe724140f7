"""The Android app's webhooks (hotline/web/webhooks_android.py): what the phone posts is stored through
the same intake as AT's callbacks; a body the app could not have sent gets a 4xx, never a 5xx; the
signature is checked when a signing key is set. Also the settings, ``hotline check`` and the console
for several routes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hotline.models import InboundMessage
from hotline.ops.checks import callback_urls, run_checks
from hotline.platform.settings import Settings, SettingsError
from tests.support.builders import app_for
from tests.support.consolekit import login
from tests.support.environment import TEST_TOKEN
from tests.support.fake_android import FakeAndroid, received_payload, sign, status_payload

EVENTS = f"/webhooks/android/{TEST_TOKEN}/events"
SENDER = "+243990000123"
KEY = "a-signing-key-of-the-phone"


def post(client, body: object, headers: dict[str, str] | None = None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(EVENTS, data=data, headers={"Content-Type": "application/json", **(headers or {})})


def stored(runtime) -> list[InboundMessage]:
    with runtime.session() as session:
        return list(session.scalars(select(InboundMessage)))


def test_an_incoming_sms_is_stored_once_with_the_route_it_came_by(client, runtime):
    phone = FakeAndroid()
    body, data, headers = phone.request_for("sms:received", received_payload(SENDER, "Aidez-nous"))
    for _ in range(2):  # the app retries until it gets a 2xx: the event's id keeps it once
        assert client.post(EVENTS, data=data, headers=headers).status_code == 200
    [message] = stored(runtime)
    assert (message.gateway, message.gateway_id, message.text) == (
        "android",
        f"android:{body['id']}",
        "Aidez-nous",
    )
    assert runtime.cipher.decrypt(message.sender_encrypted) == SENDER


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        {"event": "sms:received", "id": "abc"},  # no payload
        {"event": "sms:received", "payload": {}},  # no id
        {"event": 3, "id": "abc", "payload": {}},
        {"event": "sms:received", "id": "bad id with spaces", "payload": received_payload(SENDER, "x")},
        {"event": "sms:received", "id": "abc", "payload": {"message": "no sender"}},
        {"event": "sms:received", "id": "abc", "payload": {"sender": SENDER, "message": 42}},
        {"event": "sms:received", "id": "abc", "payload": {"sender": SENDER, "message": "x" * 9000}},
        {"event": "sms:delivered", "id": "abc", "payload": {"messageId": None}},
        {"event": "sms:failed", "id": "abc", "payload": {"messageId": "a/b"}},
        {"event": "sms:batch:received", "id": "abc", "payload": {"messages": []}},
    ],
)
def test_a_body_the_app_could_not_have_sent_gets_a_400(client, runtime, body):
    response = post(client, body)
    assert response.status_code == 400, response.data
    assert stored(runtime) == []


def test_status_events_for_unknown_messages_and_other_events_are_answered_200(client):
    assert (
        post(
            client,
            {
                "event": "sms:delivered",
                "id": "e1",
                "payload": status_payload("sms:delivered", "unknown", SENDER),
            },
        ).status_code
        == 200
    )
    assert post(client, {"event": "system:ping", "id": "e2", "payload": {"health": {}}}).status_code == 200


def test_the_apps_ids_may_begin_with_a_dash_or_an_underscore(client, runtime):
    """They are nanoids (A-Za-z0-9_-): about one in 16 begins with "-" or "_" (the fake's random ids
    made a canary test fail now and then before)."""
    incoming = {
        "event": "sms:received",
        "id": "-cAbxiM-zYib3jsb0qqDA",
        "payload": received_payload(SENDER, "x"),
    }
    assert post(client, incoming).status_code == 200
    status = status_payload("sms:delivered", "_tziBihZQ93C1IQKvdbB", SENDER)
    assert post(client, {"event": "sms:delivered", "id": "_e4", "payload": status}).status_code == 200
    assert len(stored(runtime)) == 1


def test_a_network_sender_is_ignored(client, runtime):
    response = post(
        client, {"event": "sms:received", "id": "e3", "payload": received_payload("Vodacom", "Promo")}
    )
    assert response.status_code == 200 and stored(runtime) == []


def test_a_wrong_token_is_a_404(client):
    response = client.post("/webhooks/android/not-the-token/events", json={})
    assert response.status_code == 404


def test_with_a_signing_key_only_signed_recent_events_are_taken(runtime, clock):
    settings = runtime.settings.with_overrides(android_signing_key=KEY)
    with app_for(settings, clock) as (client, rt):
        phone = FakeAndroid(signing_key=KEY)
        _, data, headers = phone.request_for("sms:received", received_payload(SENDER, "Aidez-nous"))
        stamp = int(clock.now().timestamp())
        assert client.post(EVENTS, data=data, headers=sign(KEY, data, stamp)).status_code == 200
        assert client.post(EVENTS, data=data).status_code == 403  # unsigned
        assert (
            client.post(EVENTS, data=data, headers=sign("another-key-entirely", data, stamp)).status_code
            == 403
        )
        assert client.post(EVENTS, data=data + b" ", headers=sign(KEY, data, stamp)).status_code == 403
        assert (
            client.post(EVENTS, data=data, headers=sign(KEY, data, stamp - 600)).status_code == 403
        )  # a replay
        assert len(stored(rt)) == 1
        assert headers["X-Signature"]  # the fake signs what it posts


def test_routes_are_named_in_order_and_parsed_strictly(environ):
    android = {
        "ANDROID_GATEWAY_URL": "http://192.168.1.20:8080",
        "ANDROID_GATEWAY_USERNAME": "sms",
        "ANDROID_GATEWAY_PASSWORD": "secret",
        "AT_API_KEY": "k",
    }
    settings = Settings.from_env({**environ, **android, "SMS_GATEWAYS": "africastalking, android"})
    assert (settings.routes, settings.sms_gateway) == (("africastalking", "android"), "africastalking")
    assert Settings.from_env({**environ, "SMS_GATEWAY": "outbox"}).routes == ("outbox",)
    for value, words in [
        ("africastalking,twilio", "SMS_GATEWAYS names routes"),
        ("android,android", "SMS_GATEWAYS names routes"),
        ("africastalking,,android", "SMS_GATEWAYS names routes"),
        ("africastalking,outbox", "outbox keeps every SMS"),
    ]:
        with pytest.raises(SettingsError, match=words):
            Settings.from_env({**environ, **android, "SMS_GATEWAYS": value})
    with pytest.raises(SettingsError, match="not both"):
        Settings.from_env({**environ, **android, "SMS_GATEWAYS": "android", "SMS_GATEWAY": "android"})
    with pytest.raises(SettingsError, match="ANDROID_GATEWAY_URL"):
        Settings.from_env({**environ, "SMS_GATEWAYS": "android"})
    with pytest.raises(SettingsError, match="ANDROID_GATEWAY_SIM"):
        Settings.from_env({**environ, **android, "SMS_GATEWAYS": "android", "ANDROID_GATEWAY_SIM": "4"})


def test_hotline_check_checks_every_route_and_gives_the_phones_webhook_url(environ, runtime):
    from hotline.platform.runtime import Runtime

    with FakeAndroid() as phone:
        env = {
            **environ,
            "SMS_GATEWAYS": "android",
            "ANDROID_GATEWAY_URL": phone.url,
            "ANDROID_GATEWAY_USERNAME": phone.username,
            "ANDROID_GATEWAY_PASSWORD": phone.password,
            "HOTLINE_PUBLIC_URL": "https://hotline.example.org",
        }
        settings = Settings.from_env(env)
        checked = Runtime.build(settings)
        try:
            [route] = [c for c in run_checks(checked) if c.name.startswith("sms")]
            assert route.ok and "android: reached, credentials accepted" in route.detail
            phone.password = "changed-on-the-phone"
            [route] = [c for c in run_checks(checked) if c.name.startswith("sms")]
            assert not route.ok and "401" in route.detail
        finally:
            checked.close()
        assert (
            callback_urls(settings)[-1][1]
            == f"https://hotline.example.org/webhooks/android/{TEST_TOKEN}/events"
        )


def test_the_integrations_page_shows_each_routes_state(client, runtime, fake_at):
    from hotline.gateways import Failover
    from hotline.sms import routes

    routes.remember(runtime, (Failover("africastalking", "InsufficientBalance"),))
    login(client, runtime, "admin")
    page = client.get("/console/integrations").data.decode()
    assert "Routes SMS" in page and "africastalking" in page and "InsufficientBalance" in page
