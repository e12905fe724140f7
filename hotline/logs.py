"""Logging for every process: one format, and phone numbers scrubbed from every line.

The scrubber is a last line of defence: code should never log a number, but a library's
exception message or a URL might carry one. International forms (+, 00, url-encoded %2B, or
bare country code) and national forms (0 and nine digits) are replaced before the line is
written; dates, times and ids are left alone.
"""

from __future__ import annotations

import logging
import re

PHONE = re.compile(
    r"(?:\+|%2B|\b00)\s?\d(?:[\s.\-()]?\d){7,14}\b"  # international: +243..., 00243..., %2B243...
    r"|\b0\d{2}[\s.\-]?\d{3}[\s.\-]?\d{4}\b"  # national: 0812345678, 081 234 5678
    r"|\b\d{11,13}\b",  # international without the +: 243812345678
    re.IGNORECASE,
)
REDACTED = "[phone]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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


def configure_logging(level: int = logging.INFO) -> None:
    """Called once at process start (web, worker, cron); never at import time."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(ScrubPhones())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
