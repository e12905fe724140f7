"""Small builders shared by the tests: workers, rosters, reports, what each phone got, rows counted,
and another deployment's app.

Everything goes through the real models and services; only time is moved by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import count
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from hotline.alerting import escalation, worker_replies
from hotline.intake.reports import NewReport, open_report
from hotline.models import (
    OutboundMessage,
    Report,
    ReportEvent,
    Roster,
    RosterRotation,
    SocialWorker,
    WorkerArea,
)
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings
from hotline.sms.messages import body_of
from hotline.web.app import create_app
from workers import context, jobs

KIKWIT = "CD-KL/kikwit"
REPORTER_PHONE = "+243810000001"
FLOODER = "+243810000066"  # reports over and over (the flood and SMS cap tests)
NEIGHBOUR = "+243970000067"
# The frozen clock starts on Monday 5 January 2026 at 08:00 UTC (09:00 in Kinshasa).
MONDAY = date(2026, 1, 5)

_phones = count(1)
_sources = count(1)


def new_phone() -> str:
    return f"+24382{next(_phones):07d}"


@dataclass(frozen=True)
class Worker:
    id: int
    name: str
    phone: str


def add_worker(
    runtime: Runtime,
    name: str,
    areas: Iterable[str] = ("CD-KL",),
    *,
    role: str = "worker",
    language: str = "fr",
    active: bool = True,
    phone: str | None = None,
) -> Worker:
    phone = phone or new_phone()
    now = runtime.clock.now()
    with runtime.session() as session:
        worker = SocialWorker(
            name=name,
            phone_encrypted=runtime.cipher.encrypt(phone),
            phone_hash=runtime.cipher.lookup_hash(phone),
            language=language,
            role=role,
            active=active,
            created_at=now,
            updated_at=now,
            areas=[WorkerArea(location_code=code) for code in areas],
        )
        session.add(worker)
        session.commit()
        return Worker(worker.id, name, phone)


def add_roster(
    runtime: Runtime,
    area: str,
    levels: dict[str, list[Worker]],
    *,
    timezone: str = "Africa/Kinshasa",
    every_days: int = 7,
    handoff_hour: int = 8,
    start: date = MONDAY,
) -> None:
    """A roster whose levels rotate through the given workers (the first one is on call now)."""
    now = runtime.clock.now()
    with runtime.session() as session:
        session.add(
            Roster(
                area_code=area,
                timezone=timezone,
                created_at=now,
                updated_at=now,
                rotations=[
                    RosterRotation(
                        level=level,
                        members=[w.id for w in members],
                        start_date=start,
                        handoff_hour=handoff_hour,
                        every_days=every_days,
                    )
                    for level, members in levels.items()
                ],
            )
        )
        session.commit()


@dataclass(frozen=True)
class Team:
    """Kwilu's roster: one person per level, a colleague off duty, and a national duty officer."""

    primary: Worker
    backup: Worker
    supervisor: Worker
    off_duty: Worker
    national: Worker
    everyone: tuple[Worker, ...] = field(repr=False)

    def name_of(self, worker_id: int | None) -> str:
        return next(w.name for w in self.everyone if w.id == worker_id)


def kwilu_team(runtime: Runtime, language: str = "fr") -> Team:
    primary = add_worker(runtime, "Amani", language=language)
    backup = add_worker(runtime, "Bisimwa", language=language)
    supervisor = add_worker(runtime, "Chantal", role="supervisor", language=language)
    off_duty = add_worker(runtime, "Dieudonne", language=language)
    national = add_worker(runtime, "Esther", ("CD-KN",), role="national_duty", language=language)
    # Weekly shifts from this morning: Amani, Bisimwa and Chantal are on call now.
    add_roster(
        runtime, "CD-KL", {"primary": [primary, off_duty], "backup": [backup], "supervisor": [supervisor]}
    )
    return Team(
        primary, backup, supervisor, off_duty, national, (primary, backup, supervisor, off_duty, national)
    )


def report(runtime: Runtime, *, urgent: bool = False, location: str = KIKWIT, **fields: Any) -> Report:
    """A report as the USSD channel opens it, with its first escalation step run as the worker's
    escalate job runs it a moment later (its alerts written and queued, not yet sent)."""
    defaults: dict[str, Any] = {
        "source_key": f"test:{next(_sources)}",
        "channel": "ussd",
        "language": "fr",
        "category": "sexual_exploitation",
        "urgent": urgent,
        "location_code": location,
    }
    opened = open_report(runtime, NewReport(**{**defaults, **fields})).report
    first_step(runtime, opened.id)
    return opened


def first_step(runtime: Runtime, report_id: int) -> list[int]:
    """What the escalate job enqueued by the report's opening does, its sends left to the queue."""
    message_ids = escalation.run_due(runtime, report_id) or []
    runtime.queue.send_messages(message_ids)
    runtime.queue.schedule_escalation(report_id, load(runtime, report_id).escalation_due_at)
    return message_ids


def reply(runtime: Runtime, worker: Worker, text: str) -> list[int]:
    """A worker's SMS, handled in its own transaction as the inbound job would."""
    with runtime.session() as session:
        replies = worker_replies.handle(session, runtime, session.get(SocialWorker, worker.id), text)
        session.commit()
    runtime.queue.send_messages(replies.message_ids)
    for report_id in replies.escalate_ids:
        runtime.queue.escalate(report_id)
    return replies.message_ids


def advance(clock: FrozenClock, run_jobs: Callable[[], None], seconds: float = 0) -> None:
    """Let time pass, then do what the cron process and a worker would do at that moment."""
    clock.advance(seconds=seconds)
    jobs.tick()
    run_jobs()


def messages_to(runtime: Runtime, phone: str, purpose: str | None = None) -> list[OutboundMessage]:
    with runtime.session() as session:
        query = (
            select(OutboundMessage)
            .where(OutboundMessage.recipient_hash == runtime.cipher.lookup_hash(phone))
            .order_by(OutboundMessage.id)
        )
        if purpose:
            query = query.where(OutboundMessage.purpose == purpose)
        return list(session.scalars(query))


def texts_to(runtime: Runtime, phone: str, purpose: str | None = None) -> list[str]:
    """The bodies of what was sent (or is being sent) to ``phone``; cancelled ones never went."""
    return [body_of(runtime, m) for m in messages_to(runtime, phone, purpose) if m.status != "cancelled"]


def alerts(runtime: Runtime, report_id: int | None = None) -> list[OutboundMessage]:
    with runtime.session() as session:
        query = select(OutboundMessage).where(OutboundMessage.purpose == "alert")
        if report_id is not None:
            query = query.where(OutboundMessage.report_id == report_id)
        return list(session.scalars(query.order_by(OutboundMessage.id)))


def alert_times(
    runtime: Runtime, team: Team, opened_at: datetime, report_id: int | None = None
) -> list[tuple[int, str]]:
    """(seconds after the report opened, worker name) for every alert, in order."""
    return [
        (int((a.created_at - opened_at).total_seconds()), team.name_of(a.worker_id))
        for a in alerts(runtime, report_id)
    ]


def events(runtime: Runtime, report_id: int, kind: str | None = None) -> list[ReportEvent]:
    with runtime.session() as session:
        query = select(ReportEvent).where(ReportEvent.report_id == report_id)
        if kind:
            query = query.where(ReportEvent.kind == kind)
        return list(session.scalars(query.order_by(ReportEvent.id)))


def load(runtime: Runtime, report_id: int) -> Report:
    with runtime.session() as session:
        found = session.get(Report, report_id)
        assert found is not None
        return found


@contextmanager
def runtime_with(runtime: Runtime, **overrides: object) -> Iterator[Runtime]:
    """Another process's view: the same database, Redis and clock, some settings changed."""
    settings: Settings = runtime.settings.with_overrides(**overrides)
    other = Runtime.build(settings, clock=runtime.clock)
    context.use(other)
    try:
        yield other
    finally:
        context.use(runtime)
        other.close()


@contextmanager
def app_for(settings: Settings, clock: FrozenClock) -> Iterator[tuple[FlaskClient, Runtime]]:
    """Another deployment's app and runtime, with these settings (closed on exit)."""
    rt = Runtime.build(settings, clock=clock)
    try:
        yield create_app(runtime=rt).test_client(), rt
    finally:
        rt.close()


def every(runtime: Runtime, model: type) -> list[Any]:
    with runtime.session() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def how_many(runtime: Runtime, model: type) -> int:
    with runtime.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def reports_from(runtime: Runtime, phone: str) -> list[Report]:
    with runtime.session() as session:
        return list(
            session.scalars(
                select(Report)
                .where(Report.reporter_hash == runtime.cipher.lookup_hash(phone))
                .order_by(Report.id)
            )
        )
