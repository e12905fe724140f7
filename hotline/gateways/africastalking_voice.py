"""Africa's Talking Voice, through its official SDK's ``VoiceService`` (our own instance, never the
module globals): ``POST https://voice.africastalking.com/call`` with ``username``, ``from`` (the
account's virtual number) and ``to``; the answer lists one entry per number with AT's
``sessionId``. The contract as this project found it: docs/africastalking-voice.md.

The SDK (and ``requests``) is imported on the first call, as for SMS: only the worker places calls.
"""

from __future__ import annotations

from typing import Any

from hotline.gateways import GatewayUnavailable
from hotline.gateways.voice import CallResult

TIMEOUT = (3.05, 10)
QUEUED = "Queued"


class AfricasTalkingVoice:
    name = "africastalking"
    available = True

    def __init__(self, username: str, api_key: str, number: str, api_url: str | None = None) -> None:
        """``number``: the AT virtual number calls come from. ``api_url`` (tests, staging): the
        voice API's base instead of AT's voice host (the fake AT serves ``/call`` there)."""
        self._username, self._api_key, self._number, self._api_url = username, api_key, number, api_url
        self._service: Any = None

    def _sdk(self) -> Any:
        if self._service is None:
            from africastalking.Voice import VoiceService

            service = VoiceService(self._username, self._api_key)
            if self._api_url:
                # No setting for the base URL in the SDK: it builds https://voice.<domain> itself.
                service._baseUrl = self._api_url
            self._service = service
        return self._service

    def call(self, to: str) -> CallResult:
        import requests
        from africastalking.Service import AfricasTalkingException

        try:
            answer = self._sdk().call(self._number, [to], timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise GatewayUnavailable(type(exc).__name__) from None
        except AfricasTalkingException as exc:
            # Any non-2xx answer; its text may echo the request (numbers), so only its start.
            raise GatewayUnavailable(f"voice gateway refused the request: {str(exc)[:80]}") from None
        except ValueError:  # the SDK checks each number against ^\+\d{1,3}\d{3,}$ before sending
            return CallResult(accepted=False, status="InvalidPhoneNumber")
        return _parse(answer)


def _parse(answer: object) -> CallResult:
    """``{"entries": [{"phoneNumber", "status", "sessionId"}], "errorMessage": "None"}``."""
    if not isinstance(answer, dict):  # the SDK returns text unless the type is application/json
        raise GatewayUnavailable("voice gateway answered without JSON")
    error = answer.get("errorMessage")
    entries = answer.get("entries")
    if error not in (None, "None", "") or not isinstance(entries, list) or not entries:
        return CallResult(accepted=False, status=str(error or "NoEntries")[:40])
    entry = entries[0]
    if not isinstance(entry, dict):
        raise GatewayUnavailable("voice gateway answer has an unexpected shape")
    status = str(entry.get("status") or "")[:40]
    session_id = str(entry.get("sessionId") or "")
    if status != QUEUED or not session_id or session_id == "None":
        return CallResult(accepted=False, status=status or "Refused")
    return CallResult(accepted=True, session_id=session_id[:100], status=status)
