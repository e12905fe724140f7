"""The fake AT's voice API, driven by the real africastalking 2.0.3 SDK's VoiceService, and its
callbacks read by a tiny XML endpoint: the fake must speak docs/africastalking-voice.md."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from africastalking.Service import AfricasTalkingException
from africastalking.Voice import VoiceService

from tests.support.fake_at import FakeAT
from tests.support.fake_at_voice import parse_actions

USERNAME, KEY = "hotline", "voice-key"
OURS = "+243800000700"
ALICE, BOB = "+243810000001", "+243990000002"
SESSION = re.compile(r"^ATVId_[0-9a-f]{32}$")
PROMPT = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="woman">Hello</Say>'
    '<GetDigits timeout="5" numDigits="1" callbackUrl="{url}"><Say>Press 1</Say></GetDigits>'
    "<Say>Goodbye</Say></Response>"
)


class Phone:
    """The hotline's side, reduced: collects each callback, answers the prompt, then nothing."""

    def __init__(self) -> None:
        self.posts: list[dict[str, str]] = []
        posts = self.posts
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(posts))
        self.url = f"http://127.0.0.1:{self.server.server_port}/voice"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def _handler(self, posts: list[dict[str, str]]) -> type[BaseHTTPRequestHandler]:
        url = lambda: self.url  # noqa: E731

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                posts.append(form)
                answer = PROMPT.format(url=url()) if form.get("isActive") == "1" else "<Response/>"
                data = answer.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeAT]:
    with FakeAT(api_key=KEY, username=USERNAME) as server:
        server.voice.delay = 0.05
        yield server


@pytest.fixture
def phone(fake: FakeAT) -> Iterator[Phone]:
    endpoint = Phone()
    fake.voice.callback_url = endpoint.url
    yield endpoint
    endpoint.close()


def sdk(fake: FakeAT, key: str = KEY) -> VoiceService:
    service = VoiceService(USERNAME, key)
    service._baseUrl = fake.url
    return service


def test_a_call_request_gets_the_documented_entries(fake: FakeAT) -> None:
    answer = sdk(fake).call(OURS, [ALICE, BOB])

    assert answer["errorMessage"] == "None"
    assert [(e["phoneNumber"], e["status"]) for e in answer["entries"]] == [
        (ALICE, "Queued"),
        (BOB, "Queued"),
    ]
    assert all(SESSION.match(e["sessionId"]) for e in answer["entries"])
    (request,) = fake.requests
    assert (request.path, request.fields["username"], request.fields["from"]) == ("/call", USERNAME, OURS)
    assert request.fields["to"] == f"{ALICE},{BOB}"


def test_a_wrong_key_or_a_missing_field_is_refused_whole(fake: FakeAT) -> None:
    with pytest.raises(AfricasTalkingException, match="authentication is invalid"):
        sdk(fake, key="wrong").call(OURS, [ALICE])
    form = {"username": USERNAME, "to": ALICE}
    missing = requests.post(fake.url + "/call", data=form, headers={"apiKey": KEY}, timeout=5)
    assert (missing.status_code, "from" in missing.text) == (400, True)
    assert fake.voice.calls == []


def test_a_refused_number_has_no_session_and_no_callbacks(fake: FakeAT, phone: Phone) -> None:
    fake.voice.script(ALICE, "refuse")

    (entry,) = sdk(fake).call(OURS, [ALICE])["entries"]

    assert (entry["status"], entry["sessionId"]) == ("InvalidPhoneNumber", "None")
    with pytest.raises(AssertionError):
        fake.voice.wait_for_end(timeout=0.3)
    assert phone.posts == []


def test_press1_answers_then_presses_1_at_the_getdigits_callback_then_ends_with_the_cost(
    fake: FakeAT, phone: Phone
) -> None:
    fake.voice.script(ALICE, "press1")

    (entry,) = sdk(fake).call(OURS, [ALICE])["entries"]
    fake.voice.wait_for_end()

    answered, key, final = phone.posts
    assert {answered["sessionId"], key["sessionId"], final["sessionId"]} == {entry["sessionId"]}
    assert (answered["isActive"], answered["direction"], answered["destinationNumber"]) == (
        "1",
        "Outbound",
        OURS,
    )
    assert "dtmfDigits" not in answered
    assert (key["isActive"], key["dtmfDigits"]) == ("1", "1")
    assert final["isActive"] == "0" and final["hangupCause"] == "NORMAL_CLEARING"
    assert (final["durationInSeconds"], final["currencyCode"], final["amount"]) == ("21", "USD", "0.0500")
    assert [x.problem for x in fake.voice.exchanges] == [None, None, None]


@pytest.mark.parametrize(
    ("script", "cause"),
    [("no_answer", "NO_ANSWER"), ("busy", "USER_BUSY"), ("failed", "NORMAL_TEMPORARY_FAILURE")],
)
def test_a_call_nobody_answers_gets_only_the_final_callback(
    fake: FakeAT, phone: Phone, script: str, cause: str
) -> None:
    fake.voice.script(ALICE, script)  # type: ignore[arg-type]

    sdk(fake).call(OURS, [ALICE])
    fake.voice.wait_for_end()

    (final,) = phone.posts
    assert (final["isActive"], final["hangupCause"], final["durationInSeconds"]) == ("0", cause, "0")


def test_silent_answers_and_presses_nothing(fake: FakeAT, phone: Phone) -> None:
    fake.voice.script(ALICE, "silent")

    sdk(fake).call(OURS, [ALICE])
    fake.voice.wait_for_end()

    assert [p["isActive"] for p in phone.posts] == ["1", "0"]
    assert all("dtmfDigits" not in p for p in phone.posts)


@pytest.mark.parametrize(
    ("xml", "problem"),
    [
        ("<Response><Say>Hi</Say></Response>", None),
        ("Response", "not XML"),
        ("<Answer/>", "not Response"),
        ("<Response><Speak>Hi</Speak></Response>", "unknown action"),
        ("<Response><Play url='/static/a.mp3'/></Response>", "absolute"),
        ("<Response><Say voice='robot'>Hi</Say></Response>", "man or woman"),
        ("<Response><GetDigits><Say>a</Say><Say>b</Say></GetDigits></Response>", "one Say or one Play"),
        ("<Response><GetDigits><Reject/></GetDigits></Response>", "inside another action"),
        ("<Response><GetDigits timeout='soon'><Say>a</Say></GetDigits></Response>", "whole numbers"),
    ],
)
def test_the_fake_names_what_breaks_the_documented_xml(xml: str, problem: str | None) -> None:
    found = parse_actions(xml)[1]
    assert found == problem if problem is None else problem in (found or "")
