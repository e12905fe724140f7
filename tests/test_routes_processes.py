"""Two SMS routes with real processes (issue 15 part 2's proof): Africa's Talking refusing every SMS,
the alerts go out through the Android route, each once, and the worker's reply through that route
accepts the report, the answer coming back the same way.

The Procfile's web, worker and cron run against the fake AT and the fake Android phone
(tests/support/fake_android.py), whose sms:sent/sms:delivered events and the worker's sms:received
come back to the web's Android webhook. "For a minute" is the test's duration: the fake AT fails
every send request (HTTP 500) from before the first report to the end.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.alerting.staff import import_workers
from hotline.models import OutboundMessage, Report, ReportEvent
from tests.support.alerting_stack import LONG_WAIT, NORMAL_REPORT, is_alert, start_stack
from tests.support.processes import wait_for
from tests.support.ussd import walk_report

pytestmark = pytest.mark.slow

WORKER = "+243810000201"
OTHER_REPORTER = "+243990000456"  # a second person: one number's reports within minutes are one


def test_with_at_refusing_every_sms_alerts_go_out_once_through_android_and_the_reply_there_accepts(
    environ, runtime, tmp_path: Path
):
    csv = tmp_path / "workers.csv"
    csv.write_text(f"name,phone,language,areas,role\nKikwit worker,{WORKER},en,CD-KL,worker\n")
    import_workers(runtime, csv)
    settings = {"HOTLINE_ESCALATION_WAIT_SECONDS": str(LONG_WAIT), "HOTLINE_TICK_SECONDS": "1"}
    with start_stack(environ, runtime, tmp_path, android=True, **settings) as hotline:
        phone = hotline.phone
        assert phone is not None
        hotline.fake.fail_next(100_000, "http500")  # AT refuses every SMS for the whole test

        first, _ = hotline.report("ATUid_routes1")
        final = walk_report(hotline.hooks + "/ussd", "ATUid_routes2", OTHER_REPORTER, NORMAL_REPORT)
        with runtime.session() as session:
            second = session.scalar(select(Report.reference).order_by(Report.id.desc()))
        assert second and second != first and second in final
        for reference in (first, second):
            phone.wait_for(is_alert(reference, WORKER), timeout=20)
        time.sleep(3)  # time for a duplicate, a retry or a ticker's resend to show
        for reference in (first, second):
            assert len(phone.wait_for(is_alert(reference, WORKER))) == 1, phone.messages
        assert hotline.fake.messages == []  # AT carried nothing ...
        assert any(r.path == "/version1/messaging" for r in hotline.fake.requests)  # ... it was asked

        def alerts_delivered() -> list[OutboundMessage] | None:
            with runtime.session() as session:
                rows = list(
                    session.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "alert"))
                )
            return rows if len(rows) == 2 and all(m.status == "delivered" for m in rows) else None

        rows = wait_for(alerts_delivered, timeout=20, what="the phone's delivery events")
        assert {(m.gateway, m.attempts) for m in rows} == {("android", 1)}
        with runtime.session() as session:
            report_id = session.scalar(select(Report.id).where(Report.reference == first))
            events = list(session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id)))
        routes = [(e.kind, e.detail.get("gateway")) for e in events if e.kind.startswith("message_")]
        assert ("message_sent", "android") in routes and ("message_delivered", "android") in routes
        assert all(gateway == "android" for kind, gateway in routes if kind != "message_rerouted")

        assert phone.receive_sms(WORKER, f"1 {first}") == 200  # the worker accepts, by the phone's SIM

        def accepted() -> bool:
            with runtime.session() as session:
                return session.scalar(select(Report.status).where(Report.reference == first)) == "accepted"

        wait_for(accepted, timeout=20, what="the report accepted")
        details = phone.wait_for(lambda m: m.to == WORKER and not m.message.startswith("ALERT "), timeout=20)
        assert details and first in details[0].message
        assert hotline.fake.messages == []  # the answer came back through Android too
