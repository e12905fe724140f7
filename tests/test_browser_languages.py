"""The review screen in a real browser, in French, on a laptop (1366 px) and on a phone (360 px):
a Kikongo reviewer opens a text, sees the phone screen and its count change as they type, is
refused a text too long with the reason in French, then saves a correction (Debian's Chromium
through Playwright; the ``page`` fixture fails on any CSP violation or script error).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hotline.languages.review import key_of
from hotline.models import User
from hotline.platform.runtime import Runtime
from tests.support.consolekit import browser_login

MENU = "Hotline against trafficking. Free and confidential."
CORRECTED = "Nsinga ya kunwana na mumbongo ya bantu. Ofele, na kinsweki."
TOO_LONG = CORRECTED + " Beto ke sadisa bantu yonso ya ke mona mpasi, na ntangu yonso ya mpimpa ti ya mwini."


def kikongo_reviewer(page, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    user_id = browser_login(page, runtime, "translator", lands_on="**/console/languages")
    with runtime.session() as db:
        user = db.get(User, user_id)
        assert user is not None
        user.languages = ["kg"]
        db.commit()


def fits_the_width(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (360, 740)], ids=["laptop", "phone"])
def test_a_reviewer_corrects_a_text_seeing_the_phone_screen_and_its_count(
    page, runtime: Runtime, width: int, height: int
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": width, "height": height})
    kikongo_reviewer(page, runtime)

    page.goto("/console/languages")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Langues")
    row = page.locator('tr[data-lang="kg"]')
    expect(row).to_contain_text("Brouillon")
    assert fits_the_width(page)
    row.get_by_role("link", name="Kikongo").click()

    expect(page).to_have_url(re.compile(r"/console/languages/kg$"))
    entry = page.locator(f'a[href="/console/languages/kg/{key_of(MENU)}"]')
    expect(entry).to_contain_text("À relire")
    assert fits_the_width(page)
    entry.click()

    phone = page.locator("figure.phone").first
    expect(phone.locator("pre")).to_contain_text("CON ")
    count = phone.locator(".count")
    shipped_count = int(count.inner_text())
    assert shipped_count <= 160
    box = page.locator("textarea[name=text]")
    box.fill(TOO_LONG)  # the count follows the typing, before anything is sent
    expect(phone).to_have_class(re.compile(r"\bover\b"))
    assert int(count.inner_text()) > 160
    assert fits_the_width(page)

    page.get_by_role("button", name="Aperçu").click()
    refused = page.locator(".refused")
    expect(refused).to_contain_text("Refusé :")
    expect(refused).to_contain_text("un téléphone en affiche 160. Raccourcissez.")

    page.locator("textarea[name=text]").fill(CORRECTED)
    expect(page.locator("figure.phone").first).not_to_have_class(re.compile(r"\bover\b"))
    page.get_by_role("button", name="Corriger", exact=True).click()

    expect(page.locator(".flash").first).to_contain_text("Enregistré")
    expect(page.locator("h1 .badge").first).to_have_text("Relu")
    expect(page.locator("figure.phone pre").first).to_contain_text(CORRECTED)
    expect(page.locator("section.history")).to_contain_text("translation_corrected")
    assert fits_the_width(page)
    assert runtime.translations.translate("kg", MENU) == CORRECTED
