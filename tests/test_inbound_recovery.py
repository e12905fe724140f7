"""An SMS stored by the webhook is handled even when its job is lost (Redis flushed)."""

from __future__ import annotations

from sqlalchemy import select

from hotline.models import InboundMessage, Report
from tests.support.environment import TEST_TOKEN
from workers import jobs


def test_an_sms_whose_job_was_lost_is_found_again_by_the_ticker(client, runtime, clock, run_jobs):
    response = client.post(
        f"/webhooks/at/{TEST_TOKEN}/sms",
        data={
            "from": "+243990000777",
            "to": "12345",
            "text": "Des enfants travaillent a Kikwit",
            "date": "2026-01-05 08:00:00",
            "id": "lost-1",
            "networkCode": "63001",
        },
    )
    assert response.status_code == 200
    runtime.redis.flushdb()  # the job is gone; the row is not

    jobs.tick()
    run_jobs()
    with runtime.session() as session:
        assert session.scalar(select(Report)) is None  # too early: the fast path may still run

    clock.advance(seconds=2 * runtime.settings.tick_seconds + 1)
    jobs.tick()
    run_jobs()
    with runtime.session() as session:
        report = session.scalar(select(Report))
        message = session.scalar(select(InboundMessage))
    assert report is not None and report.location_code == "CD-KL/kikwit"
    assert message.processed_at is not None and message.report_id == report.id
