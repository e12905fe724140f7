"""The console's reports: the inbox and its filters, a report's page, its actions, the number
reveal and the CSV export, each seen as a logged-in user of a given role and area would."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from hotline.models import AuditEntry, OutboundMessage, Referral, Report, ReportEvent
from tests.support.builders import add_worker, kwilu_team, report
from tests.support.consolekit import csrf_token, login, post

KINSHASA = "CD-KN"
REPORTER = "+243811234567"
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"


def listed(client, query: str = "") -> list[str]:
    """References in the inbox table, in order."""
    page = client.get(f"/console/?{query}")
    assert page.status_code == 200
    table = page.data.decode().split('<table class="inbox">', 1)[1]
    return re.findall(r'href="/console/reports/([A-Z0-9]+)"', table)


def update(runtime, report_id: int, **values) -> None:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        row = db.get(Report, report_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.commit()


def fresh(runtime, report_id: int) -> Report:
    with runtime.session() as db:
        return db.get(Report, report_id)


def audits(runtime, action: str) -> list[AuditEntry]:
    with runtime.session() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def events(runtime, report_id: int, kind: str) -> list[ReportEvent]:
    with runtime.session() as db:
        return list(
            db.scalars(
                select(ReportEvent).where(ReportEvent.report_id == report_id, ReportEvent.kind == kind)
            )
        )


def page_of(reference: str) -> str:
    return f"/console/reports/{reference}"


# The inbox


def test_urgent_reports_nobody_accepted_come_first_in_the_inbox(client, runtime, clock):
    calm = report(runtime)
    clock.advance(minutes=1)
    urgent = report(runtime, urgent=True)
    clock.advance(minutes=1)
    handled_urgent = report(runtime, urgent=True)
    update(runtime, handled_urgent.id, accepted_at=clock.now(), status="accepted")
    clock.advance(minutes=1)
    login(client, runtime, "operator")

    assert listed(client) == [urgent.reference, calm.reference, handled_urgent.reference]


def test_each_filter_narrows_the_list(client, runtime, clock):
    old = report(runtime, category="forced_labour", channel="sms")
    clock.advance(days=3)
    urgent = report(runtime, urgent=True, location="CD-KL")
    accepted = report(runtime)
    update(runtime, accepted.id, accepted_at=clock.now(), status="accepted")
    closed = report(runtime, location="CD-KL/bandundu")
    update(runtime, closed.id, status="closed")
    training = report(runtime, training=True)
    today = clock.now().date().isoformat()
    login(client, runtime, "operator")
    everyone = {old.reference, urgent.reference, accepted.reference, closed.reference}

    cases = {
        "": everyone,
        "status=closed": {closed.reference},
        "urgency=urgent": {urgent.reference},
        "urgency=normal": everyone - {urgent.reference},
        "category=forced_labour": {old.reference},
        "area=CD-KL/bandundu": {closed.reference},
        "area=CD-KL/kikwit": {old.reference, accepted.reference},
        "channel=sms": {old.reference},
        f"since={today}": everyone - {old.reference},
        f"until={(clock.now() - timedelta(days=1)).date().isoformat()}": {old.reference},
        "unaccepted=1": {old.reference, urgent.reference},
        "training=1": {training.reference},
        "status=bogus&area=CD-XX": everyone,  # an unknown value is ignored, not an error
    }
    for query, expected in cases.items():
        assert set(listed(client, query)) == expected, query


def test_search_finds_words_in_descriptions(client, runtime):
    mine = report(runtime, description="Des filles enfermées dans un DÉPÔT près du marché")
    other = report(runtime, description="Travail forcé dans une mine")
    percent = report(runtime, description="100% sûr")
    login(client, runtime, "operator")

    assert listed(client, "q=filles+enfermées") == [mine.reference]
    assert listed(client, "q=MINE") == [other.reference]
    assert listed(client, "q=%25") == [percent.reference]  # a typed % is a letter, not a wildcard
    assert listed(client, "q=%27%3B+drop+table+reports") == []
    assert listed(client, f"q={mine.reference}") == [mine.reference]


def test_the_inbox_shows_fifty_reports_a_page_and_refreshes_itself(client, runtime):
    made = [report(runtime) for _ in range(51)]
    login(client, runtime, "operator")

    page = client.get("/console/").data.decode()
    assert 'data-refresh-seconds="60"' in page
    assert len(listed(client)) == 50
    assert listed(client, "page=2") == [made[0].reference]
    assert len(page.encode()) < 150_000


def test_the_inbox_shows_readable_columns(client, runtime):
    worker = add_worker(runtime, "Amani")
    accepted = report(runtime, category="child_trafficking")
    update(runtime, accepted.id, accepted_at=runtime.clock.now(), accepted_by_id=worker.id, status="accepted")
    login(client, runtime, "operator")
    client.get("/console/?lang=en")

    page = client.get("/console/").data.decode()
    assert "Child trafficking or child soldiers" in page
    assert "Kwilu/Kikwit" in page
    assert "Amani" in page


def test_follow_ups_that_are_due_show_at_the_top_of_the_inbox(app, client, runtime, clock):
    later = report(runtime)
    due = report(runtime)
    login(client, runtime, "operator")
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    post(client, page_of(due.reference) + "/refer", {"partner": "shelter", "follow_up_on": tomorrow})
    post(client, page_of(later.reference) + "/refer", {"partner": "police", "follow_up_on": tomorrow})
    with runtime.session() as db:
        done = db.scalar(select(Referral.id).where(Referral.report_id == later.id))
    post(client, page_of(later.reference) + f"/referrals/{done}/done")
    assert "reminders" not in client.get("/console/").data.decode()
    assert audits(runtime, "referral_followed_up")[0].detail["referral_id"] == done
    assert events(runtime, later.id, "follow_up_done")

    clock.advance(days=2)
    client = app.test_client()  # the first session has timed out
    login(client, runtime, "supervisor")
    page = client.get("/console/").data.decode()
    reminders = page.split('class="reminders"', 1)[1].split("</section>", 1)[0]
    assert due.reference in reminders and later.reference not in reminders


# Areas


def test_an_operator_for_kwilu_never_sees_a_kinshasa_report(client, runtime):
    kwilu = report(runtime)
    kinshasa = report(runtime, location=KINSHASA, description="Kinshasa secret")
    login(client, runtime, "operator", ("CD-KL",))

    assert listed(client) == [kwilu.reference]
    assert listed(client, "area=CD-KN") == []
    assert kinshasa.reference not in client.get("/console/reports.csv").data.decode()
    assert client.get(page_of(kinshasa.reference)).status_code == 404
    assert client.get(page_of("NOSUCH")).status_code == 404
    assert post(client, page_of(kinshasa.reference) + "/note", {"note": "x"}).status_code == 404
    assert (
        post(client, page_of(kinshasa.reference) + "/reveal", {"reason": "a good long reason"}).status_code
        == 404
    )
    post(client, page_of(kwilu.reference) + "/merge", {"into": kinshasa.reference})
    assert fresh(runtime, kwilu.id).merged_into_id is None
    assert audits(runtime, "report_viewed") == []


# The report page


def test_opening_a_report_is_audited_and_on_its_timeline_with_the_number_masked(client, runtime):
    shared = report(
        runtime,
        phone=REPORTER,
        contact="callback",
        safe_time="evening",
        place_detail="derrière l'église",
        people_count=3,
        children_involved=True,
        description="Trois enfants",
    )
    user_id = login(client, runtime, "operator")

    page = client.get(page_of(shared.reference)).data.decode()
    assert "+243 81* *** *567" in page
    assert REPORTER not in page and "811234567" not in page
    assert "Trois enfants" in page and "derrière l&#39;église" in page
    [entry] = audits(runtime, "report_viewed")
    assert (entry.user_id, entry.target_id) == (user_id, shared.reference)
    [viewed] = events(runtime, shared.id, "viewed")
    assert viewed.actor == f"user:{user_id}"


def test_the_report_page_shows_script_and_html_payloads_as_text(client, runtime):
    hostile = report(runtime, description=f"{SCRIPT} {IMAGE}", place_detail=IMAGE)
    login(client, runtime, "operator")
    post(client, page_of(hostile.reference) + "/note", {"note": SCRIPT})

    response = client.get(page_of(hostile.reference))
    page = response.data.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert " style=" not in page and re.search(r"<script>\S", page) is None
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_timeline_shows_each_alert_and_its_delivery_status(client, runtime, run_jobs):
    team = kwilu_team(runtime)
    case = report(runtime)
    run_jobs()  # the alerts go out through the gateway
    login(client, runtime, "operator")

    page = client.get(page_of(case.reference)).data.decode()
    messages = page.split("<tbody>")[-1]
    assert team.primary.name in messages and team.primary.phone not in page
    with runtime.session() as db:
        sent = {m.status for m in db.scalars(select(OutboundMessage))}
    assert sent and all(f"delivery-{status}" in messages for status in sent)
    assert len(events(runtime, case.id, "notified")) >= 1


# Actions


def test_assigning_a_worker_changes_the_report_and_is_recorded(client, runtime):
    amani = add_worker(runtime, "Amani", ("CD-KL",))
    elsewhere = add_worker(runtime, "Esther", (KINSHASA,))
    case = report(runtime)
    user_id = login(client, runtime, "operator")

    response = post(client, page_of(case.reference) + "/assign", {"worker_id": elsewhere.id})
    assert fresh(runtime, case.id).assigned_to_id is None
    response = post(client, page_of(case.reference) + "/assign", {"worker_id": amani.id})

    assert response.status_code == 303 and response.headers["Location"] == page_of(case.reference)
    assert fresh(runtime, case.id).assigned_to_id == amani.id
    [entry] = audits(runtime, "report_assigned")
    assert (entry.user_id, entry.detail["worker_id"]) == (user_id, amani.id)
    [event] = events(runtime, case.id, "assigned")
    assert event.actor == f"user:{user_id}"
    assert "Amani" in client.get(page_of(case.reference)).data.decode()


def test_changing_the_status_stops_the_escalation_and_is_recorded(client, runtime):
    kwilu_team(runtime)
    case = report(runtime)
    before = fresh(runtime, case.id)
    assert before.escalation_due_at is not None  # the next alert step is waiting
    login(client, runtime, "operator")

    post(client, page_of(case.reference) + "/status", {"status": "unfounded"})

    after = fresh(runtime, case.id)
    assert after.status == "unfounded" and after.escalation_due_at is None
    assert audits(runtime, "report_status_changed")[0].detail["to"] == "unfounded"
    [event] = events(runtime, case.id, "status_changed")
    assert (event.detail["previous"], event.detail["status"]) == (before.status, "unfounded")
    assert events(runtime, case.id, "escalation_stopped")
    with runtime.session() as db:
        statuses = {m.status for m in db.scalars(select(OutboundMessage))}
    assert "pending" not in statuses  # alerts not yet handed to the gateway are cancelled
    assert post(client, page_of(case.reference) + "/status", {"status": "gone"}).status_code == 303
    assert fresh(runtime, case.id).status == "unfounded"


def test_a_note_is_added_to_the_timeline_and_audited_without_its_text(client, runtime):
    case = report(runtime)
    login(client, runtime, "operator")

    post(client, page_of(case.reference) + "/note", {"note": "  Appelé la police de Kikwit  "})
    post(client, page_of(case.reference) + "/note", {"note": "   "})

    [event] = events(runtime, case.id, "note")
    assert event.detail["note"] == "Appelé la police de Kikwit"
    [entry] = audits(runtime, "report_note_added")
    assert "Kikwit" not in str(entry.detail)
    assert "Appelé la police de Kikwit" in client.get(page_of(case.reference)).data.decode()


def test_merging_marks_a_duplicate_on_both_timelines(client, runtime):
    first = report(runtime)
    second = report(runtime)
    login(client, runtime, "supervisor")

    post(client, page_of(second.reference) + "/merge", {"into": first.reference.lower()})

    after = fresh(runtime, second.id)
    assert (after.merged_into_id, after.status) == (first.id, "duplicate")
    assert events(runtime, second.id, "merged_into")[0].detail["reference"] == first.reference
    assert events(runtime, first.id, "merged_from")[0].detail["reference"] == second.reference
    assert audits(runtime, "report_merged")[0].detail["into"] == first.reference
    post(client, page_of(first.reference) + "/merge", {"into": second.reference})
    assert fresh(runtime, first.id).merged_into_id is None  # it would be merged into itself


def test_referring_to_a_partner_records_a_follow_up(client, runtime, clock):
    case = report(runtime)
    user_id = login(client, runtime, "operator")
    follow_up = (clock.now() + timedelta(days=7)).date()

    post(client, page_of(case.reference) + "/refer", {"partner": "gone", "follow_up_on": "x"})
    post(
        client, page_of(case.reference) + "/refer", {"partner": "122", "follow_up_on": follow_up.isoformat()}
    )

    with runtime.session() as db:
        [referral] = db.scalars(select(Referral)).all()
    assert (referral.partner, referral.follow_up_on, referral.created_by) == ("122", follow_up, user_id)
    assert fresh(runtime, case.id).status == "referred"
    assert events(runtime, case.id, "referred")[0].detail["partner"] == "122"
    assert audits(runtime, "report_referred")[0].detail["referral_id"] == referral.id


def test_a_post_without_csrf_token_is_refused(client, runtime):
    case = report(runtime)
    login(client, runtime, "operator")

    response = client.post(page_of(case.reference) + "/status", data={"status": "closed"})

    assert response.status_code == 400
    assert fresh(runtime, case.id).status == "new"


def test_a_viewer_cannot_change_anything(client, runtime):
    case = report(runtime, phone=REPORTER, contact="callback")
    login(client, runtime, "viewer")
    page = client.get(page_of(case.reference)).data.decode()
    assert "/status" not in page and "/reveal" not in page
    token = csrf_token(client, page_of(case.reference))

    for action, data in {
        "assign": {"worker_id": 1},
        "status": {"status": "closed"},
        "note": {"note": "x"},
        "merge": {"into": case.reference},
        "refer": {"partner": "police", "follow_up_on": "2030-01-01"},
        "referrals/1/done": {},
    }.items():
        response = client.post(page_of(case.reference) + "/" + action, data={**data, "csrf_token": token})
        assert response.status_code == 403, action
    assert (
        client.post(
            page_of(case.reference) + "/reveal", data={"reason": "I want to see it now", "csrf_token": token}
        ).status_code
        == 403
    )
    assert fresh(runtime, case.id).status == "new"


# Revealing the number


def test_revealing_a_number_is_refused_without_a_reason(client, runtime):
    case = report(runtime, phone=REPORTER, contact="callback")
    login(client, runtime, "supervisor")

    response = post(client, page_of(case.reference) + "/reveal", {"reason": "because"})

    assert response.status_code == 400
    assert REPORTER not in response.data.decode()
    assert audits(runtime, "number_revealed") == []


def test_revealing_a_number_is_refused_for_an_operator(client, runtime):
    case = report(runtime, phone=REPORTER, contact="callback")
    login(client, runtime, "operator")

    response = post(client, page_of(case.reference) + "/reveal", {"reason": "The child is in danger tonight"})

    assert response.status_code == 403
    assert REPORTER not in response.data.decode()
    assert 'class="flash error"' in response.data.decode()  # says why, in words
    assert audits(runtime, "number_revealed") == []
    assert audits(runtime, "number_reveal_refused")[0].detail["why"] == "role"


def test_revealing_a_number_is_refused_without_consent_to_be_called(client, runtime):
    confidential = report(runtime, phone=REPORTER, contact="confidential")
    anonymous = report(runtime, phone=REPORTER, contact="anonymous")
    login(client, runtime, "supervisor")

    for case in (confidential, anonymous):
        response = post(
            client, page_of(case.reference) + "/reveal", {"reason": "The child is in danger tonight"}
        )
        assert response.status_code == 403
        assert REPORTER not in response.data.decode()
    assert audits(runtime, "number_revealed") == []


def test_a_supervisor_reveals_a_number_with_consent_and_the_reason_is_audited(client, runtime):
    case = report(runtime, phone=REPORTER, contact="callback", safe_time="morning")
    user_id = login(client, runtime, "supervisor")
    assert "/reveal" in client.get(page_of(case.reference)).data.decode()

    response = post(client, page_of(case.reference) + "/reveal", {"reason": "The child is in danger tonight"})

    assert response.status_code == 200 and REPORTER in response.data.decode()
    assert response.headers["Cache-Control"] == "no-store"
    [entry] = audits(runtime, "number_revealed")
    assert (entry.user_id, entry.target_id) == (user_id, case.reference)
    assert entry.detail["reason"] == "The child is in danger tonight"
    assert events(runtime, case.id, "number_revealed")[0].actor == f"user:{user_id}"
    assert REPORTER not in client.get(page_of(case.reference)).data.decode()


# CSV export


def rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_no_phone_numbers_or_descriptions(client, runtime):
    case = report(
        runtime, phone=REPORTER, contact="callback", description="Secret words", place_detail="Maison bleue"
    )
    login(client, runtime, "supervisor")

    response = client.get("/console/reports.csv")

    text = response.data.decode()
    assert response.mimetype == "text/csv"
    assert [row["Référence"] for row in rows(response)] == [case.reference]
    assert "Secret words" not in text and "Maison bleue" not in text and "811234567" not in text
    assert client.get("/console/reports.csv?full=1").status_code == 403
