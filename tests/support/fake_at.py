"""A fake Africa's Talking API on loopback, speaking the wire contract (docs/africastalking.md sections 4-6,
and the voice API of docs/africastalking-voice.md: ``POST /call``, then the voice callbacks, in
tests/support/fake_at_voice.py).

In a test:   with FakeAT(api_key="k") as fake: sms._baseUrl = fake.url + "/version1"
As a process: python tests/support/fake_at.py --port 0 --api-key k --record sent.jsonl
(prints "fake AT listening on <url>" when ready, appends asdict(ReceivedSms) as one JSON line per
recipient to the record file, exits with status 0 on SIGTERM or SIGINT).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal
from wsgiref.types import StartResponse, WSGIEnvironment

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

try:  # the suite imports tests.support.fake_at; bench runs this file, its folder first on sys.path
    from tests.support.fake_at_voice import FakeVoice
except ImportError:
    from fake_at_voice import FakeVoice

FailureMode = Literal["http500", "timeout", "unauthorized"]
AUTH_ERROR = "The supplied authentication is invalid"
WHOLE_FAILURES = {"http500": (500, "Internal Server Error"), "unauthorized": (401, AUTH_ERROR)}
# fmt: off
STATUS_TEXT = {
    100: "Processed", 101: "Success", 102: "Queued", 401: "RiskHold", 402: "InvalidSenderId",
    403: "InvalidPhoneNumber", 404: "UnsupportedNumberType", 405: "InsufficientBalance",
    406: "UserInBlacklist", 407: "CouldNotRoute", 409: "DoNotDisturbRejection",
    500: "InternalServerError", 501: "GatewayError", 502: "RejectedByGateway",
}
# fmt: on
ACCEPTED = frozenset({100, 101, 102})
FAILED_DELIVERY = frozenset({"Rejected", "Failed"})  # the only statuses that carry failureReason
COST_PER_PART = 0.02
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")  # two septets each (escape + char)
E164 = re.compile(r"^\+\d{6,15}$")


def sms_parts(message: str) -> int:
    """Parts AT bills: GSM-7 160 chars (153 per part); one other char makes it UCS-2, 70 (67)."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in message):
        length = sum(2 if c in GSM7_EXTENSION else 1 for c in message)
        single, per_part = 160, 153
    else:
        length = len(message.encode("utf-16-le")) // 2  # an emoji is two UCS-2 units
        single, per_part = 70, 67
    return 1 if length <= single else math.ceil(length / per_part)


@dataclass(frozen=True)
class ReceivedSms:
    """One recipient of one send request the fake answered with 201."""

    to: str
    message: str
    sender: str | None
    message_id: str | None  # None when rejected (the wire says "None")
    status_code: int
    received_at: float
    parts: int = 1


@dataclass(frozen=True)
class ReceivedRequest:
    """Any HTTP request that reached the fake, recorded on arrival (before any failure mode)."""

    method: str
    path: str
    fields: dict[str, str]  # form fields, or query parameters for GET
    api_key: str | None
    received_at: float


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Tests read the fake's records, not an access log."""


def _text(status: int, body: str) -> Response:
    return Response(body, status=status, content_type="text/plain; charset=utf-8")


def _json(status: int, body: dict[str, Any]) -> Response:
    # Exactly "application/json": the SDK returns a str instead of a dict for anything else.
    return Response(json.dumps(body), status=status, content_type="application/json")


def _recipient(sms: ReceivedSms) -> dict[str, Any]:
    accepted = sms.status_code in ACCEPTED
    return {
        "cost": f"USD {COST_PER_PART * sms.parts:.4f}" if accepted else "0",
        "messageId": sms.message_id or "None",
        "messageParts": sms.parts if accepted else 0,
        "number": sms.to,
        "status": STATUS_TEXT[sms.status_code],
        "statusCode": sms.status_code,
    }


class FakeAT:
    """A real HTTP server on 127.0.0.1 answering /version1/messaging and /version1/user.

    Thread-safe: tests change its behaviour while the app's worker threads talk to it.
    """

    def __init__(
        self,
        api_key: str = "fake-at-key",
        username: str | None = None,
        *,
        port: int = 0,
        delivery_callback_url: str | None = None,
        delivery_delay: float = 0.2,
        timeout_hold: float | None = None,
        record_path: str | Path | None = None,
        balance: str = "USD 12.3400",
    ) -> None:
        """username None accepts any; timeout_hold None holds "timeout" requests until stop()."""
        self.api_key = api_key
        self.username = username
        self.delivery_callback_url = delivery_callback_url
        self.delivery_delay = delivery_delay
        self.timeout_hold = timeout_hold
        self.record_path = Path(record_path) if record_path else None
        self.balance = balance
        self._port = port
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._workers: list[threading.Thread] = []
        self.voice = FakeVoice(self._stopping)
        self.reset()

    def start(self) -> FakeAT:
        """Bind a free port (or the given one) and serve from a background thread."""
        self._stopping.clear()
        self._server = make_server(
            "127.0.0.1", self._port, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release held "timeout" requests, drop pending delivery reports, close the port."""
        self._stopping.set()
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
        for worker in self._workers:
            worker.join(timeout=5)
        self.voice.stop()

    def __enter__(self) -> FakeAT:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321 (our AT_API_URL; the SDK wants + "/version1")."""
        if self._server is None:
            raise RuntimeError("FakeAT is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    def reset(self) -> None:
        """Forget everything received and every failure or rule set so far."""
        with self._lock:
            self._failures: deque[FailureMode] = deque()
            self._rejections: dict[str, int] = {}
            self._delivery_rules: dict[str, tuple[str, str | None]] = {}
            self._messages: list[ReceivedSms] = []
            self._requests: list[ReceivedRequest] = []
            self._delivery_reports: list[dict[str, str]] = []
            self._delivery_responses: list[int] = []
        self.voice.reset()

    def fail_next(self, n: int = 1, mode: FailureMode = "http500") -> None:
        """Make the next n send requests fail whole: HTTP 500, 401, or "timeout" (held for
        timeout_hold seconds or until stop(), then 504; nothing is sent)."""
        with self._lock:
            self._failures.extend([mode] * n)

    def reject(self, number: str, status_code: int = 403) -> None:
        """Answer this recipient with a per-recipient error (403, 405, 406, 500...) from now on."""
        if status_code not in STATUS_TEXT or status_code in ACCEPTED:
            raise ValueError(f"not a rejection status code: {status_code}")
        with self._lock:
            self._rejections[number] = status_code

    def deliver_as(self, number: str, status: str, failure_reason: str | None = None) -> None:
        """Report this status for this number's automatic delivery reports (default Success)."""
        if status in FAILED_DELIVERY:
            failure_reason = failure_reason or "DeliveryFailure"
        elif failure_reason is not None:
            raise ValueError(f"AT sends failureReason only on Rejected/Failed, not {status}")
        with self._lock:
            self._delivery_rules[number] = (status, failure_reason)

    @property
    def messages(self) -> list[ReceivedSms]:
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def delivery_reports(self) -> list[dict[str, str]]:
        """Form fields of each delivery report posted, in the order of delivery_responses."""
        with self._lock:
            return list(self._delivery_reports)

    @property
    def delivery_responses(self) -> list[int]:
        """HTTP status our callback answered to each report; 0 when it could not be reached."""
        with self._lock:
            return list(self._delivery_responses)

    def wait_for(
        self, predicate: Callable[[ReceivedSms], bool] | None = None, timeout: float = 10.0, count: int = 1
    ) -> list[ReceivedSms]:
        """Poll until at least count messages match; return them, or fail showing what came."""
        deadline = time.monotonic() + timeout
        while len(found := [m for m in self.messages if predicate is None or predicate(m)]) < count:
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"expected {count} matching SMS in {timeout}s, got {len(found)}: {self.messages!r}"
                )
            time.sleep(0.02)
        return found

    def wait_for_deliveries(self, count: int = 1, timeout: float = 10.0) -> list[int]:
        """Poll until count delivery reports were posted; return the callback's status codes."""
        deadline = time.monotonic() + timeout
        while len(responses := self.delivery_responses) < count:
            if time.monotonic() >= deadline:
                raise AssertionError(f"expected {count} delivery reports, posted {self.delivery_reports!r}")
            time.sleep(0.02)
        return responses

    def send_delivery_report(
        self,
        message_id: str,
        status: str = "Success",
        failure_reason: str | None = None,
        *,
        phone_number: str | None = None,
        network_code: str = "63001",
    ) -> int:
        """POST one report to delivery_callback_url now (repeats, out of order, unknown ids).

        phone_number defaults to the recipient of message_id. Returns the callback's HTTP status.
        """
        url = self.delivery_callback_url
        if url is None:
            raise RuntimeError("set delivery_callback_url first")
        if phone_number is None:
            phone_number = next((m.to for m in self.messages if m.message_id == message_id), None)
            if phone_number is None:
                raise ValueError(f"unknown message id {message_id}: pass phone_number")
        fields = {
            "id": message_id,
            "status": status,
            "phoneNumber": phone_number,
            "networkCode": network_code,
        }
        if failure_reason is not None:
            fields["failureReason"] = failure_reason
        try:
            answered = requests.post(url, data=fields, timeout=5).status_code
        except requests.RequestException:
            answered = 0
        with self._lock:
            self._delivery_reports.append(fields)
            self._delivery_responses.append(answered)
        return answered

    def _deliver_later(self, sent: list[ReceivedSms]) -> None:
        if self._stopping.wait(self.delivery_delay):
            return
        for sms in sent:
            with self._lock:
                status, reason = self._delivery_rules.get(sms.to, ("Success", None))
            self.send_delivery_report(str(sms.message_id), status, reason, phone_number=sms.to)

    def _schedule_deliveries(self, sent: list[ReceivedSms]) -> None:
        worker = threading.Thread(target=self._deliver_later, args=(sent,), daemon=True)
        with self._lock:
            self._workers = [w for w in self._workers if w.is_alive()] + [worker]
        worker.start()

    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        fields, api_key = request.values.to_dict(), request.headers.get("apiKey")
        with self._lock:
            self._requests.append(ReceivedRequest(request.method, request.path, fields, api_key, time.time()))
        if request.path == "/version1/messaging" and request.method == "POST":
            response = self._messaging(request)
        elif request.path == "/version1/user" and request.method == "GET":
            response = self._user(request)
        elif request.path == "/call" and request.method == "POST":  # the voice API's host
            response = self.voice.handle_call(request, lambda f: self._refusal(request, f, "form field"))
        else:
            response = _text(404, f"No route for {request.method} {request.path}")
        return response(environ, start_response)

    def _refusal(self, request: Request, fields: dict[str, str], kind: str) -> Response | None:
        if request.headers.get("apiKey") != self.api_key:
            return _text(401, AUTH_ERROR)
        for name in fields:
            if not fields[name]:
                return _text(400, f"Request is missing required {kind} '{name}'")
        if self.username is not None and fields["username"] != self.username:
            return _text(401, AUTH_ERROR)
        return None

    def _messaging(self, request: Request) -> Response:
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure == "timeout":
            self._stopping.wait(self.timeout_hold)
            return _text(504, "Gateway Timeout")
        if failure is not None:
            return _text(*WHOLE_FAILURES[failure])
        form = request.form
        fields = {name: form.get(name, "") for name in ("username", "to", "message")}
        if refusal := self._refusal(request, fields, "form field"):
            return refusal
        numbers = [number.strip() for number in fields["to"].split(",") if number.strip()]
        sent = [self._answer(number, fields["message"], form.get("from") or None) for number in numbers]
        accepted = [sms for sms in sent if sms.message_id is not None]
        cost = sum(COST_PER_PART * sms.parts for sms in accepted)
        total = f"USD {cost:.4f}" if accepted else "0"
        summary = f"Sent to {len(accepted)}/{len(sent)} Total Cost: {total}"
        recipients = [_recipient(sms) for sms in sent]
        response = _json(201, {"SMSMessageData": {"Message": summary, "Recipients": recipients}})
        if accepted and self.delivery_callback_url:
            # Runs once the server has written the 201, as AT reports only after accepting.
            response.call_on_close(lambda: self._schedule_deliveries(accepted))
        return response

    def _answer(self, number: str, message: str, sender: str | None) -> ReceivedSms:
        with self._lock:
            code = self._rejections.get(number, 101 if E164.match(number) else 403)
        message_id = f"ATXid_{uuid.uuid4().hex}" if code in ACCEPTED else None
        sms = ReceivedSms(number, message, sender, message_id, code, time.time(), sms_parts(message))
        with self._lock:
            self._messages.append(sms)
            if self.record_path is not None:
                with self.record_path.open("a", encoding="utf-8") as record:
                    record.write(json.dumps(asdict(sms), ensure_ascii=False) + "\n")
        return sms

    def _user(self, request: Request) -> Response:
        fields = {"username": request.args.get("username", "")}
        if refusal := self._refusal(request, fields, "query parameter"):
            return refusal
        return _json(200, {"UserData": {"balance": self.balance}})


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT, for end-to-end tests that run the app in other processes."""
    parser = argparse.ArgumentParser(description="Fake Africa's Talking API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--username", help="refuse other usernames (default: accept any)")
    parser.add_argument("--delivery-callback", help="URL to POST delivery reports to")
    parser.add_argument("--delivery-delay", type=float, default=0.2)
    parser.add_argument("--record", type=Path, help="append one JSON line per recipient")
    parser.add_argument("--voice-callback", help="URL to POST voice callbacks to")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    callback, delay = args.delivery_callback, args.delivery_delay
    fake = FakeAT(args.api_key, args.username, port=args.port, record_path=args.record)
    fake.delivery_callback_url, fake.delivery_delay = callback, delay
    fake.voice.callback_url = args.voice_callback
    with fake:
        print(f"fake AT listening on {fake.url}", flush=True)
        while not stop.wait(0.1):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
