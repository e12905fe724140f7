"""The screenshots of docs/console.md, taken with the headless browser on the suite's console world
(tests/support/console_world.py). Skipped unless asked for:

    HOTLINE_SCREENSHOTS=1 .venv/bin/python -m pytest -q tests/test_docs_screenshots.py

then commit the PNG files of docs/ that changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy import update

from hotline.models import User
from tests.support.builders import advance
from tests.support.console_world import build_world
from tests.support.consolekit import browser_login

DOCS = Path(__file__).resolve().parent.parent / "docs"

pytestmark = pytest.mark.skipif(
    os.environ.get("HOTLINE_SCREENSHOTS") != "1", reason="screenshots for the docs: HOTLINE_SCREENSHOTS=1"
)


@pytest.fixture
def page(chromium, live_server):  # type: ignore[no-untyped-def]
    """A browser set to French, as a supervisor's in Kikwit is (the date fields follow it)."""
    context = chromium.new_context(base_url=live_server, locale="fr-FR", timezone_id="Africa/Kinshasa")
    yield context.new_page()
    context.close()


def test_take_the_screenshots_of_a_supervisors_first_day(page: Page, runtime, clock, run_jobs):
    world = build_world(runtime, run_jobs)
    advance(clock, run_jobs, 20 * 60)  # the urgent report waited past its alarm time: the banner
    browser_login(page, runtime, "supervisor", ("CD-KL", "CD-HK"), email="kapinga@example.org")
    with runtime.session() as db:
        db.execute(update(User).where(User.role == "supervisor").values(name="Kapinga"))
        db.commit()

    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto("/console/")
    page.screenshot(path=DOCS / "console-inbox.png")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/console/reports/{world.accepted.reference}")
    page.screenshot(path=DOCS / "console-report.png")

    page.set_viewport_size({"width": 360, "height": 700})
    page.goto("/console/")
    page.locator("header .menu-button").click()
    page.screenshot(path=DOCS / "console-phone.png")
