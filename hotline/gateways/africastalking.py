"""Africa's Talking, through its official SDK (an ``SMSService`` of our own, never the globals).

The SDK (and ``requests`` under it, ~4.5 MB resident) is imported on the first send or balance
read, not when the gateway is built: every process builds its runtime, but only the worker, cron
and ``hotline check`` ever call AT. The web process answers AT's callbacks and never sends.
"""

from __future__ import annotations

import logging
from typing import Any

from hotline.gateways import GatewayUnavailable, SendResult

log = logging.getLogger(__name__)

ACCEPTED_CODES = {100, 101, 102}  # Processed, Sent, Queued
# 405 InsufficientBalance becomes sendable once credit is topped up; 5xx are the gateway's own.
RETRYABLE_CODES = {405, 500, 501, 502}
# Refusals about the number itself (403 InvalidPhoneNumber): no other route would do better. Every
# other refusal is about AT's account, sender id or routing, which another route may get past.
NUMBER_CODES = {403}
# Failed delivery reports (docs/africastalking.md section 4) that say the recipient's phone or
# subscription is the problem: another route would fail the same way. The others (InsufficientCredit,
# DeliveryFailure, UserInBlackList, DoNotDisturbRejection, no reason) are AT's route failing.
RECIPIENT_STATUSES = {"absentsubscriber", "expired"}
RECIPIENT_REASONS = {
    "userisinactive",
    "userdoesnotexist",
    "useraccountsuspended",
    "notnetworksubcriber",
    "usernotsubscribedtoproduct",
    "invalidlinkid",
}
TIMEOUT = (3.05, 10)


class AfricasTalkingGateway:
    name = "africastalking"
    max_send_seconds = sum(TIMEOUT)

    def __init__(
        self, username: str, api_key: str, sender_id: str | None = None, api_url: str | None = None
    ) -> None:
        self._username, self._api_key, self._api_url = username, api_key, api_url
        self._services: tuple[Any, Any] | None = None  # (SMSService, ApplicationService)
        self._sender_id = sender_id

    def _sdk(self) -> tuple[Any, Any]:
        """The SDK's SMS and application services, made on first use (see the module's doc)."""
        if self._services is None:
            from africastalking.Application import ApplicationService
            from africastalking.SMS import SMSService

            sms = SMSService(self._username, self._api_key)
            application = ApplicationService(self._username, self._api_key)
            if self._api_url:
                # The SDK has no setting for its base URL; staging and the tests' fake AT need one.
                sms._baseUrl = self._api_url + "/version1"
                application._baseUrl = self._api_url + "/version1"
            self._services = (sms, application)
        return self._services

    def send(self, to: str, body: str) -> SendResult:
        import requests
        from africastalking.Service import AfricasTalkingException

        sms, _ = self._sdk()
        try:
            response = sms.send(body, [to], sender_id=self._sender_id, timeout=TIMEOUT)
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
        import requests
        from africastalking.Service import AfricasTalkingException

        _, application = self._sdk()
        try:
            response = application.fetch_application_data(timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise GatewayUnavailable(type(exc).__name__) from None
        except AfricasTalkingException as exc:
            raise GatewayUnavailable(f"gateway refused the request: {str(exc)[:80]}") from None
        try:
            return str(response["UserData"]["balance"])
        except (KeyError, TypeError):
            raise GatewayUnavailable("gateway answer has an unexpected shape") from None

    def route_failure(self, status: str, reason: str | None) -> bool:
        """A failed delivery report about AT's route, not the recipient (the phone is off)."""
        if status.strip().lower() in RECIPIENT_STATUSES:
            return False
        return (reason or "").strip().lower() not in RECIPIENT_REASONS


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
        return SendResult(
            accepted=True,
            message_id=message_id,
            status=status,
            parts=parts,
            cost=str(recipient.get("cost") or "") or None,
        )
    return SendResult(
        accepted=False,
        status=status or str(code),
        retryable=code in RETRYABLE_CODES,
        reroute=code not in NUMBER_CODES,
        detail=f"statusCode {code}",
    )
