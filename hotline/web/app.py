"""The Flask application factory."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings

MAX_BODY_BYTES = 16 * 1024  # AT's callbacks are a few hundred bytes; anything bigger is not AT


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    if runtime is None:
        settings = settings or Settings.from_env()
        # A USSD hop makes two Redis round trips: each may take a quarter of its budget at most.
        runtime = Runtime.build(settings, redis_timeout=settings.callback_budget_seconds / 4, redis_retries=0)
    settings = runtime.settings
    app = Flask("hotline", instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_BODY_BYTES,
    )
    app.extensions["hotline"] = runtime
    # "/webhooks/at/x//sms" is a wrong token, not a path to tidy: 404, never a redirect.
    app.url_map.merge_slashes = False
    if settings.trusted_proxies:
        # Behind nginx, the client's address (login limits, audit) comes from X-Forwarded-For;
        # only as many hops as there are proxies of ours are believed. Flask's documented
        # ``app.wsgi_app = ProxyFix(...)``, written through vars(): Flask types wsgi_app as a
        # method, and mypy refuses assigning to one (python/mypy#2427).
        vars(app)["wsgi_app"] = ProxyFix(
            app.wsgi_app,
            x_for=settings.trusted_proxies,
            x_proto=settings.trusted_proxies,
        )

    from hotline.web import dev, health, metrics, webhooks, webhooks_android
    from hotline.web.console import init_console
    from hotline.web.console.base import csrf
    from hotline.web.request_ids import init_request_ids

    init_request_ids(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(webhooks.bp)
    csrf.exempt(webhooks.bp)  # the gateway posts without a session; the path token guards it
    app.register_blueprint(webhooks_android.bp)
    csrf.exempt(webhooks_android.bp)
    if settings.is_development or settings.env == "test":
        app.register_blueprint(dev.bp)
    init_console(app)
    from hotline.web.api import init_api

    init_api(app)  # after the console: it exempts its blueprint from the console's CSRF check

    return app
