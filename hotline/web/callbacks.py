"""The process serving Africa's Talking's callbacks (Procfile: ``callbacks``): USSD hops, incoming
SMS, delivery reports, the voice callback and the Android gateway's webhooks, all under
``/webhooks/``, with ``/healthz`` and ``/readyz``.

It registers the same blueprints as the full app (``hotline.web.app``, which serves them too, for a
single-process setup and the tests) and nothing else: no console, API, metrics or templates, so a
worker keeps in memory only what a hop, an SMS or a delivery report needs (issue 17; what it must
not import is pinned by tests/test_memory_imports.py). In production nginx sends ``/webhooks/`` here
(config/nginx/hotline.conf) and AT's callback URLs do not change.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings

MAX_BODY_BYTES = 16 * 1024  # AT's callbacks are a few hundred bytes; anything bigger is not AT


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """The callbacks' app: health and the webhooks, nothing more."""
    app = base_app(settings, runtime)
    register_callbacks(app)
    return app


def base_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """A Flask app with the runtime, request ids and the health checks: what both apps share."""
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

    from hotline.web import health
    from hotline.web.request_ids import init_request_ids

    init_request_ids(app)
    app.register_blueprint(health.bp)
    return app


def register_callbacks(app: Flask) -> None:
    """AT's callbacks and the Android gateway's webhooks (the path token guards them)."""
    from hotline.web import webhooks, webhooks_android

    app.register_blueprint(webhooks.bp)
    app.register_blueprint(webhooks_android.bp)
