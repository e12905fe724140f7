"""SMS Gateway for Android's webhooks (docs/android-sms-gateway.md), under the same secret path token as
AT's: the phone posts one JSON event per incoming SMS (``sms:received``) and per state of a message
the hotline sent through it (``sms:sent``, ``sms:delivered``, ``sms:failed``).

They feed the same intake as AT's callbacks (an incoming SMS, a delivery report). Whatever arrives,
the answer is never a 5xx: 400 for a body the app could not have sent, 403 for a wrong signature
when ANDROID_WEBHOOK_SIGNING_KEY is set, 200 otherwise (the app retries anything else).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from typing import Any

from flask import Blueprint, Response, request

from hotline.intake.delivery import receive_delivery_report
from hotline.intake.inbound import receive_sms
from hotline.platform.phones import try_normalise
from hotline.web import webhooks
from hotline.web.webhooks import MAX_SMS_TEXT, ok, runtime

# The app's ids (events and messages) are nanoids: 21 of A-Za-z0-9, "_" and "-", in any place, so
# one may well begin with "-" (AT's never do: hotline.web.webhooks.GATEWAY_ID).
ANDROID_ID = re.compile(r"[A-Za-z0-9_.:-]{1,96}")

log = logging.getLogger(__name__)
bp = Blueprint("android_webhooks", __name__, url_prefix="/webhooks/android/<token>")
bp.url_value_preprocessor(webhooks.check_token)
bp.register_error_handler(Exception, webhooks.unexpected_error)

# The app's message states, as the hotline's delivery reports name them (hotline.sms.delivery).
STATUS_EVENTS = {"sms:sent": "Sent", "sms:delivered": "Delivered", "sms:failed": "Failed"}
SIGNATURE_SKEW_SECONDS = 300  # a signed event older or newer than this is refused (a replay)
MAX_REASON = 200


def refused(status: int, why: str) -> Response:
    return Response(f"{why}\n", status, mimetype="text/plain")


@bp.post("/events")
def events() -> Response:
    """One event: ``{"id", "event", "deviceId", "webhookId", "payload": {...}}``."""
    raw = request.get_data(cache=False)
    if not _signed_correctly(raw):
        return refused(403, "missing or wrong signature")
    try:
        body = json.loads(raw)
    except ValueError:
        return refused(400, "not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("payload"), dict):
        return refused(400, "missing or invalid field: payload")
    event, event_id, payload = body.get("event"), body.get("id"), body["payload"]
    if not isinstance(event, str) or not _identifier(event_id):
        return refused(400, "missing or invalid field: event or id")
    if event == "sms:received":
        return _received(str(event_id), payload)
    if event in STATUS_EVENTS:
        return _status(STATUS_EVENTS[event], payload)
    if event.startswith("sms:batch"):
        # Batched delivery posts several SMS in one event: set the app's webhook delivery to
        # Individual (docs/android-sms-gateway.md); answered 400 so the app keeps them to retry.
        log.warning("android webhook: batched event refused; set webhook delivery to Individual")
        return refused(400, "batched events are not read: set webhook delivery to Individual")
    return ok()  # system:ping, sms:cancelled, sms:data-received, mms:*: nothing to do


def _received(event_id: str, payload: dict[str, Any]) -> Response:
    sender = payload.get("sender") or payload.get("phoneNumber")
    text = payload.get("message")
    if not isinstance(sender, str) or not isinstance(text, str) or len(text) > MAX_SMS_TEXT:
        return refused(400, "missing or invalid field: sender or message")
    phone = try_normalise(sender)
    if phone is None:
        return ok()  # a network's own alphanumeric sender: nothing a person wrote to us
    # The event's id, not the payload's messageId (the app derives that from the content: two equal
    # texts may share it); the prefix keeps it apart from AT's ids.
    receive_sms(runtime(), f"android:{event_id}", phone, text.replace("\x00", ""), gateway="android")
    return ok()


def _status(status: str, payload: dict[str, Any]) -> Response:
    message_id, reason = payload.get("messageId"), payload.get("reason")
    if not _identifier(message_id):
        return refused(400, "missing or invalid field: messageId")
    reason_text = reason[:MAX_REASON].replace("\x00", "") if isinstance(reason, str) else None
    receive_delivery_report(runtime(), str(message_id), status, reason_text)
    return ok()  # also for an unknown id: otherwise the phone retries it


def _identifier(value: object) -> bool:
    return isinstance(value, str) and ANDROID_ID.fullmatch(value) is not None


def _signed_correctly(raw: bytes) -> bool:
    """With ANDROID_WEBHOOK_SIGNING_KEY: X-Signature is the hex HMAC-SHA256 of the raw body followed
    by X-Timestamp (Unix seconds), which must be recent. Without a key: nothing to check."""
    key = runtime().settings.android_signing_key
    if not key:
        return True
    signature, stamp = request.headers.get("X-Signature", ""), request.headers.get("X-Timestamp", "")
    if not (stamp.isascii() and stamp.isdigit()):
        return False
    expected = hmac.new(key.encode(), raw + stamp.encode(), hashlib.sha256).hexdigest()
    now = runtime().clock.now().timestamp()
    return (
        hmac.compare_digest(signature.lower(), expected) and abs(now - int(stamp)) <= SIGNATURE_SKEW_SECONDS
    )
