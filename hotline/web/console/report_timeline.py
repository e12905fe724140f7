"""What a report page shows: readable labels, and the timeline as lines a person can follow.

Labels are English message ids (marked for extraction with N_) that the templates translate.
The timeline never shows a phone number: events do not hold any, and messages are shown by
purpose, worker and delivery status only, never by recipient or body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.engine import N_
from flows.reporter import CATEGORY_LABELS, SAFE_TIMES
from hotline.models import TRAINING_WORKER_ROLE, OutboundMessage, Report, ReportEvent, SocialWorker, User
from hotline.web.console.people_common import LEVEL_LABELS

STATUS_LABELS = {
    "new": N_("New"),
    "alerted": N_("Alerted"),
    "accepted": N_("Accepted"),
    "in_progress": N_("In progress"),
    "referred": N_("Referred"),
    "closed": N_("Closed"),
    "duplicate": N_("Duplicate"),
    "unfounded": N_("Unfounded"),
}
PARTNER_LABELS = {
    "129": N_("129 (APLTP, trafficking line)"),
    "122": N_("122 (gender-based violence line)"),
    "police": N_("Police"),
    "health": N_("Health services"),
    "shelter": N_("Shelter"),
    "legal": N_("Legal aid"),
}
CHANNEL_LABELS = {"ussd": "USSD", "sms": "SMS"}
CONSENT_LABELS = {
    "callback": N_("Agreed to be called back"),
    "confidential": N_("Number kept confidential: do not call"),
}
SAFE_TIME_LABELS = {option.value: option.label for option in SAFE_TIMES}
MESSAGE_LABELS = {
    "alert": N_("Alert"),
    "bundle": N_("Alert bundle"),
    "details": N_("Details"),
    "notice": N_("Notice"),
    "reply": N_("Reply to the reporter"),
    "console": N_("SMS from the console"),
}
DELIVERY_LABELS = {
    "pending": N_("waiting to be sent"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
    "bundled": N_("sent in a bundle"),
}
EVENT_LABELS = {
    "received": N_("Report received"),
    "notified": N_("Alert sent to the on-call worker"),
    "nobody_on_call": N_("Nobody on call at this level"),
    "escalation_hastened": N_("Escalation moved to the next step"),
    "escalation_finished": N_("Escalation steps finished"),
    "escalation_stopped": N_("Escalation stopped"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "closed": N_("Closed by the worker"),
    "note": N_("Note"),
    "sms_joined": N_("More text from the reporter, added to the description"),
    "flood_held": N_("Kept without an alert: too many reports from this number (flood control)"),
    "message_sent": N_("SMS sent"),
    "message_delivered": N_("SMS delivered"),
    "message_failed": N_("SMS failed"),
    "message_cancelled": N_("SMS cancelled"),
    "message_bundled": N_("SMS sent in a bundle"),
    "message_rerouted": N_("SMS handed to the next route"),
    "viewed": N_("Viewed"),
    "assigned": N_("Assigned"),
    "status_changed": N_("Status changed"),
    "merged_into": N_("Merged into another report"),
    "merged_from": N_("Another report was merged into this one"),
    "referred": N_("Referred to a partner"),
    "follow_up_done": N_("Referral followed up"),
    "number_revealed": N_("Reporter's number revealed"),
    "purged": N_("Personal data removed (retention period over)"),
    "keep_text": N_('"Text needed" mark changed'),
    "contact_deleted": N_("The reporter deleted their number by USSD"),
    "unassigned": N_("Assignment removed"),
    "labelled": N_("Label added"),
    "unlabelled": N_("Label removed"),
    "console_sms": N_("SMS sent from the console"),
    "wait_skipped": N_("Wait skipped: the previous level reached nobody"),
    "escalation_out_of_people": N_("Escalation ended without reaching anyone"),
    "alarm_raised": N_("Alarm raised: nobody accepted in time"),
    "alarm_ended": N_("Alarm ended"),
}
# The escalation's levels as the timeline names them ("notified": who was alerted, at which level).
TIMELINE_LEVELS = {**LEVEL_LABELS, "training": N_("Training simulator")}
REASON_LABELS = {
    "declined": N_("a worker declined"),
    "alert_failed": N_("an alert could not be delivered"),
    "accepted": N_("accepted"),
}
TRAINING_WORKER = N_("Training worker {number}")


def worker_label(name: str, role: str, tr: Callable[[str], str]) -> str:
    """A worker's name as the console shows it: the simulator's emulated workers, stored as
    "Training worker 2", in the console's language."""
    if role != TRAINING_WORKER_ROLE:
        return name
    return tr(TRAINING_WORKER).format(number=name.rpartition(" ")[2])


def worker_labels(session: Session, ids: set[int], tr: Callable[[str], str]) -> dict[int, str]:
    """Workers' names by id, as ``worker_label`` shows them."""
    if not ids:
        return {}
    rows = session.execute(
        select(SocialWorker.id, SocialWorker.name, SocialWorker.role).where(SocialWorker.id.in_(ids))
    )
    return {worker_id: worker_label(name, role, tr) for worker_id, name, role in rows}


@dataclass
class Line:
    at: datetime
    label: str  # a message id
    who: str = ""  # a name, or empty for the system
    detail: str = ""  # plain text, escaped by the template
    link: str = ""  # a report reference to link to
    times: int = 1  # repeated views folded into one line


class Names:
    """Names of the workers and users a page mentions, loaded in two queries."""

    def __init__(
        self, session: Session, worker_ids: set[int], user_ids: set[int], tr: Callable[[str], str]
    ) -> None:
        self.workers = worker_labels(session, worker_ids, tr)
        self.users = (
            dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
            if user_ids
            else {}
        )

    def actor(self, actor: str | None) -> str:
        kind, _, raw = (actor or "").partition(":")
        if not raw.isdigit():
            return ""
        if kind == "api":  # a partner system through the REST API (hotline.partners.api_clients)
            return f"API #{raw}"
        names = self.workers if kind == "worker" else self.users if kind == "user" else {}
        return names.get(int(raw), f"#{raw}")

    def worker(self, worker_id: object) -> str:
        return self.workers.get(worker_id, "") if isinstance(worker_id, int) else ""


def load_names(
    session: Session,
    report: Report,
    events: list[ReportEvent],
    messages: list[OutboundMessage],
    extra_workers: set[int],
    tr: Callable[[str], str],
) -> Names:
    workers = {m.worker_id for m in messages if m.worker_id} | extra_workers
    workers |= {w for w in (report.accepted_by_id, report.assigned_to_id) if w is not None}
    users: set[int] = set()
    for event in events:
        kind, _, raw = (event.actor or "").partition(":")
        if raw.isdigit():
            (workers if kind == "worker" else users).add(int(raw))
        workers.update(w for w in event.detail.get("workers", []) if isinstance(w, int))
        if isinstance(event.detail.get("worker_id"), int):
            workers.add(event.detail["worker_id"])
    return Names(session, workers, users, tr)


def timeline(events: list[ReportEvent], names: Names, tr: Callable[[str], str]) -> list[Line]:
    """One line per event, oldest first; consecutive views by one person fold into one line."""
    lines: list[Line] = []
    for event in events:
        line = Line(
            event.at,
            EVENT_LABELS.get(event.kind, event.kind),
            names.actor(event.actor),
            _detail(event, names, tr),
            str(event.detail.get("reference") or ""),
        )
        last = lines[-1] if lines else None
        if event.kind == "viewed" and last and last.label == line.label and last.who == line.who:
            last.times += 1
            last.at = event.at
            continue
        lines.append(line)
    return lines


def _detail(event: ReportEvent, names: Names, tr: Callable[[str], str]) -> str:
    detail = event.detail
    kind = event.kind
    if kind in ("labelled", "unlabelled"):
        return str(detail.get("label") or "")
    if kind == "assigned" and detail.get("name"):  # a console user or a team
        return str(detail["name"])
    if kind == "console_sms":
        return names.worker(detail.get("worker_id")) if detail.get("to") == "worker" else tr(N_("Reporter"))
    if kind in ("note", "closed"):
        return str(detail.get("note") or "")
    if kind == "notified":
        who = ", ".join(names.worker(w) for w in detail.get("workers", []))
        return tr(N_("{level}: {workers}")).format(level=_level(detail.get("level"), tr), workers=who)
    if kind == "nobody_on_call":
        return _level(detail.get("level"), tr)
    if kind == "message_rerouted":  # which route failed it, why, and the route that took it on
        route = f"{detail.get('gateway', '')} → {detail.get('to', '')} ({detail.get('reason', '')})"
        return f"{names.worker(detail.get('worker_id'))}: {route}"
    if kind.startswith("message_") and detail.get("gateway"):  # the route that carried it
        return f"{names.worker(detail.get('worker_id'))} ({detail['gateway']})"
    if kind in ("assigned", "declined") or kind.startswith("message_"):
        return names.worker(detail.get("worker_id"))
    if kind == "status_changed":
        return (
            f"{tr(STATUS_LABELS.get(detail.get('previous', ''), ''))} → "
            f"{tr(STATUS_LABELS.get(detail.get('status', ''), ''))}"
        )
    if kind in ("referred", "follow_up_done"):
        partner = tr(PARTNER_LABELS.get(detail.get("partner", ""), ""))
        return f"{partner} {_day(detail.get('follow_up_on'))}".strip()
    if kind == "received":
        return CHANNEL_LABELS.get(detail.get("channel", ""), "")
    if kind in ("escalation_hastened", "alarm_ended"):
        reason = str(detail.get("reason") or "")
        return tr(REASON_LABELS[reason]) if reason in REASON_LABELS else reason
    if kind == "wait_skipped" and isinstance(detail.get("seconds"), int):
        return tr(N_("{minutes} min")).format(minutes=round(detail["seconds"] / 60))
    return ""


def _level(level: object, tr: Callable[[str], str]) -> str:
    code = str(level or "")
    return tr(TIMELINE_LEVELS[code]) if code in TIMELINE_LEVELS else code


def _day(iso: object) -> str:
    try:
        return date.fromisoformat(str(iso)).strftime("%d/%m/%Y")
    except ValueError:
        return ""


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)
