"""Browser tests: the app served on loopback and Debian's Chromium driven by Playwright.

Playwright's own browser download is not available here, so the tests use the system Chromium
(`apt-get install chromium`; .ci/run installs it). Without it they are skipped, loudly.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The same app the test client uses, on a real socket, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("BROWSER TESTS SKIPPED: no Chromium on this machine (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser context on the live server; fails the test on any page error, dialog or
    Content-Security-Policy violation."""
    context = chromium.new_context(base_url=live_server)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("dialog", lambda dialog: _on_dialog(dialog, problems))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()
    assert not problems, problems


def _on_dialog(dialog, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    # Our own forms ask "are you sure?" with confirm(); any other dialog is injected script.
    if dialog.type == "confirm":
        dialog.accept()
        return
    problems.append(f"{dialog.type} dialog: {dialog.message}")
    dialog.dismiss()
