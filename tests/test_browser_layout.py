"""Every console page on a laptop (1366 px) and a phone (360 px), in Chromium, as an admin and as a
supervisor (issue 16): the pages are found by walking the URL map, as test_console_access does, so a
page added tomorrow is walked the day it is added.

On each page, at each width: nothing wider than the window (document.documentElement.scrollWidth),
no card wider than itself, no multi-select (areas are ticked, not Ctrl-clicked), the current page
marked in the menu (aria-current), and, in the French console, no English word outside data and
every time followed by its zone ("14:38 (heure de Lubumbashi)"). Then, on a phone: the menu and the
inbox's filters fold behind a button; on a laptop: a checkbox sits on its label's line. The browser
is started once for the module (browser_fixtures.py) and each page is visited once per width.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import update
from werkzeug.routing import Rule

from hotline.models import User
from hotline.platform.runtime import Runtime
from tests.support.console_world import World, build_world, route_values
from tests.support.consolekit import browser_login
from tests.test_console_access import console_rules, url_for_rule

LAPTOP, PHONE = 1366, 360
NOT_PAGES = ("/login", ".csv", ".xlsx", "/phones")  # the sign-in pages, files, the simulator's JSON
# The translation review pages show the catalogs' English source texts: data there, not the console's.
DATA_PAGES = ("/console/languages",)
ENGLISH = re.compile(
    r"\b(?:the|and|of|to|with|without|for|your|you|is|are|not|report|reports|worker|workers|training|"
    r"primary|backup|viewed|accepted|received|status|category|urgency|search|filter|filters|clear|save|"
    r"add|edit|delete|remove|users?|dashboard|log|rosters?|polic(?:y|ies)|password|account|none|"
    r"yes|sure|time|alerts?|sent|delivered|failed|pending|level|supervisor|operator|viewer|"
    r"administrator|settings|choose|show|hide|found|error|request|page not found|on call|duty)\b",
    re.IGNORECASE,
)
CODE_WORD = re.compile(r"\b[a-z]+_[a-z_]+\b")  # report_viewed, worker_id: a code shown as it is stored
# Data in any language: e-mail addresses, the API's scope names (reports:read, as docs/api.md has them).
DATA = re.compile(r"\S+@\S+|\b[a-z]+:[a-z]+\b")
TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
GLUED_COLON = re.compile(r"[^\s\d]:(?=\s|$)")  # French puts a space before ":" (times are digits)

# The page's own words: visible text, without what is data or a format (code, typed text, the help
# on the escalation policy's import/export keywords, which names them).
PAGE_FACTS = """() => {
  const skipped = "code, pre, kbd, samp, textarea, script, style, [hidden], details.help";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const words = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skipped)) { continue; }
    if (!parent.closest("option") && !parent.getClientRects().length) { continue; }
    words.push(node.textContent);
  }
  for (const field of document.querySelectorAll("[placeholder], [title]")) {
    words.push(field.getAttribute("placeholder") || "", field.getAttribute("title") || "");
  }
  const main = document.querySelector("main");
  return {
    text: words.join(" ").replace(/\\s+/g, " "),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wideCards: [...document.querySelectorAll("main .card")]
      .filter((card) => card.scrollWidth > card.clientWidth + 1
        || card.getBoundingClientRect().right > main.getBoundingClientRect().right + 1)
      .map((card) => card.outerHTML.slice(0, 60)),
    multiSelects: document.querySelectorAll("select[multiple]").length,
    current: [...document.querySelectorAll('header [aria-current="page"]')]
      .map((a) => a.getAttribute("href")),
    menu: [...document.querySelectorAll("header nav a")].map((a) => a.getAttribute("href")),
  };
}"""


def pages(app: Flask, world: World) -> Iterator[tuple[Rule, str]]:
    for rule in console_rules(app):
        if "GET" in rule.methods and not rule.rule.endswith(NOT_PAGES) and "/login/" not in rule.rule:
            yield rule, url_for_rule(rule, route_values(world))


def problems_on(page: Page, url: str, width: int) -> list[str]:
    facts = page.evaluate(PAGE_FACTS)
    where = f"{url} at {width} px"
    found = []
    if facts["scrollWidth"] > facts["innerWidth"]:
        found.append(f"{where}: {facts['scrollWidth']} px wide")
    found += [f"{where}: a card wider than itself: {card}" for card in facts["wideCards"]]
    if facts["multiSelects"]:
        found.append(f"{where}: a multi-select (Ctrl-click)")
    if url in facts["menu"] and facts["current"] != [url]:
        found.append(f"{where}: marked as current: {facts['current']}")
    if len(facts["current"]) > 1:
        found.append(f"{where}: several pages marked as current: {facts['current']}")
    text = DATA.sub(" ", facts["text"])
    if not url.startswith(DATA_PAGES):
        english = sorted({m.group(0) for m in ENGLISH.finditer(text)} | set(CODE_WORD.findall(text)))
        if english:
            found.append(f"{where}: English or codes {english} in «{_around(text, english[0])}»")
    if not url.startswith(DATA_PAGES):
        glued = [text[max(0, m.start() - 20) : m.end()] for m in GLUED_COLON.finditer(text)]
        found += [f"{where}: no space before a colon: «{sample}»" for sample in glued]
    for moment in TIME.finditer(text):
        if not text[moment.end() :].startswith(" (heure de "):
            found.append(f"{where}: a time without its zone: «{text[moment.start() : moment.end() + 25]}»")
    return found


def _around(text: str, word: str) -> str:
    at = max(0, text.find(word) - 40)
    return text[at : at + 100]


def frenchify_names(runtime: Runtime) -> None:
    """make_user names a user after their role ("Supervisor"): data that reads as English."""
    names = {"admin": "Mbuyi", "supervisor": "Kapinga", "operator": "Bisou"}
    with runtime.session() as db:
        for role, name in names.items():
            db.execute(update(User).where(User.role == role).values(name=name))
        db.commit()


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_every_console_page_fits_a_laptop_and_a_phone_and_speaks_french(page, app, runtime, run_jobs, role):
    world = build_world(runtime, run_jobs)
    problems: list[str] = []
    for width in (LAPTOP, PHONE):  # the sign-in page, before anyone is signed in
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/console/login")
        problems += problems_on(page, "/console/login", width)
    browser_login(page, runtime, role, ("CD-KL", "CD-HK"))
    frenchify_names(runtime)
    visited = 0
    for width in (LAPTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        for _rule, url in pages(app, world):
            page.goto(url)
            problems += problems_on(page, url, width)
            visited += 1

    assert visited >= 40, visited  # the walk found the console: 20-odd pages, two widths
    assert problems == [], "\n".join(problems)


@pytest.fixture
def world(runtime, run_jobs) -> World:  # type: ignore[no-untyped-def]
    return build_world(runtime, run_jobs)


def test_on_a_phone_the_menu_and_the_inbox_filters_fold_behind_buttons(page, runtime, world):
    browser_login(page, runtime, "supervisor", ("CD-KL", "CD-HK"))
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto("/console/?status=in_progress")
    menu, menu_button = page.locator("#console-menu"), page.locator("header .menu-button")
    filters, filters_button = page.locator("#inbox-filters"), page.get_by_role("button", name="Filtres (1)")

    expect(menu).to_be_hidden()
    expect(filters).to_be_hidden()
    expect(page.locator("table.inbox")).to_be_visible()
    folded = filters_button.bounding_box()
    assert folded is not None and folded["height"] < 60  # one button, not ten filters

    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Tableau de bord")).to_be_visible()
    filters_button.click()
    expect(filters).to_be_visible()
    expect(filters.locator("select[name=status]")).to_have_value("in_progress")

    page.set_viewport_size({"width": LAPTOP, "height": 800})  # a laptop: nothing folded, no button
    page.reload()
    expect(menu).to_be_visible()
    expect(filters).to_be_visible()
    expect(menu_button).to_be_hidden()
    expect(filters_button).to_be_hidden()


def test_a_checkbox_sits_on_its_label_line_and_areas_are_ticked_by_a_tap(page, runtime):
    browser_login(page, runtime, "admin")
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto("/console/users/new")
    form = page.locator("main form.narrow")
    misplaced = page.evaluate(
        """() => [...document.querySelectorAll("main label")].filter((label) => {
          const box = label.querySelector(":scope > input[type=checkbox]");
          if (!box) { return false; }
          const range = document.createRange();
          range.setStartAfter(box);
          range.setEndAfter(label.lastChild);
          const text = range.getClientRects()[0];
          const mark = box.getBoundingClientRect();
          return !text || Math.abs((text.top + text.bottom) / 2 - (mark.top + mark.bottom) / 2) > 6
            || mark.left > text.left;
        }).map((label) => label.textContent.trim().slice(0, 40))"""
    )
    assert misplaced == []

    form.locator("input[name=email]").fill("kapinga@example.org")
    form.locator("input[name=name]").fill("Kapinga")
    form.locator("select[name=role]").select_option("supervisor")
    form.get_by_role("checkbox", name="Kwilu", exact=True).click()  # a tap: no Ctrl key on a phone
    form.get_by_role("checkbox", name="Lubumbashi", exact=True).click()
    form.locator("input[name=password]").fill("une phrase assez longue pour passer")
    form.locator("button[type=submit]").click()
    expect(page.locator("main .flash").first).to_be_visible()
    with runtime.session() as db:
        created = db.query(User).filter_by(email="kapinga@example.org").one()
    assert sorted(created.areas) == ["CD-HK/lubumbashi", "CD-KL"]


def test_the_note_box_counts_and_refuses_a_pasted_text_too_long_instead_of_cutting_it(page, runtime, world):
    browser_login(page, runtime, "operator", ("CD-KL",))
    page.goto(f"/console/reports/{world.accepted.reference}")
    note = page.locator("form[action$='/note']")
    box, counter = note.locator("textarea[name=note]"), note.locator(".counter")

    box.fill("Témoin rappelé. " * 140)  # 2,240 characters, as a paste would bring them
    expect(counter).to_have_text("2240 / 2000 caractères : trop long, raccourcissez la note")
    expect(box).to_have_value("Témoin rappelé. " * 140)  # nothing cut
    note.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/console/reports/{world.accepted.reference}$"))
    assert page.evaluate("document.querySelector('form[action$=\"/note\"] textarea').validity.valid") is False

    box.fill("Témoin rappelé, il confirme l'adresse.")
    expect(counter).to_have_text("38 / 2000 caractères")
    note.locator("button[type=submit]").click()
    expect(page.locator("ol.timeline")).to_contain_text("Témoin rappelé, il confirme l'adresse.")


def test_switching_to_english_and_back_keeps_the_inbox_filters(page, runtime, world):
    browser_login(page, runtime, "supervisor", ("CD-KL",))
    page.goto("/console/?status=in_progress&category=forced_labour")
    page.get_by_role("link", name="EN", exact=True).click()
    expect(page).to_have_url(re.compile(r"status=in_progress"))
    expect(page.locator("#inbox-filters select[name=category]")).to_have_value("forced_labour")
    expect(page.locator("table.inbox tbody a")).to_have_text([world.accepted.reference])
    expect(page.locator("h1")).to_contain_text("Reports")

    page.get_by_role("link", name="FR", exact=True).click()
    expect(page.locator("#inbox-filters select[name=status]")).to_have_value("in_progress")
    expect(page.locator("h1")).to_contain_text("Signalements")
