"""A pilot's thin roster with real processes: one Kikwit worker, a Kwilu supervisor, a national duty
officer and a coordinator watching the whole country, nobody answering.

Web (gunicorn), worker and cron run as the Procfile says against the fake AT, with every policy
wait 5 s and the alarm time 6 s (HOTLINE_ESCALATION_WAIT_SECONDS, HOTLINE_ALARM_SECONDS). Before,
the empty backup level held each round for a wait of its own: the supervisor came at 2 waits and
the national officer at 9; nothing ever alarmed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.alerting.staff import import_workers
from hotline.casework.users import create_user, set_alarm_phone
from hotline.models import Report, ReportEvent
from hotline.platform.runtime import Runtime
from tests.support.alerting_stack import EARLY, LATE, Hotline, is_alert, start_stack, to_with

pytestmark = pytest.mark.slow

WORKER, SUPERVISOR, NATIONAL = "+243810000201", "+243810000202", "+243810000203"
COORDINATOR = "+243810000299"
WAIT = 5  # long enough that one wait and two waits cannot be mistaken for each other
ALARM_AFTER = 6


@pytest.fixture
def pilot(environ: dict[str, str], runtime: Runtime, tmp_path: Path) -> Iterator[Hotline]:
    csv = tmp_path / "workers.csv"
    csv.write_text(
        "name,phone,language,areas,role\n"
        f"Amani,{WORKER},en,CD-KL/kikwit,worker\n"
        f"Chantal,{SUPERVISOR},en,CD-KL,supervisor\n"
        f"Esther,{NATIONAL},en,CD-KN,national_duty\n"
    )
    import_workers(runtime, csv)
    with runtime.session() as session:
        user = create_user(
            session,
            runtime,
            email="coordination@example.org",
            name="Coordination nationale",
            password="a long enough password",
            role="supervisor",
            areas=["CD"],
        )
        set_alarm_phone(runtime, user, COORDINATOR, alarm_sms=True)
        session.commit()
    settings = {
        "HOTLINE_ESCALATION_WAIT_SECONDS": str(WAIT),
        "HOTLINE_ALARM_SECONDS": str(ALARM_AFTER),
        "HOTLINE_TICK_SECONDS": "1",
    }
    with start_stack(environ, runtime, tmp_path, **settings) as hotline:
        yield hotline


def timeline(hotline: Hotline, reference: str) -> list[str]:
    with hotline.runtime.session() as session:
        report_id = session.scalar(select(Report.id).where(Report.reference == reference))
        return list(
            session.scalars(
                select(ReportEvent.kind).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
            )
        )


def test_the_supervisor_and_the_national_officer_come_without_waiting_on_the_empty_backup(
    pilot: Hotline,
) -> None:
    reference, reported_at = pilot.report("ATUid_thin_roster")
    national = pilot.fake.wait_for(is_alert(reference, NATIONAL), timeout=6 * WAIT + 4 * LATE)[0]
    alerts = pilot.alerts(reference)

    # primary, supervisor, primary, supervisor, primary, supervisor, national: one wait between each
    assert [a.to for a in alerts] == [WORKER, SUPERVISOR] * 3 + [NATIONAL]
    supervisor = alerts[1]
    assert WAIT - EARLY <= supervisor.received_at - reported_at <= WAIT + LATE  # not 2 waits
    assert national.received_at - reported_at <= 6 * WAIT + 3 * LATE  # not 9 waits
    assert "wait_skipped" in timeline(pilot, reference)


def test_the_alarm_reaches_the_coordinator_once_and_accepting_ends_it(pilot: Hotline) -> None:
    reference, reported_at = pilot.report("ATUid_alarm")
    [alarm] = pilot.fake.wait_for(to_with(COORDINATOR, reference), timeout=ALARM_AFTER + 3 * LATE)
    assert alarm.received_at - reported_at >= ALARM_AFTER - EARLY
    assert alarm.message.startswith(f"SANS REPONSE {reference} ")

    pilot.sms_from(WORKER, f"1 {reference}")
    pilot.fake.wait_for(to_with(WORKER, reference, "is yours"), timeout=10)
    assert timeline(pilot, reference).count("alarm_raised") == 1
    assert "alarm_ended" in timeline(pilot, reference)
    assert len([m for m in pilot.fake.messages if m.to == COORDINATOR]) == 1
