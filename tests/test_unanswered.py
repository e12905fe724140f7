"""No report waits on nobody: empty levels are passed at once, and a report nobody accepts in time
raises an alarm that reaches the people who watch the watchers (issue: thin rosters in a pilot)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from hotline.alerting import alarms
from hotline.casework.users import UserError, create_user, set_alarm_phone
from hotline.models import SocialWorker
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.web.app import create_app
from tests.support.builders import (
    KIKWIT,
    add_worker,
    advance,
    alerts,
    events,
    load,
    reply,
    report,
    texts_to,
)
from tests.support.metrics import TOKEN, scrape

MINUTE = 60
RunJobs = Callable[[], None]
COORDINATOR = "+243810000700"
KINSHASA_SUPERVISOR = "+243810000701"


def alerted(runtime: Runtime, report_id: int, opened_at: datetime) -> list[tuple[int, str]]:
    """(minutes after the report, worker name) of every alert written for the report."""
    with runtime.session() as session:
        names = {w.id: w.name for w in session.query(SocialWorker)}
    return [
        (int((a.created_at - opened_at).total_seconds()) // MINUTE, names[a.worker_id or 0])
        for a in alerts(runtime, report_id)
    ]


def watcher(runtime: Runtime, name: str, phone: str | None, areas: list[str], opt_in: bool = True) -> None:
    with runtime.session() as session:
        user = create_user(
            session,
            runtime,
            email=f"{name.lower()}@example.org",
            name=name,
            password="a long enough password",
            role="supervisor",
            areas=areas,
        )
        set_alarm_phone(runtime, user, phone, opt_in)
        session.commit()


def alarm_texts(runtime: Runtime, phone: str) -> list[str]:
    return texts_to(runtime, phone, purpose="alarm")


# --- never wait on nobody -------------------------------------------------------------------------


def test_a_lone_kikwit_worker_and_a_supervisor_the_supervisor_comes_at_10_minutes_not_20(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    add_worker(runtime, "Amani", [KIKWIT])  # the only trained worker: no backup, no roster
    add_worker(runtime, "Chantal", ["CD-KL"], role="supervisor")
    opened = report(runtime)
    for _ in range(3):
        advance(clock, run_jobs, 10 * MINUTE)

    # The default normal policy: primary, 10 min, backup (nobody: passed), 10 min, supervisor...
    assert alerted(runtime, opened.id, opened.created_at)[:3] == [
        (0, "Amani"),
        (10, "Chantal"),
        (20, "Amani"),  # the second round: the backup and supervisor waits were for someone
    ]
    # The timeline says so: nobody at the backup level, its wait passed at once, at 10 minutes.
    [nobody, skipped] = [
        e for e in events(runtime, opened.id) if e.kind in ("nobody_on_call", "wait_skipped")
    ][:2]
    assert (nobody.detail["level"], skipped.kind) == ("backup", "wait_skipped")
    assert nobody.at - opened.created_at == skipped.at - opened.created_at == timedelta(minutes=10)


def test_a_lone_worker_reaches_the_national_officer_after_three_of_their_own_waits(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    add_worker(runtime, "Amani", [KIKWIT])
    add_worker(runtime, "Esther", ["CD-KN"], role="national_duty")
    opened = report(runtime)
    for _ in range(4):
        advance(clock, run_jobs, 10 * MINUTE)

    # Three rounds of the primary, 10 minutes apart; the national officer then, not at 90 minutes.
    assert alerted(runtime, opened.id, opened.created_at) == [
        (0, "Amani"),
        (10, "Amani"),
        (20, "Amani"),
        (30, "Esther"),
    ]


def test_a_report_nobody_can_be_alerted_for_raises_the_alarm_at_the_next_tick(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    watcher(runtime, "Coordinator", COORDINATOR, ["CD"])
    opened = report(runtime)  # Kwilu: no worker, no supervisor, no national officer
    assert alerts(runtime, opened.id) == []
    assert [e.kind for e in events(runtime, opened.id)][-2:] == [
        "escalation_finished",
        "escalation_out_of_people",
    ]

    advance(clock, run_jobs, 15)  # one tick
    [sms] = alarm_texts(runtime, COORDINATOR)
    assert opened.reference in sms
    assert load(runtime, opened.id).alarm_raised_at is not None


# --- the alarm ------------------------------------------------------------------------------------


def test_an_urgent_report_nobody_accepts_alarms_the_opted_in_watchers_of_its_area_once(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    add_worker(runtime, "Amani", [KIKWIT])
    watcher(runtime, "Coordinator", COORDINATOR, ["CD"])  # national: every province
    watcher(runtime, "Kinshasa", KINSHASA_SUPERVISOR, ["CD-KN"])  # another province
    watcher(runtime, "Quiet", "+243810000702", ["CD-KL"], opt_in=False)
    opened = report(runtime, urgent=True)

    advance(clock, run_jobs, 14 * MINUTE + 59)
    assert alarm_texts(runtime, COORDINATOR) == []
    assert alarms.count_unanswered(runtime) == 0

    advance(clock, run_jobs, 1)  # 15 minutes: the default policy's alarm time for urgent reports
    assert len(alarm_texts(runtime, COORDINATOR)) == 1
    assert alarm_texts(runtime, KINSHASA_SUPERVISOR) == []
    assert alarm_texts(runtime, "+243810000702") == []
    assert alarms.count_unanswered(runtime) == 1
    assert [e.kind for e in events(runtime, opened.id, "alarm_raised")] == ["alarm_raised"]

    for _ in range(4):
        advance(clock, run_jobs, 15 * MINUTE)
    assert len(alarm_texts(runtime, COORDINATOR)) == 1  # once, not at every tick
    assert len(events(runtime, opened.id, "alarm_raised")) == 1


def test_the_alarm_sms_names_reference_place_and_wait_and_nothing_personal(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    add_worker(runtime, "Amani", [KIKWIT])
    watcher(runtime, "Coordinator", COORDINATOR, ["CD-KL"])
    opened = report(runtime, urgent=True, description="Mon voisin Jean enferme des enfants")

    advance(clock, run_jobs, 15 * MINUTE)
    [sms] = alarm_texts(runtime, COORDINATOR)
    assert sms.startswith(f"SANS REPONSE {opened.reference} URGENT")  # French, as the console
    assert "Kikwit" in sms and "15 min" in sms
    assert "Jean" not in sms and "+243" not in sms
    assert len(sms) <= 160 and re.fullmatch(r"[\x20-\x7e]+", sms)


def test_accepting_ends_the_alarm_and_the_timeline_says_raise_and_end(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani = add_worker(runtime, "Amani", [KIKWIT])
    watcher(runtime, "Coordinator", COORDINATOR, ["CD-KL"])
    opened = report(runtime)

    advance(clock, run_jobs, 60 * MINUTE)  # the normal policy's alarm time
    assert alarms.count_unanswered(runtime) == 1
    reply(runtime, amani, f"1 {opened.reference}")
    assert alarms.count_unanswered(runtime) == 0
    kinds = [e.kind for e in events(runtime, opened.id) if e.kind.startswith("alarm_")]
    assert kinds == ["alarm_raised", "alarm_ended"]


def test_a_report_accepted_in_time_never_alarms(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani = add_worker(runtime, "Amani", [KIKWIT])
    watcher(runtime, "Coordinator", COORDINATOR, ["CD-KL"])
    opened = report(runtime, urgent=True)
    advance(clock, run_jobs, 5 * MINUTE)
    reply(runtime, amani, f"1 {opened.reference}")

    advance(clock, run_jobs, 30 * MINUTE)
    assert alarm_texts(runtime, COORDINATOR) == []
    assert events(runtime, opened.id, "alarm_raised") == []


def test_an_areas_policy_sets_its_own_alarm_time(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    from hotline.models import EscalationPolicy

    add_worker(runtime, "Amani", [KIKWIT])
    watcher(runtime, "Coordinator", COORDINATOR, ["CD-KL"])
    steps = [{"notify": ["primary"]}, {"wait": 600}, {"notify": ["national"]}]
    with runtime.session() as session:
        session.add(
            EscalationPolicy(
                area_code="CD-KL",
                steps=steps,
                urgent_steps=steps,
                alarm_minutes=5,
                updated_at=runtime.clock.now(),
            )
        )
        session.commit()
    report(runtime)
    advance(clock, run_jobs, 5 * MINUTE)
    assert len(alarm_texts(runtime, COORDINATOR)) == 1


def test_the_alarm_needs_a_valid_phone(runtime: Runtime) -> None:
    with pytest.raises(UserError):
        watcher(runtime, "Nobody", None, ["CD-KL"], opt_in=True)
    with pytest.raises(UserError):
        watcher(runtime, "Typo", "12", ["CD-KL"], opt_in=True)


def test_metrics_and_readyz_count_the_unanswered_reports_for_an_outside_monitor(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    runtime.settings = runtime.settings.with_overrides(metrics_token=TOKEN)
    client = create_app(runtime=runtime).test_client()
    amani = add_worker(runtime, "Amani", [KIKWIT])
    opened = report(runtime, urgent=True)
    assert scrape(client)[("hotline_reports_unanswered", ())] == 0

    advance(clock, run_jobs, 15 * MINUTE)
    assert scrape(client)[("hotline_reports_unanswered", ())] == 1
    assert client.get("/readyz").get_json()["unanswered_reports"] == 1

    reply(runtime, amani, f"1 {opened.reference}")
    assert scrape(client)[("hotline_reports_unanswered", ())] == 0
    assert client.get("/readyz").get_json()["unanswered_reports"] == 0
