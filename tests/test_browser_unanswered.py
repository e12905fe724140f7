"""An unanswered report in a real browser (issue 14): the red banner on every page and the inbox's
flag appear when nobody accepted in time, and disappear once a worker accepts by SMS (``1 REF``
posted to the webhook as Africa's Talking posts it). Debian's Chromium through Playwright
(browser_fixtures.py); the page fixture fails the test on any CSP violation or page error.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from tests.support.builders import KIKWIT, add_worker, advance, report
from tests.support.consolekit import browser_login
from tests.support.sms import worker_texts

MINUTE = 60


def test_the_banner_and_the_red_flag_appear_for_an_unanswered_report_and_go_when_it_is_accepted(
    page: Page, client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None]
) -> None:
    amani = add_worker(runtime, "Amani", [KIKWIT])
    waiting = report(runtime, urgent=True)
    other = report(runtime)  # normal: 15 minutes is not its alarm time
    advance(clock, run_jobs, 15 * MINUTE)
    browser_login(page, runtime, "supervisor", ("CD-KL",))

    banner = page.locator("main .unanswered-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Sans réponse : 1 signalement de vos zones")
    flagged = page.locator("table.inbox tbody tr.unanswered")
    expect(flagged).to_have_count(1)
    expect(flagged.locator("td").first).to_contain_text(f"{waiting.reference} ⚑ Sans réponse")
    expect(page.locator("table.inbox tbody tr").first).to_have_class(re.compile(r"\bunanswered\b"))
    expect(page.locator("table.inbox tbody tr", has_text=other.reference).locator("td.waited")).to_have_text(
        "15 min"
    )

    page.goto("/console/people/on-call")  # every page carries the banner
    expect(banner).to_be_visible()
    banner.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/console/\?unanswered=1$"))
    expect(page.locator("table.inbox tbody a")).to_have_text([waiting.reference])

    worker_texts(client, run_jobs, amani, f"1 {waiting.reference}")  # the worker accepts by SMS
    page.goto("/console/")
    expect(page.locator("main .unanswered-banner")).to_have_count(0)
    expect(page.locator("table.inbox tbody tr.unanswered")).to_have_count(0)
    row = page.locator("table.inbox tbody tr", has_text=waiting.reference)
    expect(row).to_contain_text("Amani")
    expect(row.locator(".flag-unanswered")).to_have_count(0)
