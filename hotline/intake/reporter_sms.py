"""A reporter's SMS: a report (or more words for one), a status check, help, or stop.

The reporter started the exchange, so one short neutral reply may go back (HOTLINE_SMS_ACK);
nothing else is ever sent to them, and nothing at all after STOP until they write again.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from flows import reporter_sms
from flows.engine import N_
from flows.reporter import HELP_LINES, STATUS_LINES
from flows.text import to_gsm7
from flows.ussd import fill
from hotline.intake import flood, lookups
from hotline.intake.reports import NewReport, open_report
from hotline.models import InboundMessage, OutboundMessage, Report, SmsOptOut
from hotline.platform.redis_text import text
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record
from hotline.sms import messages

JOIN_WINDOW = timedelta(minutes=10)  # split SMS and panic repeats join the report just made
JOIN_LIMIT = timedelta(hours=1)  # ...while they keep coming, but a report made hours ago is closed to them
RECEIVED = N_("Received, reference {reference}. In danger, call 129 or 122 (free).")
# The one SMS a number over its flood limits may get in an hour: no reference, nothing to act on.
NEUTRAL = N_("We have your messages. In danger, call 129 or 122 (free).")


def handle(runtime: Runtime, inbound_id: int) -> list[int]:
    """Act on one stored SMS from a number that is not a worker. Returns outbox ids to enqueue."""
    with runtime.session() as session:
        message = session.get(InboundMessage, inbound_id)
        if message is None:
            return []
        intent = reporter_sms.parse(message.text)
        if intent.kind == reporter_sms.STOP:
            _opt_out(session, runtime, message.sender_hash)
            session.commit()
            return []
        hashes = _hashes(runtime, message)  # every key's, during a key rotation
        session.execute(delete(SmsOptOut).where(SmsOptOut.phone_hash.in_(hashes)))
        quiet = flood.quiet_sms(runtime, message.sender_hash)
        lang = _language(runtime, message)
        held = False
        body: str | None
        if intent.kind == reporter_sms.HELP:
            body = runtime.translations.translate(lang, HELP_LINES)
        elif intent.kind == reporter_sms.STATUS:
            result = lookups.check_report(runtime, hashes, intent.reference or "", intent.pin)
            line = STATUS_LINES.get(result, STATUS_LINES["not_found"])
            body = fill(runtime.translations.translate(lang, line), {"ref": intent.reference})
        else:
            body, held = _report(session, runtime, message, lang)
        if quiet:
            flood.record_held(session, runtime, "sms")
        if (quiet or held) and body is not None:  # over its limits: one neutral line an hour at most
            due = flood.neutral_reply_due(runtime, message.sender_hash)
            body = runtime.translations.translate(lang, NEUTRAL) if due else None
        ids = [_reply(session, runtime, message, body).id] if body else []
        session.commit()
        return ids


def _report(
    session: Session, runtime: Runtime, message: InboundMessage, lang: str
) -> tuple[str | None, bool]:
    """Join the text to the number's report of the last minutes, or open one; (reply, held)."""
    now = runtime.clock.now()
    recent = session.scalar(  # the window runs from the report's latest SMS, not its first
        select(Report)
        .join(InboundMessage, InboundMessage.report_id == Report.id)
        .where(
            Report.reporter_hash.in_(_hashes(runtime, message)),
            Report.channel == "sms",
            InboundMessage.received_at >= now - JOIN_WINDOW,
            Report.created_at >= now - JOIN_LIMIT,
        )
        .order_by(Report.created_at.desc())
        .limit(1)
    )
    if recent is not None:
        recent.description = f"{recent.description or ''}\n{message.text}".strip()[:4000]
        recent.updated_at = now
        message.report_id = recent.id
        record(session, recent.id, "sms_joined", now, inbound_id=message.id)
        return None, False  # one reply per report is enough
    session.commit()  # open_report writes in its own transaction
    opened = open_report(
        runtime,
        NewReport(
            source_key=f"sms:{message.gateway_id}",
            channel="sms",
            language=lang,
            category="other",
            urgent=reporter_sms.looks_urgent(message.text),
            location_code=runtime.locations.find_in_text(message.text) or "CD",
            reporter_hash=message.sender_hash,
            description=message.text[:4000],
        ),
    )
    message.report_id = opened.report.id
    if not opened.created or not runtime.settings.sms_acknowledge:
        return None, opened.held
    return fill(
        runtime.translations.translate(lang, RECEIVED), {"reference": opened.report.reference}
    ), opened.held


def _reply(session: Session, runtime: Runtime, message: InboundMessage, body: str) -> OutboundMessage:
    return messages.add_message(
        session,
        runtime,
        recipient_encrypted=message.sender_encrypted,
        recipient_hash=message.sender_hash,
        body=to_gsm7(body),
        purpose="reply",
        report_id=message.report_id,
    )


def _hashes(runtime: Runtime, message: InboundMessage) -> tuple[str, ...]:
    return runtime.cipher.hashes_of(message.sender_hash, message.sender_encrypted)


def _language(runtime: Runtime, message: InboundMessage) -> str:
    """The number's remembered language, else the one its words suggest; French unless that
    language is offered to reporters (approved, or piloted)."""
    remembered = runtime.redis.get(f"hotline:lang:{message.sender_hash}")
    lang = text(remembered) if remembered else reporter_sms.guess_language(message.text)
    return lang if lang in runtime.translations.offered() else "fr"


def _opt_out(session: Session, runtime: Runtime, phone_hash: str) -> None:
    if session.get(SmsOptOut, phone_hash) is None:
        session.add(SmsOptOut(phone_hash=phone_hash, created_at=runtime.clock.now()))
