"""HSTS only when the browser really used HTTPS: directly, or through a proxy we trust
(HOTLINE_TRUSTED_PROXIES); a forged X-Forwarded-Proto from the open internet changes nothing.

The other headers on every console page (CSP, frame-ancestors, nosniff, referrer policy, no-store)
are walked in tests/test_xss.py::test_every_console_response_carries_the_security_headers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings
from hotline.web.app import create_app
from tests.support.consolekit import login

HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(params=[0, 1], ids=["no-proxy", "one-trusted-proxy"])
def proxied(
    request: pytest.FixtureRequest, settings: Settings, clock: FrozenClock
) -> Iterator[tuple[Flask, Runtime, int]]:
    rt = Runtime.build(settings.with_overrides(trusted_proxies=request.param), clock=clock)
    try:
        yield create_app(runtime=rt), rt, request.param
    finally:
        rt.close()


@pytest.mark.parametrize(
    ("base_url", "headers", "secure_without_proxy", "secure_behind_proxy"),
    [
        pytest.param("http://hotline.example", {}, False, False, id="plain-http"),
        pytest.param("https://hotline.example", {}, True, True, id="direct-https"),
        pytest.param("http://hotline.example", HTTPS, False, True, id="forwarded-https"),
        pytest.param(
            "http://hotline.example", {"X-Forwarded-Proto": "http"}, False, False, id="forwarded-http"
        ),
    ],
)
def test_hsts_is_sent_only_when_the_page_really_went_over_https(
    proxied: tuple[Flask, Runtime, int],
    base_url: str,
    headers: dict[str, str],
    secure_without_proxy: bool,
    secure_behind_proxy: bool,
) -> None:
    app, _, proxies = proxied
    response = app.test_client().get("/console/login", base_url=base_url, headers=headers)
    expected = secure_behind_proxy if proxies else secure_without_proxy
    assert ("max-age=31536000" in response.headers.get("Strict-Transport-Security", "")) is expected


def test_behind_the_trusted_proxy_every_console_page_carries_hsts_and_no_store(
    settings: Settings,
    clock: FrozenClock,
) -> None:
    rt = Runtime.build(settings.with_overrides(trusted_proxies=1), clock=clock)
    try:
        app = create_app(runtime=rt)
        client = app.test_client()
        login(client, rt, "admin")
        pages = [
            rule.rule
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("console.") and "GET" in rule.methods and not rule.arguments
        ]
        assert len(pages) > 10
        missing = {}
        for page in pages:
            response = client.get(page, headers=HTTPS)
            found = (response.headers.get("Strict-Transport-Security"), response.headers.get("Cache-Control"))
            if found != ("max-age=31536000", "no-store"):
                missing[page] = found
        assert missing == {}
    finally:
        rt.close()
