"""The daily balance check: AT's account credit, read through the real SDK from the fake AT."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hotline.gateways.africastalking import AfricasTalkingGateway
from hotline.models import Notice
from hotline.platform.money import AmountError, parse_amount
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings, SettingsError
from hotline.records.notices import open_notices
from hotline.sms.balance import NOTICE_KEY, check_balance
from tests.support.metrics import TOKEN, scrape

# The gateway reads the balance as user "hotline", the only one the fake AT accepts; a USD 5 minimum.
pytestmark = pytest.mark.fake_at(username="hotline", settings={"balance_minimum": "USD 5"})


def notices(runtime: Runtime) -> list[Notice]:
    with runtime.session() as session:
        return open_notices(session, runtime.clock.now())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USD 12.3400", ("USD", Decimal("12.3400"))),
        ("KES 1,234.50", ("KES", Decimal("1234.50"))),
        ("5", (None, Decimal(5))),
        ("cdf 10 000", ("CDF", Decimal(10000))),
    ],
)
def test_balances_and_thresholds_are_read_with_their_currency(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "USD", "five dollars", "USD -3", "US 5"])
def test_a_balance_that_is_not_an_amount_is_refused(text):
    with pytest.raises(AmountError):
        parse_amount(text)


def test_a_threshold_that_is_not_an_amount_stops_the_process(environ):
    with pytest.raises(SettingsError, match="AT_BALANCE_MIN"):
        Settings.from_env({**environ, "AT_BALANCE_MIN": "lots"})


def test_the_daily_job_warns_operators_when_credit_runs_low_and_clears_when_topped_up(
    runtime, fake_at, run_jobs
):
    fake_at.balance = "USD 3.2000"
    runtime.queue.enqueue("workers.jobs.check_balance")
    run_jobs()
    [notice] = notices(runtime)
    assert (notice.key, notice.kind, notice.level) == (NOTICE_KEY, "gateway_balance", "critical")
    assert notice.detail == {"balance": "3.2000", "currency": "USD", "minimum": "5"}
    assert [r.path for r in fake_at.requests] == ["/version1/user"]
    assert fake_at.requests[0].fields == {"username": "hotline"}

    fake_at.balance = "USD 40.0000"
    runtime.queue.enqueue("workers.jobs.check_balance")
    run_jobs()
    assert notices(runtime) == []


def test_a_threshold_in_another_currency_is_said_rather_than_compared(runtime, fake_at):
    fake_at.balance = "KES 900.0000"
    assert check_balance(runtime) == "currency differs"
    [notice] = notices(runtime)
    assert notice.kind == "gateway_balance_currency" and notice.detail["minimum_currency"] == "USD"


def test_an_unreachable_gateway_leaves_the_notices_alone(runtime, fake_at):
    runtime.gateway = AfricasTalkingGateway("hotline", "wrong-key", api_url=fake_at.url)
    assert check_balance(runtime) == "unavailable"
    assert notices(runtime) == []


def test_the_local_outbox_has_no_balance_to_watch(runtime):
    assert check_balance(runtime) == "no balance"
    assert notices(runtime) == []


def test_the_last_balance_read_is_a_metric(runtime, fake_at, client):
    from hotline.web.app import create_app

    check_balance(runtime)
    runtime.settings = runtime.settings.with_overrides(metrics_token=TOKEN)
    samples = scrape(create_app(runtime=runtime).test_client())
    assert samples[("hotline_gateway_balance", (("currency", "USD"),))] == pytest.approx(12.34)


def test_the_cron_process_reads_the_balance_every_morning_at_six_utc(runtime):
    from rq.cron import CronScheduler

    from workers import jobs
    from workers.cron import BALANCE_CRON

    job = CronScheduler(connection=runtime.redis).register(
        jobs.check_balance, queue_name=runtime.settings.queue_name, cron=BALANCE_CRON
    )
    assert (job.next_enqueue_time.hour, job.next_enqueue_time.minute) == (6, 0)
