"""What every console page module shares: the blueprint, CSRF protection, the menu, the runtime
and the translation of the console's words (the package's ``init_console`` wires them to the app)."""

from __future__ import annotations

from flask import Blueprint, current_app, session
from flask_wtf.csrf import CSRFProtect

from hotline.platform.runtime import Runtime

bp = Blueprint("console", __name__, url_prefix="/console")
csrf = CSRFProtect()
# (endpoint, label, permission): each page module adds its own entries to the menu.
NAV: list[tuple[str, str, str]] = []


def runtime() -> Runtime:
    return current_app.extensions["hotline"]


def console_language() -> str:
    """The console's language for this session: French unless the user chose English."""
    return str(session.get("lang", "fr"))


def translate(message: str, **values: object) -> str:
    text = runtime().translations.translate(console_language(), message)
    return text.format(**values) if values else text


def page_count(total: int, page_size: int) -> int:
    """Pages a list of ``total`` rows takes, ``page_size`` a page; one when it is empty."""
    return max(1, -(-total // page_size))
