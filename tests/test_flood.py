"""Flood control, through the real webhooks: one number over its limits loses nothing it sent,
pages nobody, gets calm answers, and never holds up another number's alert.

Limits of the defaults: 5 reports an hour and 20 a day per number, 20 SMS an hour per number;
the global SMS cap is tested in tests/test_sms_cap.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hotline.alerting import escalation
from hotline.intake.reports import NewReport, open_report
from hotline.models import InboundMessage, Notice, OutboundMessage
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.records.notices import open_notices
from hotline.sms.outbox import send_message
from hotline.web.app import create_app
from tests.support.builders import (
    FLOODER,
    KIKWIT,
    NEIGHBOUR,
    Team,
    alerts,
    events,
    messages_to,
    reports_from,
    runtime_with,
    texts_to,
)
from tests.support.consolekit import login
from tests.support.sms import sms_from as sms
from tests.support.ussd import FIRST_REPORT, dial

RunJobs = Callable[[], None]
AGAIN = FIRST_REPORT[1:]  # the language is remembered: the call opens on the menu
HELP_REPLY = "Appels gratuits"


def flood_notice(runtime: Runtime) -> dict:
    with runtime.session() as session:
        [notice] = session.scalars(select(Notice).where(Notice.kind == "flood"))
        return dict(notice.detail)


def test_the_sixth_ussd_report_in_an_hour_is_kept_but_alerts_nobody(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    screens = [dial(client, FLOODER, FIRST_REPORT)] + [dial(client, FLOODER, AGAIN) for _ in range(5)]
    run_jobs()

    reports = reports_from(runtime, FLOODER)
    assert len(reports) == 6  # nothing typed is lost
    assert [len(alerts(runtime, r.id)) > 0 for r in reports] == [True] * 5 + [False]
    assert [e.kind for e in events(runtime, reports[-1].id)] == ["received", "flood_held"]
    # The calm screen: the reference, the free lines, and no promise that someone is coming.
    assert "travailleur social est alert" in screens[4]
    assert screens[5].startswith(f"END Merci. Votre reference : {reports[-1].reference}")
    assert "alert" not in screens[5]
    assert flood_notice(runtime) == {"reports": 1, "sms": 0}


def test_another_number_is_not_limited_by_a_neighbours_flood(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    dial(client, FLOODER, FIRST_REPORT)
    for _ in range(6):
        dial(client, FLOODER, AGAIN)
    dial(client, NEIGHBOUR, FIRST_REPORT)
    run_jobs()
    [report] = reports_from(runtime, NEIGHBOUR)
    statuses = {m.status for m in alerts(runtime, report.id)}
    assert statuses and statuses <= {"delivered", "bundled"}  # a bundle: with the flood's first five


@pytest.fixture
def small_day(runtime: Runtime) -> Iterator[tuple[FlaskClient, Runtime]]:
    with runtime_with(runtime, flood_reports_day=3) as other:
        yield create_app(runtime=other).test_client(), other


def test_over_the_daily_limit_reports_are_held_until_the_next_day(
    small_day: tuple[FlaskClient, Runtime],
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    client, runtime = small_day
    dial(client, FLOODER, FIRST_REPORT)
    for _ in range(3):
        clock.advance(hours=1)  # one an hour: within the hourly limit all day
        dial(client, FLOODER, AGAIN)
    clock.advance(days=1)
    dial(client, FLOODER, AGAIN)
    run_jobs()
    alerted = [bool(alerts(runtime, r.id)) for r in reports_from(runtime, FLOODER)]
    assert alerted == [True, True, True, False, True]


def test_sms_reports_over_the_limit_are_kept_and_get_one_neutral_reply(
    client: FlaskClient,
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    for minute in range(6):  # 08:00 to 08:55, all in one clock hour
        sms(client, FLOODER, f"Encore une fille retenue a Kikwit, message {minute}")
        run_jobs()
        clock.advance(minutes=11)  # past the 10 minutes in which texts join the last report

    reports = reports_from(runtime, FLOODER)
    assert len(reports) == 6
    assert [bool(alerts(runtime, r.id)) for r in reports] == [True] * 5 + [False]
    replies = texts_to(runtime, FLOODER, "reply")
    assert len(replies) == 6
    assert [r.reference in reply for r, reply in zip(reports, replies, strict=True)] == [True] * 5 + [False]
    assert replies[5] == "Nous avons vos messages. En danger, appelez le 129 ou le 122 (gratuit)."


def test_a_number_that_floods_by_sms_gets_one_neutral_reply_an_hour_and_every_text_is_kept(
    client: FlaskClient,
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
) -> None:
    for _ in range(30):
        sms(client, FLOODER, "AIDE")
    run_jobs()
    replies = texts_to(runtime, FLOODER, "reply")
    assert len(replies) == 21
    assert all(HELP_REPLY in r for r in replies[:20])
    assert replies[20] == "Nous avons vos messages. En danger, appelez le 129 ou le 122 (gratuit)."
    with runtime.session() as session:
        kept = session.scalars(select(InboundMessage)).all()
    assert len(kept) == 30 and all(m.processed_at for m in kept)
    assert flood_notice(runtime) == {"reports": 0, "sms": 10}

    clock.advance(hours=1)
    sms(client, FLOODER, "AIDE")
    run_jobs()
    assert HELP_REPLY in texts_to(runtime, FLOODER, "reply")[-1]


def test_a_flood_never_keeps_the_number_in_clear_in_redis(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
) -> None:
    for _ in range(25):
        sms(client, FLOODER, "AIDE")
    run_jobs()
    flood_keys = list(runtime.redis.scan_iter("hotline:flood:*"))
    assert flood_keys
    digits = FLOODER[4:]
    for key in flood_keys:
        assert digits not in key.decode()
        assert 0 < runtime.redis.ttl(key) <= 2 * 86400 + 60
    assert runtime.cipher.lookup_hash(FLOODER) in " ".join(k.decode() for k in flood_keys)


def test_operators_see_what_flood_control_held_on_every_page(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
) -> None:
    for _ in range(22):
        sms(client, FLOODER, "AIDE")
    run_jobs()
    app = create_app(runtime=runtime)
    console = app.test_client()
    login(console, runtime, "admin")
    pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("console.")
        and "GET" in rule.methods
        and not rule.arguments
        and "login" not in rule.rule
    ]
    french = "Contrôle des abus aujourd'hui : 0 signalement(s) gardé(s) sans alerte, 2 SMS"
    responses = {p: console.get(p) for p in pages}
    html = {
        p: r.get_data(as_text=True).replace("&#39;", "'")
        for p, r in responses.items()
        if r.status_code == 200 and r.mimetype == "text/html"
    }
    assert len(html) > 10
    assert [p for p, page in html.items() if french not in page] == []
    page = console.get("/console/?lang=en").get_data(as_text=True)
    assert "Flood control today: 0 report(s) kept without an alert, 2 SMS left without an answer." in page
    with runtime.session() as session:
        held = session.scalars(select(OutboundMessage)).all()
    assert all(FLOODER[4:] not in m.body for m in held)
    assert messages_to(runtime, FLOODER)  # the flooder did get answers: only the excess was dropped


def test_a_days_flood_notice_ends_at_midnight_even_when_the_next_day_is_quiet(
    client: FlaskClient,
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
) -> None:
    def open_flood_notices() -> list[tuple[str, int]]:
        with runtime.session() as session:
            return [(n.key, n.detail["sms"]) for n in open_notices(session, clock.now()) if n.kind == "flood"]

    for _ in range(21):
        sms(client, FLOODER, "AIDE")
    run_jobs()
    clock.advance(hours=15, minutes=59, seconds=59)  # 23:59:59
    assert open_flood_notices() == [("flood:20260105", 1)]
    clock.advance(seconds=1)  # midnight, and nobody sends anything
    assert open_flood_notices() == []
    for _ in range(22):
        sms(client, FLOODER, "AIDE")
    run_jobs()
    assert open_flood_notices() == [("flood:20260106", 2)]


def test_without_redis_a_report_still_alerts_and_an_alert_still_goes(
    runtime: Runtime,
    clock: FrozenClock,
    team: Team,
) -> None:
    """Flood control and the SMS cap count in Redis; with Redis down they step aside."""
    with runtime_with(runtime, redis_url="redis://127.0.0.1:1/0") as down:
        opened = open_report(
            down,
            NewReport(
                source_key="test:no-redis",
                channel="sms",
                language="fr",
                category="other",
                urgent=True,
                location_code=KIKWIT,
                reporter_hash=down.cipher.lookup_hash(FLOODER),
            ),
        )
        assert not opened.held and opened.report.escalation_due_at is not None
        alerted = escalation.run_due(down, opened.report.id)  # the escalate job's first step
        assert alerted
        assert [send_message(down, mid).status for mid in alerted] == ["delivered"] * len(alerted)
