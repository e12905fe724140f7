"""SMS Gateway for Android (the open-source app by capcom6), through its Python client
``android-sms-gateway``: a phone with a local SIM sends and receives the SMS.

The wire contract, the failure reasons and what an operator configures: docs/android-sms-gateway.md.
The client (and ``requests`` under it) is imported on the first send, as for AT: the web process
only answers the phone's webhooks (hotline/web/webhooks_android.py) and never sends.
"""

from __future__ import annotations

import re
from typing import Any

from hotline.gateways import GatewayUnavailable, SendResult

# The client sets no timeout of its own: every request made through its session gets this one.
TIMEOUT = (3.05, 10)
# "Delivery result from SC <centre>: <TP-Status>" (3GPP TS 23.040 9.2.3.15; the app reports 64 and
# over as failed). These say the recipient's phone is the problem: 65 incompatible destination,
# 66 connection rejected by the handset, 67 not obtainable, 70 validity period expired (the phone
# stayed off), 97 handset busy, 98 no response from the handset, 101 error in the handset. Every
# other failure (the sending phone's radio, no service, the network's congestion or refusal, the
# SIM's credit) is the route's, and another route may get through.
RECIPIENT_TP_STATUSES = {65, 66, 67, 70, 97, 98, 101}
TP_STATUS = re.compile(r"^Delivery result from SC .*: (\d+)\s*$")


class AndroidGateway:
    name = "android"

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        sim_number: int | None = None,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        """``url``: the app's API base, e.g. http://192.168.1.20:8080 (local server) or
        https://api.sms-gate.app/3rdparty/v1 (cloud server). ``timeout``: (connect, read) seconds."""
        self._url, self._username, self._password = url.rstrip("/"), username, password
        self._sim_number, self._timeout = sim_number, timeout
        self.max_send_seconds = sum(timeout)
        self._api: Any = None

    def _client(self) -> Any:
        """The client's APIClient over a requests session of our own (with a timeout), made once."""
        if self._api is None:
            from android_sms_gateway import APIClient

            self._api = APIClient(
                self._username, self._password, base_url=self._url, http=_timed_http(self._timeout)
            )
        return self._api

    def send(self, to: str, body: str) -> SendResult:
        """POST {url}/messages: ``{"textMessage": {"text": ...}, "phoneNumbers": [to],
        "withDeliveryReport": true}``; the app answers 202 with the message's id and state."""
        from android_sms_gateway import Message, TextMessage
        from android_sms_gateway.errors import APIError, BadRequestError

        message = Message(
            phone_numbers=[to],
            text_message=TextMessage(text=body),
            with_delivery_report=True,
            sim_number=self._sim_number,
        )
        try:
            state = _call(lambda: self._client().send(message))
        except BadRequestError as exc:
            # The app refused this message (its number check, most often): no use trying again.
            # Its words may quote the number: only the status is kept.
            return SendResult(accepted=False, status="BadRequest", detail=f"HTTP {exc.status_code}")
        except APIError as exc:
            raise GatewayUnavailable(f"the phone answered HTTP {exc.status_code}") from None
        recipient = state.recipients[0] if state.recipients else None
        if state.state.value == "Failed" or (recipient is not None and recipient.state.value == "Failed"):
            reason = (recipient.error if recipient else None) or "Failed"
            return SendResult(accepted=False, status="Failed", reroute=True, detail=reason[:64])
        return SendResult(accepted=True, message_id=str(state.id), status=state.state.value)

    def balance(self) -> str | None:
        """The phone's SIM credit cannot be read through the app: None, once GET {url}/webhooks has
        proved that the phone answers and takes our credentials. Raises GatewayUnavailable if not."""
        from android_sms_gateway.errors import APIError

        try:
            _call(lambda: self._client().get_webhooks())
        except APIError as exc:
            raise GatewayUnavailable(f"the phone answered HTTP {exc.status_code}") from None
        return None

    def webhook_events(self) -> dict[str, str]:
        """The events registered on the phone and the URL each is posted to (``hotline check``)."""
        from android_sms_gateway.errors import APIError

        try:
            hooks = _call(lambda: self._client().get_webhooks())
        except APIError as exc:
            raise GatewayUnavailable(f"the phone answered HTTP {exc.status_code}") from None
        return {hook.event.value: hook.url for hook in hooks}

    def route_failure(self, status: str, reason: str | None) -> bool:
        """A failed report about the sending phone or its network, not the recipient's phone."""
        match = TP_STATUS.match((reason or "").strip())
        return not (match and int(match.group(1)) in RECIPIENT_TP_STATUSES)


def _call(request: Any) -> Any:
    """Run one client call; transport failures and answers of the wrong shape become
    GatewayUnavailable (their text may echo the request, so only the error's name is kept)."""
    import requests

    try:
        return request()
    except requests.RequestException as exc:
        raise GatewayUnavailable(type(exc).__name__) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        # Not JSON, or a state the client does not know (ValueError), or a missing field.
        raise GatewayUnavailable("the phone's answer has an unexpected shape") from None


def _timed_http(timeout: tuple[float, float]) -> Any:
    """The client's requests backend, with our timeout on the two calls the hotline makes (the
    client passes none: a phone that stops answering would hold the worker past its lease)."""
    import requests
    from android_sms_gateway.http import RequestsHttpClient

    class TimedHttp(RequestsHttpClient):
        def get(self, url: str, *, headers: dict[str, str] | None = None) -> Any:
            return self._process_response(self._session.get(url, headers=headers, timeout=timeout))

        def post(self, url: str, payload: dict[str, Any], *, headers: dict[str, str] | None = None) -> Any:
            response = self._session.post(url, headers=headers, json=payload, timeout=timeout)
            return self._process_response(response)

    return TimedHttp(session=requests.Session())
