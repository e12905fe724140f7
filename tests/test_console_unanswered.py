"""Unanswered reports in the console (issue 14): the banner on every page, the inbox's red flag in
words, its "en attente depuis" column and filter, the alarm SMS opt-in on « Mon compte » and in the
admin's user form, the policy's alarm time, and the national scope (CD) a coordinator works in.

Time moves with the frozen clock and the real jobs (``advance``); pages are read as a user reads
them, in French unless a test says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from hotline.models import AuditEntry, EscalationPolicy, User
from hotline.platform.clock import FrozenClock
from hotline.platform.phones import mask
from hotline.platform.runtime import Runtime
from tests.support.builders import KIKWIT, Worker, add_worker, advance, reply, report, texts_to
from tests.support.consolekit import csrf_token, login, post

MINUTE = 60
RunJobs = Callable[[], None]
GOMBE = "CD-KN/gombe"
PHONE = "+243810000710"
BANNER = {
    1: "Sans réponse : 1 signalement de vos zones que personne n&#39;a accepté à temps.",
    2: "Sans réponse : 2 signalements de vos zones que personne n&#39;a acceptés à temps.",
}


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def rows(html: str) -> list[str]:
    """The inbox's rows, each as its HTML."""
    body = html.split('<table class="inbox">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr class=.*?</tr>", body, re.S)


def listed(html: str) -> list[str]:
    """The references the inbox lists, in its order."""
    return [reference for row in rows(html) for reference in re.findall(r">(\w{6,8})</a>", row)[:1]]


def row_of(html: str, reference: str) -> str:
    return next(row for row in rows(html) if f">{reference}</a>" in row)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def audits(runtime: Runtime, action: str) -> list[AuditEntry]:
    with runtime.session() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def user_row(runtime: Runtime, user_id: int) -> User:
    with runtime.session() as db:
        return db.get_one(User, user_id)


def unanswered_in_kwilu(runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs) -> tuple[Worker, str]:
    """A Kikwit worker who does not answer an urgent report: at 15 minutes it is unanswered."""
    amani = add_worker(runtime, "Amani", [KIKWIT])
    opened = report(runtime, urgent=True)
    advance(clock, run_jobs, 15 * MINUTE)
    return amani, opened.reference


# --- the banner -----------------------------------------------------------------------------------


def test_every_page_shows_the_count_of_unanswered_reports_in_the_users_areas_with_a_link(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani, reference = unanswered_in_kwilu(runtime, clock, run_jobs)
    report(runtime, location=GOMBE, urgent=True)  # Kinshasa: nobody to alert, unanswered at the next tick
    advance(clock, run_jobs, 15)
    login(client, runtime, "operator", ("CD-KL",))

    for path in ("/console/", "/console/dashboard", "/console/account", f"/console/reports/{reference}"):
        html = page(client, path)
        assert BANNER[1] in html, path  # Kwilu's only: Kinshasa is not this operator's
        assert 'href="/console/?unanswered=1"' in html
    assert "No answer: 1 report in your areas" in page(client, "/console/?lang=en")

    reply(runtime, amani, f"1 {reference}")
    assert "unanswered-banner" not in page(client, "/console/")


def test_nothing_unanswered_no_banner(client: FlaskClient, runtime: Runtime) -> None:
    report(runtime, urgent=True)  # just opened: waiting, not yet unanswered
    login(client, runtime, "operator", ("CD-KL",))
    assert "unanswered-banner" not in page(client, "/console/")


# --- the inbox ------------------------------------------------------------------------------------


def test_the_inbox_puts_unanswered_reports_first_flagged_in_words_and_shows_how_long_each_waits(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani = add_worker(runtime, "Amani", [KIKWIT])
    older = report(runtime, urgent=True)
    advance(clock, run_jobs, 10 * MINUTE)
    normal = report(runtime)  # newer, but only 15 minutes old when the page is read: not unanswered
    advance(clock, run_jobs, 5 * MINUTE)
    accepted = report(runtime, urgent=True)
    reply(runtime, amani, f"1 {accepted.reference}")
    login(client, runtime, "operator", ("CD-KL",))

    html = page(client, "/console/")
    assert listed(html) == [
        older.reference,  # unanswered (15 minutes, urgent): first
        normal.reference,
        accepted.reference,
    ]
    flagged = row_of(html, older.reference)
    assert "⚑ Sans réponse" in flagged and "unanswered" in flagged
    assert "Sans réponse" not in row_of(html, normal.reference)
    assert "<th>En attente depuis</th>" in html
    assert "15 min" in cells(row_of(html, older.reference))
    assert "5 min" in cells(row_of(html, normal.reference))
    assert cells(row_of(html, accepted.reference))[7] == ""  # accepted: it waits no more

    only = page(client, "/console/?unanswered=1")
    assert listed(only) == [older.reference]
    assert 'name="unanswered" value="1" checked' in only
    english = page(client, "/console/?lang=en")
    assert "⚑ No answer" in row_of(english, older.reference) and "<th>Waiting for</th>" in english


def test_a_report_waiting_for_hours_says_so(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    add_worker(runtime, "Amani", [KIKWIT])
    opened = report(runtime)
    advance(clock, run_jobs, 3 * 60 * MINUTE + 5 * MINUTE)
    login(client, runtime, "viewer", ("CD-KL",))
    assert "3 h 05" in cells(row_of(page(client, "/console/"), opened.reference))


# --- the alarm SMS opt-in -------------------------------------------------------------------------


def test_a_supervisor_registers_a_number_on_their_account_page_and_gets_the_alarm_sms(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    user_id = login(client, runtime, "supervisor", ("CD-KL",))
    account = page(client, "/console/")
    assert 'href="/console/account"' in account  # the name in the header opens « Mon compte »
    assert "<h1>Mon compte</h1>" in page(client, "/console/account")

    saved = post(
        client, "/console/account", {"alarm_phone": "081 000 0710", "alarm_sms": "1"}, "/console/account"
    )
    assert saved.status_code == 302
    shown = page(client, "/console/account")
    assert f"Numéro enregistré : {mask(PHONE)}" in shown and "0710" not in shown.replace(mask(PHONE), "")
    assert 'name="alarm_sms" value="1" checked' in shown
    [entry] = audits(runtime, "alarm_sms_changed")
    assert (entry.user_id, entry.target_id) == (user_id, str(user_id))
    assert entry.detail == {"changed": ["phone", "alarm_sms"], "alarm_sms": True, "has_phone": True}
    assert "810000710" not in str(entry.detail)

    unanswered_in_kwilu(runtime, clock, run_jobs)
    [sms] = texts_to(runtime, PHONE, purpose="alarm")
    assert sms.startswith("SANS REPONSE")


def test_a_bad_number_or_an_opt_in_without_one_is_refused_and_changes_nothing(
    client: FlaskClient, runtime: Runtime
) -> None:
    user_id = login(client, runtime, "supervisor", ("CD-KL",))
    typo = post(client, "/console/account", {"alarm_phone": "12", "alarm_sms": "1"}, "/console/account")
    assert typo.status_code == 400
    assert "Le numéro de téléphone n&#39;est pas valide" in typo.get_data(as_text=True)
    without = post(client, "/console/account", {"alarm_sms": "1"}, "/console/account")
    assert without.status_code == 400
    assert "Le SMS d&#39;alarme demande un numéro de téléphone." in without.get_data(as_text=True)
    user = user_row(runtime, user_id)
    assert (user.phone_encrypted, user.alarm_sms) == (None, False)
    assert audits(runtime, "alarm_sms_changed") == []


def test_removing_the_number_turns_the_alarm_sms_off(client: FlaskClient, runtime: Runtime) -> None:
    user_id = login(client, runtime, "supervisor", ("CD-KL",))
    post(client, "/console/account", {"alarm_phone": PHONE, "alarm_sms": "1"}, "/console/account")
    kept = post(client, "/console/account", {"alarm_sms": "1"}, "/console/account")  # blank: kept
    assert kept.status_code == 302 and user_row(runtime, user_id).phone_hash == runtime.cipher.lookup_hash(
        PHONE
    )
    still_on = post(client, "/console/account", {"remove_phone": "1", "alarm_sms": "1"}, "/console/account")
    assert still_on.status_code == 400
    removed = post(client, "/console/account", {"remove_phone": "1"}, "/console/account")
    assert removed.status_code == 302
    user = user_row(runtime, user_id)
    assert (user.phone_encrypted, user.phone_hash, user.alarm_sms) == (None, None, False)
    assert [a.detail["changed"] for a in audits(runtime, "alarm_sms_changed")] == [
        ["phone", "alarm_sms"],
        ["phone", "alarm_sms"],
    ]


def test_an_admin_sets_a_coordinators_alarm_number_in_the_user_form(
    client: FlaskClient, runtime: Runtime
) -> None:
    login(client, runtime, "admin")
    created = post(
        client,
        "/console/users/new",
        {
            "email": "coordination@example.org",
            "name": "Coordination",
            "role": "supervisor",
            "areas": ["CD"],
            "password": "a long enough password",
        },
    )
    assert created.status_code == 302
    [entry] = audits(runtime, "user_created")
    user_id = int(entry.target_id or 0)
    form = {
        "name": "Coordination",
        "role": "supervisor",
        "areas": ["CD"],
        "alarm_phone": PHONE,
        "alarm_sms": "1",
    }
    edit = f"/console/users/{user_id}"
    assert post(client, edit, form, edit).status_code == 302
    user = user_row(runtime, user_id)
    assert user.alarm_sms and user.phone_hash == runtime.cipher.lookup_hash(PHONE)
    assert mask(PHONE) in page(client, edit) and PHONE not in page(client, edit)
    [changed] = audits(runtime, "alarm_sms_changed")
    assert changed.target_id == str(user_id) and changed.detail["alarm_sms"] is True

    refused = post(client, edit, {**form, "alarm_phone": "0000"}, edit)
    assert refused.status_code == 400 and "n&#39;est pas valide" in refused.get_data(as_text=True)


# --- the alarm time in the policy editor ----------------------------------------------------------


def test_a_supervisor_sets_kwilus_alarm_time_and_a_report_there_alarms_after_it(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    login(client, runtime, "supervisor", ("CD-KL",))
    path = "/console/people/policies/CD-KL"
    assert "Alarme après 60 min sans acceptation." in page(client, path)  # the default's
    steps = {"action": "import", "normal": "notify primary\nwait 10", "urgent": "notify primary\nwait 3"}
    refused = post(client, path, {**steps, "alarm_normal": "0", "alarm_urgent": "soon"}, path)
    assert refused.status_code == 400
    assert refused.get_data(as_text=True).count("le délai d&#39;alarme est un nombre entier") == 2

    assert post(client, path, {**steps, "alarm_normal": "30", "alarm_urgent": "5"}, path).status_code == 302
    html = page(client, path)
    assert "Alarme après 30 min sans acceptation." in html and "Alarme après 5 min sans acceptation." in html
    assert 'name="alarm_urgent" min="1" max="10080" step="1" value="5"' in html
    assert "Alarme après 5 min" in page(client, "/console/people/policies/CD-KL/kikwit")  # its places too
    with runtime.session() as db:
        policy = db.scalar(select(EscalationPolicy).where(EscalationPolicy.area_code == "CD-KL"))
        assert policy is not None and (policy.alarm_minutes, policy.urgent_alarm_minutes) == (30, 5)
    [saved] = audits(runtime, "policy_saved")
    assert (saved.detail["alarm_minutes"], saved.detail["urgent_alarm_minutes"]) == (30, 5)

    add_worker(runtime, "Amani", [KIKWIT])
    opened = report(runtime, urgent=True)
    advance(clock, run_jobs, 5 * MINUTE)
    assert "⚑ Sans réponse" in row_of(page(client, "/console/"), opened.reference)


def test_an_empty_alarm_time_goes_back_to_the_defaults(client: FlaskClient, runtime: Runtime) -> None:
    login(client, runtime, "supervisor", ("CD-KL",))
    path = "/console/people/policies/CD-KL"
    steps = {"action": "import", "normal": "notify primary", "urgent": "notify primary"}
    post(client, path, {**steps, "alarm_normal": "30", "alarm_urgent": "5"}, path)
    post(client, path, {**steps, "alarm_normal": "", "alarm_urgent": ""}, path)
    html = page(client, path)
    assert "Alarme après 60 min" in html and "Alarme après 15 min" in html


# --- the national scope (CD) ----------------------------------------------------------------------


def test_a_national_coordinator_scoped_to_cd_sees_and_opens_every_provinces_reports(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    kwilu = report(runtime, urgent=True)
    kinshasa = report(runtime, location=GOMBE, urgent=True)
    advance(clock, run_jobs, 15)  # nobody to alert anywhere: both unanswered at the next tick
    login(client, runtime, "supervisor", ("CD",))

    html = page(client, "/console/")
    assert set(listed(html)) == {kwilu.reference, kinshasa.reference}
    assert BANNER[2] in html
    assert client.get(f"/console/reports/{kinshasa.reference}").status_code == 200
    assert 'value="CD-KN/gombe"' in html  # the area filter offers every province's places


def test_a_province_operator_still_sees_only_their_province(client: FlaskClient, runtime: Runtime) -> None:
    report(runtime)
    kinshasa = report(runtime, location=GOMBE)
    login(client, runtime, "operator", ("CD-KL",))
    assert client.get(f"/console/reports/{kinshasa.reference}").status_code == 404
    assert kinshasa.reference not in page(client, "/console/")
    assert csrf_token(client, "/console/")  # the session is intact
