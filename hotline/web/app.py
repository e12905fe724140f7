"""The Flask application factory: the console, the API and everything else (Procfile: ``web``).

AT's callbacks are served by a process of their own in production (``hotline.web.callbacks``); this
app registers the same blueprints too, so a single process still serves the whole service.
"""

from __future__ import annotations

from flask import Flask

from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings
from hotline.web.callbacks import MAX_BODY_BYTES, base_app, register_callbacks

__all__ = ["MAX_BODY_BYTES", "create_app"]


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    app = base_app(settings, runtime)
    settings = app.extensions["hotline"].settings

    from hotline.web import dev, metrics, webhooks, webhooks_android
    from hotline.web.console import init_console
    from hotline.web.console.base import csrf

    app.register_blueprint(metrics.bp)
    register_callbacks(app)
    csrf.exempt(webhooks.bp)  # the gateway posts without a session; the path token guards it
    csrf.exempt(webhooks_android.bp)
    if settings.is_development or settings.env == "test":
        app.register_blueprint(dev.bp)
    init_console(app)
    from hotline.web.api import init_api

    init_api(app)  # after the console: it exempts its blueprint from the console's CSRF check

    return app
