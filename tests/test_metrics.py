"""/metrics: Prometheus numbers read from the database and Redis, behind a bearer token."""

from __future__ import annotations

import pytest

from hotline.models import OutboundMessage
from hotline.platform.runtime import Runtime
from hotline.web.app import create_app
from tests.support.builders import every, kwilu_team
from tests.support.environment import BASE
from tests.support.fake_at import COST_PER_PART
from tests.support.metrics import AUTH, TOKEN, scrape
from tests.support.ussd import ANONYMOUS_REPORT, walk


@pytest.fixture
def watched(runtime: Runtime):  # type: ignore[no-untyped-def]
    """The app with HOTLINE_METRICS_TOKEN set."""
    runtime.settings = runtime.settings.with_overrides(metrics_token=TOKEN)
    return create_app(runtime=runtime).test_client()


def test_without_a_configured_token_there_is_no_metrics_page(client):
    assert client.get("/metrics", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token-0123456789abcdef", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_a_scrape_without_the_right_token_is_refused(watched, header):
    response = watched.get("/metrics", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"hotline_" not in response.data


def test_a_report_through_the_webhooks_moves_the_numbers(watched, runtime, fake_at, run_jobs):
    kwilu_team(runtime)
    before = scrape(watched)
    screens = walk(watched, ANONYMOUS_REPORT)
    assert screens[-1].startswith("END ")
    queued = scrape(watched)
    run_jobs()  # the alert goes out through the real SDK to the fake AT
    alert = next(m for m in every(runtime, OutboundMessage) if m.purpose == "alert")
    watched.post(f"{BASE}/sms/delivery", data={"id": alert.gateway_message_id, "status": "Success"})
    after = scrape(watched)

    report_key = ("hotline_reports_total", (("category", "sexual_exploitation"), ("channel", "ussd")))
    assert before.get(report_key, 0) == 0 and after[report_key] == 1
    hops = len(ANONYMOUS_REPORT) + 1
    assert after[("hotline_ussd_hop_seconds_count", ())] == hops
    assert after[("hotline_ussd_hop_seconds_bucket", (("le", "+Inf"),))] == hops
    assert queued[("hotline_queue_jobs", (("state", "queued"),))] >= 1  # its escalate job
    assert after[("hotline_outbox_pending", ())] == 0
    assert after[("hotline_alerts", (("status", "delivered"),))] == 1
    parts = sum(m.parts for m in fake_at.messages)
    assert after[("hotline_sms_parts_total", (("gateway", "africastalking"),))] == parts
    assert after[("hotline_sms_cost_total", (("currency", "USD"),))] == pytest.approx(parts * COST_PER_PART)
    assert after[("hotline_metrics_source_up", (("source", "redis"),))] == 1


def test_acceptance_times_fall_in_their_buckets(watched, runtime, run_jobs):
    from tests.support.builders import advance, reply
    from tests.support.builders import report as open_a_report

    team = kwilu_team(runtime)
    opened = open_a_report(runtime)
    run_jobs()
    advance(runtime.clock, run_jobs, 4 * 60)
    reply(runtime, team.primary, f"OK {opened.reference}")
    run_jobs()
    samples = scrape(watched)
    assert samples[("hotline_acceptance_seconds_count", ())] == 1
    assert samples[("hotline_acceptance_seconds_bucket", (("le", "60"),))] == 0
    assert samples[("hotline_acceptance_seconds_bucket", (("le", "300"),))] == 1
    assert samples[("hotline_acceptance_seconds_sum", ())] == pytest.approx(240, abs=1)


def test_no_phone_number_or_text_appears_in_the_metrics(watched, runtime, fake_at, run_jobs):
    kwilu_team(runtime)
    walk(watched, ANONYMOUS_REPORT, phone="+243810000777")
    run_jobs()
    body = watched.get("/metrics", headers=AUTH).get_data(as_text=True)
    assert "810000777" not in body and "+243" not in body


def test_with_redis_down_the_database_numbers_are_still_served(runtime, watched):
    from redis import Redis

    from hotline.ops.redis_server import free_port
    from tests.support.builders import report as open_a_report

    open_a_report(runtime)
    runtime.redis = Redis(port=free_port(), socket_connect_timeout=0.5)  # nothing listens there
    samples = scrape(watched)
    assert samples[("hotline_metrics_source_up", (("source", "redis"),))] == 0
    assert samples[("hotline_metrics_source_up", (("source", "database"),))] == 1
    assert samples[("hotline_reports_total", (("category", "sexual_exploitation"), ("channel", "ussd")))] == 1


def test_every_web_process_reports_the_same_numbers(runtime, watched):
    """Two processes (gunicorn workers, or hosts) share nothing but the database and Redis."""
    from hotline.platform.settings import Settings

    kwilu_team(runtime)
    walk(watched, ANONYMOUS_REPORT)  # served by this process only
    settings: Settings = runtime.settings
    other = Runtime.build(settings, clock=runtime.clock)
    try:
        from_other = scrape(create_app(runtime=other).test_client())
    finally:
        other.close()
    from_this = scrape(watched)
    assert from_other[("hotline_ussd_hop_seconds_count", ())] == len(ANONYMOUS_REPORT) + 1
    assert from_other == from_this
