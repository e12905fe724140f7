"""Oversight: the dashboard's numbers (pure functions on handmade rows, then the page as an
operator of one area sees it) and the audit log (who may read it, and finding a line in it)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hotline.casework import stats
from hotline.casework.stats import ReportRow
from hotline.models import AuditEntry, OutboundMessage, Report, User, UssdSessionEvent
from hotline.records.audit import audit
from hotline.web.console.access import ConsoleUser
from tests.support.consolekit import login, make_user

KINSHASA_ZONE = ZoneInfo("Africa/Kinshasa")
NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # the frozen clock's start, a Monday
SCRIPT = "<script>alert(1)</script>"
MAX_PAGE = 150_000
_numbers = count(1)


def row(
    minutes_to_accept: float | None = None, *, days_ago: float = 1, area: str = "CD-KL", **fields
) -> ReportRow:  # type: ignore[no-untyped-def]
    created = NOW - timedelta(days=days_ago)
    accepted = None if minutes_to_accept is None else created + timedelta(minutes=minutes_to_accept)
    return ReportRow(
        created_at=created,
        accepted_at=accepted,
        category=fields.pop("category", "forced_labour"),
        location_code=area,
        **fields,
    )


def operator_of(*areas: str) -> ConsoleUser:
    return ConsoleUser(User(id=1, email="o@example.org", name="O", role="operator", areas=list(areas)))


# The numbers, on handmade rows


def test_the_median_and_90th_percentile_interpolate_between_ranks():
    assert stats.quantile([4, 1, 3, 2], 0.5) == 2.5
    assert stats.quantile(list(range(1, 11)), 0.9) == 9.1
    assert stats.quantile([7], 0.9) == 7
    assert stats.quantile([], 0.5) is None


def test_time_to_acceptance_counts_the_period_real_reports_and_the_ones_still_waiting():
    rows = [row(m) for m in (10, 20, 30, 40)] + [
        row(1, training=True),  # a simulator report, answered at once: not a real wait
        row(1, days_ago=40),  # before the period
        row(None),
        row(None),  # nobody accepted these yet
        row(None, status="duplicate"),  # merged into another: waits for nobody
    ]
    waits = stats.acceptance(rows, NOW - timedelta(days=30))
    assert (waits.accepted, waits.waiting) == (4, 2)
    assert waits.median_seconds == 25 * 60
    assert waits.p90_seconds == 37 * 60


def test_only_real_reports_of_the_users_areas_are_counted():
    rows = [
        row(area="CD-KL"),
        row(area="CD-KL/kikwit"),
        row(area="CD-KN"),
        row(area="CD-KLX"),
        row(area="CD-KL", training=True),
    ]
    kept = stats.countable(rows, operator_of("CD-KL").sees)
    assert [r.location_code for r in kept] == ["CD-KL", "CD-KL/kikwit"]
    assert len(stats.countable(rows, operator_of().sees)) == 0


def test_reports_fall_on_the_local_day_and_week_they_arrived():
    late = ReportRow(datetime(2026, 1, 4, 23, 30, tzinfo=UTC), None, "other", "CD-KL")  # Mon in Kinshasa
    early = ReportRow(datetime(2026, 1, 4, 22, 30, tzinfo=UTC), None, "other", "CD-KL")  # still Sunday
    days = stats.day_starts(date(2026, 1, 5), 3)
    weeks = stats.week_starts(date(2026, 1, 7), 2)
    assert days == [date(2026, 1, 3), date(2026, 1, 4), date(2026, 1, 5)]
    assert weeks == [date(2025, 12, 29), date(2026, 1, 5)]

    def day(r: ReportRow) -> date:
        return stats.local_day(r.created_at, KINSHASA_ZONE)

    assert stats.count_by([late, early], days, day, lambda r: r.category) == {"other": [0, 1, 1]}
    by_week = stats.count_by(
        [late, early], weeks, lambda r: stats.week_start(day(r)), lambda r: r.location_code
    )
    assert by_week == {"CD-KL": [1, 1]}


def test_small_areas_are_added_up_under_other():
    groups = {"a": [5, 5], "b": [3, 0], "c": [1, 0], "d": [0, 1]}
    assert stats.keep_largest(groups, 2, "Other") == {"a": [5, 5], "b": [3, 0], "Other": [1, 1]}
    assert stats.keep_largest(groups, 3, "Other") == groups  # one left over keeps its own name


def test_alert_delivery_rates_leave_out_alerts_that_never_left_on_their_own():
    delivery = stats.delivery(["delivered"] * 6 + ["failed", "pending", "sent", "cancelled", "bundled"])
    assert (delivery.delivered, delivery.failed, delivery.pending, delivery.not_sent) == (6, 1, 2, 2)
    assert delivery.share(delivery.delivered) == 6 / 9
    assert stats.delivery([]).share(0) == 0


def test_the_ussd_funnel_puts_the_screens_people_leave_first():
    events = (
        [("confirm", "Success")] * 5
        + [("category", "Incomplete")] * 3
        + [("location", "Failed"), ("location", "Incomplete"), (None, "Incomplete"), ("confirm", "Odd")]
    )
    funnel = stats.ussd_funnel(events)
    assert [s.screen for s in funnel] == ["category", "location", "confirm", "?"]
    confirm = funnel[2]
    assert confirm.ended == {"Success": 5, "Incomplete": 0, "Failed": 0, "Odd": 1}
    assert (confirm.total, confirm.dropped) == (6, 1)


# The dashboard page


def add_report(
    runtime,
    area: str,
    *,
    category: str = "forced_labour",
    ago: timedelta = timedelta(hours=2),
    accepted_after: timedelta | None = None,
    **fields,
) -> Report:  # type: ignore[no-untyped-def]
    created = runtime.clock.now() - ago
    number = next(_numbers)
    with runtime.session() as db:
        report = Report(
            reference=f"T{number:07d}",
            source_key=f"test:oversight:{number}",
            channel="ussd",
            language="fr",
            category=category,
            location_code=area,
            created_at=created,
            updated_at=created,
            accepted_at=created + accepted_after if accepted_after else None,
            **fields,
        )
        db.add(report)
        db.commit()
        return report


def add_alert(runtime, report: Report, status: str) -> None:  # type: ignore[no-untyped-def]
    now = runtime.clock.now()
    with runtime.session() as db:
        db.add(
            OutboundMessage(
                report_id=report.id,
                recipient_encrypted="x",
                recipient_hash="h",
                purpose="alert",
                body="alert",
                status=status,
                created_at=now,
                updated_at=now,
            )
        )
        db.commit()


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", html, re.S)]  # noqa: S314


def test_an_operator_sees_only_the_numbers_of_their_area(client, runtime):
    for minutes in (10, 20, 30, 40):
        add_report(runtime, "CD-KL/kikwit", accepted_after=timedelta(minutes=minutes), status="accepted")
    urgent = add_report(runtime, "CD-KL", urgent=True, ago=timedelta(days=50))  # old, still open
    add_report(runtime, "CD-KL", urgent=True, status="closed")
    elsewhere = add_report(
        runtime, "CD-KN", category="domestic_servitude", urgent=True, accepted_after=timedelta(minutes=1)
    )
    add_report(
        runtime, "CD-KL", category="organ_trafficking", training=True, accepted_after=timedelta(minutes=1)
    )
    for status in ("delivered", "delivered", "delivered", "failed"):
        add_alert(runtime, urgent, status)
    add_alert(runtime, elsewhere, "failed")
    with runtime.session() as db:
        db.add_all(
            UssdSessionEvent(
                session_id=f"s{n}", status=status, last_screen=screen, received_at=runtime.clock.now()
            )
            for n, (screen, status) in enumerate([("category", "Incomplete"), ("done", "Success")])
        )
        db.commit()
    login(client, runtime, "operator", ("CD-KL",))

    response = client.get("/console/dashboard?lang=en")
    html = response.data.decode()
    assert response.status_code == 200 and len(response.data) < MAX_PAGE
    # This month: the 4 accepted and the closed urgent one; the open urgent one is 50 days old.
    assert re.search(r'<p class="big">\s*5\s*</p>', html)
    assert "25 min" in html and "37 min" in html  # median, 90th percentile (not the 1-minute ones)
    assert urgent.reference in html and elsewhere.reference not in html
    assert "Forced labour" in html
    place_names = html.replace("(Kinshasa time)", "")  # Kwilu keeps Kinshasa's time: a zone, not a place
    assert "Domestic servitude" not in html and "Kinshasa" not in place_names  # another area's
    assert "Organ trafficking" not in html  # a training report
    assert "75 % (3)" in html and "25 % (1)" in html  # Kinshasa's failed alert is not counted
    assert len(svgs(html)) == 6
    assert "<code>category</code>" in html and 'style="' not in html


def test_the_dashboard_of_a_busy_country_stays_under_150_kb(client, runtime):
    provinces = [p.code for p in runtime.locations.provinces()]
    categories = (
        "forced_labour",
        "sexual_exploitation",
        "domestic_servitude",
        "child_trafficking",
        "forced_marriage",
        "organ_trafficking",
        "other",
    )
    with runtime.session() as db:
        for n in range(600):
            created = runtime.clock.now() - timedelta(hours=n * 3)
            db.add(
                Report(
                    reference=f"B{n:07d}",
                    source_key=f"busy:{n}",
                    channel="sms",
                    language="fr",
                    category=categories[n % 7],
                    location_code=provinces[n % len(provinces)],
                    urgent=n % 9 == 0,
                    created_at=created,
                    updated_at=created,
                )
            )
        db.commit()
    login(client, runtime, "admin")
    response = client.get("/console/dashboard")
    assert response.status_code == 200
    assert len(response.data) < MAX_PAGE
    svgs(response.data.decode())


# The audit log


def entry(
    runtime,
    user_id: int | None,
    action: str,
    target_type: str | None = None,  # type: ignore[no-untyped-def]
    target_id: object = None,
    **detail,
) -> None:
    with runtime.session() as db:
        audit(db, runtime, user_id, action, target_type, target_id, **detail)
        db.commit()


def logged_actions(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/console/audit?{query}")
    assert response.status_code == 200 and len(response.data) < MAX_PAGE
    table = response.data.decode().split('<table class="audit">', 1)[1]
    return re.findall(r'<td data-action="([a-z_]+)">', table)


def test_operators_and_viewers_may_not_read_the_audit_log(app, runtime):
    for role in ("operator", "viewer"):
        client = app.test_client()
        login(client, runtime, role)
        assert client.get("/console/audit").status_code == 403
        assert "/console/audit" not in client.get("/console/dashboard").data.decode()


def test_a_supervisor_finds_who_did_what_newest_first(client, runtime, clock):
    operator_id, _ = make_user(runtime, "operator", email="amani@example.org")
    kwilu = add_report(runtime, "CD-KL")
    kinshasa = add_report(runtime, "CD-KN")
    entry(runtime, operator_id, "report_viewed", "report", kwilu.reference)
    clock.advance(days=2)
    entry(runtime, operator_id, "number_revealed", "report", kwilu.reference, reason=SCRIPT)
    entry(runtime, operator_id, "number_revealed", "report", kinshasa.reference, reason="Kinshasa")
    entry(runtime, None, "login_failed", "user", "stranger@example.org")
    supervisor_id = login(client, runtime, "supervisor", ("CD-KL",))

    assert logged_actions(client)[:3] == ["login", "login_failed", "number_revealed"]
    html = client.get("/console/audit").data.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and SCRIPT not in html
    assert kinshasa.reference not in html  # another area's report, like the report itself
    assert f'href="/console/reports/{kwilu.reference}"' in html

    assert logged_actions(client, "who=AMANI") == ["number_revealed", "report_viewed"]
    assert logged_actions(client, "action=report_viewed") == ["report_viewed"]
    assert logged_actions(client, f"target_type=report&target_id={kwilu.reference.lower()}") == [
        "number_revealed",
        "report_viewed",
    ]
    start = (clock.now() - timedelta(days=2)).date().isoformat()
    assert logged_actions(client, f"who=amani&since={start}&until={start}") == ["report_viewed"]
    assert logged_actions(client, "who=nobody%25") == []

    with runtime.session() as db:
        views = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "audit_viewed")))
    assert len(views) == 7 and all(v.user_id == supervisor_id for v in views)
    assert views[-1].detail == {"page": 1, "filters": {"who": "nobody%"}}


def test_the_audit_log_pages_back_in_time(client, runtime, clock):
    for n in range(60):
        entry(runtime, None, "report_viewed", "report", f"R{n:04d}")
        clock.advance(minutes=1)
    login(client, runtime, "admin")
    first = re.findall(r"R00\d\d", client.get("/console/audit").data.decode())
    second = client.get("/console/audit?page=2").data.decode()
    assert first[0] == "R0059" and len(set(first)) < 50  # the admin's login lines come first
    older = re.findall(r"R00\d\d", second)
    assert older[-1] == "R0000" and sorted(set(first) | set(older)) == [f"R{n:04d}" for n in range(60)]
    assert "page=1" in second and "Page 2" in second
