"""Africa's Talking callbacks, exactly as AT posts them (form-encoded), under a secret path token.

Whatever arrives, the answer is never a 5xx: USSD always gets a valid ``CON``/``END`` screen,
the other callbacks get 400 for a body AT could never have sent and 200 otherwise, because AT
re-posts anything else for hours.
"""

from __future__ import annotations

import hmac
import logging
import re

from flask import Blueprint, Response, abort, current_app, g, request
from werkzeug.exceptions import HTTPException

from hotline.intake.delivery import receive_delivery_report
from hotline.intake.inbound import receive_sms
from hotline.intake.ussd import INVALID_REQUEST, Hop, UssdService
from hotline.intake.ussd_events import SessionEnd, record_session_end
from hotline.intake.voice import EMPTY, CallEnd, VoiceCallback, answer_call
from hotline.platform.phones import try_normalise
from hotline.platform.runtime import Runtime

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks/at/<token>")

MAX_FIELD = 1000  # longer than any USSD text or identifier AT sends
MAX_SMS_TEXT = 8000  # AT joins a long SMS into one text: 7 parts are already over 1,000 characters
MAX_INT = 2**31 - 1  # an INTEGER column on PostgreSQL
# AT's identifiers: "ATUid_" or "ATXid_" + 32 hex, or a UUID. Anything else was not sent by AT.
GATEWAY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,95}")
SERVICE_CODE = re.compile(r"\*\d+(\*\d+)*#")


def runtime() -> Runtime:
    return current_app.extensions["hotline"]


@bp.url_value_preprocessor
def check_token(endpoint: str | None, values: dict | None) -> None:
    token = (values or {}).pop("token", "").encode()
    settings = runtime().settings
    # During a rotation the previous token works too; both are compared, whichever matches,
    # so the time taken says nothing about which one (or how much of one) was right.
    accepted = [
        hmac.compare_digest(token, expected.encode())
        for expected in (settings.webhook_token, settings.webhook_token_previous)
        if expected
    ]
    if not any(accepted):
        abort(404)


@bp.errorhandler(Exception)
def unexpected_error(error: Exception) -> Response | HTTPException:
    # Flask's own log line for an unhandled error names the URL, and the URL holds the token.
    if isinstance(error, HTTPException):
        return error
    log.exception("webhook %s failed", request.endpoint)
    return Response("internal error\n", 500, mimetype="text/plain")


def gateway_id(name: str) -> str | None:
    """A required identifier field, or None (and a 400) when it is not shaped like AT's."""
    value = field(name)
    if value is not None and not GATEWAY_ID.fullmatch(value):
        g.bad_field = name
        return None
    return value


def field(name: str, required: bool = True, max_length: int = MAX_FIELD) -> str | None:
    value = request.form.get(name)
    if value is None or len(value) > max_length:
        if required:
            g.bad_field = name
        return None
    return value.replace("\x00", "")  # PostgreSQL cannot store NUL: the insert would fail (5xx)


def bad_request() -> Response:
    return Response(f"missing or invalid field: {g.get('bad_field', '?')}\n", 400, mimetype="text/plain")


def ok() -> Response:
    return Response("OK\n", 200, mimetype="text/plain")


def screen(body: str) -> Response:
    return Response(body, 200, content_type="text/plain; charset=utf-8")


@bp.post("/ussd")
def ussd() -> Response:
    session_id = gateway_id("sessionId")
    phone = try_normalise(field("phoneNumber"))
    text = field("text", required=False) or ""
    service_code = field("serviceCode", required=False) or ""
    if not session_id or not phone or not _service_code_ok(service_code):
        return screen(INVALID_REQUEST)
    service = UssdService(runtime())
    try:
        reply = service.handle(
            Hop(
                session_id=session_id,
                phone=phone,
                text=text,
                service_code=service_code,
                received_at=g.get("hop_started"),
            )
        )
    except Exception:  # a bug must still leave the caller with words, not a network error
        log.exception("USSD hop failed")
        return screen(INVALID_REQUEST)
    if reply.timed or reply.store_failed:
        # Counted with the session write; or Redis failed and the hop's timing would wait on it
        # again after the answer is due.
        g.pop("hop_started", None)
    response = screen(reply.body)
    # AT echoes this label in the end-of-session event: where people drop out.
    response.headers["at-ussd-hop-metadata"] = reply.screen
    return response


def _service_code_ok(service_code: str) -> bool:
    expected = runtime().settings.ussd_service_code
    if not SERVICE_CODE.fullmatch(service_code):
        return False
    # "*384*123#" also matches a direct dial with an extra segment such as "*384*123*1#".
    return not expected or service_code == expected or service_code.startswith(expected[:-1] + "*")


@bp.post("/ussd/events")
def ussd_events() -> Response:
    session_id, status = gateway_id("sessionId"), field("status")
    if not session_id or not status:
        return bad_request()
    end = SessionEnd(
        session_id=session_id,
        status=status,
        network_code=field("networkCode", required=False),
        duration_ms=_int(field("durationInMillis", required=False)),
        hops=_int(field("hopsCount", required=False)),
        hops_metadata=field("hopsMetadata", required=False),
        error_message=field("errorMessage", required=False),
    )
    record_session_end(runtime(), end)
    return ok()


def _int(value: str | None) -> int | None:
    try:
        number = int(value) if value is not None else None
    except ValueError:
        return None
    # A number too big for the column would fail the insert, and AT would re-post it for hours.
    return number if number is None or 0 <= number <= MAX_INT else None


@bp.post("/sms")
def incoming_sms() -> Response:
    sms_id, sender = gateway_id("id"), field("from")
    text = field("text", required=False, max_length=MAX_SMS_TEXT)
    if not sms_id or not sender:
        return bad_request()
    phone = try_normalise(sender)
    if phone is None:
        return ok()  # a network's own alphanumeric sender: nothing a person wrote to us
    receive_sms(runtime(), sms_id, phone, text or "", gateway="africastalking")
    return ok()


@bp.post("/sms/delivery")
def delivery_report() -> Response:
    message_id, status = gateway_id("id"), field("status")
    if not message_id or not status:
        return bad_request()
    receive_delivery_report(runtime(), message_id, status, field("failureReason", required=False))
    return ok()  # also for an unknown id: otherwise the gateway retries forever


# isActive as AT posts it ("1"/"0"; integrators have also seen true/false).
ACTIVE = {"1": True, "true": True, "0": False, "false": False}
AMOUNT = re.compile(r"\d{1,12}(\.\d{1,6})?")


@bp.post("/voice")
def voice() -> Response:
    """AT's voice callback (docs/africastalking-voice.md): XML actions for a call the hotline placed,
    ``<Reject/>`` for any other session; 400 for a body AT could not have sent."""
    session_id, active = gateway_id("sessionId"), ACTIVE.get((field("isActive") or "").lower())
    if not session_id or active is None:
        return bad_request()
    end = CallEnd(
        duration_seconds=_int(field("durationInSeconds", required=False)),
        status=(field("status", required=False) or "")[:40] or None,
        hangup_cause=(field("hangupCause", required=False) or "")[:40] or None,
        cost=_cost(field("currencyCode", required=False), field("amount", required=False)),
    )
    digits = field("dtmfDigits", required=False, max_length=40)
    try:
        body = answer_call(runtime(), VoiceCallback(session_id, active, digits, end))
    except Exception:  # a live call: words or silence, never an error page
        log.exception("voice callback failed")
        body = EMPTY
    return Response(body, 200, content_type="application/xml; charset=utf-8")


def _cost(currency: str | None, amount: str | None) -> str | None:
    """``USD 0.0500`` from currencyCode and amount; None when either is not shaped like money."""
    if currency and len(currency) == 3 and currency.isalpha() and amount and AMOUNT.fullmatch(amount):
        return f"{currency} {amount}"
    return None
