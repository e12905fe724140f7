"""The console in French throughout, and what issue 16 found wrong on its pages, each seen as a user
sees it (the served page, the rows written):

- error pages (400/403/404/405/414) in the console's frame, in French or English; /favicon.ico;
- counts that agree (1 signalement, 2 signalements), a space before the colon;
- the timeline's levels and the simulator's workers in French; the audit log's actions and fields as
  words, every action and field the code writes having its label;
- every time in the zone of the report's place, the zone named; the simulator's too;
- a page view on the timeline once a day per person (the audit log keeps every view);
- an urgent report's skipped children question "non demandé", not "Je ne sais pas";
- a training report never assigned to a real worker;
- an unreadable date filter said, not silently ignored; the language links keep the filters;
- the pages reserved to administrators named in the menu, the training reports' filter labelled.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

from sqlalchemy import select

from hotline.alerting import training
from hotline.models import AuditEntry, Report, ReportEvent, User
from tests.support.builders import KIKWIT, add_worker, kwilu_team, reply, report
from tests.support.console_world import LUBUMBASHI
from tests.support.consolekit import csrf_token, login, post

ROOT = Path(__file__).resolve().parent.parent


def page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return html.unescape(response.data.decode())


def text_of(markup: str) -> str:
    """The page's words, without tags, on one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup.split("<main>", 1)[-1]).split())


# Error pages and the favicon


def test_error_pages_have_the_console_menu_and_say_what_happened_in_french(client, runtime):
    login(client, runtime, "supervisor", ("CD-KL",))
    cases = {
        "/console/users": (403, "Votre rôle n'ouvre pas cette page"),
        "/console/reports/ZZZZZZ": (404, "Page introuvable"),
        "/console/nulle-part": (404, "Page introuvable"),
        "/console/logout": (405, "Cette adresse ne s'ouvre pas ainsi"),
        "/console/?q=" + "x" * 5000: (414, "L'adresse est trop longue"),
    }
    for path, (status, title) in cases.items():
        response = client.get(path)
        body = html.unescape(response.data.decode())
        assert response.status_code == status, path[:40]
        assert title in body and '<nav aria-label="Menu">' in body, path[:40]  # the console's frame
        assert "Not Found" not in body and "Forbidden" not in body and "Method Not Allowed" not in body

    refused = client.post("/console/password", data={"password": "x"})  # no CSRF token
    body = html.unescape(refused.data.decode())
    assert refused.status_code == 400 and "jeton de sécurité (CSRF)" in body and "<nav" in body

    english = client.get("/console/reports/ZZZZZZ?lang=en")
    assert english.status_code == 404 and b"Page not found" in english.data


def test_errors_outside_the_console_keep_their_own_form(client):
    api = client.get("/api/v1/nowhere")
    assert api.status_code == 404 and api.is_json  # the API still answers JSON
    hook = client.post("/webhooks/at/wrong-token/ussd", data={})
    assert hook.status_code == 404 and b"<nav" not in hook.data


def test_the_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00" and len(response.data) < 2000  # an ICO, small
    assert b'rel="icon"' in client.get("/console/login").data


# Counts, colons, levels, names


def test_counts_agree_with_their_number(client, runtime):
    login(client, runtime, "supervisor", ("CD-KL",))
    report(runtime)
    inbox = text_of(page(client, "/console/"))
    assert "1 signalement ·" in inbox and "1 signalements" not in inbox
    report(runtime)
    assert "2 signalements ·" in text_of(page(client, "/console/"))
    add_worker(runtime, "Amani")
    workers = text_of(page(client, "/console/people/workers"))
    assert "1 travailleur social" in workers and "1 travailleurs sociaux" not in workers


def test_the_timeline_names_levels_and_the_simulators_workers_in_french(client, runtime, run_jobs):
    team = kwilu_team(runtime)
    case = report(runtime)
    practice = report(runtime, training=True, source_key=f"ussd:{training.new_training_id()}")
    run_jobs()
    reply(runtime, team.primary, f"1 {case.reference}")
    login(client, runtime, "supervisor", ("CD-KL",))

    real = text_of(page(client, f"/console/reports/{case.reference}"))
    assert "Principal\u00a0: Amani" in real or "Principal : Amani" in real
    assert "primary" not in real
    trained = text_of(page(client, f"/console/reports/{practice.reference}"))
    assert "Simulateur de formation : Travailleur d'exercice 1" in trained
    assert "Training worker" not in trained and "training:" not in trained


def test_the_audit_log_says_actions_and_fields_in_words(client, runtime):
    amani = add_worker(runtime, "Amani", (KIKWIT,))
    case = report(runtime)
    login(client, runtime, "supervisor", ("CD-KL",))
    page(client, f"/console/reports/{case.reference}")
    post(client, f"/console/reports/{case.reference}/assign", {"worker_id": str(amani.id)})

    log = text_of(page(client, "/console/audit"))
    assert "Signalement consulté" in log and "Signalement affecté" in log
    assert "Travailleur social : Amani" in log
    assert "report_viewed" not in log and "worker_id" not in log and "report_assigned" not in log


def _audit_calls() -> tuple[set[str], set[str]]:
    """Every action and detail field the code base writes with ``audit(...)`` (literal names)."""
    actions: set[str] = set()
    fields: set[str] = set()
    for path in (ROOT / "hotline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            called = getattr(name, "id", getattr(name, "attr", None))
            if not isinstance(node, ast.Call) or called != "audit" or len(node.args) < 4:
                continue
            action = node.args[3]
            choices = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
            actions |= {c.value for c in choices if isinstance(c, ast.Constant) and isinstance(c.value, str)}
            fields |= {k.arg for k in node.keywords if k.arg}
    return actions, fields


def test_every_action_and_field_the_code_audits_has_its_label():
    from hotline.web.console.audit_labels import ACTION_LABELS, FIELD_LABELS

    actions, fields = _audit_calls()
    assert len(actions) > 30  # the walk found the audit calls
    assert sorted(actions - set(ACTION_LABELS)) == []
    assert sorted(fields - set(FIELD_LABELS)) == []


# Times


def test_every_time_is_in_the_zone_of_the_reports_place_and_says_which(client, runtime):
    kikwit = report(runtime)  # 08:00 UTC: 09:00 in Kinshasa's zone, 10:00 in Lubumbashi's
    lubumbashi = report(runtime, location=LUBUMBASHI)
    login(client, runtime, "supervisor", ("CD-KL", "CD-HK"))  # the user's first area: Kinshasa's zone

    inbox = text_of(page(client, "/console/"))
    assert "05/01/2026 10:00 (heure de Lubumbashi)" in inbox
    assert "05/01/2026 09:00 (heure de Kinshasa)" in inbox
    east = text_of(page(client, f"/console/reports/{lubumbashi.reference}"))
    assert "05/01/2026 10:00 (heure de Lubumbashi)" in east and "09:00" not in east
    assert "05/01/2026 09:00 (heure de Kinshasa)" in text_of(
        page(client, f"/console/reports/{kikwit.reference}")
    )
    english = text_of(page(client, f"/console/reports/{lubumbashi.reference}?lang=en"))
    assert "05/01/2026 10:00 (Lubumbashi time)" in english


def test_the_simulator_shows_its_sms_times_in_the_trainers_zone(client, runtime, run_jobs):
    login(client, runtime, "viewer", ("CD-HK",))
    page(client, "/console/simulator")
    token = csrf_token(client, "/console/simulator")
    client.post("/console/simulator/sms", json={"pair": 0, "text": "AIDE"}, headers={"X-CSRFToken": token})
    run_jobs()
    phones = client.get("/console/simulator/phones?pair=0").get_json()
    assert phones["reporter"], phones
    assert phones["reporter"][-1]["at"] == "10:00:00 (heure de Lubumbashi)"  # 08:00 UTC, not UTC


# What a page view leaves


def test_viewing_a_report_is_audited_each_time_but_on_the_timeline_once_a_day(client, runtime, clock):
    clock.advance(hours=14, minutes=45)  # 23:45 in Kikwit (Kinshasa's zone)
    case = report(runtime)
    login(client, runtime, "operator", ("CD-KL",))
    for _ in range(3):
        page(client, f"/console/reports/{case.reference}")
    clock.advance(minutes=20)  # 00:05: the next day in the report's place
    page(client, f"/console/reports/{case.reference}")

    with runtime.session() as db:
        views = db.scalars(select(AuditEntry).where(AuditEntry.action == "report_viewed")).all()
        lines = db.scalars(
            select(ReportEvent).where(ReportEvent.report_id == case.id, ReportEvent.kind == "viewed")
        ).all()
    assert len(views) == 4  # the audit log keeps every view
    assert len(lines) == 2  # the timeline: one a day
    timeline = page(client, f"/console/reports/{case.reference}").split('<ol class="timeline">', 1)[1]
    assert timeline.count("Consulté") == 1 and "Consulté</strong> (×2)" in timeline  # two days, one line


# The report page's answers


def test_an_urgent_report_that_skipped_the_children_question_says_not_asked(client, runtime):
    urgent = report(runtime, urgent=True)  # "someone in danger now": the optional questions skipped
    unsure = report(runtime)  # answered "not sure" (no answer stored either)
    login(client, runtime, "viewer", ("CD-KL",))

    shown = text_of(page(client, f"/console/reports/{urgent.reference}"))
    assert "Enfants concernés non demandé" in shown and "Je ne sais pas" not in shown
    assert "Enfants concernés Je ne sais pas" in text_of(page(client, f"/console/reports/{unsure.reference}"))


def test_a_training_report_cannot_be_assigned_to_a_real_worker(client, runtime, run_jobs):
    real = add_worker(runtime, "Amani", ("CD-KL",))
    practice = report(runtime, training=True, source_key=f"ussd:{training.new_training_id()}")
    run_jobs()
    login(client, runtime, "operator", ("CD-KL",))

    shown = page(client, f"/console/reports/{practice.reference}")
    assert "Amani" not in shown  # not offered
    post(client, f"/console/reports/{practice.reference}/assign", {"worker_id": str(real.id)})
    with runtime.session() as db:
        assert db.get_one(Report, practice.id).assigned_to_id is None
        assert not db.scalars(select(AuditEntry).where(AuditEntry.action == "report_assigned")).all()
    with runtime.session() as db:
        emulated = training.worker(db, runtime, 0)  # the emulated worker of the simulator's first phones
        db.commit()
        emulated_id = emulated.id
    post(client, f"/console/reports/{practice.reference}/assign", {"worker_id": str(emulated_id)})
    with runtime.session() as db:
        assert db.get_one(Report, practice.id).assigned_to_id == emulated_id  # the simulator's worker may


# Filters and links


def test_an_unreadable_date_filter_is_said_not_silently_ignored(client, runtime, clock):
    report(runtime)
    clock.advance(days=2)
    later = report(runtime)
    login(client, runtime, "supervisor", ("CD-KL",))

    refused = text_of(page(client, "/console/?since=2026-13-45"))
    assert "La date « 2026-13-45 » n'a pas pu être lue" in refused and "2 signalements" in refused
    french = text_of(page(client, "/console/?since=07/01/2026"))  # as people write it here
    assert "n'a pas pu être lue" not in french and "1 signalement ·" in french and later.reference in french
    assert "La date « hier » n'a pas pu être lue" in text_of(page(client, "/console/audit?until=hier"))


def test_the_language_links_keep_the_pages_filters(client, runtime):
    login(client, runtime, "supervisor", ("CD-KL",))
    inbox = page(client, "/console/?status=in_progress&category=forced_labour&auto=1")
    english = re.search(r'<a href="([^"]+)" lang="en"', inbox)
    assert english is not None
    # The query alone: the browser keeps the path (a page never writes its own URL out again).
    assert english.group(1) == "?status=in_progress&category=forced_labour&lang=en"
    followed = "/console/" + english.group(1)
    assert "Reports" in page(client, followed) and 'value="in_progress" selected' in page(client, followed)


def test_the_menu_names_the_pages_reserved_to_administrators(client, app, runtime):
    login(client, runtime, "supervisor", ("CD-KL",))
    head = page(client, "/console/").split("<main>", 1)[0]
    assert "Réservé aux administrateurs : Utilisateurs, Systèmes partenaires" in " ".join(
        re.sub(r"<[^>]+>", " ", head).split()
    )
    admin = app.test_client()
    login(admin, runtime, "admin")
    assert "Réservé aux administrateurs" not in page(admin, "/console/")


def test_the_training_reports_filter_says_what_it_does_and_the_simulator_leads_to_it(client, runtime):
    practice = report(runtime, training=True, source_key=f"ussd:{training.new_training_id()}")
    login(client, runtime, "viewer", ("CD-KL",))
    inbox = page(client, "/console/")
    assert "Afficher les signalements d'exercice (simulateur) au lieu des vrais" in inbox
    assert practice.reference not in inbox
    simulator = page(client, "/console/simulator")
    assert 'href="/console/?training=1"' in simulator
    assert practice.reference in page(client, "/console/?training=1")


def test_a_report_a_day_later_keeps_its_own_zone(client, runtime, clock):
    clock.advance(hours=15)  # 23:00 UTC: midnight in Kinshasa, 01:00 the next day in Lubumbashi
    late = report(runtime, location=LUBUMBASHI)
    login(client, runtime, "supervisor", ("CD-KN", "CD-HK"))
    shown = text_of(page(client, f"/console/reports/{late.reference}"))
    assert "06/01/2026 01:00 (heure de Lubumbashi)" in shown and "(heure de Kinshasa)" not in shown


def test_a_colon_has_its_space_before_it_in_french(client, app, runtime):
    case = report(runtime, phone="+243811234567", contact="callback", safe_time="evening")
    login(client, runtime, "supervisor", ("CD-KL",))
    reveal = client.post(
        f"/console/reports/{case.reference}/reveal",
        data={"reason": "Rappel demandé par le déclarant", "csrf_token": csrf_token(client)},
    )
    shown = text_of(html.unescape(reveal.data.decode()))
    assert f"Signalement {case.reference} : numéro de la personne qui signale" in shown.replace("\u00a0", " ")
    assert "appeler : Soir" in shown.replace("\u00a0", " ")
    admin = app.test_client()
    login(admin, runtime, "admin")
    with runtime.session() as db:
        user_id = db.scalar(select(User.id).where(User.role == "supervisor"))
    user_page = text_of(page(admin, f"/console/users/{user_id}")).replace("\u00a0", " ")
    assert "Second facteur : " in user_page and "Dernière connexion : " in user_page
