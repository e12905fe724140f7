"""Logging for every process: one format, a request or job id, and phone numbers scrubbed.

HOTLINE_LOG_FORMAT=json (production's default) writes one JSON object per line with ``time``,
``level``, ``logger``, ``message``, and ``request_id`` (web) or ``job_id`` (RQ job) when there
is one; ``text`` (development's default) writes the same as a readable line.

The scrubber is a last line of defence: code should never log a number, but a library's
exception message or a URL might carry one. International forms (+, 00, url-encoded %2B, or
bare country code) and national forms (0 and nine digits) are replaced before the line is
written; dates, times and ids are left alone.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

PHONE = re.compile(
    r"(?:\+|%2B|\b00)\s?\d(?:[\s.\-()]?\d){7,14}\b"  # international: +243..., 00243..., %2B243...
    r"|\b0\d{2}[\s.\-]?\d{3}[\s.\-]?\d{4}\b"  # national: 0812345678, 081 234 5678
    r"|\b\d{11,13}\b",  # international without the +: 243812345678
    re.IGNORECASE,
)
REDACTED = "[phone]"
FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(job_id)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger", "exc_info": "exception"}


def scrub(text: str) -> str:
    return PHONE.sub(REDACTED, text)


class ScrubPhones(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = scrub(message), None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class ContextIds(logging.Filter):
    """Adds ``request_id`` (inside a Flask request) and ``job_id`` (inside an RQ job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from rq import get_current_job

        # Not imported in the worker and cron (~6 MB): where flask never was, no request is either.
        flask = sys.modules.get("flask")
        in_request = flask is not None and flask.has_request_context()
        request_id = flask.g.get("request_id") if flask is not None and in_request else None
        job = get_current_job()
        job_id = job.id if job is not None else None
        record.request_id, record.job_id = request_id, job_id
        ids = [f"{name} {value}" for name, value in (("request", request_id), ("job", job_id)) if value]
        record.context = f" [{', '.join(ids)}]" if ids else ""
        return True


class JsonLines(JsonFormatter):
    """python-json-logger, with UTC ISO times, no empty ids, and every string scrubbed (it formats
    tracebacks itself from ``exc_info``, and adds ``extra=`` fields the filter never saw)."""

    def __init__(self) -> None:
        super().__init__(JSON_FIELDS, rename_fields=RENAMED, json_ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: scrub(value) if isinstance(value, str) else value
            for key, value in log_data.items()
            if value is not None and key != "context"
        }


def make_handler(log_format: str = "text") -> logging.Handler:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(FORMAT))
    handler.addFilter(ScrubPhones())
    handler.addFilter(ContextIds())
    return handler


def configure_logging(log_format: str = "text", level: int = logging.INFO) -> None:
    """Called once at process start (web, worker, cron); never at import time."""
    root = logging.getLogger()
    root.handlers[:] = [make_handler(log_format)]
    root.setLevel(level)
