"""gunicorn settings for the web process (Procfile: web). Values can be overridden by env vars."""

import os

from gunicorn import glogging

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# AT drops a USSD session that is not answered within 10 s: never let a request hang past that.
timeout = 30
graceful_timeout = 20
keepalive = 5
# The console refuses addresses over 4000 characters itself, in its own words (a 414 page with
# its menu): gunicorn's own refusal, a bare page, comes only above this (its largest allowed value).
limit_request_line = 8190
accesslog = None  # access logs carry URLs with the webhook token: keep them off
# Should it be switched on anyway (--access-logfile), a line names no URL, query or referrer (they
# carry the webhook token and report references): method, status, size and time only.
access_log_format = '%(h)s "%(m)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


def _log_format() -> str:
    from hotline.platform.settings import Settings, SettingsError

    try:
        return Settings.from_env().log_format
    except SettingsError:
        return "text"  # the app itself stops at start and says what is wrong


class Logger(glogging.Logger):
    """gunicorn's logger, building an access line only when ``--access-logfile`` asks for one.

    Any logging config (ours below, for the error log's format) makes gunicorn build an access
    line for every request, then hand it to the "nowhere" handler: ~3% of a worker's time in a
    USSD campaign, for nothing.
    """

    def access(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        if self.cfg.accesslog:
            super().access(resp, req, environ, request_time)


logger_class = Logger

# gunicorn's own lines (starting, worker timeouts) in the app's format, phone-scrubbed. A
# logging config would switch gunicorn's access log on: it is sent nowhere, as accesslog says.
logconfig_dict = {
    "root": {"level": loglevel.upper(), "handlers": ["hotline"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": ["nowhere"], "propagate": False},
    },
    "handlers": {
        "hotline": {"()": "hotline.platform.logs.make_handler", "log_format": _log_format()},
        "nowhere": {"class": "logging.NullHandler"},
    },
}


# glibc gives each thread that calls malloc concurrently an arena of its own (up to 8 per core),
# and their free memory stays resident: with 4 threads a worker peaked ~1.5 MB higher after the
# same hops than with 2 arenas, which served them in the same time (bench/NOTES.md, "Memory
# (third round)"). Python threads take the GIL in turn. MALLOC_ARENA_MAX in the environment wins.
MALLOC_ARENA_MAX = 2
_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


def _limit_malloc_arenas() -> None:
    if "MALLOC_ARENA_MAX" in os.environ:
        return  # glibc read it at start
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, MALLOC_ARENA_MAX)
    except (OSError, AttributeError):
        pass  # not glibc (musl, macOS): nothing to limit


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    # Before the app is loaded and the worker's threads start.
    _limit_malloc_arenas()
    # Each web worker logs through the phone-scrubbing handler, in HOTLINE_LOG_FORMAT.
    from hotline.platform.logs import configure_logging

    configure_logging(_log_format())
