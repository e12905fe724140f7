"""The global cap on outgoing SMS: replies to reporters stop first, alerts keep a reserved share,
an alert over the whole cap waits for the next period, and operators see it on every page.

Everything goes through the real webhooks, jobs (RQ) and the local outbox gateway; time is moved
with the frozen clock (08:00 UTC on Monday 5 January 2026 at the start).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hotline.models import InboundMessage, Notice, OutboundMessage
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.web.app import create_app
from tests.support.builders import (
    FLOODER,
    NEIGHBOUR,
    Team,
    advance,
    alerts,
    reports_from,
    runtime_with,
    texts_to,
)
from tests.support.consolekit import login
from tests.support.sms import sms_from as sms
from tests.support.ussd import FIRST_REPORT, dial

RunJobs = Callable[[], None]


Capped = Callable[..., tuple[FlaskClient, Runtime]]


@pytest.fixture
def capped(runtime: Runtime) -> Iterator[Capped]:
    """The service with other SMS caps (the web and the jobs both see them)."""
    with ExitStack() as stack:

        def make(**caps: int) -> tuple[FlaskClient, Runtime]:
            other = stack.enter_context(runtime_with(runtime, **caps))
            return create_app(runtime=other).test_client(), other

        yield make


def notices(runtime: Runtime, kind: str) -> list[Notice]:
    with runtime.session() as session:
        return list(session.scalars(select(Notice).where(Notice.kind == kind).order_by(Notice.id)))


def replies(runtime: Runtime) -> list[OutboundMessage]:
    with runtime.session() as session:
        return list(
            session.scalars(
                select(OutboundMessage).where(OutboundMessage.purpose == "reply").order_by(OutboundMessage.id)
            )
        )


def test_replies_to_reporters_stop_at_their_share_and_alerts_still_go_out(
    capped: Capped,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    client, runtime = capped(sms_cap_hour=10, sms_cap_alert_share=20)
    for n in range(10):
        sms(client, f"+2438100001{n:02d}", "AIDE")  # ten people ask for the free lines
    run_jobs()
    assert [m.status for m in replies(runtime)] == ["delivered"] * 8 + ["cancelled"] * 2
    assert {m.failure_reason for m in replies(runtime)[8:]} == {"sms_cap"}

    dial(client, NEIGHBOUR, FIRST_REPORT)  # someone in danger in Kikwit: two workers alerted
    run_jobs()
    [report] = reports_from(runtime, NEIGHBOUR)
    assert [m.status for m in alerts(runtime, report.id)] == ["delivered", "delivered"]
    [notice] = notices(runtime, "sms_cap")
    assert (notice.level, notice.detail["period"], notice.detail["counted"]) == ("warning", "hour", 8)


def test_an_alert_over_the_whole_cap_waits_for_the_next_hour_and_operators_are_told(
    capped: Capped,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    client, runtime = capped(sms_cap_hour=1)
    dial(client, NEIGHBOUR, FIRST_REPORT)
    run_jobs()
    [report] = reports_from(runtime, NEIGHBOUR)
    first, second = alerts(runtime, report.id)
    assert (first.status, second.status) == ("delivered", "pending")
    assert second.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert second.attempts == 0  # the gateway never saw it
    [notice] = notices(runtime, "sms_cap")
    assert (notice.level, notice.detail["cap"]) == ("critical", 1)
    console = create_app(runtime=runtime).test_client()
    login(console, runtime, "operator")
    page = console.get("/console/").get_data(as_text=True)
    assert "Plafond SMS atteint pour cette heure (1 sur 1)" in page

    advance(clock, run_jobs, seconds=3600 + 60)  # 09:01: the ticker finds it due
    assert alerts(runtime, report.id)[1].status == "delivered"
    assert "Plafond SMS atteint pour cette heure (1 sur 1)" not in console.get("/console/").get_data(
        as_text=True
    )


def test_the_notice_ends_with_its_hour_even_when_nothing_is_sent_after_it(
    capped: Capped,
    clock: FrozenClock,
    run_jobs: RunJobs,
) -> None:
    client, runtime = capped(sms_cap_hour=10, sms_cap_alert_share=20)
    for n in range(10):
        sms(client, f"+2438100001{n:02d}", "AIDE")  # two replies over the reporters' share
    run_jobs()
    notice = "sont arrêtées pour cette heure (8 sur 10 envoyés)"
    clock.advance(minutes=59, seconds=59)  # 08:59:59
    console = create_app(runtime=runtime).test_client()
    login(console, runtime, "operator")
    assert notice in console.get("/console/").get_data(as_text=True).replace("&#39;", "'")
    clock.advance(seconds=1)  # 09:00: a quiet hour, no SMS to clear it
    assert notice not in console.get("/console/").get_data(as_text=True).replace("&#39;", "'")


def test_over_the_daily_cap_an_alert_waits_until_midnight(
    capped: Capped,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    client, runtime = capped(sms_cap_day=1)
    dial(client, NEIGHBOUR, FIRST_REPORT)
    run_jobs()
    [report] = reports_from(runtime, NEIGHBOUR)
    held = alerts(runtime, report.id)[1]
    assert held.status == "pending"
    assert held.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 1, 6, 0, 0, tzinfo=UTC)
    [notice] = notices(runtime, "sms_cap")
    assert notice.key == "sms-cap:day:20260105"


def test_one_numbers_flood_never_delays_another_numbers_alert(
    capped: Capped,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    client, runtime = capped(sms_cap_hour=30, sms_cap_alert_share=20)
    for n in range(60):  # help requests and texts, as fast as a script can post them
        sms(client, FLOODER, "AIDE" if n % 2 else f"Message {n} : venez a Kikwit")
    dial(client, NEIGHBOUR, FIRST_REPORT)
    run_jobs()  # one pass of the worker over everything queued

    [report] = reports_from(runtime, NEIGHBOUR)
    sent = alerts(runtime, report.id)
    assert sent and {m.status for m in sent} <= {"delivered", "bundled"}
    assert all(m.next_attempt_at is None and m.attempts <= 1 for m in sent)
    assert len(texts_to(runtime, FLOODER)) <= 21  # the hour's answers, then one neutral line
    with runtime.session() as session:
        assert len(session.scalars(select(InboundMessage)).all()) == 60  # every text is kept
    assert notices(runtime, "sms_cap") == []  # the flood never came near the cap
