"""The console in a real browser: Debian's Chromium driven by Playwright, clicking and typing as
a supervisor or a trainer would, on the app served on loopback (see browser_fixtures.py).

The ``page`` fixture fails a test on any dialog, page error or Content-Security-Policy violation,
so each of these also shows that the pages work with their one external script and no inline one.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from hotline.models import AuditEntry, Report, ReportEvent
from tests.support.builders import report
from tests.support.consolekit import PASSWORD, browser_login, make_user, totp_code
from tests.support.ussd import FRENCH_REPORT

REPORTER = "+243811234567"


def inbox_references(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("table.inbox tbody a").all_text_contents()


def label(runtime, message: str) -> str:  # type: ignore[no-untyped-def]
    """A status label as the French console shows it."""
    return runtime.translations.translate("fr", message)


def fresh(runtime, report_id: int) -> Report:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return db.get(Report, report_id)


def test_an_admin_logs_in_typing_the_second_factor(page, runtime):
    user_id, secret = make_user(runtime, "admin", email="root@example.org")
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/console/login"))  # nobody logged in yet

    page.locator("main input[name=email]").press_sequentially("root@example.org")
    page.locator("main input[name=password]").press_sequentially(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console/login/code$"))
    page.goto("/console/")  # the password alone does not open the console
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.goto("/console/login/code")
    page.locator("main input[name=code]").press_sequentially("000000")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .flash.error")).to_be_visible()  # a wrong code is refused
    page.locator("main input[name=code]").press_sequentially(totp_code(runtime, secret))
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.locator("header .who")).to_contain_text("Admin")
    expect(page.locator('header nav a[href="/console/audit"]')).to_be_visible()
    with runtime.session() as db:
        actions = list(
            db.scalars(select(AuditEntry.action).where(AuditEntry.user_id == user_id).order_by(AuditEntry.id))
        )
    assert actions[-1] == "login" and "second_factor_failed" in actions


def test_filtering_the_inbox_changes_the_list(page, runtime, clock):
    labour = report(runtime, category="forced_labour")
    clock.advance(minutes=1)
    urgent = report(runtime, urgent=True, category="sexual_exploitation")
    clock.advance(minutes=1)
    child = report(runtime, category="child_trafficking", channel="sms")
    report(runtime, location="CD-KN", urgent=True)  # another area: never listed
    browser_login(page, runtime, "operator", ("CD-KL",))
    everyone = [urgent.reference, child.reference, labour.reference]
    assert inbox_references(page) == everyone

    filters = page.locator("form.filters")
    filters.locator("select[name=urgency]").select_option("urgent")
    filters.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"urgency=urgent"))
    assert inbox_references(page) == [urgent.reference]

    filters.locator("select[name=urgency]").select_option("")
    filters.locator("select[name=category]").select_option("child_trafficking")
    filters.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"category=child_trafficking"))
    assert inbox_references(page) == [child.reference]

    filters.locator('a[href="/console/"]').click()  # "Clear"
    filters.locator("input[name=q]").press_sequentially(labour.reference.lower())
    filters.locator("input[name=q]").press("Enter")
    expect(page).to_have_url(re.compile(r"q="))
    assert inbox_references(page) == [labour.reference]


def test_opening_a_report_adding_a_note_and_changing_its_status(page, runtime):
    case = report(runtime, description="Trois enfants dans un dépôt")
    user_id = browser_login(page, runtime, "operator", ("CD-KL",))

    page.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(re.compile(rf"/console/reports/{case.reference}$"))
    expect(page.locator("dl.answers")).to_contain_text("Trois enfants dans un dépôt")

    note = page.locator("form[action$='/note']")
    note.locator("textarea[name=note]").press_sequentially("Appelé la police de Kikwit")
    note.locator("button[type=submit]").click()
    expect(page.locator("ol.timeline")).to_contain_text("Appelé la police de Kikwit")
    expect(page.locator("main .flash.info")).to_be_visible()

    status = page.locator("form[action$='/status']")
    status.locator("select[name=status]").select_option("in_progress")
    status.locator("button[type=submit]").click()
    in_progress = label(runtime, "In progress")
    expect(page.locator("h1 .badge").first).to_have_text(in_progress)
    expect(page.locator("ol.timeline li", has_text="→")).to_contain_text(f"→ {in_progress}")
    expect(status.locator("select[name=status]")).to_have_value("in_progress")

    assert fresh(runtime, case.id).status == "in_progress"
    with runtime.session() as db:
        kinds = list(
            db.scalars(
                select(ReportEvent.kind).where(ReportEvent.report_id == case.id).order_by(ReportEvent.id)
            )
        )
        note_event = db.scalar(
            select(ReportEvent).where(ReportEvent.report_id == case.id, ReportEvent.kind == "note")
        )
    assert kinds.index("note") < kinds.index("status_changed")
    assert note_event.actor == f"user:{user_id}"


def test_a_supervisor_reveals_a_number_with_a_reason_and_finds_it_in_the_audit_log(page, runtime):
    case = report(runtime, phone=REPORTER, contact="callback", safe_time="evening")
    browser_login(page, runtime, "supervisor", ("CD-KL",), email="chantal@example.org")
    page.goto(f"/console/reports/{case.reference}")
    expect(page.locator("main")).not_to_contain_text(REPORTER)
    expect(page.locator("main")).to_contain_text("+243 81* *** *567")

    reveal = page.locator("form[action$='/reveal']")
    reveal.locator("textarea[name=reason]").press_sequentially("Rappel demandé, enfant en danger")
    reveal.locator("button[type=submit]").click()
    expect(page.locator("section.secret code")).to_have_text(REPORTER)

    page.locator('header nav a[href="/console/audit"]').click()
    expect(page).to_have_url(re.compile(r"/console/audit$"))
    filters = page.locator("form.filters")
    filters.locator("select[name=action]").select_option("number_revealed")
    filters.locator("button[type=submit]").click()
    rows = page.locator("table.audit tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.reference)
    expect(rows.first).to_contain_text("Rappel demandé, enfant en danger")
    expect(rows.first).to_contain_text("chantal@example.org")
    expect(page.locator("main")).not_to_contain_text(REPORTER)  # the log has the reason, not the number
    rows.first.get_by_role("link", name=case.reference).click()  # and leads back to the report
    expect(page).to_have_url(re.compile(rf"/console/reports/{case.reference}$"))


def test_a_training_report_on_the_simulator_is_accepted_on_the_worker_phone(page, runtime, run_jobs):
    browser_login(page, runtime, "viewer", ("CD-KL",))
    page.locator('header nav a[href="/console/simulator"]').click()
    sim = page.locator("[data-simulator]")
    screen, line = sim.locator("[data-ussd-screen]"), sim.locator("[data-ussd-input]")
    worker = sim.locator('[data-sms-list="worker"]')
    expect(line).to_have_value(re.compile(r"^\*[0-9*]+#$"))  # the service code, ready to dial

    sim.locator("[data-send]").click()  # dial
    expect(screen).to_contain_text("Francais")
    for key in FRENCH_REPORT:  # French, report, exploitation, in danger, Kikwit, call back...
        sim.locator(f'[data-key="{key}"]').click()
        expect(line).to_have_value(key)
        sim.locator("[data-send]").click()
        expect(line).to_have_value("")  # the screen came back
    expect(screen).to_contain_text("reference")
    reference = re.search(r"reference ?:? ([A-Z0-9]{6,8})", screen.text_content()).group(1)
    expect(sim.locator("[data-sim-reports]")).to_contain_text(reference)

    run_jobs()  # the outbox hands the alert to the (local) gateway: the worker phone shows it
    expect(worker).to_contain_text(f"1 {reference}", timeout=8000)
    answer = sim.locator('[data-sms-form="worker"]')
    answer.locator("input[name=text]").press_sequentially(f"1 {reference}")
    answer.locator("button[type=submit]").click()
    expect(answer.locator("input[name=text]")).to_have_value("")  # the server took it
    run_jobs()  # the confirmation and the details go out

    expect(worker.locator("li")).to_have_count(3, timeout=8000)  # alert, confirmation, details
    expect(worker.locator("li").last).to_contain_text("+243890000001")  # the number to call back
    row = sim.locator("[data-sim-reports] tr", has_text=reference)
    expect(row.locator("td").last).to_have_text(label(runtime, "Accepted"), timeout=8000)
    accepted = fresh_by_reference(runtime, reference)
    assert accepted.status == "accepted" and accepted.training and accepted.accepted_at


def fresh_by_reference(runtime, reference: str) -> Report:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return db.scalar(select(Report).where(Report.reference == reference))
