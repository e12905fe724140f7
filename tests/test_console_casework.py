"""Case work in the console as Primero's, CasePro's and RapidPro's inbox users expect it: assignment to
console users and teams, "Mes signalements", bulk actions on the inbox (each change audited per
report), labels, saved searches, SMS to the accepted worker and to a consenting reporter through the
outbox (the cap applies), and duplicate suggestions with a merge."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import select

from hotline.models import AuditEntry, OutboundMessage, Report, Team, User
from tests.support.builders import add_worker, messages_to, report, texts_to
from tests.support.consolekit import csrf_token, login, make_user, post

REPORTER = "+243811234567"


def audits(runtime, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def fresh(runtime, report_id: int) -> Report:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return db.get(Report, report_id)


def listed(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get(f"/console/?{query}")
    assert page.status_code == 200
    table = page.get_data(as_text=True).split('<table class="inbox">', 1)[1]
    return re.findall(r'href="/console/reports/([A-Z0-9]+)"', table)


def page_text(client, path: str) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(client.get(path).get_data(as_text=True))


def user_id_of(runtime, email: str) -> int:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return db.scalar(select(User.id).where(User.email == email))


# Assignment, teams, "Mes signalements"


def test_a_report_is_assigned_to_a_console_user_and_lands_in_their_reports(app, client, runtime):
    mine, other = report(runtime), report(runtime)
    login(client, runtime, "supervisor")
    colleague_id, _ = make_user(runtime, "operator", email="marie@example.org")

    response = post(client, f"/console/reports/{mine.reference}/assign", {"assignee": f"user:{colleague_id}"})

    assert response.status_code == 303
    assert fresh(runtime, mine.id).assigned_user_id == colleague_id
    [entry] = audits(runtime, "report_assigned")
    assert entry.target_id == mine.reference and entry.detail["assignee"] == f"user:{colleague_id}"
    assert "Operator" in page_text(client, f"/console/reports/{mine.reference}")  # "Affecté à"
    colleague = app.test_client()
    login(colleague, runtime, "viewer", email="viewer@example.org")  # sees the area, holds nothing
    assert listed(colleague, "mine=1") == []
    marie = app.test_client()
    marie.post(
        "/console/login",
        data={
            "email": "marie@example.org",
            "password": "correct horse battery staple",
            "csrf_token": csrf_token(marie),
        },
    )
    assert "Mes signalements" in marie.get("/console/mine").get_data(as_text=True)
    assert listed(marie, "mine=1") == [mine.reference]
    assert "Mes signalements" in marie.get("/console/?mine=1").get_data(as_text=True)
    assert other.reference in listed(marie)


def test_a_user_of_another_area_cannot_be_assigned(client, runtime):
    case = report(runtime)
    login(client, runtime, "supervisor")
    far_id, _ = make_user(runtime, "operator", ("CD-KN",), email="kinshasa@example.org")

    post(client, f"/console/reports/{case.reference}/assign", {"assignee": f"user:{far_id}"})

    assert fresh(runtime, case.id).assigned_user_id is None
    assert audits(runtime, "report_assigned") == []


def test_a_team_is_made_and_its_members_see_its_reports(app, client, runtime):
    case = report(runtime)
    login(client, runtime, "supervisor")
    member_id, _ = make_user(runtime, "operator", email="member@example.org")

    created = post(
        client, "/console/people/teams", {"name": "Kikwit cas", "area": "CD-KL"}, "/console/people/teams"
    )
    with runtime.session() as db:
        team_id = db.scalar(select(Team.id).where(Team.name == "Kikwit cas"))
    path = f"/console/people/teams/{team_id}"
    post(
        client,
        path,
        {"name": "Kikwit cas", "area": "CD-KL", "members": [str(member_id)], "active": "1"},
        path,
    )
    post(client, f"/console/reports/{case.reference}/assign", {"assignee": f"team:{team_id}"})

    assert created.status_code == 303
    assert fresh(runtime, case.id).assigned_team_id == team_id
    assert [e.action for e in audits(runtime, "team_created") + audits(runtime, "team_updated")] == [
        "team_created",
        "team_updated",
    ]
    member = app.test_client()
    member.post(
        "/console/login",
        data={
            "email": "member@example.org",
            "password": "correct horse battery staple",
            "csrf_token": csrf_token(member),
        },
    )
    assert listed(member, "mine=1") == [case.reference]


# Bulk actions


def test_bulk_actions_change_each_ticked_report_and_audit_each_one(client, runtime):
    first, second, untouched = report(runtime), report(runtime), report(runtime)
    kinshasa = report(runtime, location="CD-KN")
    user_id = login(client, runtime, "operator")
    refs = [first.reference, second.reference, kinshasa.reference]

    status = post(client, "/console/reports/bulk", {"ref": refs, "action": "status", "status": "in_progress"})
    label = post(client, "/console/reports/bulk", {"ref": refs[:2], "action": "label", "label": "à rappeler"})
    assign = post(
        client, "/console/reports/bulk", {"ref": refs[:2], "action": "assign", "assign": f"user:{user_id}"}
    )

    assert {status.status_code, label.status_code, assign.status_code} == {303}
    assert [fresh(runtime, r.id).status for r in (first, second, untouched)] == [
        "in_progress",
        "in_progress",
        "new",
    ]
    assert fresh(runtime, kinshasa.id).status != "in_progress"  # another area: not found, not changed
    for action in ("report_status_changed", "report_labelled", "report_assigned"):
        entries = audits(runtime, action)
        assert sorted(e.target_id for e in entries) == sorted(refs[:2]), action
        assert {e.user_id for e in entries} == {user_id}
    assert set(listed(client, "label=à+rappeler")) == {first.reference, second.reference}
    assert set(listed(client, "mine=1")) == {first.reference, second.reference}
    page = page_text(client, "/console/")
    assert 'form="bulk"' in page and 'id="bulk"' in page


def test_a_bulk_refusal_for_one_report_leaves_the_others_done(client, runtime):
    done, already = report(runtime), report(runtime)
    with runtime.session() as db:
        db.get(Report, already.id).status = "closed"
        db.commit()
    login(client, runtime, "operator")

    response = post(
        client,
        "/console/reports/bulk",
        {"ref": [done.reference, already.reference], "action": "status", "status": "closed"},
    )

    assert response.status_code == 303
    assert fresh(runtime, done.id).status == "closed"
    assert [e.target_id for e in audits(runtime, "report_status_changed")] == [done.reference]
    assert f"Non modifiés : {already.reference}" in page_text(client, "/console/")


def test_bulk_actions_need_the_csrf_token_and_the_edit_role(app, client, runtime):
    case = report(runtime)
    login(client, runtime, "operator")
    refused = client.post(
        "/console/reports/bulk", data={"ref": case.reference, "action": "status", "status": "closed"}
    )
    viewer = app.test_client()
    login(viewer, runtime, "viewer", email="v@example.org")

    as_viewer = post(
        viewer, "/console/reports/bulk", {"ref": case.reference, "action": "status", "status": "closed"}
    )

    assert refused.status_code == 400 and as_viewer.status_code == 403
    assert fresh(runtime, case.id).status == "new"


# Labels and saved searches


def test_labels_are_added_and_removed_on_the_report_page_and_audited(client, runtime):
    case, other = report(runtime), report(runtime)
    login(client, runtime, "operator")
    path = f"/console/reports/{case.reference}"

    post(client, path + "/labels", {"label": "  police   informée "})
    page = page_text(client, path)

    assert '<span class="badge label">police informée</span>' in page
    assert listed(client, "label=police+informée") == [case.reference]
    [entry] = audits(runtime, "report_labelled")
    label_id = int(re.search(r"/labels/(\d+)/remove", page).group(1))
    post(client, f"{path}/labels/{label_id}/remove")
    assert listed(client, "label=police+informée") == []
    assert [e.detail["label"] for e in audits(runtime, "report_unlabelled")] == ["police informée"]
    assert entry.target_id == case.reference and other.reference not in {
        e.target_id for e in audits(runtime, "report_labelled")
    }


def test_a_saved_search_is_a_named_filter_of_its_owner_only(app, client, runtime):
    urgent, calm = report(runtime, urgent=True), report(runtime)
    login(client, runtime, "operator")

    post(client, "/console/searches", {"name": "Urgents", "urgency": "urgent", "unaccepted": "1"})

    page = page_text(client, "/console/")
    link = re.search(r'<a href="(/console/\?[^"]+)">Urgents</a>', page)
    assert link is not None
    assert listed(client, link.group(1).split("?", 1)[1]) == [urgent.reference]
    assert calm.reference not in listed(client, link.group(1).split("?", 1)[1])
    other = app.test_client()
    login(other, runtime, "supervisor")
    assert "Urgents" not in page_text(other, "/console/")
    search_id = int(re.search(r"/console/searches/(\d+)/delete", page).group(1))
    assert post(other, f"/console/searches/{search_id}/delete").status_code == 303
    assert "Urgents</a>" in page_text(client, "/console/")  # another user's search: not found
    post(client, f"/console/searches/{search_id}/delete")
    assert "Urgents</a>" not in page_text(client, "/console/")
    assert [e.action for e in audits(runtime, "search_saved") + audits(runtime, "search_deleted")] == [
        "search_saved",
        "search_deleted",
    ]


# SMS from the report page


def accept(runtime, report_id: int, worker_id: int) -> None:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        row = db.get(Report, report_id)
        row.accepted_by_id, row.accepted_at, row.status = worker_id, runtime.clock.now(), "accepted"
        db.commit()


def test_an_sms_to_the_accepted_worker_goes_through_the_outbox_and_is_audited(client, runtime, run_jobs):
    amani = add_worker(runtime, "Amani")
    case = report(runtime, description="Des enfants enfermés")
    accept(runtime, case.id, amani.id)
    user_id = login(client, runtime, "operator")
    path = f"/console/reports/{case.reference}"

    post(client, path + "/sms/worker", {"template": "call_office"})
    post(client, path + "/sms/worker", {"template": "free_text", "text": "Rappelez Chantal au bureau"})
    run_jobs()

    sent = [m for m in messages_to(runtime, amani.phone) if m.purpose == "console"]
    assert [m.status for m in sent] == ["delivered", "delivered"]  # the local gateway
    texts = texts_to(runtime, amani.phone, "console")
    assert texts == [
        f"Ligne verte {case.reference} : merci d'appeler le bureau au sujet de ce signalement.",
        f"Ligne verte {case.reference} : Rappelez Chantal au bureau",
    ]
    entries = audits(runtime, "sms_to_worker")
    assert [(e.user_id, e.detail["template"]) for e in entries] == [
        (user_id, "call_office"),
        (user_id, "free_text"),
    ]
    assert "Rappelez" not in str([e.detail for e in entries])  # the text is on the SMS, not in the audit
    assert "SMS envoyé depuis la console" in page_text(client, path)


def test_the_reporter_sms_is_refused_without_consent_to_be_contacted(client, runtime):
    confidential = report(runtime, phone=REPORTER, contact="confidential")
    anonymous = report(runtime, phone="+243811234568")
    login(client, runtime, "supervisor")

    for case in (confidential, anonymous):
        response = post(client, f"/console/reports/{case.reference}/sms/reporter", {"template": "call_soon"})
        assert response.status_code == 303

    assert messages_to(runtime, REPORTER, "reply") == []
    assert [e.target_id for e in audits(runtime, "sms_to_reporter_refused")] == [
        confidential.reference,
        anonymous.reference,
    ]
    assert audits(runtime, "sms_to_reporter") == []
    page = page_text(client, f"/console/reports/{confidential.reference}")
    assert "Le déclarant n'a pas accepté d'être recontacté" in page
    assert "/sms/reporter" not in page


def test_a_consenting_reporter_gets_a_fixed_message_that_never_quotes_the_report(client, runtime, run_jobs):
    case = report(runtime, phone=REPORTER, contact="callback", description="Mon patron me garde enfermée")
    user_id = login(client, runtime, "supervisor")
    path = f"/console/reports/{case.reference}"

    free = post(client, path + "/sms/reporter", {"template": "free_text", "text": "Bonjour"})
    sent = post(client, path + "/sms/reporter", {"template": "call_soon"})
    run_jobs()

    assert free.status_code == sent.status_code == 303
    [text] = texts_to(runtime, REPORTER)
    assert (
        text == f"Bonjour, ici la ligne d'aide (réf. {case.reference}). Nous allons vous rappeler très vite."
    )
    assert "patron" not in text and "enferm" not in text
    [message] = messages_to(runtime, REPORTER)
    assert (message.status, message.purpose, message.worker_id) == ("delivered", "reply", None)
    [entry] = audits(runtime, "sms_to_reporter")
    assert (entry.user_id, entry.target_id, entry.detail["template"]) == (
        user_id,
        case.reference,
        "call_soon",
    )


def test_the_sms_cap_applies_to_the_reporter_sms(client, runtime, run_jobs):
    runtime.settings = runtime.settings.with_overrides(sms_cap_alert_share=100)  # nothing left for reporters
    case = report(runtime, phone=REPORTER, contact="callback")
    login(client, runtime, "supervisor")

    post(client, f"/console/reports/{case.reference}/sms/reporter", {"template": "missed_call"})
    run_jobs()

    [message] = messages_to(runtime, REPORTER)
    assert message.status == "cancelled"
    assert texts_to(runtime, REPORTER) == []


# Duplicate suggestions


def test_reports_of_one_place_and_category_within_two_hours_are_suggested_for_a_merge(client, runtime, clock):
    first = report(runtime)
    clock.advance(minutes=50)
    second = report(runtime)
    report(runtime, category="forced_labour")  # another category
    report(runtime, location="CD-KL/bandundu")  # another place
    clock.advance(hours=3)
    later = report(runtime)
    login(client, runtime, "operator")

    page = page_text(client, f"/console/reports/{second.reference}")
    duplicates = page.split("Doublons possibles", 1)[1]

    assert re.findall(r'href="/console/reports/([A-Z0-9]+)"', duplicates.split("</ul>", 1)[0]) == [
        first.reference
    ]
    assert later.reference not in duplicates.split("</ul>", 1)[0]
    assert f"Fusionner {second.reference} dans {first.reference}" in duplicates
    assert "Doublons possibles" not in page_text(client, f"/console/reports/{later.reference}")

    post(client, f"/console/reports/{second.reference}/merge", {"into": first.reference})

    assert fresh(runtime, second.id).merged_into_id == first.id
    assert "Doublons possibles" not in page_text(client, f"/console/reports/{first.reference}")
    assert timedelta(hours=2) > (fresh(runtime, second.id).created_at - fresh(runtime, first.id).created_at)


def test_the_outbox_rows_of_console_sms_are_marked_for_their_report(client, runtime):
    amani = add_worker(runtime, "Amani")
    case = report(runtime)
    accept(runtime, case.id, amani.id)
    login(client, runtime, "operator")

    post(client, f"/console/reports/{case.reference}/sms/worker", {"template": "visit_today"})

    with runtime.session() as db:
        [row] = db.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "console"))
    assert (row.report_id, row.worker_id, row.training) == (case.id, amani.id, False)
