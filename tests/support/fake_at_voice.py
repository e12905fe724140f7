"""The voice half of the fake AT (docs/africastalking-voice.md): it takes an outbound call request as
``POST /call`` and "answers" the call by posting AT's voice callbacks, scripted per number.

``FakeAT`` (tests/support/fake_at.py) serves it: point the SDK's ``VoiceService._baseUrl`` at
``fake.url``, set ``fake.voice.callback_url`` (the hotline's voice webhook) and script numbers with
``fake.voice.script(number, "press1")``. Self-contained (no import of ours): fake_at.py also runs as
a file.

A script says what the phone does: ``press1``/``press2`` (answers, hears the prompt, presses the
key), ``silent`` (answers, presses nothing, hangs up), ``no_answer``, ``busy``, ``failed`` (the
network gives up) and ``refuse`` (AT refuses the number in its answer to the request: no callbacks).
Every callback posted, the hotline's answer and the XML actions read from it are kept as a
``VoiceExchange``; an answer that is not the documented XML is kept with its ``problem``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlparse

import requests
from werkzeug.wrappers import Request, Response

CallScript = Literal["press1", "press2", "silent", "no_answer", "busy", "failed", "refuse"]
SCRIPTS: tuple[CallScript, ...] = ("press1", "press2", "silent", "no_answer", "busy", "failed", "refuse")
# What AT's final callback says when the phone never answered (hangupCause values: AT's docs name
# NORMAL_CLEARING, NO_ANSWER, USER_BUSY...; "status" as seen in integrators' code).
UNANSWERED = {
    "no_answer": ("NO_ANSWER", "Aborted"),
    "busy": ("USER_BUSY", "Aborted"),
    "failed": ("NORMAL_TEMPORARY_FAILURE", "Aborted"),
}
ACTIONS = {
    "Say",
    "Play",
    "GetDigits",
    "Dial",
    "Record",
    "Enqueue",
    "Dequeue",
    "Conference",
    "Redirect",
    "Reject",
}
ATTRIBUTES = {
    "Say": {"voice", "playBeep"},
    "Play": {"url"},
    "GetDigits": {"timeout", "finishOnKey", "numDigits", "callbackUrl"},
    "Reject": set(),
}
ANSWERED_SECONDS = 21  # what the final callback of an answered call reports
COST_PER_MINUTE = 0.05


@dataclass(frozen=True)
class Action:
    """One XML action of an answer: ``<Say voice="woman">text</Say>``, ``<Play url=.../>``..."""

    tag: str
    attributes: dict[str, str]
    text: str = ""
    children: tuple[Action, ...] = ()


@dataclass(frozen=True)
class PlacedCall:
    """One number of one call request the fake answered (status "Queued" when it will ring)."""

    to: str
    caller_id: str  # the request's "from": the account's virtual number
    session_id: str | None  # None when refused ("None" on the wire)
    status: str
    script: CallScript
    received_at: float


@dataclass
class VoiceExchange:
    """One callback the fake posted and what the hotline answered."""

    session_id: str
    url: str
    fields: dict[str, str]
    status: int = 0  # the hotline's HTTP status; 0 when it could not be reached
    body: str = ""
    content_type: str = ""
    actions: list[Action] = field(default_factory=list)
    problem: str | None = None  # why the answer is not the documented XML

    @property
    def final(self) -> bool:
        return self.fields.get("isActive") == "0"

    def spoken(self) -> list[str]:
        """Every Say text and Play URL of the answer, in order (GetDigits' own included)."""
        out: list[str] = []

        def walk(actions: tuple[Action, ...] | list[Action]) -> None:
            for action in actions:
                if action.tag == "Say":
                    out.append(action.text)
                elif action.tag == "Play":
                    out.append(action.attributes.get("url", ""))
                walk(action.children)

        walk(self.actions)
        return out

    def first(self, tag: str) -> Action | None:
        return next((a for a in self.actions if a.tag == tag), None)


def parse_actions(body: str) -> tuple[list[Action], str | None]:
    """The actions of an answer, and the first way it breaks AT's documented XML (None if none)."""
    try:
        root = ET.fromstring(body)  # noqa: S314 (the hotline's own answer)
    except ET.ParseError as error:
        return [], f"not XML: {error}"
    if root.tag != "Response":
        return [], f"root element is {root.tag}, not Response"
    actions, problems = [], []
    for element in root:
        action, problem = _action(element, nested=False)
        actions.append(action)
        if problem:
            problems.append(problem)
    return actions, problems[0] if problems else None


def _action(element: ET.Element, nested: bool) -> tuple[Action, str | None]:
    tag, attributes = element.tag, dict(element.attrib)
    text = (element.text or "").strip()
    children = [_action(child, nested=True) for child in element]
    action = Action(tag, attributes, text, tuple(child for child, _ in children))
    problem = next((p for _, p in children if p), None)
    if tag not in ACTIONS:
        return action, f"unknown action {tag}"
    if nested and tag not in ("Say", "Play"):
        return action, f"{tag} inside another action"
    unknown = set(attributes) - ATTRIBUTES.get(tag, set(attributes))
    if unknown:
        return action, f"{tag} has unknown attributes {sorted(unknown)}"
    if tag == "Say" and (not text or attributes.get("voice", "woman") not in ("man", "woman")):
        return action, "Say needs text, and voice is man or woman"
    if tag == "Play" and not _absolute(attributes.get("url", "")):
        return action, "Play needs an absolute http(s) url"
    if tag == "GetDigits":
        if len(action.children) != 1:
            return action, "GetDigits wraps one Say or one Play"
        if "callbackUrl" in attributes and not _absolute(attributes["callbackUrl"]):
            return action, "GetDigits callbackUrl must be an absolute URL"
        if not attributes.get("timeout", "1").isdigit() or not attributes.get("numDigits", "1").isdigit():
            return action, "GetDigits timeout and numDigits are whole numbers"
    return action, problem


def _absolute(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class FakeVoice:
    """AT's voice API for one FakeAT: thread-safe, its calls run on threads of their own."""

    def __init__(self, stopping: threading.Event, delay: float = 0.3) -> None:
        self.callback_url: str | None = None  # the hotline's voice webhook (AT's dashboard setting)
        self.delay = delay  # seconds before each callback (ringing, speaking)
        self.fetch_audio = True  # GET every Play url, as AT does to play it
        self._stopping = stopping
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._scripts: dict[str, CallScript] = {}
            self._calls: list[PlacedCall] = []
            self._exchanges: list[VoiceExchange] = []
            self._audio: list[tuple[str, int, str]] = []
            self._ended: set[str] = set()

    def script(self, number: str, script: CallScript) -> None:
        """What the phone at ``number`` does when called (default: nobody answers)."""
        if script not in SCRIPTS:
            raise ValueError(f"unknown call script {script!r}")
        with self._lock:
            self._scripts[number] = script

    @property
    def calls(self) -> list[PlacedCall]:
        with self._lock:
            return list(self._calls)

    @property
    def exchanges(self) -> list[VoiceExchange]:
        with self._lock:
            return list(self._exchanges)

    @property
    def audio(self) -> list[tuple[str, int, str]]:
        """(url, HTTP status, Content-Type) of every Play url the fake fetched."""
        with self._lock:
            return list(self._audio)

    def wait_for_end(self, count: int = 1, timeout: float = 15.0) -> list[PlacedCall]:
        """Wait until ``count`` calls that ring have run their script to the final callback."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                ended = [c for c in self._calls if c.session_id in self._ended]
            if len(ended) >= count:
                return ended
            if time.monotonic() >= deadline:
                raise AssertionError(f"expected {count} ended calls, have {self.calls!r} {self.exchanges!r}")
            time.sleep(0.02)

    def handle_call(self, request: Request, refuse: Callable[[dict[str, str]], Response | None]) -> Response:
        """``POST /call``: form ``username``, ``from``, ``to`` (comma-separated), ``clientRequestId``
        (optional); answers 200 with ``{"entries": [...], "errorMessage": "None"}``."""
        form = request.form
        fields = {name: form.get(name, "") for name in ("username", "from", "to")}
        if refusal := refuse(fields):
            return refusal
        placed = [self._place(number.strip(), fields["from"]) for number in fields["to"].split(",")]
        entries = [
            {"phoneNumber": call.to, "status": call.status, "sessionId": call.session_id or "None"}
            for call in placed
        ]
        body = json.dumps({"entries": entries, "errorMessage": "None"})
        # 200 and exactly application/json, as recorded from AT (the SDK wants that content type).
        response = Response(body, status=200, content_type="application/json")
        ringing = [call for call in placed if call.session_id]
        if ringing:
            response.call_on_close(lambda: self._start(ringing, form.get("clientRequestId")))
        return response

    def post(self, fields: dict[str, str], url: str | None = None) -> VoiceExchange:
        """POST one callback as AT does (the script's own, or a test's forged one)."""
        target = url or self.callback_url
        if target is None:
            raise RuntimeError("set callback_url first")
        exchange = VoiceExchange(fields.get("sessionId", ""), target, dict(fields))
        try:
            answer = requests.post(target, data=fields, timeout=10)
        except requests.RequestException as error:
            exchange.problem = f"unreachable: {type(error).__name__}"
        else:
            exchange.status, exchange.body = answer.status_code, answer.text
            exchange.content_type = answer.headers.get("Content-Type", "")
            if answer.status_code != 200:
                exchange.problem = f"HTTP {answer.status_code}"
            elif not exchange.final:  # AT expects no answer to the final callback
                exchange.actions, exchange.problem = parse_actions(answer.text)
        with self._lock:
            self._exchanges.append(exchange)
        return exchange

    def stop(self) -> None:
        for thread in self._threads:
            thread.join(timeout=10)

    def _place(self, number: str, caller_id: str) -> PlacedCall:
        with self._lock:
            script = self._scripts.get(number, "no_answer")
        valid = number.startswith("+") and number[1:].isdigit() and 6 <= len(number) <= 16
        if script == "refuse" or not valid:
            call = PlacedCall(number, caller_id, None, "InvalidPhoneNumber", script, time.time())
        else:
            call = PlacedCall(number, caller_id, f"ATVId_{uuid.uuid4().hex}", "Queued", script, time.time())
        with self._lock:
            self._calls.append(call)
        return call

    def _start(self, calls: list[PlacedCall], client_request_id: str | None) -> None:
        for call in calls:
            thread = threading.Thread(target=self._run, args=(call, client_request_id), daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()

    def _run(self, call: PlacedCall, client_request_id: str | None) -> None:
        """Ring, then what the script says, then the final callback with the duration and cost."""
        if self.callback_url is None or self._stopping.wait(self.delay):
            return
        base = {
            "sessionId": str(call.session_id),
            "direction": "Outbound",
            "callerNumber": call.to,
            "destinationNumber": call.caller_id,
            "callStartTime": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(call.received_at)),
        }
        if client_request_id:
            base["clientRequestId"] = client_request_id
        answered = call.script in ("press1", "press2", "silent")
        if answered:
            self._converse(call, base)
        if self._stopping.is_set():
            return
        cause, status = ("NORMAL_CLEARING", "Success") if answered else UNANSWERED[call.script]
        seconds = ANSWERED_SECONDS if answered else 0
        self.post(
            {
                **base,
                "isActive": "0",
                "callSessionState": "Completed",
                "status": status,
                "hangupCause": cause,
                "durationInSeconds": str(seconds),
                "currencyCode": "USD",
                "amount": f"{COST_PER_MINUTE * -(-seconds // 60):.4f}",
            }
        )
        with self._lock:
            self._ended.add(str(call.session_id))

    def _converse(self, call: PlacedCall, base: dict[str, str]) -> None:
        """The phone answers; a key is pressed if the script says so and the answer asks for one."""
        exchange = self.post({**base, "isActive": "1"})
        self._fetch_audio(exchange)
        digits = {"press1": "1", "press2": "2"}.get(call.script)
        prompt = exchange.first("GetDigits")
        if digits is None or prompt is None or exchange.problem or self._stopping.wait(self.delay):
            return
        url = prompt.attributes.get("callbackUrl") or self.callback_url
        self._fetch_audio(self.post({**base, "isActive": "1", "dtmfDigits": digits}, url))

    def _fetch_audio(self, exchange: VoiceExchange) -> None:
        if not self.fetch_audio:
            return
        for url in exchange.spoken():
            if not url.startswith("http"):
                continue
            try:
                answer = requests.get(url, timeout=10)
                fetched = (url, answer.status_code, answer.headers.get("Content-Type", ""))
            except requests.RequestException:
                fetched = (url, 0, "")
            with self._lock:
                self._audio.append(fetched)
