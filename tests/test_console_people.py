"""People pages: social workers, rosters, escalation policies, who is on call, and users.

Each test drives the real forms (with their CSRF token) and checks what a supervisor would notice:
the list, the on-call page, the week view, the refusal message, and the audit log.
"""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from hotline.alerting.routing import recipients
from hotline.models import AuditEntry, EscalationPolicy, Roster, SocialWorker, User
from hotline.platform.phones import mask
from tests.support.builders import Worker, add_roster, add_worker
from tests.support.consolekit import csrf_token, login, make_user, post

MAX_PAGE = 150_000
PHONE, OTHER_PHONE = "+243812345678", "+243823456789"


def sign_in(client, runtime, role: str, areas: tuple[str, ...] = ("CD-KL",)) -> int:  # type: ignore[no-untyped-def]
    """Log in, and read the pages in English (the messages checked here are the English ids)."""
    user_id = login(client, runtime, role, areas)
    client.get("/console/?lang=en")
    return user_id


def page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert len(response.data) < MAX_PAGE, (path, len(response.data))
    return response.data.decode()


def audits(runtime, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def count(runtime, model) -> int:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return db.scalar(select(func.count()).select_from(model)) or 0


def worker_row(runtime, worker_id: int) -> SocialWorker:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        worker = db.get(SocialWorker, worker_id)
        assert worker is not None
        _ = [a.location_code for a in worker.areas]
        return worker


def section(html: str, start: str, end: str) -> str:
    """The part of a page from the first ``start`` to the next ``end``."""
    found = re.search(re.escape(start) + r"(.*?)" + re.escape(end), html, re.S)
    assert found, start
    return found.group(1)


def on_call_names(client, area: str, level: str) -> str:  # type: ignore[no-untyped-def]
    card = section(page(client, "/console/people/on-call"), f'data-area="{area}"', "</section>")
    return section(card, f'class="level-{level}">', "</dd>").strip()


def rotation_form(worker: Worker, **changes: str) -> dict[str, object]:
    return {
        "action": "rotations",
        "rows": "1",
        "r0-level": "primary",
        "r0-start": "2026-01-05",
        "r0-hour": "8",
        "r0-every": "7",
        "r0-members": [str(worker.id)],
        **changes,
    }


# Social workers


def test_an_admin_adds_edits_and_deactivates_a_worker_whose_phone_stays_masked(client, runtime):
    sign_in(client, runtime, "admin")

    response = post(
        client,
        "/console/people/workers/new",
        {
            "name": "Mado Kabila",
            "phone": "081 234 5678",
            "language": "ln",
            "role": "worker",
            "areas": ["CD-KL", "CD-KL/kikwit"],
        },
    )
    assert response.status_code == 302
    listed = page(client, "/console/people/workers")
    assert "Mado Kabila" in listed and mask(PHONE) in listed and "Kwilu/Kikwit" in listed
    assert "812345678" not in listed and "234 5678" not in listed
    [created] = audits(runtime, "worker_created")
    worker_id = int(created.target_id)
    assert worker_row(runtime, worker_id).phone_hash == runtime.cipher.lookup_hash(PHONE)

    edit_page = page(client, f"/console/people/workers/{worker_id}")
    assert mask(PHONE) in edit_page and "812345678" not in edit_page
    response = post(
        client,
        f"/console/people/workers/{worker_id}",
        {
            "name": "Mado K.",
            "phone": "00243 82 345 6789",
            "language": "ln",
            "role": "supervisor",
            "areas": ["CD-KL"],
        },
    )
    assert response.status_code == 302
    listed = page(client, "/console/people/workers")
    assert "Mado K." in listed and mask(OTHER_PHONE) in listed and mask(PHONE) not in listed
    edited = worker_row(runtime, worker_id)
    assert edited.phone_hash == runtime.cipher.lookup_hash(OTHER_PHONE)  # re-normalised to E.164
    assert [a.location_code for a in edited.areas] == ["CD-KL"]
    [updated] = audits(runtime, "worker_updated")
    assert sorted(updated.detail["changed"]) == ["areas", "name", "phone", "role"]
    assert "823456789" not in str(updated.detail)

    response = post(client, f"/console/people/workers/{worker_id}/active", {"active": "0"})
    assert response.status_code == 302
    assert not worker_row(runtime, worker_id).active
    assert [e.target_id for e in audits(runtime, "worker_deactivated")] == [str(worker_id)]
    row = section(page(client, "/console/people/workers"), 'class="inactive"', "</tr>")
    assert "Mado K." in row and "<td>No</td>" in row


def test_a_phone_already_given_to_another_worker_is_refused_with_a_clear_message(client, runtime):
    add_worker(runtime, "Amani", phone=PHONE)
    bea = add_worker(runtime, "Bea", phone=OTHER_PHONE)
    sign_in(client, runtime, "supervisor", ("CD-KL",))
    message = "Another social worker already has this phone number."

    created = post(
        client,
        "/console/people/workers/new",
        {"name": "Copy", "phone": "+243 81 234 5678", "language": "fr", "role": "worker", "areas": ["CD-KL"]},
    )
    edited = post(
        client,
        f"/console/people/workers/{bea.id}",
        {"name": "Bea", "phone": "0812345678", "language": "fr", "role": "worker", "areas": ["CD-KL"]},
    )

    assert created.status_code == edited.status_code == 400
    assert message in created.data.decode() and message in edited.data.decode()
    assert count(runtime, SocialWorker) == 2
    assert worker_row(runtime, bea.id).phone_hash == runtime.cipher.lookup_hash(OTHER_PHONE)
    assert audits(runtime, "worker_created") == audits(runtime, "worker_updated") == []


def upload(client, text: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/console/people/workers/import")
    return client.post(
        "/console/people/workers/import",
        content_type="multipart/form-data",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "staff.csv")},
    )


def test_a_csv_import_with_bad_lines_imports_nothing_and_names_each_line(client, runtime):
    sign_in(client, runtime, "admin")
    header = "name,phone,language,areas,role\n"

    # Larger than the app's 16 KB body limit (meant for the gateway), which this page lifts.
    many = "".join(f"Worker {i},0810{i:06d},fr,CD-KL,worker\n" for i in range(500))
    refused = upload(
        client,
        header + "Mado,0812345678,fr,CD-KL,worker\n"
        "Nono,12,fr,CD-KL,worker\n"
        "Pitshou,0823456789,fr,CD-XX,worker\n" + many,
    )

    assert len(many) > 16 * 1024
    assert refused.status_code == 400
    html = refused.data.decode()
    assert "line 3: phone is not a valid number" in html
    assert "line 4: unknown area CD-XX" in html
    assert "line 2:" not in html and "line 5:" not in html
    assert count(runtime, SocialWorker) == 0
    assert audits(runtime, "workers_imported") == []

    accepted = upload(
        client, header + "Mado,0812345678,fr,CD-KL,worker\nPitshou,0823456789,sw,CD-HK,supervisor\n"
    )
    assert accepted.status_code == 302
    listed = page(client, "/console/people/workers")
    assert "Mado" in listed and "Pitshou" in listed and "812345678" not in listed
    [imported] = audits(runtime, "workers_imported")
    assert (imported.detail["created"], imported.detail["updated"]) == (2, 0)


def test_a_supervisor_sees_and_manages_only_the_workers_of_their_areas(client, runtime):
    mine = add_worker(runtime, "Kikwit worker", ("CD-KL/kikwit",))
    theirs = add_worker(runtime, "Kinshasa worker", ("CD-KN",))
    both = add_worker(runtime, "Two provinces", ("CD-KL", "CD-KN"))
    sign_in(client, runtime, "supervisor", ("CD-KL",))

    listed = page(client, "/console/people/workers")

    assert "Kikwit worker" in listed
    assert "Kinshasa worker" not in listed and "Two provinces" not in listed
    assert client.get(f"/console/people/workers/{theirs.id}").status_code == 404
    assert post(client, f"/console/people/workers/{both.id}/active", {"active": "0"}).status_code == 404
    assert client.get("/console/people/rosters/CD-KN").status_code == 404
    assert client.get("/console/people/policies/CD").status_code == 404  # the national one is an admin's
    refused = post(
        client,
        "/console/people/workers/new",
        {"name": "Elsewhere", "phone": PHONE, "language": "fr", "role": "worker", "areas": ["CD-KN"]},
    )
    assert refused.status_code == 400 and count(runtime, SocialWorker) == 3
    assert page(client, f"/console/people/workers/{mine.id}")


# Rosters and who is on call


def test_a_roster_edit_changes_who_is_on_call(client, runtime):
    amani, bea = add_worker(runtime, "Amani"), add_worker(runtime, "Bea")
    add_roster(runtime, "CD-KL", {"primary": [amani]})
    sign_in(client, runtime, "supervisor", ("CD-KL",))
    assert on_call_names(client, "CD-KL", "primary") == "Amani"

    response = post(client, "/console/people/rosters/CD-KL", rotation_form(bea))

    assert response.status_code == 302
    assert on_call_names(client, "CD-KL", "primary") == "Bea"
    with runtime.session() as db:
        now = runtime.clock.now()
        assert [w.name for w in recipients(db, runtime.locations, "CD-KL/kikwit", "primary", now)] == ["Bea"]
    [saved] = audits(runtime, "roster_rotations_saved")
    assert saved.target_id == "CD-KL" and saved.detail["rotations"][0]["members"] == [bea.id]


def test_a_rotation_with_handoff_hour_25_is_refused_and_nothing_changes(client, runtime):
    amani, bea = add_worker(runtime, "Amani"), add_worker(runtime, "Bea")
    add_roster(runtime, "CD-KL", {"primary": [amani]})
    sign_in(client, runtime, "admin")

    response = post(client, "/console/people/rosters/CD-KL", rotation_form(bea, **{"r0-hour": "25"}))

    assert response.status_code == 400
    assert "handoff_hour must be 0-23, not 25" in response.data.decode()
    with runtime.session() as db:
        roster = db.scalar(select(Roster).where(Roster.area_code == "CD-KL"))
        assert [(r.members, r.handoff_hour) for r in roster.rotations] == [([amani.id], 8)]
    assert on_call_names(client, "CD-KL", "primary") == "Amani"
    assert audits(runtime, "roster_rotations_saved") == []


def test_an_override_shows_in_the_week_view_until_it_is_removed(client, runtime):
    amani, bea = add_worker(runtime, "Amani"), add_worker(runtime, "Bea Swap")
    add_roster(runtime, "CD-KL", {"primary": [amani]})
    sign_in(client, runtime, "supervisor", ("CD-KL",))
    assert "Bea Swap" not in section(
        page(client, "/console/people/rosters/CD-KL"), '<table class="week">', "</table>"
    )

    response = post(
        client,
        "/console/people/rosters/CD-KL",
        {
            "action": "add_override",
            "level": "primary",
            "worker": str(bea.id),
            "replaces": str(amani.id),
            "starts": "2026-01-06T08:00",
            "ends": "2026-01-07T08:00",
            "reason": "Amani is at a training",
        },
    )

    assert response.status_code == 302
    html = page(client, "/console/people/rosters/CD-KL")
    week = section(html, '<table class="week">', "</table>")
    zone = r" \(Kinshasa time\)"  # every time says its zone
    row = rf"06/01/2026 08:00{zone}</td><td[^>]*>07/01/2026 08:00{zone}</td>\s*<td>Bea Swap</td>"
    assert re.search(row, week)
    assert "Amani is at a training" in html
    [added] = audits(runtime, "roster_override_added")
    override_id = added.detail["override_id"]

    post(
        client,
        "/console/people/rosters/CD-KL",
        {"action": "remove_override", "override_id": str(override_id)},
    )
    week = section(page(client, "/console/people/rosters/CD-KL"), '<table class="week">', "</table>")
    assert "Bea Swap" not in week and "Amani" in week
    assert len(audits(runtime, "roster_override_removed")) == 1


# Escalation policies


def test_a_policy_edit_is_stored_and_a_bad_one_is_refused(client, runtime):
    sign_in(client, runtime, "supervisor", ("CD-KL",))
    assert "This area follows the default policy." in page(client, "/console/people/policies/CD-KL/kikwit")

    saved = post(
        client,
        "/console/people/policies/CD-KL",
        {
            "action": "import",
            "normal": "notify primary\nwait 5\nnotify backup, supervisor\nrepeat 2",
            "urgent": "notify primary, backup\nwait 1.5\nnotify national",
        },
    )
    refused = post(
        client,
        "/console/people/policies/CD-KL",
        {"action": "import", "normal": "notify primary\nnotify chief\nwait soon", "urgent": "wait 3"},
    )

    assert saved.status_code == 302
    assert refused.status_code == 400
    errors = refused.data.decode()
    assert "line 2: unknown level chief" in errors and "line 3: a wait is a number of minutes" in errors
    assert "a policy notifies at least one level" in errors
    with runtime.session() as db:
        policy = db.scalar(select(EscalationPolicy).where(EscalationPolicy.area_code == "CD-KL"))
        assert policy.steps == [
            {"notify": ["primary"]},
            {"wait": 300},
            {"notify": ["backup", "supervisor"]},
            {"repeat": 2},
        ]
        assert policy.urgent_steps == [
            {"notify": ["primary", "backup"]},
            {"wait": 90},
            {"notify": ["national"]},
        ]
    assert "This area follows the policy of Kwilu." in page(client, "/console/people/policies/CD-KL/kikwit")
    assert len(audits(runtime, "policy_saved")) == 1

    post(client, "/console/people/policies/CD-KL", {"action": "reset"})
    assert count(runtime, EscalationPolicy) == 0
    assert "This area follows the default policy." in page(client, "/console/people/policies/CD-KL")
    assert [e.target_id for e in audits(runtime, "policy_reset")] == ["CD-KL"]


# Who may do what


def people_rules(app: Flask, permissions: tuple[str, ...] = ("people", "users")):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith("console.") and getattr(view, "permission", None) in permissions:
            yield rule


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_an_operator_or_a_viewer_gets_403_on_every_people_page(app, client, runtime, role):
    worker = add_worker(runtime, "Amani")
    add_roster(runtime, "CD-KL", {"primary": [worker]})
    user_id = sign_in(client, runtime, role, ("CD-KL",))
    token = csrf_token(client, "/console/")
    before = count(runtime, AuditEntry)
    values = {"worker_id": worker.id, "user_id": user_id, "area": "CD-KL", "team_id": 1}
    wrong = []

    rules = list(people_rules(app))
    for rule in rules:
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(
                url, method=method, data={"csrf_token": token, "action": "reset", "active": "0", "name": "X"}
            )
            if response.status_code != 403:
                wrong.append(f"{method} {url}: {response.status_code}")

    assert len(rules) >= 12
    assert wrong == []
    assert count(runtime, AuditEntry) == before
    assert worker_row(runtime, worker.id).active


def test_a_supervisor_cannot_manage_users(client, runtime):
    operator_id, _ = make_user(runtime, "operator", totp=True)
    sign_in(client, runtime, "supervisor", ("CD-KL",))

    assert client.get("/console/users").status_code == 403
    assert client.get(f"/console/users/{operator_id}").status_code == 403
    assert (
        post(
            client,
            "/console/users/new",
            {"email": "new@example.org", "name": "New", "role": "admin", "password": "x" * 12},
        ).status_code
        == 403
    )
    assert post(client, f"/console/users/{operator_id}/second-factor").status_code == 403
    with runtime.session() as db:
        assert db.get(User, operator_id).totp_enabled
        assert db.scalar(select(func.count()).select_from(User)) == 2
    assert 'href="/console/users"' not in page(client, "/console/people/workers")


def test_an_admin_resets_a_users_second_factor_and_it_is_in_the_audit_log(client, runtime):
    operator_id, _ = make_user(runtime, "operator", email="kapinga@example.org", totp=True)
    admin_id = sign_in(client, runtime, "admin")

    response = post(client, f"/console/users/{operator_id}/second-factor")

    assert response.status_code == 302
    with runtime.session() as db:
        user = db.get(User, operator_id)
        assert not user.totp_enabled and user.totp_secret_encrypted is None
    [entry] = audits(runtime, "user_totp_reset")
    assert (entry.user_id, entry.target_type, entry.target_id) == (admin_id, "user", str(operator_id))
    logged = page(client, "/console/audit?action=user_totp_reset")
    assert "user_totp_reset" in logged and str(operator_id) in logged


def test_an_admin_creates_a_user_then_changes_their_role_and_areas_but_not_their_own(client, runtime):
    admin_id = sign_in(client, runtime, "admin")

    created = post(
        client,
        "/console/users/new",
        {
            "email": "Mbuyi@Example.org",
            "name": "Mbuyi",
            "role": "operator",
            "areas": ["CD-KL"],
            "password": "a long enough password",
        },
    )
    too_short = post(
        client,
        "/console/users/new",
        {
            "email": "short@example.org",
            "name": "Short",
            "role": "viewer",
            "areas": ["CD-KL"],
            "password": "short",
        },
    )
    with runtime.session() as db:
        user_id = db.scalar(select(User.id).where(User.email == "mbuyi@example.org"))
    changed = post(
        client,
        f"/console/users/{user_id}",
        {"name": "Mbuyi", "role": "supervisor", "areas": ["CD-HK", "CD-KL/kikwit"]},
    )
    demoted = post(
        client, f"/console/users/{admin_id}", {"name": "Admin", "role": "viewer", "areas": ["CD-KL"]}
    )

    assert created.status_code == changed.status_code == 302
    assert too_short.status_code == 400 and "at least 12 characters" in too_short.data.decode()
    assert demoted.status_code == 400
    with runtime.session() as db:
        user = db.get(User, user_id)
        assert (user.role, user.areas) == ("supervisor", ["CD-HK", "CD-KL/kikwit"])
        assert db.get(User, admin_id).role == "admin"
    listed = page(client, "/console/users")
    assert "mbuyi@example.org" in listed and "Haut-Katanga" in listed
    assert [e.detail["changed"] for e in audits(runtime, "user_updated")] == [["role", "areas"]]
    assert len(audits(runtime, "user_created")) == 1


def test_people_forms_posted_without_a_csrf_token_are_refused(app, client, runtime):
    worker = add_worker(runtime, "Amani")
    add_roster(runtime, "CD-KL", {"primary": [worker]})
    admin_id = sign_in(client, runtime, "admin")
    before = count(runtime, AuditEntry)
    values = {"worker_id": worker.id, "user_id": admin_id, "area": "CD-KL", "team_id": 1}
    accepted = []

    posts = [rule for rule in people_rules(app) if "POST" in rule.methods]
    for rule in posts:
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        response = client.post(url, data={"action": "reset", "active": "0", "name": "X"})
        if response.status_code != 400 or b"CSRF" not in response.data:
            accepted.append(f"{url}: {response.status_code}")

    assert len(posts) >= 8
    assert accepted == []
    assert count(runtime, AuditEntry) == before
    assert worker_row(runtime, worker.id).active
