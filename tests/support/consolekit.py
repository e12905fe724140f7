"""Helpers for console tests: users, logging in through the real login form, CSRF tokens."""

from __future__ import annotations

import re

import pyotp

from hotline.casework.users import create_user, new_totp_secret
from hotline.models import ROLES_WITHOUT_AREAS, User

PASSWORD = "correct horse battery staple"


def make_user(
    runtime,
    role: str = "operator",
    areas: tuple[str, ...] = ("CD-KL",),
    email: str | None = None,
    totp: bool = False,
) -> tuple[int, str | None]:
    """Create a user; returns (id, TOTP secret or None)."""
    with runtime.session() as db:
        user = create_user(
            db,
            runtime,
            email=email or f"{role}@example.org",
            name=role.title(),
            password=PASSWORD,
            role=role,
            areas=[] if role in ROLES_WITHOUT_AREAS else list(areas),
        )
        secret = None
        if totp or role == "admin":
            secret = new_totp_secret(runtime, user)
            user.totp_enabled = True
        db.commit()
        return user.id, secret


def csrf_token(client, path: str = "/console/login") -> str:
    page = client.get(path).data.decode()
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(
    client, runtime, role: str = "operator", areas: tuple[str, ...] = ("CD-KL",), email: str | None = None
) -> int:
    """Create a user of ``role`` and log the test client in (with the second factor if any)."""
    user_id, secret = make_user(runtime, role, areas, email)
    with runtime.session() as db:
        address = db.get(User, user_id).email
    response = client.post(
        "/console/login", data={"email": address, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    if secret:
        assert response.headers["Location"].endswith("/console/login/code")
        code = pyotp.TOTP(secret).at(runtime.clock.now())
        response = client.post(
            "/console/login/code",
            data={"code": code, "csrf_token": csrf_token(client, "/console/login/code")},
        )
    assert response.status_code == 302 and "/console/" in response.headers["Location"], response.data
    return user_id


def post(client, path: str, data: dict | None = None, token_from: str = "/console/"):  # type: ignore[no-untyped-def]
    """POST a console form with a valid CSRF token taken from ``token_from``."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, token_from)})


def totp_code(runtime, secret: str) -> str:
    """The code an authenticator app would show now, by the app's (frozen) clock."""
    return pyotp.TOTP(secret).at(runtime.clock.now())


def browser_login(
    page,
    runtime,
    role: str = "operator",
    areas: tuple[str, ...] = ("CD-KL",),  # type: ignore[no-untyped-def]
    email: str | None = None,
    lands_on: str = "**/console/",
) -> int:
    """Create a user of ``role`` and log a Playwright page in through the real forms, typing the
    second factor when the user has one. The page is left on the inbox (a translator's: their
    languages, ``lands_on``)."""
    user_id, secret = make_user(runtime, role, areas, email)
    with runtime.session() as db:
        address = db.get(User, user_id).email
    page.goto("/console/login")
    page.locator("main input[name=email]").fill(address)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    if secret:
        page.wait_for_url("**/console/login/code")
        page.locator("main input[name=code]").press_sequentially(totp_code(runtime, secret))
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(lands_on)
    return user_id
