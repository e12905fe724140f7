"""Escalation phone calls with real processes (issue 15, part 1): the Procfile's web, worker and
cron against the fake AT, which rings the worker's "phone", posts AT's voice callbacks to gunicorn,
fetches the recordings it is told to play, and presses the key its script says.

Kwilu has one worker per roster level. The waits are shortened (HOTLINE_ESCALATION_WAIT_SECONDS),
so "at once" below means well inside one wait.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.models import Report, SocialWorker
from hotline.platform.runtime import Runtime
from tests.support.alerting_stack import LATE, Hotline, is_alert, kwilu_roster, start_stack, to_with
from tests.support.builders import events, texts_to
from tests.support.processes import wait_for
from tests.support.ussd import ANONYMOUS_REPORT, walk_report
from tests.support.voice import VOICE_NUMBER

pytestmark = pytest.mark.slow

PRIMARY, BACKUP, SUPERVISOR = "+243810000201", "+243810000202", "+243810000203"
REPORTER = "+243990000124"
# Urgent reports: primary by SMS, a wait, a call to the primary, a wait, then the backup.
CALL_THEN_BACKUP = {
    "alarm_minutes": {"normal": 60, "urgent": 15},
    "normal": [{"notify": ["primary"]}, {"wait": 600}, {"notify": ["backup"]}],
    "urgent": [
        {"notify": ["primary"]},
        {"wait": 180},
        {"call": ["primary"]},
        {"wait": 180},
        {"notify": ["backup"]},
        {"wait": 180},
        {"notify": ["supervisor"]},
    ],
}


@contextmanager
def hotline_with_voice(
    environ: dict[str, str], runtime: Runtime, tmp_path: Path, wait: int, **settings: str
) -> Iterator[Hotline]:
    voice = {
        "HOTLINE_VOICE": "on",
        "AT_VOICE_NUMBER": VOICE_NUMBER,
        "HOTLINE_ESCALATION_WAIT_SECONDS": str(wait),
        "HOTLINE_TICK_SECONDS": "1",
    }
    with start_stack(environ, runtime, tmp_path, **voice, **settings) as hotline:
        yield hotline


def urgent_report(hotline: Hotline, session_id: str) -> tuple[Report, float]:
    final = walk_report(hotline.hooks + "/ussd", session_id, REPORTER, ANONYMOUS_REPORT)
    reported_at = time.time()
    assert final.startswith("END "), final
    with hotline.runtime.session() as session:
        found = session.scalar(select(Report).order_by(Report.id.desc()))
    assert found is not None and found.urgent and found.reference in final
    return found, reported_at


def test_a_primary_who_misses_the_sms_is_called_presses_1_and_gets_the_details(
    environ: dict[str, str], runtime: Runtime, tmp_path: Path
) -> None:
    wait = 4
    kwilu_roster(runtime, tmp_path, (PRIMARY, BACKUP, SUPERVISOR), "fr")
    with hotline_with_voice(environ, runtime, tmp_path, wait) as hotline:
        hotline.fake.voice.script(PRIMARY, "press1")
        opened, reported_at = urgent_report(hotline, "ATUid_voice_press1")
        hotline.fake.wait_for(to_with(PRIMARY, f"ALERTE {opened.reference}"), timeout=LATE)
        (placed,) = hotline.fake.voice.wait_for_end(timeout=wait + 3 * LATE)
        details = wait_for(lambda: texts_to(runtime, PRIMARY, "details"), timeout=10, what="the details SMS")
        hotline.fake.wait_for(lambda m: m.to == PRIMARY and m.message == details[0], timeout=10)
        time.sleep(wait + 1)  # the supervisor's step would fall in here

    assert placed.to == PRIMARY and placed.received_at - reported_at >= wait - LATE
    with runtime.session() as session:
        report = session.get(Report, opened.id)
        primary = session.scalar(select(SocialWorker).where(SocialWorker.name == "Primary"))
        assert report is not None and primary is not None and report.accepted_by_id == primary.id
    assert opened.reference in details[0]
    assert [e.detail["outcome"] for e in events(runtime, opened.id, "call_ended")] == ["accepted"]
    assert not [m for m in hotline.fake.messages if m.to == SUPERVISOR]
    # gunicorn served every recording AT was told to play, as audio.
    audio = hotline.fake.voice.audio
    assert audio and all(status == 200 and kind == "audio/mpeg" for _, status, kind in audio)
    assert all(x.problem is None for x in hotline.fake.voice.exchanges)


def test_a_call_nobody_answers_moves_to_the_backup_at_once(
    environ: dict[str, str], runtime: Runtime, tmp_path: Path
) -> None:
    wait = 8
    kwilu_roster(runtime, tmp_path, (PRIMARY, BACKUP, SUPERVISOR), "en")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(CALL_THEN_BACKUP))
    with hotline_with_voice(
        environ, runtime, tmp_path, wait, HOTLINE_ESCALATION_POLICY_FILE=str(policy)
    ) as hotline:
        opened, _ = urgent_report(hotline, "ATUid_voice_no_answer")  # PRIMARY's script: no answer
        (placed,) = hotline.fake.voice.wait_for_end(timeout=wait + 3 * LATE)
        ended_at = time.time()
        backup = hotline.fake.wait_for(is_alert(opened.reference, BACKUP), timeout=wait)[0]

    assert placed.to == PRIMARY
    assert backup.received_at - ended_at < wait / 2  # at once, not after the call's wait
    (ended,) = events(runtime, opened.id, "call_ended")
    assert (ended.detail["outcome"], ended.detail["status"]) == ("no_answer", "NO_ANSWER")
    assert [m.to for m in hotline.alerts(opened.reference)] == [PRIMARY, BACKUP]
