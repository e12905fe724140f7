"""Error pages in the console's frame (its menu, French or English words), and the favicon.

A refused form, a page the role may not open, an unknown address, a method or an address too long
get a page that says what happened in the console's language, with the menu to go on from there.
The REST API keeps its JSON errors and the gateway's callbacks their bare answers: their paths are
handed to the application's general handler for HTTP errors (the API's), or answered as Werkzeug
words them.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, render_template, request, send_from_directory
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from flows.engine import N_

# An address longer than this is refused here, in the console's words; gunicorn's own limit
# (config/gunicorn.conf.py, limit_request_line) is above it.
MAX_URL = 4000
UNFRAMED = ("/api/", "/webhooks/")
PAGES: dict[int, tuple[str, str]] = {
    400: (N_("The request could not be understood"), N_("Go back, reload the page and try again.")),
    403: (
        N_("Your role does not open this page"),
        N_("Ask an administrator if you need it. The menu shows the pages you can open."),
    ),
    404: (
        N_("Page not found"),
        N_("This address leads nowhere, or to a report outside your areas. Check the reference."),
    ),
    405: (N_("This address is not opened that way"), N_("Use the page's buttons and links.")),
    413: (N_("What you sent is too large"), N_("Shorten the text or the file and try again.")),
    414: (
        N_("The address is too long"),
        N_("Fewer filters or a shorter search will do: start again from the menu."),
    ),
}
CSRF_MESSAGE = N_(
    "The form expired or its security token (CSRF) is missing: reload the page, then send it again."
)


def init_errors(app: Flask) -> None:
    for code in PAGES:
        app.register_error_handler(code, error_page)
    app.before_request(refuse_long_addresses)
    app.add_url_rule("/favicon.ico", "favicon", favicon)


def error_page(error: HTTPException) -> ResponseReturnValue:
    if request.path.startswith(UNFRAMED):
        return _general_handler(error)
    code = error.code or 500
    title, advice = PAGES[code]
    if isinstance(error, CSRFError):
        advice = CSRF_MESSAGE
    return render_template("console/error.html", code=code, title=title, advice=advice), code


def _general_handler(error: HTTPException) -> ResponseReturnValue:
    """The application's handler for every HTTP error (the API's JSON), else the error itself."""
    handler = current_app.error_handler_spec[None][None].get(HTTPException)
    return current_app.ensure_sync(handler)(error) if handler is not None else error


def refuse_long_addresses() -> None:
    if len(request.full_path) > MAX_URL and not request.path.startswith(UNFRAMED):
        abort(414)


def favicon() -> ResponseReturnValue:
    """Browsers ask for /favicon.ico whatever the page says: the console's icon, from static/."""
    folder = current_app.static_folder
    if folder is None:
        abort(404)
    return send_from_directory(folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400)
