"""Two SMS routes in order (SMS_GATEWAYS=africastalking,android): failover, replies on the route they
came by, low balance. The real AT SDK talks to the fake AT, the real android-sms-gateway client to
the fake phone; webhooks are posted to the app as each provider posts them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from hotline.gateways.android import AndroidGateway
from hotline.gateways.router import GatewayRouter
from hotline.models import Notice
from hotline.sms.balance import check_balance
from tests.support.builders import alerts, events, load, messages_to, report
from tests.support.environment import TEST_TOKEN
from tests.support.fake_android import NO_SERVICE, PHONE_OFF, FakeAndroid, received_payload, status_payload

AT_DELIVERY = f"/webhooks/at/{TEST_TOKEN}/sms/delivery"
ANDROID_EVENTS = f"/webhooks/android/{TEST_TOKEN}/events"


@pytest.fixture
def phone(runtime, fake_at) -> Iterator[FakeAndroid]:
    """The runtime's gateway: AT (the fake AT) first, then the Android phone (the fake phone)."""
    with FakeAndroid() as fake:
        android = AndroidGateway(fake.url, fake.username, fake.password, timeout=(1, 2))
        runtime.gateway = GatewayRouter([runtime.gateway, android])
        yield fake


def android_event(client, phone: FakeAndroid, event: str, payload: dict, event_id: str | None = None):
    _, data, headers = phone.request_for(event, payload, event_id)
    return client.post(ANDROID_EVENTS, data=data, headers=headers)


def at_report(client, message_id: str, status: str, reason: str | None = None) -> None:
    form = {"id": message_id, "status": status, "phoneNumber": "+243810000000", "networkCode": "63001"}
    if reason:
        form["failureReason"] = reason
    assert client.post(AT_DELIVERY, data=form).status_code == 200


def timeline(runtime, report_id: int) -> list[tuple[str, str | None, str | None]]:
    return [
        (e.kind, e.detail.get("gateway"), e.detail.get("to"))
        for e in events(runtime, report_id)
        if e.kind.startswith("message_")
    ]


def test_when_at_refuses_every_sms_each_alert_goes_out_once_through_android(
    runtime, team, fake_at, phone, run_jobs
):
    fake_at.fail_next(1000, "http500")
    first, second = report(runtime), report(runtime, urgent=True)
    run_jobs()

    rows = alerts(runtime, first.id) + alerts(runtime, second.id)
    assert {(m.status, m.gateway, m.attempts) for m in rows} == {("sent", "android", 1)}
    sent = [(m.to, m.message) for m in phone.messages]
    assert len(sent) == len(set(sent)) == len(rows)  # each alert once
    assert {m.message.split()[1] for m in phone.messages} == {first.reference, second.reference}
    assert fake_at.messages == []  # AT took none
    # The first alert tried AT and was handed on; the second report's (two workers, urgent) went
    # straight to Android, since AT failed a moment ago and has sent nothing since.
    assert timeline(runtime, first.id) == [
        ("message_rerouted", "africastalking", "android"),
        ("message_sent", "android", None),
    ]
    assert {kind for kind, _, _ in timeline(runtime, second.id)} == {"message_sent"}


def test_a_refusal_about_the_number_itself_is_not_tried_elsewhere(runtime, team, fake_at, phone, run_jobs):
    fake_at.reject(team.primary.phone, 403)  # InvalidPhoneNumber: Android would refuse it too
    opened = report(runtime)
    run_jobs()
    alert = alerts(runtime, opened.id)[0]
    assert (alert.status, alert.gateway) == ("failed", "africastalking")
    assert [m.to for m in phone.messages] == []  # the backup's alert (the escalation) went by AT
    assert [m.to for m in fake_at.messages if m.status_code == 101] == [team.backup.phone]


def test_a_route_refusing_for_its_own_reasons_hands_the_message_on(runtime, team, fake_at, phone, run_jobs):
    fake_at.reject(team.primary.phone, 405)  # InsufficientBalance
    opened = report(runtime)
    run_jobs()
    [alert] = alerts(runtime, opened.id)
    assert (alert.status, alert.gateway) == ("sent", "android")
    [rerouted] = events(runtime, opened.id, "message_rerouted")
    assert rerouted.detail["reason"] == "InsufficientBalance"


def test_a_failure_report_for_a_network_reason_sends_it_once_more_through_the_next_route(
    runtime, client, team, fake_at, phone, run_jobs
):
    opened = report(runtime)
    run_jobs()
    [at_sms] = fake_at.messages
    at_report(client, str(at_sms.message_id), "Failed", "DeliveryFailure")
    [alert] = alerts(runtime, opened.id)
    assert (alert.status, alert.failed_gateway) == ("pending", "africastalking")
    run_jobs()

    [android_sms] = phone.messages
    assert android_sms.to == team.primary.phone and opened.reference in android_sms.message
    [alert] = alerts(runtime, opened.id)
    assert (alert.status, alert.gateway) == ("sent", "android")
    # Android's network fails it too: no third try; the alert has failed, the escalation moves on.
    android_event(
        client,
        phone,
        "sms:failed",
        status_payload("sms:failed", android_sms.message_id, android_sms.to, NO_SERVICE),
    )
    run_jobs()
    alert = alerts(runtime, opened.id)[0]
    assert alert.status == "failed"
    # The primary's alert went out twice in all, once by each route; the escalation went on to the
    # backup (by AT, the first route, which works).
    assert [m.to for m in fake_at.messages] == [team.primary.phone, team.backup.phone]
    assert [m.to for m in phone.messages] == [team.primary.phone]
    assert timeline(runtime, opened.id)[:4] == [
        ("message_sent", "africastalking", None),
        ("message_rerouted", "africastalking", "android"),
        ("message_sent", "android", None),
        ("message_failed", "android", None),
    ]


@pytest.mark.parametrize(
    ("status", "reason"), [("AbsentSubscriber", None), ("Failed", "UserDoesNotExist"), ("Expired", None)]
)
def test_the_recipients_phone_being_off_does_not_fail_over(
    runtime, client, team, fake_at, phone, run_jobs, status, reason
):
    opened = report(runtime)
    run_jobs()
    at_report(client, str(fake_at.messages[0].message_id), status, reason)
    run_jobs()
    first = alerts(runtime, opened.id)[0]
    assert (first.status, first.gateway, first.failed_gateway) == ("failed", "africastalking", None)
    assert phone.messages == []  # not sent again; the escalation alerted the backup, by AT
    assert [m.to for m in fake_at.messages] == [team.primary.phone, team.backup.phone]


def test_a_phone_off_reported_by_android_does_not_fail_over_either(
    runtime, client, team, fake_at, phone, run_jobs
):
    fake_at.fail_next(1000, "http500")
    opened = report(runtime)
    run_jobs()
    [sms] = phone.messages
    android_event(
        client, phone, "sms:failed", status_payload("sms:failed", sms.message_id, sms.to, PHONE_OFF)
    )
    first = alerts(runtime, opened.id)[0]
    assert (first.status, first.failed_gateway) == ("failed", None)


def test_the_workers_reply_by_android_accepts_and_is_answered_through_android(
    runtime, client, team, fake_at, phone, run_jobs
):
    opened = report(runtime)
    run_jobs()
    assert [m.to for m in fake_at.messages] == [team.primary.phone]  # the alert: AT, the first route

    answer = android_event(
        client, phone, "sms:received", received_payload(team.primary.phone, f"1 {opened.reference}")
    )
    assert answer.status_code == 200
    run_jobs()

    assert load(runtime, opened.id).status == "accepted"
    replies = [m for m in messages_to(runtime, team.primary.phone) if m.purpose != "alert"]
    assert replies and {(m.gateway, m.first_gateway, m.status) for m in replies} == {
        ("android", "android", "sent")
    }
    assert [m.to for m in phone.messages] == [team.primary.phone] * len(replies)
    assert len(fake_at.messages) == 1  # nothing more through AT for the worker


def test_a_reply_by_at_stays_on_at(runtime, client, team, fake_at, phone, run_jobs):
    from tests.support.sms import worker_sms

    opened = report(runtime)
    run_jobs()
    worker_sms(client, team.primary.phone, f"1 {opened.reference}", "ATSid_reply1")
    run_jobs()
    assert load(runtime, opened.id).status == "accepted"
    assert phone.messages == []


def test_low_balance_moves_new_traffic_to_the_next_route_and_raises_a_notice(
    runtime, team, fake_at, phone, run_jobs
):
    runtime.settings = runtime.settings.with_overrides(balance_minimum="USD 5")
    fake_at.balance = "USD 1.5000"
    assert (
        check_balance(runtime) == "africastalking: low: new SMS go through android first; android: no balance"
    )
    with runtime.session() as session:
        [notice] = session.scalars(select(Notice).where(Notice.cleared_at.is_(None)))
        assert (notice.kind, notice.level, notice.detail["route"]) == (
            "gateway_balance_moved",
            "critical",
            "android",
        )

    opened = report(runtime)
    run_jobs()
    assert fake_at.messages == [] and [m.to for m in phone.messages] == [team.primary.phone]
    assert alerts(runtime, opened.id)[0].gateway == "android"

    fake_at.balance = "USD 40.0000"
    assert check_balance(runtime).startswith("africastalking: ok")
    again = report(runtime)
    run_jobs()
    assert alerts(runtime, again.id)[0].gateway == "africastalking"


def test_a_route_that_times_out_hands_the_message_to_the_next(runtime, team, fake_at, run_jobs):
    """Android first this time, with a short timeout: the phone stops answering, AT carries it."""
    with FakeAndroid() as phone:
        android = AndroidGateway(phone.url, phone.username, phone.password, timeout=(0.5, 0.5))
        at = runtime.gateway
        runtime.gateway = GatewayRouter([android, at])
        assert runtime.gateway.max_send_seconds == android.max_send_seconds + at.max_send_seconds
        phone.fail_next(1, "timeout")
        opened = report(runtime)
        run_jobs()
        assert phone.messages == [] and [m.to for m in fake_at.messages] == [team.primary.phone]
        assert alerts(runtime, opened.id)[0].gateway == "africastalking"
        [rerouted] = events(runtime, opened.id, "message_rerouted")
        assert (rerouted.detail["gateway"], rerouted.detail["to"]) == ("android", "africastalking")
        assert "Timeout" in rerouted.detail["reason"]
