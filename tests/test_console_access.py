"""Who may reach which console route, proven by walking the URL map rather than by a list kept by
hand: a route added tomorrow is checked the day it is added.

- every console endpoint carries an explicit permission (``access.requires`` or ``access.public``);
- every state-changing route refuses a request without a CSRF token, even from a logged-in admin;
- each role gets 200 on the pages its permission allows, 403 on the others, and a logged-out
  visitor is sent to the login page;
- an operator for Kwilu cannot reach a Kinshasa report by URL, on any route that takes one;
- the sixth failed login for an account (or from an address) within a minute is refused, even with
  the right password, and the refusal is audited.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pyotp
import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from hotline.models import AuditEntry, Referral, Report, ReportEvent, User
from hotline.records.audit import TARGET_MAX as AUDIT_TARGET_MAX
from hotline.web.console.access import PERMISSIONS
from hotline.web.console.auth import MAX_ACCOUNT_FAILURES, MAX_ADDRESS_FAILURES, WINDOW_SECONDS
from tests.support.builders import report
from tests.support.consolekit import PASSWORD, csrf_token, login, make_user

ROLES = ("admin", "supervisor", "operator", "viewer", "translator")
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
KINSHASA = "CD-KN/gombe"


def console_rules(app: Flask) -> Iterator[Rule]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.startswith("console."):
            yield rule


def permission_of(app: Flask, rule: Rule) -> str | None:
    return app.view_functions[rule.endpoint].permission


def is_public(app: Flask, rule: Rule) -> bool:
    return permission_of(app, rule) is None


def url_for_rule(rule: Rule, values: dict[str, object]) -> str:
    """The rule's path with its arguments filled from ``values`` (1 or "x" for an unknown one)."""
    arguments = {
        name: values.get(name, 1 if isinstance(rule._converters.get(name), NumberConverter) else "x")
        for name in rule.arguments
    }
    return rule.build(arguments, append_unknown=False)[1]


def audits(runtime, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def counts(runtime) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """Rows that any console action would add: audit lines, timeline events, referrals."""
    with runtime.session() as db:
        return tuple(
            db.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]
            for model in (AuditEntry, ReportEvent, Referral)
        )


# Every route has an explicit permission


def test_every_console_endpoint_declares_its_permission(app):
    rules = list(console_rules(app))
    missing = sorted(
        {rule.endpoint for rule in rules if not hasattr(app.view_functions[rule.endpoint], "permission")}
    )
    unknown = sorted(
        {
            f"{rule.endpoint}: {permission_of(app, rule)}"
            for rule in rules
            if hasattr(app.view_functions[rule.endpoint], "permission")
            and permission_of(app, rule) not in (None, *PERMISSIONS)
        }
    )

    assert len(rules) >= 10, [r.rule for r in rules]  # the walk found the console
    assert missing == [], f"console routes without access.requires / access.public: {missing}"
    assert unknown == [], unknown


def test_only_the_login_pages_are_public(app):
    public = sorted(rule.endpoint for rule in console_rules(app) if is_public(app, rule))

    assert public == ["console.enrol", "console.login", "console.logout", "console.second_factor"]


# CSRF on every state-changing route


@dataclass(frozen=True)
class Planted:
    reference: str
    report_id: int
    referral_id: int


@pytest.fixture
def planted(runtime) -> Planted:  # type: ignore[no-untyped-def]
    """A report with a referral, so that routes taking a reference or a referral id resolve."""
    made = report(runtime, phone="+243811234567", contact="callback")
    with runtime.session() as db:
        referral = Referral(
            report_id=made.id,
            partner="police",
            follow_up_on=None,
            created_by=None,
            created_at=runtime.clock.now(),
            done=False,
        )
        db.add(referral)
        db.commit()
        return Planted(made.reference, made.id, referral.id)


def test_every_state_changing_route_refuses_a_request_without_a_csrf_token(app, client, runtime, planted):
    login(client, runtime, "admin")
    values = {"reference": planted.reference, "referral_id": planted.referral_id}
    before = counts(runtime)
    wrong_token = csrf_token(client, "/console/") + "x"
    refused: list[str] = []
    checked: list[str] = []

    for rule in console_rules(app):
        for method in sorted(rule.methods & STATE_CHANGING):
            url = url_for_rule(rule, values)
            form = {
                "status": "closed",
                "note": "a note",
                "reason": "a reason long enough",
                "worker_id": "1",
                "into": planted.reference,
                "partner": "police",
                "follow_up_on": "2030-01-01",
                "text": "1 " + planted.reference,
                "action": "send",
                "email": "admin@example.org",
                "password": PASSWORD,
                "code": "123456",
            }
            attempts = {
                "no token": client.open(url, method=method, data=form),
                "wrong token": client.open(url, method=method, data={**form, "csrf_token": wrong_token}),
                "JSON, no header": client.open(url, method=method, json=form),
            }
            for how, response in attempts.items():
                if response.status_code != 400 or b"CSRF" not in response.data:
                    refused.append(f"{method} {url} ({how}): {response.status_code}")
            checked.append(f"{method} {rule.rule}")

    assert len(checked) >= 8, checked  # report actions, simulator, login, logout
    assert refused == [], f"accepted without a valid CSRF token: {refused}"
    assert counts(runtime) == before  # nothing was audited, noted, referred...
    with runtime.session() as db:
        assert db.get(Report, planted.report_id).status != "closed"
    assert client.get("/console/").status_code == 200  # the logout without a token did nothing


# Each role, each page


def get_routes(app: Flask) -> list[Rule]:
    """Console GET routes that need no URL parameter."""
    return [rule for rule in console_rules(app) if "GET" in rule.methods and not rule.arguments]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_pages_its_permission_allows(app, runtime, role):
    client = app.test_client()
    login(client, runtime, role, ("CD-KL",))
    report(runtime)  # something to list
    wrong: list[str] = []

    for rule in get_routes(app):
        permission = permission_of(app, rule)
        response = client.get(rule.rule)
        if permission is None:  # the login pages: never a refusal, never an error
            ok = response.status_code in (200, 302)
        elif role == "translator" and rule.rule == "/console/":  # a translator's home: their languages
            ok = response.status_code == 302 and response.headers["Location"] == "/console/languages"
        else:
            ok = response.status_code == (200 if role in PERMISSIONS[permission] else 403)
        if not ok:
            wrong.append(f"{rule.rule} [{permission}]: {response.status_code}")

    assert wrong == [], f"{role}: {wrong}"


def test_a_logged_out_visitor_is_sent_to_the_login_page_from_every_page(app, client):
    wrong: list[str] = []
    for rule in get_routes(app):
        response = client.get(rule.rule)
        if is_public(app, rule):
            if response.status_code not in (200, 302) or (
                response.status_code == 302 and not response.headers["Location"].startswith("/console/login")
            ):
                wrong.append(f"{rule.rule}: {response.status_code}")
            continue
        if response.status_code != 302 or not response.headers["Location"].startswith("/console/login"):
            wrong.append(f"{rule.rule}: {response.status_code} {response.headers.get('Location')}")

    assert wrong == [], wrong
    assert client.get("/console/login").status_code == 200


def test_the_menu_offers_only_what_the_role_may_open(app, runtime):
    viewer = app.test_client()
    login(viewer, runtime, "viewer")
    supervisor = app.test_client()
    login(supervisor, runtime, "supervisor")

    assert 'href="/console/audit"' not in viewer.get("/console/").data.decode()
    assert 'href="/console/audit"' in supervisor.get("/console/").data.decode()


# Areas


def test_an_operator_for_kwilu_gets_404_for_a_kinshasa_report_on_every_route(app, client, runtime):
    kinshasa = report(
        runtime, location=KINSHASA, phone="+243811234567", contact="callback", description="Kinshasa only"
    )
    kwilu = report(runtime)
    login(client, runtime, "operator", ("CD-KL",))
    token = csrf_token(client, "/console/")
    before = counts(runtime)
    leaks: list[str] = []

    for rule in console_rules(app):
        if "reference" not in rule.arguments:
            continue
        url = url_for_rule(rule, {"reference": kinshasa.reference, "referral_id": 1})
        for method in sorted(rule.methods & {"GET", *STATE_CHANGING}):
            response = client.open(
                url,
                method=method,
                data={
                    "csrf_token": token,
                    "note": "x",
                    "status": "closed",
                    "worker_id": "1",
                    "reason": "a reason long enough",
                    "into": kwilu.reference,
                    "partner": "police",
                    "follow_up_on": "2030-01-01",
                },
            )
            if response.status_code != 404 or b"Kinshasa only" in response.data:
                leaks.append(f"{method} {url}: {response.status_code}")

    assert leaks == []
    assert counts(runtime) == before  # not even a "viewed" line
    assert client.get(f"/console/reports/{kwilu.reference}").status_code == 200
    assert client.get(f"/console/reports/{kinshasa.reference.lower()}").status_code == 404
    found = client.get("/console/?q=" + kinshasa.reference).data.decode()
    assert f"/console/reports/{kinshasa.reference}" not in found and "Kinshasa only" not in found


# Brute force


def try_login(client, email: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        "/console/login",
        environ_base={"REMOTE_ADDR": address},
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
    )


def logged_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/console/").status_code == 200


def test_the_sixth_failed_login_for_an_account_within_a_minute_is_refused_and_audited(app, client, runtime):
    user_id, _ = make_user(runtime, "operator", email="amani@example.org")
    for attempt in range(MAX_ACCOUNT_FAILURES):
        response = try_login(client, "amani@example.org", f"guess {attempt}")
        assert response.status_code == 401

    response = try_login(client, "amani@example.org", PASSWORD)  # the right one, too late

    assert response.status_code == 429
    assert not logged_in(client)
    assert PASSWORD not in response.data.decode()
    failed = audits(runtime, "login_failed")
    assert [(e.user_id, e.target_id) for e in failed] == [(user_id, "amani@example.org")] * 5
    [refused] = audits(runtime, "login_refused")
    assert (refused.target_id, refused.detail["reason"]) == ("amani@example.org", "too many failures")
    assert audits(runtime, "login") == []
    # From another address too: the limit is on the account, not only on the address.
    elsewhere = app.test_client()
    assert try_login(elsewhere, "Amani@Example.org ", PASSWORD, "10.1.2.3").status_code == 429
    assert not logged_in(elsewhere)
    assert len(audits(runtime, "login_refused")) == 2
    # The window is a Redis TTL of a minute (real time); once it lapses the password works.
    keys = list(runtime.redis.scan_iter("hotline:login:*"))
    assert keys and all(0 < runtime.redis.ttl(key) <= WINDOW_SECONDS for key in keys)
    for key in keys:
        runtime.redis.pexpire(key, 1)
    time.sleep(0.01)
    assert try_login(client, "amani@example.org", PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_failed_logins_of_many_accounts_from_one_address_are_refused_past_its_limit(app, runtime):
    make_user(runtime, "supervisor", email="chantal@example.org")
    client = app.test_client()
    for attempt in range(MAX_ADDRESS_FAILURES):
        assert try_login(client, f"nobody{attempt}@example.org", "guess", "10.9.9.9").status_code == 401

    assert try_login(client, "chantal@example.org", PASSWORD, "10.9.9.9").status_code == 429
    assert not logged_in(client)
    assert [e.target_id for e in audits(runtime, "login_refused")] == ["chantal@example.org"]
    other = app.test_client()
    assert try_login(other, "chantal@example.org", PASSWORD, "10.9.9.10").status_code == 302
    assert logged_in(other)


def test_a_long_email_typed_on_the_login_page_is_refused_and_audited_not_an_error(client, runtime):
    typed = "a" * 150 + "@example.org"  # the audit line's target holds 64 characters

    assert try_login(client, typed, PASSWORD).status_code == 401
    [entry] = audits(runtime, "login_failed")
    assert entry.target_id == typed[:AUDIT_TARGET_MAX]
    for _ in range(MAX_ACCOUNT_FAILURES):
        try_login(client, typed, PASSWORD)
    assert [e.target_id for e in audits(runtime, "login_refused")] == [typed[:AUDIT_TARGET_MAX]]


def test_wrong_second_factor_codes_count_as_failures(app, client, runtime):
    make_user(runtime, "admin", email="root@example.org")
    assert try_login(client, "root@example.org", PASSWORD).status_code == 302
    token = csrf_token(client, "/console/login/code")
    for _ in range(MAX_ACCOUNT_FAILURES):
        response = client.post("/console/login/code", data={"code": "000000", "csrf_token": token})
        assert response.status_code == 401

    with runtime.session() as db:
        admin = db.scalar(select(User).where(User.email == "root@example.org"))
        right = pyotp.TOTP(runtime.cipher.decrypt(admin.totp_secret_encrypted)).at(runtime.clock.now())
    response = client.post("/console/login/code", data={"code": right, "csrf_token": token})

    assert response.status_code == 429
    assert not logged_in(client)
    assert len(audits(runtime, "second_factor_failed")) == MAX_ACCOUNT_FAILURES


def test_behind_a_trusted_proxy_login_limits_count_per_client_address(settings, clock):
    """Behind nginx every request comes from 127.0.0.1: one client's failures must not lock
    out the others, so the forwarded address is the one counted."""
    from hotline.platform.runtime import Runtime
    from hotline.web.app import create_app

    rt = Runtime.build(settings.with_overrides(trusted_proxies=1), clock=clock)
    try:
        app = create_app(runtime=rt)
        make_user(rt, "operator", email="victim@example.org")
        attacker, colleague = app.test_client(), app.test_client()
        for _ in range(MAX_ADDRESS_FAILURES):
            attacker.post(
                "/console/login",
                data={
                    "email": f"other{_}@example.org",
                    "password": "wrong",
                    "csrf_token": csrf_token(attacker),
                },
                headers={"X-Forwarded-For": "198.51.100.7"},
            )
        refused = attacker.post(
            "/console/login",
            data={"email": "victim@example.org", "password": PASSWORD, "csrf_token": csrf_token(attacker)},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        allowed = colleague.post(
            "/console/login",
            data={"email": "victim@example.org", "password": PASSWORD, "csrf_token": csrf_token(colleague)},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        assert refused.status_code == 429
        assert allowed.status_code == 302
    finally:
        rt.close()


def test_the_header_names_the_role_in_the_operators_language(client, runtime):
    login(client, runtime, "supervisor")
    assert "(Superviseur)" in client.get("/console/").data.decode()
    assert "(Supervisor)" in client.get("/console/?lang=en").data.decode()
