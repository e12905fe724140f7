"""A worker about to get more than three alerts within ten minutes gets one bundled SMS."""

from __future__ import annotations

import pytest

from flows.text import is_gsm7
from hotline.models import Report
from hotline.platform.settings import Settings, SettingsError
from tests.support.builders import add_worker, advance, messages_to, reply, report, runtime_with


def test_the_fourth_and_fifth_alerts_in_ten_minutes_arrive_as_one_bundle(runtime, clock, run_jobs):
    amani = add_worker(runtime, "Amani")
    opened = []
    for _ in range(5):
        opened.append(report(runtime))
        advance(clock, run_jobs, seconds=20)

    sent = [m for m in messages_to(runtime, amani.phone) if m.status in ("delivered", "sent")]
    assert [m.purpose for m in sent] == ["alert", "alert", "alert"]  # the bundle is still held

    advance(clock, run_jobs, seconds=120)  # past the hold and the ticker's grace
    sent = [m for m in messages_to(runtime, amani.phone) if m.status in ("delivered", "sent")]
    assert [m.purpose for m in sent] == ["alert", "alert", "alert", "bundle"]
    bundle = sent[-1].body
    assert opened[3].reference in bundle and opened[4].reference in bundle
    assert opened[0].reference not in bundle
    assert is_gsm7(bundle) and "Kikwit" in bundle


def test_a_held_bundle_is_scheduled_to_leave_when_its_minute_is_over_not_a_tick_later(
    runtime, clock, run_jobs
):
    amani = add_worker(runtime, "Amani")
    for _ in range(5):
        report(runtime)
    run_jobs()
    [bundle] = messages_to(runtime, amani.phone, "bundle")
    assert bundle.status == "pending"
    registry = runtime.queue.queue.scheduled_job_registry
    job_id = f"hotline-send-at-{bundle.id}"
    assert job_id in registry.get_job_ids()
    assert registry.get_scheduled_time(job_id) == bundle.next_attempt_at.replace(microsecond=0)


class ReportDuringSend:
    """The runtime's gateway, with a report opened while the bundle is on its way out (as another
    web thread would, in a surge)."""

    def __init__(self, runtime, gateway) -> None:  # type: ignore[no-untyped-def]
        self.runtime, self.gateway, self.opened, self.sent = runtime, gateway, [], []
        self.name, self.max_send_seconds = gateway.name, gateway.max_send_seconds

    def send(self, to: str, body: str):  # type: ignore[no-untyped-def]
        if body.startswith("ALERTES") and not self.opened:
            self.opened.append(report(self.runtime))
        self.sent.append(body)
        return self.gateway.send(to, body)

    def balance(self) -> str | None:
        return self.gateway.balance()


def test_an_alert_bundled_while_its_bundle_is_being_sent_goes_out_in_the_next_bundle(
    runtime, clock, run_jobs
):
    add_worker(runtime, "Amani")
    opened = [report(runtime) for _ in range(4)]
    run_jobs()
    runtime.gateway = sending = ReportDuringSend(runtime, runtime.gateway)
    advance(clock, run_jobs, seconds=120)  # the first bundle goes; a fifth report comes meanwhile
    advance(clock, run_jobs, seconds=120)
    [late] = sending.opened
    bundles = [body for body in sending.sent if body.startswith("ALERTES")]  # what left, as it left
    assert opened[3].reference in bundles[0]
    assert any(late.reference in body for body in bundles)


def test_a_bundled_alert_can_be_accepted_by_its_reference(runtime, clock, run_jobs):
    amani = add_worker(runtime, "Amani")
    opened = [report(runtime) for _ in range(4)]
    run_jobs()
    reply(runtime, amani, f"1 {opened[3].reference}")
    run_jobs()
    with runtime.session() as session:
        assert session.get(Report, opened[3].id).accepted_by_id == amani.id


def test_alerts_spread_over_more_than_ten_minutes_are_never_bundled(runtime, clock, run_jobs):
    amani = add_worker(runtime, "Amani")
    # Amani alone is every level of Kwilu: with hour-long waits, her second round for a report
    # comes after this test, and each report alerts her once in it.
    with runtime_with(runtime, escalation_wait_seconds=3600) as hourly:
        for _ in range(5):
            report(hourly)
            advance(clock, run_jobs, seconds=301)
    purposes = [m.purpose for m in messages_to(runtime, amani.phone)]
    assert purposes == ["alert"] * 5


def test_with_bundling_turned_off_every_alert_goes_out_on_its_own(runtime, clock, run_jobs):
    amani = add_worker(runtime, "Amani")
    with runtime_with(runtime, bundle_after=0) as unbundled:
        opened = [report(unbundled) for _ in range(6)]
        run_jobs()
    sent = messages_to(runtime, amani.phone)
    assert [m.purpose for m in sent] == ["alert"] * 6
    assert all(m.status in ("sent", "delivered") for m in sent)
    assert [m.report_id for m in sent] == [r.id for r in opened]


@pytest.mark.parametrize("value", ["-1", "101", "three"])
def test_a_bundling_threshold_out_of_range_stops_the_service_naming_it(environ, value):
    with pytest.raises(SettingsError, match="HOTLINE_BUNDLE_AFTER must be a whole number from 0 to 100"):
        Settings.from_env({**environ, "HOTLINE_BUNDLE_AFTER": value})
