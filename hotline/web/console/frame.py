"""What the console's frame gives every template: the menu with the current page marked, the
language links that keep the page's query (the inbox's filters), the pages the user's role does not
open (said, not silently missing), plurals and French punctuation.

Plurals are two ordinary catalog entries (``"{count} report"``, ``"{count} reports"``) chosen by the
language's rule: French writes 0 and 1 in the singular, English only 1.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request, url_for
from flask_login import current_user

from flows.engine import N_
from hotline.web.console.access import PERMISSIONS
from hotline.web.console.base import NAV, console_language, translate

# Pages a role may not open, named in the menu so that nobody looks for them in vain.
RESERVED = (
    ("users", N_("Users")),
    ("partners", N_("Partner systems")),
)
IGNORED_ARGS = ("lang", "auto")  # never carried over by a language link


def init_frame(app: Flask) -> None:
    app.jinja_env.globals.update(plural=plural, colon=colon, N_=N_)
    app.context_processor(frame)


def frame() -> dict[str, object]:
    return {
        "console_nav": NAV,
        "nav_current": current_page(),
        "lang_url": lang_url,
        "reserved_pages": reserved_pages(),
    }


def plural(count: int, one: str, many: str, **values: object) -> str:
    """``one`` or ``many`` (message ids), translated and filled with ``count`` and ``values``."""
    singular = count in (0, 1) if console_language() == "fr" else count == 1
    return translate(one if singular else many, count=count, **values)


def colon() -> str:
    """The colon after a label: French puts a (no-break) space before it."""
    return "\u00a0:" if console_language() == "fr" else ":"


def current_page() -> str:
    """The menu entry for this page: its own, or the entry whose page leads to it (a report's page
    is under Reports, a worker's under Social workers, the password page under My account)."""
    endpoint = request.endpoint or ""
    if endpoint in ("console.inbox", "console.report_page") or endpoint.startswith("console.report_"):
        return "console.inbox"
    if endpoint in ("console.account", "console.password"):
        return "console.account"
    entries = [entry for entry, _label, _permission in NAV]
    if endpoint in entries:
        return endpoint
    best, length = "", 0
    for entry in entries:
        path = url_for(entry)
        if request.path.startswith(path.rstrip("/") + "/") and len(path) > length:
            best, length = entry, len(path)
    return best


def lang_url(code: str) -> str:
    """This page in another language, with its query (filters, page) kept; a page answered to a
    POST is not one to load again, so its link leads to the inbox.

    The link is the query alone ("?lang=en&..."): the browser keeps the path, and the page never
    writes it out again (a 404 for a URL with a phone number in it must not echo the number).
    """
    if request.method == "GET" and request.endpoint and request.url_rule is not None:
        kept = [(key, value) for key, value in request.args.items(multi=True) if key not in IGNORED_ARGS]
        return "?" + urlencode([*kept, ("lang", code)])
    return url_for("console.inbox", lang=code)


def reserved_pages() -> list[str]:
    """The menu's pages this user's role does not open (labels)."""
    if not current_user.is_authenticated:
        return []
    return [label for permission, label in RESERVED if current_user.role not in PERMISSIONS[permission]]
