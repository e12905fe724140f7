"""The Android adapter (hotline/gateways/android.py) and the real ``android-sms-gateway`` client against
the fake phone of tests/support/fake_android.py, on loopback (docs/android-sms-gateway.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from hotline.gateways import GatewayUnavailable
from hotline.gateways.android import AndroidGateway
from tests.support.fake_android import NO_SERVICE, PHONE_OFF, FakeAndroid

WORKER = "+243810000101"


@pytest.fixture
def phone() -> Iterator[FakeAndroid]:
    with FakeAndroid() as fake:
        yield fake


def gateway_for(phone: FakeAndroid, password: str | None = None, timeout: float = 10) -> AndroidGateway:
    return AndroidGateway(phone.url, phone.username, password or phone.password, timeout=(1, timeout))


def test_an_accepted_message_has_the_phones_id_and_is_pending(phone):
    result = gateway_for(phone).send(WORKER, "ALERT K7F3QX urgent")
    assert result.accepted and result.status == "Pending" and not result.delivered
    [sms] = phone.messages
    assert (sms.to, sms.message, sms.message_id) == (WORKER, "ALERT K7F3QX urgent", result.message_id)


def test_a_number_the_app_refuses_fails_without_a_try_elsewhere(phone):
    phone.reject(WORKER)
    result = gateway_for(phone).send(WORKER, "hello")
    assert (result.accepted, result.status, result.retryable, result.reroute) == (
        False,
        "BadRequest",
        False,
        False,
    )


def test_a_phone_without_service_refuses_in_a_way_another_route_may_get_past(phone):
    phone.refuse_all()
    result = gateway_for(phone).send(WORKER, "hello")
    assert (result.accepted, result.status, result.reroute) == (False, "Failed", True)
    assert phone.messages == []


@pytest.mark.parametrize("mode", ["http500", "unauthorized"])
def test_a_whole_request_failure_is_an_unavailable_gateway(phone, mode):
    phone.fail_next(1, mode)
    with pytest.raises(GatewayUnavailable, match="HTTP"):
        gateway_for(phone).send(WORKER, "hello")


def test_a_phone_that_stops_answering_times_out_within_the_lease(phone):
    phone.fail_next(1, "timeout")
    gateway = gateway_for(phone, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(GatewayUnavailable, match="Timeout"):
        gateway.send(WORKER, "hello")
    assert time.monotonic() - started < gateway.max_send_seconds


def test_an_unreachable_phone_is_an_unavailable_gateway(phone):
    gateway = gateway_for(phone)
    phone.stop()
    with pytest.raises(GatewayUnavailable, match="ConnectionError"):
        gateway.send(WORKER, "hello")


def test_wrong_credentials_fail_the_balance_read_that_hotline_check_makes(phone):
    assert gateway_for(phone).balance() is None  # reached, and no credit to read
    with pytest.raises(GatewayUnavailable, match="401"):
        gateway_for(phone, password="wrong").balance()


def test_the_webhooks_registered_on_the_phone_are_read(phone):
    import requests

    requests.post(
        phone.url + "/webhooks",
        json={"url": "https://hotline.example/webhooks/android/T/events", "event": "sms:received"},
        auth=(phone.username, phone.password),
        timeout=5,
    ).raise_for_status()
    assert gateway_for(phone).webhook_events() == {
        "sms:received": "https://hotline.example/webhooks/android/T/events"
    }


@pytest.mark.parametrize(
    ("reason", "route_failure"),
    [
        (NO_SERVICE, True),  # the sending phone has no network
        ("Send result: RESULT_ERROR_RADIO_OFF (Failed because radio was explicitly turned off)", True),
        ("Delivery result from SC +243810000000: 64", True),  # remote procedure error
        ("Delivery result from SC +243810000000: 96", True),  # congestion, the centre gave up
        ("Delivery result: 1", True),
        ("Unknown", True),
        (PHONE_OFF, False),  # validity period expired: the recipient's phone stayed off
        ("Delivery result from SC +243810000000: 98", False),  # no response from the handset
        ("Delivery result from SC +243810000000: 67", False),  # not obtainable
    ],
)
def test_failure_reasons_say_whether_another_route_may_help(reason, route_failure):
    assert AndroidGateway("http://127.0.0.1:1", "u", "p").route_failure("Failed", reason) is route_failure
