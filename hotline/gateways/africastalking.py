"""Africa's Talking, through its official SDK (an ``SMSService`` of our own, never the globals)."""

from __future__ import annotations

import logging

import requests
from africastalking.Application import ApplicationService
from africastalking.Service import AfricasTalkingException
from africastalking.SMS import SMSService

from . import GatewayUnavailable, SendResult

log = logging.getLogger(__name__)

ACCEPTED_CODES = {100, 101, 102}  # Processed, Sent, Queued
# 405 InsufficientBalance becomes sendable once credit is topped up; 5xx are the gateway's own.
RETRYABLE_CODES = {405, 500, 501, 502}
TIMEOUT = (3.05, 10)


class AfricasTalkingGateway:
    name = "africastalking"
    max_send_seconds = sum(TIMEOUT)

    def __init__(self, username: str, api_key: str, sender_id: str | None = None,
                 api_url: str | None = None) -> None:
        self._sms = SMSService(username, api_key)
        self._application = ApplicationService(username, api_key)
        if api_url:
            # The SDK has no setting for its base URL; staging and the tests' fake AT need one.
            self._sms._baseUrl = api_url + "/version1"
            self._application._baseUrl = api_url + "/version1"
        self._sender_id = sender_id

    def send(self, to: str, body: str) -> SendResult:
        try:
            response = self._sms.send(body, [to], sender_id=self._sender_id, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise GatewayUnavailable(type(exc).__name__) from None
        except AfricasTalkingException as exc:
            # Any non-2xx answer. Its text may echo our request, so only its start is kept.
            raise GatewayUnavailable(f"gateway refused the request: {str(exc)[:80]}") from None
        except ValueError:
            return SendResult(accepted=False, status="InvalidPhoneNumber", detail="rejected by SDK")
        return _parse(response)

    def balance(self) -> str | None:
        """GET /version1/user: ``{"UserData": {"balance": "USD 12.3400"}}``."""
        try:
            response = self._application.fetch_application_data(timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise GatewayUnavailable(type(exc).__name__) from None
        except AfricasTalkingException as exc:
            raise GatewayUnavailable(f"gateway refused the request: {str(exc)[:80]}") from None
        try:
            return str(response["UserData"]["balance"])  # type: ignore[index]
        except (KeyError, TypeError):
            raise GatewayUnavailable("gateway answer has an unexpected shape") from None


def _parse(response: object) -> SendResult:
    if not isinstance(response, dict):
        # The SDK returns text when the Content-Type is not exactly application/json.
        raise GatewayUnavailable("gateway answered without JSON")
    try:
        recipient = response["SMSMessageData"]["Recipients"][0]
        code = int(recipient["statusCode"])
        status = str(recipient.get("status", ""))
        message_id = str(recipient.get("messageId") or "")
        parts = int(recipient.get("messageParts") or 0)
    except (KeyError, IndexError, TypeError, ValueError):
        raise GatewayUnavailable("gateway answer has an unexpected shape") from None
    if code in ACCEPTED_CODES:
        return SendResult(accepted=True, message_id=message_id, status=status, parts=parts,
                          cost=str(recipient.get("cost") or "") or None)
    return SendResult(accepted=False, status=status or str(code), retryable=code in RETRYABLE_CODES,
                      detail=f"statusCode {code}")
