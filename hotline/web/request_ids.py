"""A request id on every web log line, taken from nginx's X-Request-Id when it looks like one,
else made here; echoed in the response so a user's error report leads to its log lines."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

HEADER = "X-Request-Id"
SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")  # nginx's $request_id is 32 hex digits


def init_request_ids(app: Flask) -> None:
    # A URL value preprocessor runs before anything else in a request, even a blueprint's token
    # check that aborts it, so every line of the request carries the id.
    app.url_value_preprocessor(_assign)
    app.after_request(_echo)


def _assign(endpoint: str | None, values: dict | None) -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if SANE.fullmatch(given) else uuid.uuid4().hex


def _echo(response: Response) -> Response:
    if "request_id" in g:
        response.headers[HEADER] = g.request_id
    return response
