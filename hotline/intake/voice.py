"""A voice callback from the aggregator (Africa's Talking), after the webhook read it: find the call
the hotline placed, and answer with the documented XML actions (docs/africastalking-voice.md).

- The worker picks up (``isActive=1``, no ``dtmfDigits``): the alert, then ``GetDigits`` asking
  for 1 or 2, its callback this same webhook; if no key comes, "no key was pressed" and AT hangs up.
- A key (``dtmfDigits``): 1 accepts, 2 declines (hotline.alerting.voice_calls), the words that
  follow end the call; another key asks again.
- The call ended (``isActive=0``): its outcome, duration and cost on the timeline; a call that
  reached nobody hastens the escalation. AT expects no actions then: an empty ``<Response/>``.
- A session the hotline did not place (someone calling the virtual number, a forged post) is
  refused: ``<Reject/>``, and nothing else is done.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from html import escape

from hotline.alerting import call_script, voice_calls
from hotline.alerting.call_script import Speech
from hotline.alerting.voice_calls import CallEnd
from hotline.models import Report, SocialWorker
from hotline.platform.runtime import Runtime

log = logging.getLogger(__name__)

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
EMPTY = XML_HEAD + "<Response/>"
REJECT = XML_HEAD + "<Response><Reject/></Response>"
KEY_TIMEOUT = 10  # seconds GetDigits waits for the key
SAY_VOICE = "woman"  # AT documents "man" and "woman"


@dataclass(frozen=True)
class VoiceCallback:
    """The fields of one voice callback the hotline reads (the webhook checked their shape)."""

    session_id: str
    active: bool  # isActive: 1 while the call is on, 0 in the final callback
    digits: str | None = None  # dtmfDigits: present after a GetDigits (empty if no key came)
    end: CallEnd = field(default_factory=CallEnd)


def answer_call(runtime: Runtime, callback: VoiceCallback) -> str:
    """The XML that answers one callback. Never raises for a session it does not know."""
    with runtime.session() as session:
        call = voice_calls.find(session, callback.session_id)
        if call is None:
            log.warning("voice callback for a call the hotline did not place: refused")
            session.rollback()
            return REJECT if callback.active else EMPTY
        report_id = call.report_id
        if not callback.active:
            hastened = voice_calls.ended(session, runtime, call, callback.end)
            session.commit()
            if hastened:
                runtime.queue.escalate(report_id)
            return EMPTY
        worker = session.get_one(SocialWorker, call.worker_id)
        outcome = voice_calls.Outcome()
        if callback.digits is None:  # the worker picked up
            said = voice_calls.answered(session, runtime, call)
        elif callback.digits.strip("#"):
            outcome = voice_calls.pressed(session, runtime, call, callback.digits)
            said = outcome.answer
        else:  # GetDigits ran out of time
            said = "no_key"
        if said is None:
            body = _prompt(runtime, session.get_one(Report, report_id), worker)
        else:
            body = _speak(call_script.answer(runtime, worker, said))
        session.commit()
    runtime.queue.send_messages(outcome.message_ids)
    for escalate_id in outcome.escalate_ids:  # a decline: the next level now
        runtime.queue.escalate(escalate_id)
    return XML_HEAD + f"<Response>{body}</Response>"


def _prompt(runtime: Runtime, report: Report, worker: SocialWorker) -> str:
    prompt = call_script.prompt(runtime, report, worker)
    settings = runtime.settings
    # The key comes back to this webhook (without callbackUrl, AT would post it to the number's
    # own callback URL: this one too, if the dashboard is set as docs/africastalking-voice.md says).
    callback = ""
    if settings.public_url:
        url = f"{settings.public_url}/webhooks/at/{settings.webhook_token}/voice"
        callback = f' callbackUrl="{escape(url)}"'
    ask = (
        f'<GetDigits timeout="{KEY_TIMEOUT}" finishOnKey="#" numDigits="1"{callback}>'
        f"{_speak(prompt.ask)}</GetDigits>"
    )
    return "".join(map(_speak, prompt.before)) + ask + "".join(map(_speak, prompt.after))


def _speak(speech: Speech) -> str:
    if speech.url:
        return f'<Play url="{escape(speech.url)}"/>'
    return f'<Say voice="{SAY_VOICE}">{escape(speech.text or "")}</Say>'
