"""The fake AT server, driven by the real africastalking 2.0.3 SDK so the fake can't drift from it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import africastalking
import pytest
import requests
from africastalking.Service import AfricasTalkingException

from tests.support.fake_at import FakeAT, sms_parts

USERNAME = "hotline"
KEY = "test-api-key"
ALICE, BOB = "+243810000001", "+243990000002"
MESSAGE_ID = re.compile(r"^ATXid_[0-9a-f]{32}$")


@pytest.fixture
def fake() -> Iterator[FakeAT]:
    with FakeAT(api_key=KEY, username=USERNAME, delivery_delay=0.0) as server:
        yield server


def sdk(fake: FakeAT, key: str = KEY) -> africastalking.SMSService:
    sms = africastalking.SMSService(USERNAME, key)
    sms._baseUrl = fake.url + "/version1"
    return sms


class Receiver:
    """A tiny delivery-report endpoint: collects the form fields of every POST, answers 200."""

    def __init__(self) -> None:
        self.reports: list[dict[str, str]] = []
        reports = self.reports

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                reports.append({k: v[0] for k, v in parse_qs(body).items()})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/at/delivery"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def test_a_send_to_two_recipients_returns_the_documented_dict(fake: FakeAT) -> None:
    answer = sdk(fake).send("Votre signalement est enregistré.", [ALICE, BOB], sender_id="HOTLINE")

    data = answer["SMSMessageData"]
    assert data["Message"] == "Sent to 2/2 Total Cost: USD 0.0400"
    assert [r["number"] for r in data["Recipients"]] == [ALICE, BOB]
    for recipient in data["Recipients"]:
        assert set(recipient) == {"cost", "messageId", "messageParts", "number", "status", "statusCode"}
        assert recipient["statusCode"] == 101
        assert recipient["status"] == "Success"
        assert recipient["cost"] == "USD 0.0200"
        assert recipient["messageParts"] == 1
        assert MESSAGE_ID.match(recipient["messageId"])
    assert [(m.to, m.sender, m.message_id) for m in fake.messages] == [
        (r["number"], "HOTLINE", r["messageId"]) for r in data["Recipients"]
    ]
    assert fake.requests[0].fields["bulkSMSMode"] == "1"


def test_a_bad_api_key_raises_with_the_401_text(fake: FakeAT) -> None:
    with pytest.raises(AfricasTalkingException, match=r"^The supplied authentication is invalid$"):
        sdk(fake, key="wrong").send("hello", [ALICE])
    assert fake.messages == []


def test_another_username_or_an_empty_recipient_list_is_refused(fake: FakeAT) -> None:
    other = africastalking.SMSService("someone-else", KEY)
    other._baseUrl = fake.url + "/version1"
    with pytest.raises(AfricasTalkingException, match="authentication is invalid"):
        other.send("hello", [ALICE])
    with pytest.raises(AfricasTalkingException, match="missing required form field 'to'"):
        sdk(fake).send("hello", [])


@pytest.mark.parametrize(
    ("mode", "text"), [("http500", "Internal Server Error"), ("unauthorized", "invalid")]
)
def test_a_forced_failure_raises_once_then_sending_works_again(fake: FakeAT, mode: str, text: str) -> None:
    fake.fail_next(1, mode)  # type: ignore[arg-type]
    with pytest.raises(AfricasTalkingException, match=text):
        sdk(fake).send("hello", [ALICE])
    assert fake.messages == []

    assert sdk(fake).send("hello", [ALICE])["SMSMessageData"]["Message"].startswith("Sent to 1/1")
    assert len(fake.requests) == 2


def test_a_rejected_recipient_comes_back_with_403_and_no_message_id(fake: FakeAT) -> None:
    fake.reject(BOB, 403)

    data = sdk(fake).send("hello", [ALICE, BOB])["SMSMessageData"]

    assert data["Message"] == "Sent to 1/2 Total Cost: USD 0.0200"
    rejected = data["Recipients"][1]
    assert rejected["statusCode"] == 403
    assert rejected["status"] == "InvalidPhoneNumber"
    assert (rejected["messageId"], rejected["cost"]) == ("None", "0")
    assert fake.messages[1].message_id is None


def test_a_long_message_with_a_cedilla_costs_two_parts_but_160_plain_chars_cost_one(
    fake: FakeAT,
) -> None:
    french = "Merci, ça a bien été reçu. Un agent vous rappellera bientôt sur ce numéro."
    assert 70 < len(french) <= 134
    plain = "Votre reference est HT-4821. " * 5 + "x" * 15
    assert len(plain) == 160

    recipients = [
        sdk(fake).send(text, [ALICE])["SMSMessageData"]["Recipients"][0] for text in (french, plain)
    ]

    assert [(r["messageParts"], r["cost"]) for r in recipients] == [(2, "USD 0.0400"), (1, "USD 0.0200")]


@pytest.mark.parametrize(
    ("text", "parts"),
    [("a" * 161, 2), ("é" * 160, 1), ("ê" * 70, 1), ("€" * 81, 2), ("ô" * 135, 3), ("\u00a0", 1)],
)
def test_parts_follow_the_gsm7_and_ucs2_length_rules(text: str, parts: int) -> None:
    assert sms_parts(text) == parts


def test_the_timeout_mode_makes_the_sdk_raise_read_timeout(fake: FakeAT) -> None:
    fake.fail_next(1, "timeout")
    with pytest.raises(requests.exceptions.ReadTimeout):
        sdk(fake).send("hello", [ALICE], timeout=(1, 0.5))
    assert fake.messages == []


def test_delivery_reports_are_posted_to_the_callback_with_the_documented_fields(
    fake: FakeAT, receiver: Receiver
) -> None:
    fake.delivery_callback_url = receiver.url
    fake.deliver_as(BOB, "Failed", "DeliveryFailure")

    recipients = sdk(fake).send("hello", [ALICE, BOB])["SMSMessageData"]["Recipients"]

    assert fake.wait_for_deliveries(2, timeout=5) == [200, 200]
    by_id = {report["id"]: report for report in receiver.reports}
    assert by_id[recipients[0]["messageId"]] == {
        "id": recipients[0]["messageId"],
        "status": "Success",
        "phoneNumber": ALICE,
        "networkCode": "63001",
    }
    assert by_id[recipients[1]["messageId"]] == {
        "id": recipients[1]["messageId"],
        "status": "Failed",
        "phoneNumber": BOB,
        "networkCode": "63001",
        "failureReason": "DeliveryFailure",
    }


def test_a_delivery_report_can_be_repeated_by_hand(fake: FakeAT, receiver: Receiver) -> None:
    fake.delivery_callback_url = receiver.url
    fake.delivery_delay = 60.0  # keep the automatic report out of the way
    message_id = sdk(fake).send("hello", [ALICE])["SMSMessageData"]["Recipients"][0]["messageId"]

    assert fake.send_delivery_report(message_id, "Success") == 200
    assert fake.send_delivery_report(message_id, "Sent") == 200

    assert [(r["id"], r["status"], r["phoneNumber"]) for r in receiver.reports] == [
        (message_id, "Success", ALICE),
        (message_id, "Sent", ALICE),
    ]
    assert fake.delivery_responses == [200, 200]


def test_the_balance_endpoint_answers_user_data(fake: FakeAT) -> None:
    app = africastalking.ApplicationService(USERNAME, KEY)
    app._baseUrl = fake.url + "/version1"
    assert app.fetch_application_data() == {"UserData": {"balance": "USD 12.3400"}}

    app._api_key = app._headers["apiKey"] = "wrong"
    with pytest.raises(AfricasTalkingException, match="authentication is invalid"):
        app.fetch_application_data()


def test_wait_for_names_what_arrived_when_nothing_matches(fake: FakeAT) -> None:
    sdk(fake).send("hello", [ALICE])

    assert [m.to for m in fake.wait_for(lambda m: m.message == "hello")] == [ALICE]
    with pytest.raises(AssertionError, match=r"got 0.*\+243810000001"):
        fake.wait_for(lambda m: m.to == BOB, timeout=0.1)


def test_the_standalone_process_records_json_lines_and_stops_on_sigterm(tmp_path: Path) -> None:
    record = tmp_path / "sent.jsonl"
    script = Path(__file__).parent / "support" / "fake_at.py"
    flags = ["--port", "0", "--api-key", KEY, "--username", USERNAME, "--record", str(record)]
    command = [sys.executable, str(script), *flags]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().split()[-1]
            sms = africastalking.SMSService(USERNAME, KEY)
            sms._baseUrl = url + "/version1"
            sms.send("Dossier reçu", [ALICE, BOB])

            lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
            assert [(r["to"], r["message"], r["status_code"]) for r in lines] == [
                (ALICE, "Dossier reçu", 101),
                (BOB, "Dossier reçu", 101),
            ]
            assert MESSAGE_ID.match(lines[0]["message_id"])

            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=5) == 0
        finally:
            if process.poll() is None:
                process.kill()
