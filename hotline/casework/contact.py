"""SMS written from a report's page: to the worker who accepted it, and to the reporter only where they
agreed to be contacted (``ReporterContact.consent == "callback"``).

To the reporter, only fixed messages, in their language (French where it has none yet): they give the
reference and never quote the report, in case someone else reads their phone. To the worker, a fixed
message or a short text of the operator's. Every SMS is an outbox row in the caller's transaction (the
caller enqueues it after the commit), so the hourly and daily cap applies as to any other: a reporter's
share of it, a worker's whole of it. Each is audited (which message, never the text) and on the
report's timeline; a refusal for want of consent is audited too.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from flows.engine import N_
from flows.text import to_gsm7
from hotline.casework.actions import CaseworkError, actor
from hotline.models import Report, SocialWorker
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit
from hotline.records.timeline import record
from hotline.sms.messages import add_message

REPORTER_TEMPLATES = {
    "call_soon": N_("Hello, this is the helpline (ref. {reference}). We will call you back soon."),
    "missed_call": N_(
        "Hello, this is the helpline (ref. {reference}). We tried to call you and will try again."
    ),
    "followed_up": N_(
        "Hello, this is the helpline (ref. {reference}). Your message is being followed up. Thank you."
    ),
}
WORKER_TEMPLATES = {
    "call_office": N_("Hotline {reference}: please call the office about this report."),
    "send_news": N_("Hotline {reference}: please send the office news of this report."),
    "visit_today": N_("Hotline {reference}: this report needs a visit today."),
}
FREE_TEXT = "free_text"
WORKER_TEXT = N_("Hotline {reference}: {text}")
MAX_TEXT = 300
WORKER_PURPOSE = "console"  # a worker's SMS from the console (the whole cap, as an alert)
REPORTER_PURPOSE = "reply"  # as the hotline's other answers to reporters: STOP is honoured


def reporter_may_be_contacted(report: Report) -> bool:
    return report.contact is not None and report.contact.consent == "callback"


def preview(runtime: Runtime, lang: str, template: str, reference: str) -> str:
    """A fixed message as it is sent in ``lang`` (French where that catalog lacks it)."""
    text = REPORTER_TEMPLATES.get(template) or WORKER_TEMPLATES[template]
    return to_gsm7(runtime.translations.translate(lang, text).format(reference=reference))


def sms_worker(
    session: Session, runtime: Runtime, report: Report, template: str, text: str, user_id: int
) -> int:
    """Write an SMS to the worker who accepted ``report``: a fixed message, or ``text`` when the
    template is ``free_text``. Returns the outbox row's id."""
    worker = session.get(SocialWorker, report.accepted_by_id) if report.accepted_by_id else None
    if worker is None or not worker.active:
        raise CaseworkError(N_("No worker accepted this report: there is nobody to write to."))
    text = " ".join(text.split())
    if template == FREE_TEXT:
        if not text:
            raise CaseworkError(N_("Type the message."))
        if len(text) > MAX_TEXT:
            raise CaseworkError(N_("The message is too long (300 characters at most)."))
        body = to_gsm7(
            runtime.translations.translate(worker.language, WORKER_TEXT).format(
                reference=report.reference, text=text
            )
        )
    elif template in WORKER_TEMPLATES:
        body = preview(runtime, worker.language, template, report.reference)
    else:
        raise CaseworkError(N_("Choose a message."))
    message = add_message(
        session,
        runtime,
        recipient_encrypted=worker.phone_encrypted,
        recipient_hash=worker.phone_hash,
        body=body,
        purpose=WORKER_PURPOSE,
        report_id=report.id,
        worker_id=worker.id,
        training=report.training,
    )
    now = runtime.clock.now()
    record(
        session,
        report.id,
        "console_sms",
        now,
        actor=actor(user_id),
        to="worker",
        worker_id=worker.id,
        template=template,
    )
    audit(
        session,
        runtime,
        user_id,
        "sms_to_worker",
        "report",
        report.reference,
        worker_id=worker.id,
        template=template,
        message_id=message.id,
    )
    return message.id


def sms_reporter(session: Session, runtime: Runtime, report: Report, template: str, user_id: int) -> int:
    """Write a fixed message to the reporter, only with their consent to be contacted (refused and
    audited otherwise). Returns the outbox row's id."""
    contact = report.contact
    if contact is None or contact.consent != "callback":
        audit(session, runtime, user_id, "sms_to_reporter_refused", "report", report.reference, why="consent")
        raise CaseworkError(N_("The reporter did not agree to be contacted: no SMS can be sent to them."))
    if template not in REPORTER_TEMPLATES:
        raise CaseworkError(N_("Choose a message."))
    message = add_message(
        session,
        runtime,
        recipient_encrypted=contact.phone_encrypted,
        recipient_hash=contact.phone_hash,
        body=preview(runtime, report.language, template, report.reference),
        purpose=REPORTER_PURPOSE,
        report_id=report.id,
        training=report.training,
    )
    now = runtime.clock.now()
    record(session, report.id, "console_sms", now, actor=actor(user_id), to="reporter", template=template)
    audit(
        session,
        runtime,
        user_id,
        "sms_to_reporter",
        "report",
        report.reference,
        template=template,
        message_id=message.id,
    )
    return message.id
