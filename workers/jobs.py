"""RQ jobs. Thin: they take ids, load through hotline's services and act. Nothing personal in args."""

from __future__ import annotations

import logging

from hotline.alerting import alarms, calls, escalation, voice_calls
from hotline.intake import inbound
from hotline.models import Report, VoiceCall
from hotline.partners import webhooks as partner_webhooks
from hotline.platform.runtime import Runtime
from hotline.privacy import retention
from hotline.sms import balance, outbox
from workers.context import runtime

log = logging.getLogger(__name__)


def send_message(message_id: int) -> str:
    """Send one outbox row; a gateway outage raises, and RQ's Retry tries again with backoff."""
    return _send(runtime(), message_id)


def _send(rt: Runtime, message_id: int) -> str:
    """Send one row; an alert the gateway refused for good escalates its report at once."""
    sent = outbox.send_message(rt, message_id)
    if sent.failed_now:
        escalation.escalate_failed_alert(rt, message_id)
    return sent.status


def escalate(report_id: int) -> int:
    """Run a report's due escalation steps, schedule the next step, send the alerts."""
    rt = runtime()
    message_ids = escalation.run_due(rt, report_id)
    if message_ids is None:
        return 0  # not due, accepted, or a duplicate job: the one that ran schedules the next
    with rt.session() as session:
        report = session.get(Report, report_id)
        if report is not None:
            rt.queue.schedule_escalation(report_id, report.escalation_due_at)
    send_now(rt, message_ids)
    rt.queue.place_calls(calls.pending_calls(rt, report_id))  # a call step's phone calls
    return len(message_ids)


def send_now(rt: Runtime, message_ids: list[int]) -> None:
    """Send alerts in the job that wrote them: no job of their own to wait for in a surge.

    A send the gateway refuses for now is retried as a job of its own at the row's next
    attempt (RQ's Retry after that); a send that fails otherwise gets its job at once. Either
    way the outbox row is the truth, and the ticker re-finds whatever a lost job leaves due.
    """
    for message_id in message_ids:
        try:
            _send(rt, message_id)
        except outbox.SendLater as later:
            rt.queue.send_at(message_id, later.retry_at)
        except Exception:
            log.exception("alert %s not sent in its escalation job: queued on its own", message_id)
            rt.queue.send_messages([message_id])


def tick() -> int:
    """Every ~15 s (the cron process): re-enqueue what the database says is due.

    Redis is only the fast path; the database is the truth, so a Redis flush or a killed
    worker delays an alert by at most a tick and a lease, never loses it.
    """
    rt = runtime()
    due = outbox.due_messages(rt)
    rt.queue.send_messages(due)
    reports = escalation.due_reports(rt)
    for report_id in reports:
        rt.queue.escalate(report_id)
    inbound_ids = inbound.unprocessed(rt)
    for inbound_id in inbound_ids:
        rt.queue.handle_inbound(inbound_id)
    call_ids = calls.pending_calls(rt)  # escalation calls whose job was lost
    rt.queue.place_calls(call_ids)
    deliveries = partner_webhooks.due_deliveries(rt)
    rt.queue.deliver_webhooks(deliveries)
    alarm_sms = alarms.raise_due(rt)  # reports nobody accepted in time: written once, sent now
    rt.queue.send_messages(alarm_sms)
    overdue = escalation.overdue_reports(rt)
    if overdue:
        # The auditor: a step late by minutes means alerts are not flowing (no worker? no cron?).
        log.error("UNHEALTHY: %s escalation step(s) more than 2 minutes overdue", overdue)
    return len(due) + len(reports) + len(inbound_ids) + len(call_ids) + len(deliveries) + len(alarm_sms)


def place_call(call_id: int) -> None:
    """Ring one worker for an escalation ``call`` step; a call that cannot be placed escalates at
    once (its outcome comes later, through the voice webhook)."""
    rt = runtime()
    if voice_calls.place(rt, call_id):
        with rt.session() as session:
            call = session.get(VoiceCall, call_id)
            if call is not None:
                rt.queue.escalate(call.report_id)


def deliver_webhook(delivery_id: int) -> str:
    """POST one partner webhook delivery; a refusal to take it raises, and RQ retries with backoff."""
    return partner_webhooks.deliver(runtime(), delivery_id)


def handle_inbound(inbound_id: int) -> int:
    """Process one stored incoming SMS (a worker's reply or a reporter's message)."""
    rt = runtime()
    processed = inbound.process(rt, inbound_id)
    rt.queue.send_messages(processed.message_ids)
    for report_id in processed.escalate_ids:  # a decline: the next level now, not at the tick
        rt.queue.escalate(report_id)
    return len(processed.message_ids)


def purge_expired() -> int:
    """Daily: reports finished longer ago than HOTLINE_RETENTION_DAYS lose their personal data
    (hotline.privacy.retention logs the count, never a value)."""
    return retention.purge_due(runtime())


def check_balance() -> str:
    """Daily (the cron process): read the gateway's balance; warn operators when it runs low."""
    return balance.check_balance(runtime())
