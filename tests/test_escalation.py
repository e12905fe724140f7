"""Escalation: who is alerted when, until somebody accepts, as the phones in Kwilu would see it.

Time is the frozen clock: ``advance`` moves it, runs the ticker (workers.jobs.tick, which finds due
steps in the database) and a real RQ worker in burst mode. RQ's own scheduled jobs use wall time and
are not run here; the ticker is the path that cannot lose a step.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from hotline.alerting import escalation, worker_replies
from hotline.models import EscalationPolicy, SocialWorker
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from tests.support.builders import (
    Team,
    advance,
    alert_times,
    alerts,
    events,
    load,
    messages_to,
    reply,
    report,
    runtime_with,
    texts_to,
)
from tests.support.environment import TEST_TOKEN
from tests.support.fake_at import FakeAT

MINUTE = 60
RunJobs = Callable[[], None]


def watch(clock: FrozenClock, run_jobs: RunJobs, seconds: int, every: int) -> None:
    """Let ``seconds`` pass in ticks of ``every`` seconds, with the ticker and a worker running."""
    for _ in range(seconds // every):
        advance(clock, run_jobs, every)


def add_policy(
    runtime: Runtime, area: str, steps: list[dict[str, Any]], urgent_steps: list[dict[str, Any]] | None = None
) -> None:
    with runtime.session() as session:
        session.add(
            EscalationPolicy(
                area_code=area,
                steps=steps,
                urgent_steps=urgent_steps or steps,
                updated_at=runtime.clock.now(),
            )
        )
        session.commit()


# --- the policies --------------------------------------------------------------------------------


def test_a_normal_report_goes_primary_backup_supervisor_three_rounds_then_national(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    opened = report(runtime)
    run_jobs()
    watch(clock, run_jobs, 120 * MINUTE, every=10 * MINUTE)
    round_ = [(0, "Amani"), (600, "Bisimwa"), (1200, "Chantal")]
    assert alert_times(runtime, team, opened.created_at) == [
        *round_,
        *[(t + 1800, n) for t, n in round_],
        *[(t + 3600, n) for t, n in round_],
        (5400, "Esther"),  # the national duty officer, once; then nothing more
    ]
    assert len(events(runtime, opened.id, "escalation_finished")) == 1


def test_an_urgent_report_alerts_primary_and_backup_at_once_and_the_supervisor_after_3_minutes(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    opened = report(runtime, urgent=True)
    run_jobs()
    watch(clock, run_jobs, 30 * MINUTE, every=3 * MINUTE)
    round_ = [(0, "Amani"), (0, "Bisimwa"), (180, "Chantal")]
    assert alert_times(runtime, team, opened.created_at) == [
        *round_,
        *[(t + 360, n) for t, n in round_],
        *[(t + 720, n) for t, n in round_],
        (1080, "Esther"),
    ]


def test_the_wait_setting_replaces_every_wait_of_the_policy(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    with runtime_with(runtime, escalation_wait_seconds=5) as drill:
        opened = report(drill)
        run_jobs()
        watch(clock, run_jobs, 60, every=5)
        names = ["Amani", "Bisimwa", "Chantal"] * 3 + ["Esther"]
        assert alert_times(drill, team, opened.created_at) == [(5 * i, name) for i, name in enumerate(names)]


def test_an_areas_own_policy_replaces_the_default(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    add_policy(
        runtime,
        "CD-KL",
        [
            {"notify": ["primary"]},
            {"wait": 300},
            {"notify": ["supervisor"]},
            {"wait": 300},
            {"notify": ["national"]},
        ],
    )
    opened = report(runtime)
    run_jobs()
    watch(clock, run_jobs, 30 * MINUTE, every=5 * MINUTE)
    assert alert_times(runtime, team, opened.created_at) == [(0, "Amani"), (300, "Chantal"), (600, "Esther")]


def test_editing_the_default_policy_does_not_change_a_running_escalation(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
    tmp_path: Path,
) -> None:
    before = report(runtime)
    edited = tmp_path / "policy.json"
    edited.write_text(
        json.dumps({"normal": [{"notify": ["national"]}], "urgent": [{"notify": ["national"]}]})
    )
    # The deployment points HOTLINE_ESCALATION_POLICY_FILE at its own policy and restarts.
    runtime.settings = replace(runtime.settings, escalation_policy_file=edited)
    after = report(runtime)
    run_jobs()
    advance(clock, run_jobs, 10 * MINUTE - 1)
    assert alert_times(runtime, team, before.created_at, before.id) == [(0, "Amani")]
    advance(clock, run_jobs, 1)
    assert alert_times(runtime, team, before.created_at, before.id) == [(0, "Amani"), (600, "Bisimwa")]
    assert alert_times(runtime, team, after.created_at, after.id) == [(0, "Esther")]


def test_editing_an_areas_policy_does_not_change_a_running_escalation(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    add_policy(runtime, "CD-KL", [{"notify": ["primary"]}, {"wait": 120}, {"notify": ["supervisor"]}])
    opened = report(runtime)
    with runtime.session() as session:
        policy = session.get(EscalationPolicy, 1)
        assert policy is not None
        policy.steps = [{"notify": ["primary"]}, {"wait": 1}, {"notify": ["backup"]}]
        session.commit()
    run_jobs()
    advance(clock, run_jobs, 119)
    assert alert_times(runtime, team, opened.created_at) == [(0, "Amani")]
    advance(clock, run_jobs, 1)
    watch(clock, run_jobs, 10 * MINUTE, every=5 * MINUTE)
    assert alert_times(runtime, team, opened.created_at) == [(0, "Amani"), (120, "Chantal")]


# --- nobody answers, somebody answers -------------------------------------------------------------


def test_when_nobody_answers_the_backup_then_the_supervisor_are_alerted_on_time(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    opened = report(runtime)
    run_jobs()
    assert texts_to(runtime, team.primary.phone) == [
        f"ALERTE {opened.reference} Kwilu/Kikwit : exploitation sexuelle. Répondez 1 "
        f"{opened.reference} pour accepter, 2 {opened.reference} pour refuser."
    ]

    advance(clock, run_jobs, 10 * MINUTE - 1)
    assert texts_to(runtime, team.backup.phone) == []
    advance(clock, run_jobs, 1)
    [to_backup] = messages_to(runtime, team.backup.phone)
    assert to_backup.body.startswith(f"ALERTE {opened.reference} ")
    assert (to_backup.status, to_backup.created_at) == ("delivered", clock.now())

    advance(clock, run_jobs, 10 * MINUTE - 1)
    assert texts_to(runtime, team.supervisor.phone) == []
    advance(clock, run_jobs, 1)
    [to_supervisor] = messages_to(runtime, team.supervisor.phone)
    assert to_supervisor.body.startswith(f"ALERTE {opened.reference} ")
    assert to_supervisor.created_at == clock.now()
    assert texts_to(runtime, team.off_duty.phone) == []


def test_an_acceptance_stops_every_further_alert_for_that_report(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    opened = report(runtime)
    run_jobs()
    advance(clock, run_jobs, 10 * MINUTE)  # the backup is alerted
    reply(runtime, team.backup, f"1 {opened.reference}")
    run_jobs()
    sent = len(alerts(runtime))

    watch(clock, run_jobs, 100 * MINUTE, every=10 * MINUTE)
    assert len(alerts(runtime)) == sent == 2
    assert texts_to(runtime, team.supervisor.phone) == []
    assert texts_to(runtime, team.national.phone) == []
    assert texts_to(runtime, team.primary.phone)[-1] == (
        f"{opened.reference} a été accepté par un collègue. Rien à faire."
    )
    assert load(runtime, opened.id).accepted_by_id == team.backup.id


def test_a_duplicate_escalation_job_alerts_the_next_level_once(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    opened = report(runtime)
    run_jobs()
    clock.advance(seconds=10 * MINUTE)
    runtime.queue.escalate(opened.id)
    runtime.queue.escalate(opened.id)  # e.g. RQ's scheduler and the ticker both found it
    run_jobs()
    advance(clock, run_jobs)
    assert len(texts_to(runtime, team.backup.phone)) == 1
    assert len(events(runtime, opened.id, "notified")) == 2  # primary, then backup


def test_an_acceptance_racing_an_escalation_step_has_exactly_one_outcome(
    runtime: Runtime,
    clock: FrozenClock,
    team: Team,
) -> None:
    escalated_first = 0
    for _ in range(30):
        opened = report(runtime)
        clock.advance(seconds=10 * MINUTE)  # the backup step is due right now
        start = threading.Barrier(2)

        def step(report_id: int = opened.id, start: threading.Barrier = start) -> list[int] | None:
            start.wait()
            return escalation.run_due(runtime, report_id)

        def accept(reference: str = opened.reference, start: threading.Barrier = start) -> None:
            start.wait()
            with runtime.session() as session:
                amani = session.get(SocialWorker, team.primary.id)
                assert amani is not None
                worker_replies.handle(session, runtime, amani, f"1 {reference}")
                session.commit()

        with ThreadPoolExecutor(2) as pool:
            stepped, accepted = pool.submit(step), pool.submit(accept)
            escalated_first += bool(stepped.result())
            accepted.result()

        final = load(runtime, opened.id)
        assert (final.accepted_by_id, final.escalation_due_at) == (team.primary.id, None)
        [taken] = events(runtime, opened.id, "accepted")
        assert all(e.id < taken.id for e in events(runtime, opened.id, "notified"))
        backup_alerts = [a for a in alerts(runtime, opened.id) if a.worker_id == team.backup.id]
        assert all(a.status == "cancelled" for a in backup_alerts)  # never sent
        assert len(backup_alerts) == (1 if stepped.result() else 0)
    assert escalation.due_reports(runtime) == []
    print(f"escalation step first in {escalated_first} of 30 trials")


def test_pending_alerts_are_cancelled_when_a_colleague_accepts(
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    opened = report(runtime, urgent=True)  # Amani and Bisimwa alerted, nothing sent yet
    reply(runtime, team.primary, f"1 {opened.reference}")
    run_jobs()
    statuses = {a.worker_id: a.status for a in alerts(runtime, opened.id)}
    assert statuses == {team.primary.id: "cancelled", team.backup.id: "cancelled"}
    # Bisimwa never heard of this case, and is not told about it now.
    assert texts_to(runtime, team.backup.phone) == []
    assert texts_to(runtime, team.primary.phone)[0].startswith(f"Merci, {opened.reference}")


def test_an_escalation_step_sends_its_alerts_and_a_refused_one_is_retried_at_its_next_attempt(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
    fake_at: FakeAT,
) -> None:
    """A later step's alerts go out in the escalate job itself; one the gateway cannot take now
    gets a job of its own, scheduled when its row is due again."""
    from rq.job import Job

    opened = report(runtime)
    run_jobs()  # Amani's alert
    fake_at.fail_next(1, "http500")
    advance(clock, run_jobs, 10 * MINUTE)  # nobody answered: the backup step is due
    [backup] = [a for a in alerts(runtime, opened.id) if a.worker_id == team.backup.id]
    assert (backup.status, backup.attempts) == ("pending", 1)
    assert [m.to for m in fake_at.messages] == [team.primary.phone]
    registry = runtime.queue.queue.scheduled_job_registry
    job_id = f"hotline-send-at-{backup.id}"
    assert job_id in registry.get_job_ids()  # beside the next escalation step
    assert registry.get_scheduled_time(job_id) == backup.next_attempt_at

    clock.advance(seconds=(backup.next_attempt_at - clock.now()).total_seconds())
    runtime.queue.queue.enqueue_job(Job.fetch(job_id, connection=runtime.redis))  # RQ's scheduler
    run_jobs()
    [backup] = [a for a in alerts(runtime, opened.id) if a.worker_id == team.backup.id]
    assert (backup.status, backup.attempts) == ("sent", 2)
    assert [m.to for m in fake_at.messages] == [team.primary.phone, team.backup.phone]


# --- failed deliveries ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["Failed", "Rejected", "Expired", "AbsentSubscriber"])
def test_a_failed_delivery_report_alerts_the_next_level_without_waiting(
    client: FlaskClient,
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
    fake_at: FakeAT,
    status: str,
) -> None:
    opened = report(runtime)
    run_jobs()
    [to_amani] = fake_at.messages
    assert to_amani.to == team.primary.phone
    form = {
        "id": str(to_amani.message_id),
        "status": status,
        "phoneNumber": to_amani.to,
        "networkCode": "63001",
    }
    if status in ("Failed", "Rejected"):
        form["failureReason"] = "DeliveryFailure"
    assert client.post(f"/webhooks/at/{TEST_TOKEN}/sms/delivery", data=form).status_code == 200

    advance(clock, run_jobs)
    assert [sms.to for sms in fake_at.messages] == [team.primary.phone, team.backup.phone]
    assert fake_at.messages[1].message.startswith(f"ALERTE {opened.reference} ")
    assert alert_times(runtime, team, opened.created_at) == [(0, "Amani"), (0, "Bisimwa")]


def test_a_failed_bundle_alerts_the_next_level_for_every_report_it_listed(
    client: FlaskClient,
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
    fake_at: FakeAT,
) -> None:
    opened = [report(runtime) for _ in range(5)]
    run_jobs()
    advance(clock, run_jobs, seconds=120)  # past the hold and the ticker's grace: the bundle leaves
    [bundle] = [sms for sms in fake_at.messages if sms.message.startswith("ALERTES")]
    form = {
        "id": str(bundle.message_id),
        "status": "Failed",
        "phoneNumber": bundle.to,
        "networkCode": "63001",
        "failureReason": "DeliveryFailure",
    }
    assert client.post(f"/webhooks/at/{TEST_TOKEN}/sms/delivery", data=form).status_code == 200

    advance(clock, run_jobs)
    to_backup = [sms.message for sms in fake_at.messages if sms.to == team.backup.phone]
    assert sorted(text.split()[1] for text in to_backup) == sorted(r.reference for r in opened[3:])


def test_a_number_the_gateway_refuses_alerts_the_next_level_without_waiting(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
    fake_at: FakeAT,
) -> None:
    fake_at.reject(team.primary.phone, 403)  # InvalidPhoneNumber: trying again will not help
    opened = report(runtime)
    run_jobs()
    advance(clock, run_jobs)
    assert [(sms.to, sms.status_code) for sms in fake_at.messages] == [
        (team.primary.phone, 403),
        (team.backup.phone, 101),
    ]
    [failed] = messages_to(runtime, team.primary.phone)
    assert (failed.status, failed.failure_reason) == ("failed", "InvalidPhoneNumber")
    assert alert_times(runtime, team, opened.created_at) == [(0, "Amani"), (0, "Bisimwa")]


# --- the auditor ----------------------------------------------------------------------------------


def test_a_step_more_than_two_minutes_late_makes_the_service_unhealthy(
    client: FlaskClient,
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
    caplog: pytest.LogCaptureFixture,
) -> None:
    report(runtime)
    run_jobs()
    clock.advance(seconds=12 * MINUTE)  # the backup step is exactly 2 minutes late: tolerated
    assert escalation.overdue_reports(runtime) == 0
    assert client.get("/readyz").get_json()["checks"]["escalations"] == "ok"

    clock.advance(seconds=1)  # nobody ran the ticker or a worker
    assert escalation.overdue_reports(runtime) == 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["escalations"] == "1 overdue"

    caplog.set_level(logging.INFO, logger="workers.jobs")
    advance(clock, run_jobs)  # the ticker notices before it re-enqueues the step...
    [line] = [r for r in caplog.records if "UNHEALTHY" in r.getMessage()]
    assert line.levelno == logging.ERROR
    assert client.get("/readyz").get_json()["checks"]["escalations"] == "ok"  # ...which then ran
    assert len(texts_to(runtime, team.backup.phone)) == 1
