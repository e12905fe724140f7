"""A social worker's SMS reply: accept, decline, close, note, details, the waiting list, help.

Only a registered, active worker reaches this module, and only for reports they were alerted
for: a stranger who guesses a reference learns nothing. Each command gets one short answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows import commands
from flows.commands import Command
from flows.engine import N_
from flows.text import to_gsm7
from flows.ussd import fill
from hotline.alerting import escalation
from hotline.alerting.alerts import Listed, bundle_references, details_text, waiting_reports, waiting_text
from hotline.models import (
    MESSAGE_BUNDLED,
    MESSAGE_CANCELLED,
    MESSAGE_FAILED,
    OutboundMessage,
    Report,
    ReportEvent,
    SocialWorker,
)
from hotline.partners import webhooks as partner_webhooks
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record
from hotline.sms import messages

ANSWER_WINDOW = timedelta(hours=72)

HELP = N_("Reply 1 REF to accept, 2 REF to decline, FIN REF to close, NOTE REF text, INFO REF.")
ACCEPTED = N_("Thank you, {reference} is yours. Details follow.")
ALREADY_YOURS = N_("{reference} is already yours.")
TAKEN_BY_OTHER = N_("{reference} was already accepted by a colleague. Nothing to do.")
TAKEN_NOTICE = N_("{reference} was accepted by a colleague. Nothing to do.")
DECLINED = N_("Noted: you declined {reference}. It goes to the next person.")
DECLINED_LAST = N_(
    "Noted: you declined {reference}. Everyone on call was alerted; the supervisors follow it in the console."
)
CLOSED = N_("{reference} is closed. Thank you.")
NOTED = N_("Note added to {reference}.")
UNKNOWN = N_("Unknown reference {reference}. Check the code in the alert.")
EXPIRED = N_("{reference} is more than 72 hours old: use the console.")
NOT_ALERTED = N_("You were not alerted for {reference}.")
NO_OPEN_ALERT = N_("You have no open alert. Send AIDE for help.")
ACCEPT_FIRST = N_("Accept {reference} first: send 1 {reference}.")


def handle(session: Session, runtime: Runtime, worker: SocialWorker, text: str) -> Replies:
    """Carry out one worker SMS in the caller's transaction. After the commit, the caller
    enqueues ``message_ids`` (SMS to send) and ``escalate_ids`` (reports due at once)."""
    replies = Replies(session, runtime, worker)
    replies.run(commands.parse(text))
    return replies


class Replies:
    def __init__(self, session: Session, runtime: Runtime, worker: SocialWorker) -> None:
        self.session, self.runtime, self.worker = session, runtime, worker
        self.message_ids: list[int] = []
        self.escalate_ids: list[int] = []

    def run(self, command: Command | None) -> None:
        if command is None or command.kind == commands.HELP:
            self.say(HELP)
            return
        if command.kind == commands.LIST:
            self.list_waiting()
            return
        report = self.find(command.reference)
        if report is None:
            return
        {
            commands.ACCEPT: self.accept,
            commands.DECLINE: self.decline,
            commands.DONE: self.close,
            commands.NOTE: self.note,
            commands.INFO: self.info,
        }[command.kind](report, command.text)

    def find(self, reference: str | None) -> Report | None:
        """The report this worker may act on, or None after telling them why not."""
        if reference is None:
            report = self.latest_open_alert()
            if report is None:
                self.say(NO_OPEN_ALERT)
            return report
        report = self.session.scalar(select(Report).where(Report.reference == reference))
        if report is None:
            self.say(UNKNOWN, reference=reference)
            return None
        alerted_at = self.session.scalar(
            select(OutboundMessage.created_at)
            .where(
                OutboundMessage.report_id == report.id,
                OutboundMessage.worker_id == self.worker.id,
                OutboundMessage.purpose == "alert",
            )
            .order_by(OutboundMessage.created_at.desc())
        )
        if alerted_at is None and report.accepted_by_id != self.worker.id:
            self.say(NOT_ALERTED, reference=reference)
            return None
        if alerted_at and self.runtime.clock.now() - alerted_at > ANSWER_WINDOW:
            self.say(EXPIRED, reference=reference)
            return None
        return report

    def latest_open_alert(self) -> Report | None:
        since = self.runtime.clock.now() - ANSWER_WINDOW
        return self.session.scalar(
            select(Report)
            .join(OutboundMessage, OutboundMessage.report_id == Report.id)
            .where(
                OutboundMessage.worker_id == self.worker.id,
                OutboundMessage.purpose == "alert",
                OutboundMessage.created_at >= since,
                Report.accepted_at.is_(None),
            )
            .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
            .limit(1)
        )

    def accept(self, report: Report, _text: str | None) -> None:
        if report.accepted_by_id == self.worker.id:
            self.say(ALREADY_YOURS, reference=report.reference)
        elif not escalation.accept(self.session, self.runtime, report, self.worker):
            self.say(TAKEN_BY_OTHER, reference=report.reference)
        else:
            self.say(ACCEPTED, reference=report.reference)
            self.send(
                self.worker, details_text(self.runtime, report, self.worker.language), "details", report
            )
            for colleague in self.alerted_colleagues(report):
                self.send(
                    colleague,
                    self.tr(TAKEN_NOTICE, colleague.language, reference=report.reference),
                    "notice",
                    report,
                )

    def decline(self, report: Report, _text: str | None) -> None:
        if report.accepted_by_id == self.worker.id or report.accepted_at is not None:
            self.say(
                TAKEN_BY_OTHER if report.accepted_by_id != self.worker.id else ALREADY_YOURS,
                reference=report.reference,
            )
            return
        record(self.session, report.id, "declined", self.now, actor=self.actor, worker_id=self.worker.id)
        if escalation.escalate_now(self.session, self.runtime, report, "declined", actor=self.actor):
            self.escalate_ids.append(report.id)
            self.say(DECLINED, reference=report.reference)
        else:  # the policy has run its course: there is no "next person" to promise
            self.say(DECLINED_LAST, reference=report.reference)

    def close(self, report: Report, text: str | None) -> None:
        if report.accepted_by_id != self.worker.id:
            self.say(ACCEPT_FIRST, reference=report.reference)
            return
        report.status, report.updated_at, report.finished_at = "closed", self.now, self.now
        record(self.session, report.id, "closed", self.now, actor=self.actor, note=text)
        partner_webhooks.emit(self.session, self.runtime, report, "closed", key=self.now.isoformat())
        self.say(CLOSED, reference=report.reference)

    def note(self, report: Report, text: str | None) -> None:
        record(self.session, report.id, "note", self.now, actor=self.actor, note=text)
        self.say(NOTED, reference=report.reference)

    def info(self, report: Report, _text: str | None) -> None:
        if report.accepted_by_id != self.worker.id:
            self.say(ACCEPT_FIRST, reference=report.reference)
            return
        self.send(self.worker, details_text(self.runtime, report, self.worker.language), "details", report)

    def list_waiting(self) -> None:
        """LISTE: how many alerts wait for this worker, and the next of them that fit in two parts:
        first those no SMS has named to them yet (the ones a short bundle had no room for), most
        urgent first; once every one was named, round again from where the last list stopped."""
        since = self.now - ANSWER_WINDOW
        waiting = self.waiting(since)
        if not waiting:
            self.say(NO_OPEN_ALERT)
            return
        shown = self.shown(since, {w.report_id: w.reference for w in waiting})
        page = [w for w in waiting if w.reference not in shown] or self.after_last_list(waiting, since)
        body = waiting_text(self.runtime, page, len(waiting), self.worker.language)
        self.send(self.worker, body, "list", None)

    def waiting(self, since: datetime) -> list[Listed]:
        """The reports this worker was alerted for that nobody took yet, but those they declined."""
        alerted = set(
            self.session.scalars(
                select(OutboundMessage.report_id).where(
                    OutboundMessage.worker_id == self.worker.id,
                    OutboundMessage.purpose == "alert",
                    OutboundMessage.status != MESSAGE_CANCELLED,
                    OutboundMessage.created_at >= since,
                )
            )
        )
        declined = self.session.scalars(
            select(ReportEvent.report_id).where(
                ReportEvent.report_id.in_([i for i in alerted if i is not None]),
                ReportEvent.kind == "declined",
                ReportEvent.actor == self.actor,
            )
        )
        return waiting_reports(self.session, alerted - set(declined))

    def shown(self, since: datetime, references: dict[int, str]) -> set[str]:
        """The references an SMS to this worker named: an alert of its own, a bundle, a list."""
        shown: set[str] = set()
        for purpose, report_id, body in self.session.execute(
            select(OutboundMessage.purpose, OutboundMessage.report_id, OutboundMessage.body).where(
                OutboundMessage.worker_id == self.worker.id,
                OutboundMessage.purpose.in_(("alert", "bundle", "list")),
                OutboundMessage.status.not_in((MESSAGE_BUNDLED, MESSAGE_CANCELLED, MESSAGE_FAILED)),
                OutboundMessage.created_at >= since,
            )
        ):
            if purpose == "alert":
                shown.add(references.get(report_id or 0, ""))
            else:
                shown.update(bundle_references(body))
        return shown

    def after_last_list(self, waiting: list[Listed], since: datetime) -> list[Listed]:
        """Every waiting alert was named already: those after the last one the previous list
        named (it may have been accepted since), else from the top."""
        body = self.session.scalar(
            select(OutboundMessage.body)
            .where(
                OutboundMessage.worker_id == self.worker.id,
                OutboundMessage.purpose == "list",
                OutboundMessage.created_at >= since,
            )
            .order_by(OutboundMessage.id.desc())
            .limit(1)
        )
        listed = bundle_references(body) if body else []
        last = self.session.scalar(select(Report).where(Report.reference == listed[-1])) if listed else None
        if last is None:
            return waiting
        rank = (not last.urgent, last.created_at, last.id)  # as Listed.rank
        return [w for w in waiting if w.rank > rank] or waiting

    def alerted_colleagues(self, report: Report) -> list[SocialWorker]:
        # An alert cancelled by this acceptance never left: its worker does not know the case.
        ids = {
            worker_id
            for worker_id in self.session.scalars(
                select(OutboundMessage.worker_id).where(
                    OutboundMessage.report_id == report.id,
                    OutboundMessage.purpose == "alert",
                    OutboundMessage.worker_id != self.worker.id,
                    OutboundMessage.status != MESSAGE_CANCELLED,
                )
            )
            if worker_id is not None  # never: "!= worker" is not true of NULL in SQL
        }
        return [w for w in (self.session.get(SocialWorker, i) for i in sorted(ids)) if w]

    @property
    def now(self) -> datetime:
        return self.runtime.clock.now()

    @property
    def actor(self) -> str:
        return f"worker:{self.worker.id}"

    def tr(self, message: str, lang: str, **values: str) -> str:
        return to_gsm7(fill(self.runtime.translations.translate(lang, message), values))

    def say(self, message: str, **values: str) -> None:
        self.send(self.worker, self.tr(message, self.worker.language, **values), "reply", None)

    def send(self, worker: SocialWorker, body: str, purpose: str, report: Report | None) -> None:
        self.message_ids.append(messages.to_worker(self.session, self.runtime, worker, body, purpose, report))
