"""A fake SMS Gateway for Android (the app's local server) on loopback, speaking the contract of
docs/android-sms-gateway.md: the API the hotline sends through, and the webhooks the phone posts.

In a test:   with FakeAndroid() as fake: AndroidGateway(fake.url, fake.username, fake.password)
As a process: python tests/support/fake_android.py --port 0 --webhook URL --record sent.jsonl
(prints "fake android listening on <url>" when ready, appends asdict(PhoneSms) as one JSON line per
message to the record file, exits with status 0 on SIGTERM or SIGINT).

Faults, as the AT fake has them: ``fail_next`` (HTTP 500, 401, or a "timeout" held until stop()),
``reject`` (the app's 400 for a number), ``fail_as`` (the message is accepted, then reported
``sms:failed`` with the app's reason), ``refuse_all`` (every message answered Failed at once).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from wsgiref.types import StartResponse, WSGIEnvironment

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

FailureMode = Literal["http500", "timeout", "unauthorized"]
DEVICE_ID = "fakeDevice0000000001"
NO_SERVICE = "Send result: RESULT_ERROR_NO_SERVICE (Failed because service is currently unavailable)"
PHONE_OFF = "Delivery result from SC +243810000000: 70"  # TP-Status: validity period expired


def nano_id() -> str:
    """21 URL-safe characters, the shape of the app's ids."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode()[:21]


def now_iso() -> str:
    """The app's timestamps: yyyy-MM-dd'T'HH:mm:ss.SSSXXX (the device's zone; here +01:00, Kinshasa)."""
    return datetime.now(UTC).astimezone().isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class PhoneSms:
    """One message the fake accepted (answered 202)."""

    to: str
    message: str
    message_id: str
    received_at: float


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Tests read the fake's records, not an access log."""


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class FakeAndroid:
    """A real HTTP server on 127.0.0.1 answering /messages, /webhooks and /health as the app does,
    and posting sms:sent / sms:delivered / sms:failed (and sms:received on demand) to the webhooks
    registered on it, or to ``webhook_url``. Thread-safe."""

    def __init__(
        self,
        username: str = "sms",
        password: str = "fake-android-password",
        *,
        port: int = 0,
        webhook_url: str | None = None,
        signing_key: str | None = None,
        delivery_delay: float = 0.2,
        record_path: str | Path | None = None,
    ) -> None:
        self.username, self.password = username, password
        self.webhook_url, self.signing_key = webhook_url, signing_key
        self.delivery_delay = delivery_delay
        self.record_path = Path(record_path) if record_path else None
        self._port = port
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._workers: list[threading.Thread] = []
        self.reset()

    def start(self) -> FakeAndroid:
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
        self._stopping.set()
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
        for worker in self._workers:
            worker.join(timeout=5)

    def __enter__(self) -> FakeAndroid:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API base, as ANDROID_GATEWAY_URL takes it (the local server serves at its root)."""
        if self._server is None:
            raise RuntimeError("FakeAndroid is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    def reset(self) -> None:
        with self._lock:
            self._failures: deque[FailureMode] = deque()
            self._rejections: set[str] = set()
            self._failing: dict[str, str] = {}
            self._refuse_all: str | None = None
            self._messages: list[PhoneSms] = []
            self._states: dict[str, dict[str, Any]] = {}
            self._webhooks: dict[str, tuple[str, str]] = {}  # id -> (event, url)
            self._posted: list[tuple[dict[str, Any], int]] = []  # (event body, our answer)

    # -- faults ---------------------------------------------------------------------------------
    def fail_next(self, n: int = 1, mode: FailureMode = "http500") -> None:
        """The next n send requests fail whole: HTTP 500, 401, or "timeout" (held until stop())."""
        with self._lock:
            self._failures.extend([mode] * n)

    def reject(self, number: str) -> None:
        """Answer 400 for this number from now on, as the app does for a number it will not send to."""
        with self._lock:
            self._rejections.add(number)

    def fail_as(self, number: str, reason: str = NO_SERVICE) -> None:
        """Accept this number's messages, then report them sms:failed with this reason."""
        with self._lock:
            self._failing[number] = reason

    def refuse_all(self, reason: str | None = NO_SERVICE) -> None:
        """Answer every message 202 but Failed at once (the phone has no service); None: stop."""
        with self._lock:
            self._refuse_all = reason

    # -- what happened --------------------------------------------------------------------------
    @property
    def messages(self) -> list[PhoneSms]:
        with self._lock:
            return list(self._messages)

    @property
    def posted(self) -> list[tuple[dict[str, Any], int]]:
        """Each webhook body posted, with the HTTP status the hotline answered (0: unreachable)."""
        with self._lock:
            return list(self._posted)

    def wait_for(
        self, predicate: Callable[[PhoneSms], bool] | None = None, timeout: float = 10.0, count: int = 1
    ) -> list[PhoneSms]:
        deadline = time.monotonic() + timeout
        while len(found := [m for m in self.messages if predicate is None or predicate(m)]) < count:
            if time.monotonic() >= deadline:
                raise AssertionError(f"expected {count} matching SMS in {timeout}s, got {self.messages!r}")
            time.sleep(0.02)
        return found

    def wait_for_posts(self, event: str, count: int = 1, timeout: float = 10.0) -> list[int]:
        deadline = time.monotonic() + timeout
        while len(found := [s for body, s in self.posted if body["event"] == event]) < count:
            if time.monotonic() >= deadline:
                raise AssertionError(f"expected {count} {event} posts, got {self.posted!r}")
            time.sleep(0.02)
        return found

    # -- webhooks the phone posts ---------------------------------------------------------------
    def receive_sms(self, sender: str, text: str, event_id: str | None = None) -> int:
        """The phone receives an SMS: post sms:received now. Returns the hotline's HTTP status."""
        return self.post_event("sms:received", received_payload(sender, text), event_id=event_id)

    def request_for(
        self, event: str, payload: dict[str, Any], event_id: str | None = None
    ) -> tuple[dict[str, Any], bytes, dict[str, str]]:
        """One event as the app posts it: its body, the JSON bytes, and the headers (signed when a
        signing key is set). Tests post it with the Flask test client, the fake with requests."""
        body = {
            "deviceId": DEVICE_ID,
            "event": event,
            "id": event_id or nano_id(),
            "payload": payload,
            "webhookId": nano_id(),
        }
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "me.capcom.smsgateway/fake"}
        if self.signing_key:
            headers.update(sign(self.signing_key, data))
        return body, data, headers

    def post_event(self, event: str, payload: dict[str, Any], *, event_id: str | None = None) -> int:
        """POST one event to the webhook registered for it (or webhook_url) now."""
        url = self._url_for(event)
        if url is None:
            raise RuntimeError(f"no webhook registered for {event}, and no webhook_url")
        body, data, headers = self.request_for(event, payload, event_id)
        try:
            answered = requests.post(url, data=data, headers=headers, timeout=5).status_code
        except requests.RequestException:
            answered = 0
        with self._lock:
            self._posted.append((body, answered))
        return answered

    def _url_for(self, event: str) -> str | None:
        with self._lock:
            registered = [url for kind, url in self._webhooks.values() if kind == event]
        return registered[0] if registered else self.webhook_url

    def _report_later(self, sms: PhoneSms, failure: str | None) -> None:
        if self._stopping.wait(self.delivery_delay):
            return
        if failure is not None:
            self._set_state(sms.message_id, "Failed", failure)
            self.post_event("sms:failed", status_payload("sms:failed", sms.message_id, sms.to, failure))
            return
        self._set_state(sms.message_id, "Sent")
        self.post_event("sms:sent", status_payload("sms:sent", sms.message_id, sms.to))
        self._set_state(sms.message_id, "Delivered")
        self.post_event("sms:delivered", status_payload("sms:delivered", sms.message_id, sms.to))

    def _set_state(self, message_id: str, state: str, error: str | None = None) -> None:
        with self._lock:
            answer = self._states[message_id]
            answer["state"] = state
            answer["recipients"][0].update(state=state, error=error)
            answer["states"][state] = now_iso()

    # -- the API --------------------------------------------------------------------------------
    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        path, method = request.path.rstrip("/"), request.method
        if path == "/health" and method == "GET":
            response = _json(200, {"status": "pass", "version": "fake", "checks": {}})
        elif request.authorization is None or (
            request.authorization.username,
            request.authorization.password,
        ) != (self.username, self.password):
            response = _json(401, {"message": "Unauthorized"})
        elif path in ("/message", "/messages") and method == "POST":
            response = self._send(request)
        elif path.startswith(("/message/", "/messages/")) and method == "GET":
            with self._lock:
                state = self._states.get(path.rsplit("/", 1)[1])
            response = _json(200, state) if state else _json(404, {"message": "Not Found"})
        elif path in ("/webhook", "/webhooks"):
            response = self._webhooks_api(request)
        elif path.startswith(("/webhook/", "/webhooks/")) and method == "DELETE":
            with self._lock:
                self._webhooks.pop(path.rsplit("/", 1)[1], None)
            response = Response(status=204)
        else:
            response = _json(404, {"message": f"No route for {method} {path}"})
        return response(environ, start_response)

    def _webhooks_api(self, request: Request) -> Response:
        if request.method == "GET":
            with self._lock:
                hooks = [{"id": i, "event": e, "url": u} for i, (e, u) in self._webhooks.items()]
            return _json(200, hooks)
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("url"), str) or not isinstance(body.get("event"), str):
            return _json(400, {"message": "url and event are required"})
        hook_id = body.get("id") or nano_id()
        with self._lock:
            self._webhooks[hook_id] = (body["event"], body["url"])
        return _json(201, {"id": hook_id, "event": body["event"], "url": body["url"]})

    def _send(self, request: Request) -> Response:
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure == "timeout":
            self._stopping.wait()
            return _json(504, {"message": "Gateway Timeout"})
        if failure == "http500":
            return _json(500, {"message": "Internal Server Error"})
        if failure == "unauthorized":
            return _json(401, {"message": "Unauthorized"})
        body = request.get_json(silent=True)
        numbers = body.get("phoneNumbers") if isinstance(body, dict) else None
        text = (body.get("textMessage") or {}).get("text") if isinstance(body, dict) else None
        if not isinstance(numbers, list) or not numbers or not isinstance(text, str) or not text:
            return _json(400, {"message": "phoneNumbers and textMessage.text are required"})
        to = str(numbers[0])
        with self._lock:
            rejected, refused = to in self._rejections, self._refuse_all
            failing = self._failing.get(to)
        if rejected:
            return _json(400, {"message": "Invalid phone number"})
        sms = PhoneSms(to, text, str(body.get("id") or nano_id()), time.time())
        answer = {
            "id": sms.message_id,
            "deviceId": DEVICE_ID,
            "state": "Failed" if refused else "Pending",
            "isHashed": False,
            "isEncrypted": False,
            "recipients": [
                {"phoneNumber": to, "state": "Failed" if refused else "Pending", "error": refused}
            ],
            "states": {"Pending": now_iso()},
        }
        with self._lock:
            self._states[sms.message_id] = answer
            if not refused:
                self._messages.append(sms)
                if self.record_path is not None:
                    with self.record_path.open("a", encoding="utf-8") as record:
                        record.write(json.dumps(asdict(sms), ensure_ascii=False) + "\n")
        response = _json(202, answer)
        if not refused and self._url_for("sms:sent") is not None:
            response.call_on_close(lambda: self._schedule(sms, failing))
        return response

    def _schedule(self, sms: PhoneSms, failure: str | None) -> None:
        worker = threading.Thread(target=self._report_later, args=(sms, failure), daemon=True)
        with self._lock:
            self._workers = [w for w in self._workers if w.is_alive()] + [worker]
        worker.start()


def received_payload(sender: str, text: str) -> dict[str, Any]:
    """sms:received's payload (messageId is derived from the content, as the app's is)."""
    return {
        "messageId": hashlib.sha256(f"{sender}{text}".encode()).hexdigest()[:16],
        "message": text,
        "sender": sender,
        "recipient": None,
        "phoneNumber": sender,  # the app's older name for the sender, still sent
        "simNumber": 1,
        "receivedAt": now_iso(),
    }


def status_payload(event: str, message_id: str, to: str, reason: str | None = None) -> dict[str, Any]:
    """sms:sent / sms:delivered / sms:failed's payload for one recipient of one message."""
    base: dict[str, Any] = {"messageId": message_id, "recipient": to, "phoneNumber": to, "simNumber": 1}
    if event == "sms:sent":
        return {**base, "partsCount": 1, "sentAt": now_iso()}
    if event == "sms:delivered":
        return {**base, "deliveredAt": now_iso()}
    return {**base, "failedAt": now_iso(), "reason": reason or "Unknown"}


def sign(key: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The app's signature headers: hex HMAC-SHA256 of the raw body followed by the timestamp."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return {"X-Signature": digest, "X-Timestamp": stamp}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake SMS Gateway for Android on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--username", default="sms")
    parser.add_argument("--password", default="fake-android-password")
    parser.add_argument("--webhook", help="URL to POST the phone's events to")
    parser.add_argument("--signing-key")
    parser.add_argument("--record", type=Path, help="append one JSON line per accepted message")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    fake = FakeAndroid(
        args.username,
        args.password,
        port=args.port,
        webhook_url=args.webhook,
        signing_key=args.signing_key,
        record_path=args.record,
    )
    with fake:
        print(f"fake android listening on {fake.url}", flush=True)
        while not stop.wait(0.1):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
