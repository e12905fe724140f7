"""Safe sign-in for a shared office: probes never lock anyone out, one person's typos do not lock
out their colleagues, an unattended console signs out, the second factor is set up from a QR code
with recovery codes, and a password an admin set is changed at first sign-in."""

from __future__ import annotations

import re

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import select

from hotline.casework.users import create_user, new_totp_secret
from hotline.models import AuditEntry, RecoveryCode, User
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from tests.support.consolekit import PASSWORD, csrf_token, login, make_user


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(
        "/console/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )


def test_head_requests_on_the_login_page_never_count_as_attempts(
    client: FlaskClient, runtime: Runtime
) -> None:
    make_user(runtime, "operator", email="amani@example.org")
    for _ in range(20):  # an uptime monitor, a link-preview bot, curl -I
        assert client.head("/console/login").status_code == 200
    assert sign_in(client, "amani@example.org").status_code == 302
    with runtime.session() as db:
        assert not list(db.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")))


def test_five_bad_passwords_for_one_account_leave_a_colleague_at_the_same_address_able_to_sign_in(
    client: FlaskClient, runtime: Runtime
) -> None:
    make_user(runtime, "operator", email="typo@example.org")
    make_user(runtime, "supervisor", email="colleague@example.org")
    for _ in range(5):
        assert sign_in(client, "typo@example.org", "wrong password!").status_code == 401
    assert sign_in(client, "typo@example.org").status_code == 429  # that account waits a minute
    assert sign_in(client, "colleague@example.org").status_code == 302  # the office goes on


def test_an_address_guessing_many_accounts_is_still_stopped(client: FlaskClient, runtime: Runtime) -> None:
    make_user(runtime, "operator", email="target@example.org")
    for n in range(50):
        sign_in(client, f"guess{n}@example.org", "wrong password!")
    assert sign_in(client, "target@example.org").status_code == 429


def test_an_idle_session_with_the_inbox_open_expires_at_30_minutes(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock
) -> None:
    login(client, runtime)
    assert client.get("/console/").status_code == 200  # the person opens the inbox, then leaves
    for _ in range(29):
        clock.advance(seconds=60)
        assert client.get("/console/?auto=1").status_code == 200  # the page reloads itself
    clock.advance(seconds=61)
    expired = client.get("/console/?auto=1")
    assert expired.status_code == 302 and "expired=1" in expired.headers["Location"]


def test_the_simulators_polling_does_not_keep_a_session_alive_but_a_click_does(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock
) -> None:
    login(client, runtime, role="supervisor")
    background = {"X-Hotline-Background": "1"}
    clock.advance(minutes=20)
    assert client.get("/console/", headers=background).status_code == 200
    assert client.get("/console/").status_code == 200  # a person clicks: 30 minutes from now
    clock.advance(minutes=25)
    assert client.get("/console/", headers=background).status_code == 200
    clock.advance(minutes=6)
    assert client.get("/console/", headers=background).status_code == 302


def test_enrolment_shows_a_qr_code_drawn_here_then_ten_recovery_codes_once(
    client: FlaskClient, runtime: Runtime
) -> None:
    with runtime.session() as db:
        create_user(
            db, runtime, email="admin@example.org", name="Admin", password=PASSWORD, role="admin", areas=[]
        )
        db.commit()
    assert sign_in(client, "admin@example.org").headers["Location"].endswith("/console/login/enrol")
    page = client.get("/console/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # no outside service draws it
    with runtime.session() as db:
        user = db.scalar(select(User).where(User.email == "admin@example.org"))
        assert user is not None and user.totp_secret_encrypted
        secret = runtime.cipher.decrypt(user.totp_secret_encrypted)
    shown = client.post(
        "/console/login/enrol",
        data={
            "code": pyotp.TOTP(secret).at(runtime.clock.now()),
            "csrf_token": csrf_token(client, "/console/login/enrol"),
        },
    ).get_data(as_text=True)
    codes = re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4})</code>", shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    with runtime.session() as db:
        hashes = [row.code_hash for row in db.scalars(select(RecoveryCode))]
    assert len(hashes) == 10 and not any(code in h for code in codes for h in hashes)  # hashed at rest


def test_a_recovery_code_lets_a_user_in_once(client: FlaskClient, runtime: Runtime) -> None:
    user_id, _ = make_user(runtime, "admin", email="lost-phone@example.org")
    with runtime.session() as db:
        from hotline.casework.users import new_recovery_codes

        user = db.get(User, user_id)
        assert user is not None
        code = new_recovery_codes(db, runtime, user)[3]
        db.commit()

    def second_factor(typed: str) -> int:
        sign_in(client, "lost-phone@example.org")
        return client.post(
            "/console/login/code",
            data={"code": typed, "csrf_token": csrf_token(client, "/console/login/code")},
        ).status_code

    assert second_factor(code.lower().replace("-", "")) == 302  # as typed from paper
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    assert second_factor(code) == 401  # spent


def test_a_password_an_admin_set_must_be_changed_before_anything_else(
    client: FlaskClient, runtime: Runtime
) -> None:
    with runtime.session() as db:
        user = create_user(
            db,
            runtime,
            email="new@example.org",
            name="New",
            password=PASSWORD,
            role="operator",
            areas=["CD-KL"],
        )
        user.must_change_password = True
        db.commit()
    assert sign_in(client, "new@example.org").headers["Location"].endswith("/console/password")
    assert client.get("/console/").headers["Location"].endswith("/console/password")
    token = csrf_token(client, "/console/password")
    refused = client.post(
        "/console/password",
        data={
            "current": PASSWORD,
            "new": "short",
            "confirm": "short",
            "csrf_token": token,
            "action": "password",
        },
    )
    assert refused.status_code == 400
    changed = client.post(
        "/console/password",
        data={
            "current": PASSWORD,
            "new": "a brand new sentence",
            "confirm": "a brand new sentence",
            "csrf_token": token,
            "action": "password",
        },
    )
    assert changed.status_code == 302
    assert client.get("/console/").status_code == 200
    with runtime.session() as db:
        user = db.scalar(select(User).where(User.email == "new@example.org"))
        assert user is not None and not user.must_change_password
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "password_changed")) is not None


def test_a_user_changes_their_own_password(client: FlaskClient, runtime: Runtime, clock: FrozenClock) -> None:
    login(client, runtime, email="me@example.org")
    token = csrf_token(client, "/console/password")
    wrong = client.post(
        "/console/password",
        data={
            "current": "not it at all",
            "new": "another good sentence",
            "confirm": "another good sentence",
            "csrf_token": token,
            "action": "password",
        },
    )
    assert wrong.status_code == 400
    client.post(
        "/console/password",
        data={
            "current": PASSWORD,
            "new": "another good sentence",
            "confirm": "another good sentence",
            "csrf_token": token,
            "action": "password",
        },
    )
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    clock.advance(minutes=2)
    assert sign_in(client, "me@example.org").status_code == 401
    assert sign_in(client, "me@example.org", "another good sentence").status_code == 302


def test_new_totp_secret_is_only_enabled_by_a_code(runtime: Runtime) -> None:
    with runtime.session() as db:
        user = create_user(
            db, runtime, email="x@example.org", name="X", password=PASSWORD, role="admin", areas=[]
        )
        new_totp_secret(runtime, user)
        assert not user.totp_enabled


def test_an_admin_created_user_and_a_reset_password_are_changed_at_first_sign_in(
    client: FlaskClient,
    runtime: Runtime,
    app,  # type: ignore[no-untyped-def]
) -> None:
    login(client, runtime, role="admin")
    created = client.post(
        "/console/users/new",
        data={
            "email": "field@example.org",
            "name": "Agent de terrain",
            "password": "a first password set by the admin",
            "role": "operator",
            "areas": "CD-KL",
            "csrf_token": csrf_token(client, "/console/users/new"),
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    newcomer = app.test_client()
    assert (
        sign_in(newcomer, "field@example.org", "a first password set by the admin")
        .headers["Location"]
        .endswith("/console/password")
    )
