"""Africa's Talking callbacks, from fixture tables: the request AT posts, what we answer, what we keep.

The forms are the ones documented in docs/africastalking.md (sections 1-4 and 7).
The only fake is the outside world: a gateway object standing in for AT's SMS API.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from hotline.alerting.staff import import_workers
from hotline.gateways.africastalking import AfricasTalkingGateway
from hotline.models import (
    InboundMessage,
    OutboundMessage,
    Report,
    ReporterContact,
    ReportEvent,
    UssdSessionEvent,
)
from hotline.platform.clock import FrozenClock
from hotline.platform.references import ALPHABET
from hotline.platform.runtime import Runtime
from hotline.web.app import MAX_BODY_BYTES
from tests.support.builders import app_for, every, how_many
from tests.support.environment import BASE, ROUTES, TEST_TOKEN
from tests.support.fake_at import FakeAT
from tests.support.sms import incoming
from tests.support.ussd import (
    ANONYMOUS_REPORT,
    CALLBACK_REPORT,
    end_of_session,
    hop,
    new_session_id,
    screen_of,
    ussd_form,
    walk,
)

PHONE = "+243810000001"
OTHER_PHONE = "+243970000004"
WORKER_PHONE = "+243820000002"
REFERENCE = re.compile(rf"\b[{ALPHABET}]{{6}}\b")


# --- helpers -----------------------------------------------------------------------------------


def raw_rows(runtime: Runtime, table: str) -> list[tuple[Any, ...]]:
    with runtime.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}"))]  # noqa: S608


# --- the secret path token ---------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "prefix",
    [
        pytest.param("/webhooks/at/wrong-token-0123456789abcdef", id="wrong-token"),
        pytest.param(f"/webhooks/at/{TEST_TOKEN[:-1]}", id="token-missing-its-last-character"),
        pytest.param(f"/webhooks/at/{TEST_TOKEN}x", id="token-with-one-character-more"),
        pytest.param(f"/webhooks/at/{TEST_TOKEN.upper()}", id="token-in-capitals"),
        pytest.param("/webhooks/at", id="no-token"),
        pytest.param("/webhooks/at/", id="empty-token"),
    ],
)
def test_a_callback_without_the_right_token_finds_nothing(
    client: FlaskClient, runtime: Runtime, prefix: str, route: str
) -> None:
    response = client.post(prefix + route, data=ussd_form("ATUid_x", ""))
    assert response.status_code == 404
    assert how_many(runtime, UssdSessionEvent) == 0


@pytest.mark.parametrize("route", ROUTES)
def test_a_get_on_a_callback_is_refused_as_the_wrong_method(client: FlaskClient, route: str) -> None:
    assert client.get(BASE + route).status_code == 405


# --- USSD: the shape of every answer -----------------------------------------------------------


def test_the_first_hop_shows_a_menu_that_fits_on_a_small_screen(client: FlaskClient) -> None:
    response = hop(client, new_session_id(), "")
    body = screen_of(response)
    assert body.startswith("CON ")
    assert "1 Francais" in body


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param({"phoneNumber": PHONE, "text": ""}, None, id="no-session-id"),
        pytest.param({"sessionId": "ATUid_1", "text": ""}, None, id="no-phone-number"),
        pytest.param(
            {"sessionId": "ATUid_1", "phoneNumber": "12", "text": ""}, None, id="invalid-phone-number"
        ),
        pytest.param(
            {"sessionId": "ATUid_1", "phoneNumber": "Vodacom", "text": ""},
            None,
            id="a-name-instead-of-a-number",
        ),
        pytest.param({"sessionId": "", "phoneNumber": PHONE, "text": ""}, None, id="empty-session-id"),
        pytest.param(
            {"sessionId": "x" * 1001, "phoneNumber": PHONE, "text": ""}, None, id="absurdly-long-session-id"
        ),
        pytest.param(
            b'{"sessionId": "ATUid_1", "phoneNumber": "+243810000001", "text": ""}',
            "application/json",
            id="json-instead-of-a-form",
        ),
        pytest.param(b"", "application/x-www-form-urlencoded", id="empty-body"),
        pytest.param(b"", None, id="no-body-no-content-type"),
    ],
)
def test_a_ussd_request_at_could_not_have_sent_ends_kindly_with_the_free_lines(
    client: FlaskClient, data: Any, content_type: str | None
) -> None:
    response = client.post(f"{BASE}/ussd", data=data, content_type=content_type)
    body = screen_of(response)
    assert body.startswith("END ")
    assert "129" in body


@pytest.mark.parametrize(
    ("phone", "content_type"),
    [
        pytest.param("243810000001", None, id="phone-without-plus"),
        pytest.param(
            "+243810000001", "application/x-www-form-urlencoded; charset=UTF-8", id="form-with-charset"
        ),
        pytest.param("+243810000001", "multipart/form-data", id="multipart-form"),
    ],
)
def test_real_world_variants_of_the_first_hop_still_open_the_menu(
    client: FlaskClient, phone: str, content_type: str | None
) -> None:
    form = ussd_form(new_session_id(), "", phone)
    if content_type and content_type.startswith("application/x-www-form-urlencoded"):
        response = client.post(f"{BASE}/ussd", data=urlencode(form), content_type=content_type)
    else:
        response = client.post(f"{BASE}/ussd", data=form, content_type=content_type)
    assert screen_of(response).startswith("CON Langue")


@pytest.mark.parametrize(
    ("service_code", "prefix"),
    [
        pytest.param("*384*123#", "CON ", id="our-code"),
        pytest.param("*384*123*1#", "CON ", id="our-code-dialled-with-an-extra-segment"),
        pytest.param("*999#", "END ", id="another-code"),
        pytest.param("*384*1234#", "END ", id="a-code-that-only-starts-like-ours"),
        pytest.param("", "END ", id="no-code"),
    ],
)
def test_a_configured_service_code_accepts_only_its_own_dials(
    coded_client: FlaskClient, service_code: str, prefix: str
) -> None:
    response = coded_client.post(
        f"{BASE}/ussd", data=ussd_form(new_session_id(), "", serviceCode=service_code)
    )
    assert screen_of(response).startswith(prefix)


# --- USSD: a conversation ----------------------------------------------------------------------


def test_a_retransmitted_hop_shows_the_same_screen_again(client: FlaskClient) -> None:
    session_id = new_session_id()
    hop(client, session_id, "")
    first = screen_of(hop(client, session_id, "1"))
    again = screen_of(hop(client, session_id, "1"))
    assert again == first
    # ...and the conversation goes on from there, not one screen further.
    assert "Exploitation sexuelle" in screen_of(hop(client, session_id, "1*1"))


def test_a_retransmitted_confirmation_opens_only_one_report(client: FlaskClient, runtime: Runtime) -> None:
    session_id = new_session_id()
    screens = walk(client, ANONYMOUS_REPORT, session_id)
    again = screen_of(hop(client, session_id, "*".join(ANONYMOUS_REPORT)))
    assert again == screens[-1]
    assert how_many(runtime, Report) == 1


def test_an_unknown_session_that_is_already_under_way_starts_again_politely(
    client: FlaskClient,
) -> None:
    body = screen_of(hop(client, new_session_id(), "1*1*2"))
    assert body.startswith("CON ")
    assert "1 Francais" in body  # the first screen again, with a word of explanation above it
    assert "Langue" not in body


@pytest.mark.parametrize("typed", ["²", "①"])
def test_a_digit_like_symbol_on_a_menu_is_just_a_wrong_answer(client: FlaskClient, typed: str) -> None:
    session_id = new_session_id()
    hop(client, session_id, "")
    body = screen_of(hop(client, session_id, typed))
    assert body.startswith("CON ")  # "please choose a number" above the same menu
    assert "1 Francais" in body


def test_an_anonymous_report_walked_to_the_end_is_kept_with_its_reference(
    client: FlaskClient, runtime: Runtime
) -> None:
    screens = walk(client, ANONYMOUS_REPORT)
    assert all(s.startswith("CON ") for s in screens[:-1])
    end = screens[-1]
    assert end.startswith("END ")

    [report] = every(runtime, Report)
    assert REFERENCE.findall(end) == [report.reference]
    assert (report.category, report.urgent, report.location_code) == (
        "sexual_exploitation",
        True,
        "CD-KL/kikwit",
    )
    assert report.channel == "ussd"
    assert how_many(runtime, ReporterContact) == 0  # anonymous: nothing to reach them by


@pytest.mark.parametrize("phone", [PHONE, "243810000001"], ids=["e164", "without-plus"])
def test_a_reporter_who_asks_for_a_call_back_leaves_the_number_only_encrypted(
    client: FlaskClient, runtime: Runtime, phone: str
) -> None:
    end = walk(client, CALLBACK_REPORT, phone=phone)[-1]
    [report] = every(runtime, Report)
    assert report.reference in end
    [contact] = every(runtime, ReporterContact)
    assert contact.report_id == report.id
    assert (contact.consent, contact.safe_time) == ("callback", "afternoon")
    assert "810000001" not in contact.phone_encrypted
    assert runtime.cipher.decrypt(contact.phone_encrypted) == PHONE


def test_the_report_screens_never_show_the_callers_number(client: FlaskClient) -> None:
    assert not any("810000001" in screen for screen in walk(client, CALLBACK_REPORT))


# --- USSD end-of-session events ----------------------------------------------------------------


def test_an_end_of_session_event_is_stored_once_even_when_at_posts_it_twice(
    client: FlaskClient, runtime: Runtime
) -> None:
    form = end_of_session(new_session_id())
    assert client.post(f"{BASE}/ussd/events", data=form).status_code == 200
    assert client.post(f"{BASE}/ussd/events", data=form).status_code == 200
    [event] = every(runtime, UssdSessionEvent)
    assert (event.session_id, event.status, event.network_code) == (form["sessionId"], "Incomplete", "63001")
    assert (event.duration_ms, event.hops) == (41230, 3)
    assert event.error_message is None


def test_an_end_of_session_event_names_the_screen_where_our_caller_left(
    client: FlaskClient, runtime: Runtime
) -> None:
    session_id = new_session_id()
    walk(client, ["1", "1"], session_id)  # language, menu: now on "what happened?"
    client.post(f"{BASE}/ussd/events", data=end_of_session(session_id))
    [event] = every(runtime, UssdSessionEvent)
    assert event.last_screen == "category"


def test_a_failed_session_keeps_the_gateways_error_message(client: FlaskClient, runtime: Runtime) -> None:
    form = end_of_session(new_session_id(), status="Failed", errorMessage="Response timed out")
    assert client.post(f"{BASE}/ussd/events", data=form).status_code == 200
    [event] = every(runtime, UssdSessionEvent)
    assert (event.status, event.error_message) == ("Failed", "Response timed out")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"sessionId": None}, 400, id="no-session-id"),
        pytest.param({"status": None}, 400, id="no-status"),
        pytest.param({"status": ""}, 400, id="empty-status"),
        pytest.param({"durationInMillis": "about a minute"}, 200, id="words-for-a-duration"),
        pytest.param({"durationInMillis": "9" * 30}, 200, id="a-duration-too-big-to-store"),
        pytest.param({"durationInMillis": "-5"}, 200, id="a-negative-duration"),
        pytest.param({"hopsCount": "3.5"}, 200, id="a-fractional-hop-count"),
        pytest.param(
            {"durationInMillis": None, "hopsCount": None, "networkCode": None},
            200,
            id="only-the-required-fields",
        ),
    ],
)
def test_an_end_of_session_event_with_odd_fields_is_answered_and_kept_when_it_can_be(
    client: FlaskClient, runtime: Runtime, changes: dict[str, str | None], expected: int
) -> None:
    form = end_of_session(new_session_id(), **changes)  # type: ignore[arg-type]
    response = client.post(f"{BASE}/ussd/events", data=form)
    assert response.status_code == expected
    events = every(runtime, UssdSessionEvent)
    if expected == 400:
        assert events == []
    else:
        [event] = events
        assert event.status == "Incomplete"
        if "durationInMillis" in changes:
            assert event.duration_ms is None
        if "hopsCount" in changes:
            assert event.hops is None


# --- incoming SMS ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "date",
    ["2017-05-03T06:04:45Z", "2017-05-03 06:04:45", "2018-03-19T08:34:18.445Z"],
    ids=["iso-z", "space-separated", "milliseconds"],
)
def test_an_incoming_sms_is_kept_once_with_the_sender_only_encrypted(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, date: str
) -> None:
    response = client.post(f"{BASE}/sms", data=incoming(date=date))
    assert response.status_code == 200
    [message] = every(runtime, InboundMessage)
    assert message.text == "Une fille est retenue a Kikwit"
    assert message.received_at == clock.now()
    assert runtime.cipher.decrypt(message.sender_encrypted) == PHONE
    assert message.processed_at is None  # the work is left to a job
    for row in raw_rows(runtime, "inbound_messages"):
        assert not any("810000001" in str(value) for value in row)


def test_an_sms_that_at_posts_again_is_kept_only_once(client: FlaskClient, runtime: Runtime) -> None:
    for _ in range(3):
        assert client.post(f"{BASE}/sms", data=incoming()).status_code == 200
    assert how_many(runtime, InboundMessage) == 1


def test_the_same_words_sent_twice_by_a_person_in_panic_are_two_messages(
    client: FlaskClient, runtime: Runtime
) -> None:
    client.post(f"{BASE}/sms", data=incoming(id="ATSMS-1"))
    client.post(f"{BASE}/sms", data=incoming(id="ATSMS-2"))
    assert how_many(runtime, InboundMessage) == 2


@pytest.mark.parametrize(
    ("changes", "expected", "stored"),
    [
        pytest.param({"id": None}, 400, 0, id="no-id"),
        pytest.param({"from": None}, 400, 0, id="no-sender"),
        pytest.param({"id": ""}, 400, 0, id="empty-id"),
        pytest.param({"from": "Vodacom"}, 200, 0, id="alphanumeric-network-sender"),
        pytest.param({"from": "243810000001"}, 200, 1, id="sender-without-plus"),
        pytest.param({"text": None}, 200, 1, id="no-text"),
        pytest.param(
            {"linkId": None, "networkCode": None, "date": None, "to": None}, 200, 1, id="only-id-and-sender"
        ),
        pytest.param({"cost": "USD 0.0000"}, 200, 1, id="with-a-cost"),
    ],
)
def test_an_incoming_sms_with_odd_fields_gets_the_answer_at_expects(
    client: FlaskClient, runtime: Runtime, changes: dict[str, str | None], expected: int, stored: int
) -> None:
    response = client.post(f"{BASE}/sms", data=incoming(**changes))
    assert response.status_code == expected
    assert how_many(runtime, InboundMessage) == stored


# --- delivery reports --------------------------------------------------------------------------


@pytest.fixture
def sent_alert(client: FlaskClient, runtime: Runtime, run_jobs: Any, tmp_path: Path) -> Iterator[str]:
    """A report from Kikwit whose alert AT accepted for the Kwilu social worker: its AT message id.

    The real AT adapter sends it to the fake AT API on loopback, which answers with an ATXid_.
    """
    roster = tmp_path / "workers.csv"
    roster.write_text(f"name,phone,language,areas,role\nAmani,{WORKER_PHONE},fr,CD-KL,worker\n")
    import_workers(runtime, roster)
    walk(client, ANONYMOUS_REPORT)
    with FakeAT(api_key="fake-at-key") as fake:
        runtime.gateway = AfricasTalkingGateway("sandbox", "fake-at-key", api_url=fake.url)
        run_jobs()
        assert [sms.to for sms in fake.messages] == [WORKER_PHONE]
    [message] = every(runtime, OutboundMessage)
    assert message.status == "sent"
    assert message.gateway_message_id == fake.messages[0].message_id
    yield message.gateway_message_id


def delivery(message_id: str | None, status: str | None, reason: str | None = None) -> dict[str, str]:
    form = {
        "id": message_id,
        "status": status,
        "phoneNumber": WORKER_PHONE,
        "networkCode": "63002",
        "failureReason": reason,
    }
    return {k: v for k, v in form.items() if v is not None}


@pytest.mark.parametrize(
    ("reports", "status", "failure_reason"),
    [
        pytest.param([("Success", None)], "delivered", None, id="delivered"),
        pytest.param([("success", None)], "delivered", None, id="status-in-lower-case"),
        pytest.param([("Failed", "DeliveryFailure")], "failed", "DeliveryFailure", id="failed"),
        pytest.param([("Rejected", "UserInBlackList")], "failed", "UserInBlackList", id="rejected"),
        pytest.param(
            [("AbsentSubscriber", None)],
            "failed",
            "AbsentSubscriber",
            id="absent-subscriber-without-a-reason",
        ),
        pytest.param([("Expired", None)], "failed", "Expired", id="expired"),
        pytest.param([("Buffered", None)], "sent", None, id="still-in-flight"),
        pytest.param(
            [("Failed", "DeliveryFailure"), ("Success", None)],
            "failed",
            "DeliveryFailure",
            id="success-after-failed-does-not-change-it",
        ),
        pytest.param(
            [("Success", None), ("Failed", "DeliveryFailure")],
            "delivered",
            None,
            id="failed-after-success-does-not-change-it",
        ),
        pytest.param(
            [("Success", None), ("Buffered", None)],
            "delivered",
            None,
            id="buffered-after-success-changes-nothing",
        ),
        pytest.param(
            [("Sent", None), ("Submitted", None), ("Buffered", None), ("Success", None)],
            "delivered",
            None,
            id="the-whole-journey-in-order",
        ),
        pytest.param([("Teleported", None)], "sent", None, id="a-status-we-do-not-know"),
    ],
)
def test_delivery_reports_move_an_alert_forward_but_never_back(
    client: FlaskClient,
    runtime: Runtime,
    sent_alert: str,
    reports: list[tuple[str, str | None]],
    status: str,
    failure_reason: str | None,
) -> None:
    for report_status, reason in reports:
        response = client.post(f"{BASE}/sms/delivery", data=delivery(sent_alert, report_status, reason))
        assert response.status_code == 200
    [message] = every(runtime, OutboundMessage)
    assert message.status == status
    assert message.failure_reason == failure_reason


def test_a_repeated_delivery_report_adds_one_line_to_the_reports_timeline(
    client: FlaskClient, runtime: Runtime, sent_alert: str
) -> None:
    for _ in range(2):
        client.post(f"{BASE}/sms/delivery", data=delivery(sent_alert, "Success"))
    kinds = [event.kind for event in every(runtime, ReportEvent)]
    assert kinds.count("message_delivered") == 1


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        pytest.param(delivery("ATXid_" + "f" * 32, "Success"), 200, id="unknown-id"),
        pytest.param(delivery(None, "Success"), 400, id="no-id"),
        pytest.param(delivery("ATXid_x", None), 400, id="no-status"),
        pytest.param(delivery("", "Success"), 400, id="empty-id"),
    ],
)
def test_a_delivery_report_about_no_message_of_ours_changes_nothing(
    client: FlaskClient, runtime: Runtime, sent_alert: str, form: dict[str, str], expected: int
) -> None:
    assert client.post(f"{BASE}/sms/delivery", data=form).status_code == expected
    [message] = every(runtime, OutboundMessage)
    assert (message.status, message.gateway_status) == ("sent", "Success")


@pytest.mark.parametrize(
    ("route", "form"),
    [
        pytest.param("/sms", incoming(text="Aidez\x00-nous"), id="sms-text"),
        pytest.param("/sms", incoming(id="ATSMS\x00-1"), id="sms-id"),
        pytest.param("/ussd/events", end_of_session("ATUid_\x00"), id="event-session-id"),
        pytest.param("/sms/delivery", delivery("ATXid_\x00", "Success"), id="delivery-id"),
        pytest.param("/ussd", ussd_form("ATUid_\x00", ""), id="ussd-session-id"),
    ],
)
def test_a_nul_character_in_a_field_is_dropped_rather_than_failing_the_callback(
    client: FlaskClient, runtime: Runtime, route: str, form: dict[str, str]
) -> None:
    response = client.post(BASE + route, data=form)
    assert response.status_code == 200  # PostgreSQL refuses NUL in text: unfiltered, this was a 500
    if route == "/sms":
        [message] = every(runtime, InboundMessage)
        assert "\x00" not in message.text + message.gateway_id
        assert message.text in ("Aidez-nous", "Une fille est retenue a Kikwit")


# --- size, failures and logs -------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
def test_a_body_bigger_than_any_at_callback_is_refused_as_too_large(client: FlaskClient, route: str) -> None:
    form = {**ussd_form("ATUid_big", ""), **incoming(), "padding": "x" * MAX_BODY_BYTES}
    assert client.post(BASE + route, data=form).status_code == 413


@pytest.fixture
def broken_database(
    runtime: Runtime, clock: FrozenClock, tmp_path: Path
) -> Iterator[tuple[FlaskClient, Runtime]]:
    """The app while its database cannot be opened (Redis still works)."""
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'hotline.sqlite3'}"
    with app_for(runtime.settings.with_overrides(database_url=url), clock) as app:
        yield app


def test_a_database_outage_ends_the_ussd_report_with_the_free_lines(
    broken_database: tuple[FlaskClient, Runtime],
) -> None:
    client, _ = broken_database
    end = walk(client, ANONYMOUS_REPORT)[-1]
    assert end.startswith("END ")
    assert "129" in end


def test_a_database_outage_makes_at_post_the_sms_again_later(
    broken_database: tuple[FlaskClient, Runtime],
) -> None:
    client, _ = broken_database
    # 5xx is the one answer after which AT re-posts: the message is not lost while we are down.
    assert client.post(f"{BASE}/sms", data=incoming()).status_code == 500


def test_neither_the_token_nor_a_callers_number_reaches_the_logs(
    client: FlaskClient,
    sent_alert: str,
    caplog: pytest.LogCaptureFixture,
    broken_database: tuple[FlaskClient, Runtime],
) -> None:
    caplog.set_level(logging.DEBUG)
    walk(client, CALLBACK_REPORT, phone=OTHER_PHONE)
    client.post(f"{BASE}/sms/delivery", data=delivery(sent_alert, "Failed", "DeliveryFailure"))
    client.post(f"{BASE}/sms", data=incoming())
    client.post(f"{BASE}/ussd/events", data=end_of_session("ATUid_log"))
    client.post(f"{BASE}/ussd", data=b"{}", content_type="application/json")
    client.post(f"{BASE}/sms", data={"from": PHONE})
    client.post(f"{BASE}/sms/delivery", data={"id": "x"})
    client.get(f"{BASE}/ussd")
    client.post(f"{BASE}/ussd", data={"padding": "x" * MAX_BODY_BYTES})
    client.post(f"/webhooks/at/{TEST_TOKEN[:-2]}/sms", data=incoming())
    down, _ = broken_database
    walk(down, CALLBACK_REPORT, phone="+243970000005")
    down.post(f"{BASE}/sms", data=incoming())
    down.post(f"{BASE}/ussd/events", data=end_of_session("ATUid_down"))
    assert any(r.levelno >= logging.ERROR for r in caplog.records)  # the failures were logged...
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert TEST_TOKEN not in logged  # ...without the token
    assert TEST_TOKEN[:-2] not in logged
    for phone in (PHONE, OTHER_PHONE, WORKER_PHONE, "+243970000005"):
        assert phone[4:] not in logged


def test_a_ussd_hop_makes_two_redis_round_trips(
    client: FlaskClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One read (the session with the number's language and draft), one write pipeline (the
    session, draft, language and the hop's timing): the first hop and the ones after it."""
    from redis.connection import AbstractConnection

    sent = AbstractConnection.send_packed_command
    trips: list[int] = []

    def counted(self, command, check_health=True):  # type: ignore[no-untyped-def]
        trips[-1] += 1
        return sent(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    session_id = new_session_id()
    for typed in ("", "1", "1*1", "1*1*1"):  # dial, language, menu "report", a category
        trips.append(0)
        screen_of(hop(client, session_id, typed))
    assert trips == [2, 2, 2, 2]
