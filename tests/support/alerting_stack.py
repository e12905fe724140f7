"""The Procfile's processes (web, worker, cron) against the fake AT (and, as a second SMS route, the
fake Android phone), driven as a phone and a worker would: the pieces the tests with real processes
share (tests/test_alerting_processes.py, tests/test_unanswered_processes.py,
tests/test_routes_processes.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import select

from hotline.alerting import escalation
from hotline.alerting.staff import import_workers
from hotline.models import Report, Roster, RosterRotation, SocialWorker
from hotline.platform.runtime import Runtime
from tests.support.fake_android import FakeAndroid
from tests.support.fake_at import FakeAT, ReceivedSms
from tests.support.processes import Stack, wait_for
from tests.support.ussd import walk_report

REPORTER = "+243990000123"
# Francais, report, sexual exploitation, danger now: No (the normal policy), Kwilu, Kikwit, then
# skip (99) the place detail, number of people, description and PIN; children: not sure;
# anonymous; send.
NORMAL_REPORT = ["1", "1", "1", "2", "2", "3", "99", "99", "3", "99", "3", "99", "1"]
WAIT = 3  # HOTLINE_ESCALATION_WAIT_SECONDS for the timing tests
# RQ schedules at whole seconds and a step woken up to DUE_SLACK early runs: an alert may come that
# much (plus the previous alert's send latency) before its wait is over...
EARLY = escalation.DUE_SLACK.total_seconds() + 0.5
LATE = 3.0  # ... and this much after it (RQ's scheduler and the ticker poll every second)
LONG_WAIT = 300  # for tests where no escalation step may fire

AlertMatch = Callable[[ReceivedSms], bool]


@dataclass
class Hotline:
    stack: Stack
    fake: FakeAT
    runtime: Runtime
    token: str
    phone: FakeAndroid | None = None  # the second route, when the stack was started with android=True

    @property
    def hooks(self) -> str:
        return f"{self.stack.url}/webhooks/at/{self.token}"

    @property
    def android_hooks(self) -> str:
        return f"{self.stack.url}/webhooks/android/{self.token}/events"

    def report(self, session_id: str) -> tuple[str, float]:
        """Walk a normal (not urgent) report over USSD; its reference and when the END came."""
        final = walk_report(self.hooks + "/ussd", session_id, REPORTER, NORMAL_REPORT)
        reported_at = time.time()
        assert final.startswith("END "), final
        with self.runtime.session() as session:
            report = session.scalar(select(Report).order_by(Report.id.desc()))
        assert report is not None and report.reference in final
        return report.reference, reported_at

    def sms_from(self, phone: str, text: str) -> None:
        """A worker's SMS, posted as AT posts it."""
        response = requests.post(
            self.hooks + "/sms",
            data={
                "from": phone,
                "to": "12345",
                "text": text,
                "date": "2026-01-05 08:00:00",
                "id": f"ATSid_{time.monotonic_ns()}",
                "networkCode": "63001",
            },
            timeout=10,
        )
        assert response.status_code == 200

    def alerts(self, reference: str) -> list[ReceivedSms]:
        return [m for m in self.fake.messages if is_alert(reference)(m)]

    def readiness(self, status: int, timeout: float = 15) -> dict[str, Any]:
        """Wait until /readyz answers ``status``; its body."""

        def answer() -> dict[str, Any] | None:
            response = requests.get(self.stack.url + "/readyz", timeout=5)
            return response.json() if response.status_code == status else None

        return wait_for(answer, timeout=timeout, what=f"/readyz to answer {status}")


def is_alert(reference: str, to: str | None = None) -> AlertMatch:
    return lambda m: m.message.startswith(f"ALERT {reference} ") and (to is None or m.to == to)


def to_with(to: str, *words: str) -> AlertMatch:
    return lambda m: m.to == to and all(word in m.message for word in words)


@contextmanager
def start_stack(
    environ: dict[str, str], runtime: Runtime, log_dir: Path, *, android: bool = False, **settings: str
) -> Iterator[Hotline]:
    """Fake AT + web + worker + cron, with the test environment and these settings (env names).

    ``android``: also the fake Android phone as the second SMS route (SMS_GATEWAYS=africastalking,
    android), its events posted to the web's Android webhook."""
    with ExitStack() as fakes:
        fake = fakes.enter_context(FakeAT(api_key="alerting-key", username="hotline-alerting"))
        phone = fakes.enter_context(FakeAndroid()) if android else None
        routes = (
            {
                "SMS_GATEWAYS": "africastalking,android",
                "ANDROID_GATEWAY_URL": phone.url,
                "ANDROID_GATEWAY_USERNAME": phone.username,
                "ANDROID_GATEWAY_PASSWORD": phone.password,
            }
            if phone
            else {"SMS_GATEWAY": "africastalking"}
        )
        env = {
            **environ,
            "HOTLINE_ENV": "production",
            **routes,
            "AT_USERNAME": "hotline-alerting",
            "AT_API_KEY": "alerting-key",
            "AT_API_URL": fake.url,
            **settings,
        }
        stack = Stack(env, ("web", "worker", "cron"), log_dir=log_dir)
        if env.get("HOTLINE_VOICE") == "on":  # the prompts and the key's callback are absolute URLs
            stack.env["HOTLINE_PUBLIC_URL"] = stack.url
        with stack as processes:
            hotline = Hotline(processes, fake, runtime, environ["HOTLINE_WEBHOOK_TOKEN"], phone)
            fake.delivery_callback_url = hotline.hooks + "/sms/delivery"
            if phone:
                phone.webhook_url = hotline.android_hooks
            fake.voice.callback_url = hotline.hooks + "/voice"
            try:
                yield hotline
            except AssertionError as failure:
                raise AssertionError(f"{failure}\n{processes.logs()}") from None


def kwilu_roster(
    runtime: Runtime, tmp_path: Path, phones: tuple[str, str, str], language: str = "en"
) -> None:
    """Three workers for Kwilu (primary, backup, supervisor: ``phones`` in that order), each alone
    at one level of its roster for the days around today."""
    primary, backup, supervisor = phones
    csv = tmp_path / "workers.csv"
    csv.write_text(
        "name,phone,language,areas,role\n"
        f"Primary,{primary},{language},CD-KL,worker\n"
        f"Backup,{backup},{language},CD-KL,worker\n"
        f"Supervisor,{supervisor},{language},CD-KL,supervisor\n"
    )
    import_workers(runtime, csv)
    now = datetime.now(ZoneInfo("Africa/Kinshasa"))
    with runtime.session() as session:
        ids = {w.name: w.id for w in session.scalars(select(SocialWorker))}
        roster = Roster(area_code="CD-KL", timezone="Africa/Kinshasa", created_at=now, updated_at=now)
        roster.rotations = [
            RosterRotation(
                level=level,
                members=[ids[name]],
                start_date=now.date() - timedelta(days=3),
                handoff_hour=0,
                every_days=1000,
            )
            for level, name in (("primary", "Primary"), ("backup", "Backup"), ("supervisor", "Supervisor"))
        ]
        session.add(roster)
        session.commit()
