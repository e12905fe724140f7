"""gunicorn settings for the web process (Procfile: web). Values can be overridden by env vars."""

import logging
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# AT drops a USSD session that is not answered within 10 s: never let a request hang past that.
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = None  # access logs carry URLs with the webhook token: keep them off
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


def on_starting(server):  # type: ignore[no-untyped-def]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
