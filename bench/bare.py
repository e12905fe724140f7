"""The best the framework could do: a Flask app answering a constant ``CON`` screen.

Served by the same gunicorn command and config as the real web process (Procfile: web), with
only the application changed, so the ratio measures what our code costs per hop.
"""

from __future__ import annotations

from flask import Flask, Response, request

SCREEN = "CON Langue / Language\n1 Francais\n2 Lingala\n3 Kikongo\n4 Kiswahili\n5 Tshiluba\n6 English"


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", 200, content_type="text/plain")

    @app.post("/webhooks/at/<token>/ussd")
    def ussd(token: str) -> Response:
        request.form.get("text")  # the form is parsed, as the real endpoint parses it
        return Response(SCREEN, 200, content_type="text/plain; charset=utf-8")

    return app
