"""No phone number reaches a log line, in any of the forms it travels in."""

from __future__ import annotations

import logging

import pytest

from hotline.logs import ScrubPhones, scrub

FORMS = ["+243812345678", "243812345678", "0812345678", "00243812345678", "%2B243812345678",
         "+243 81 234 5678", "081-234-5678", "+254 712 345 678"]


@pytest.mark.parametrize("number", FORMS)
def test_every_form_of_a_phone_number_is_scrubbed(number):
    line = scrub(f"failed to send to {number} after 3 attempts")
    assert "[phone]" in line
    assert not any(ch.isdigit() for ch in line.replace("3 attempts", ""))


def test_ids_dates_and_small_numbers_are_left_alone():
    line = "message 12345 at 2026-01-05 08:00:00 took 250 ms, report K7F3QX"
    assert scrub(line) == line


def test_the_filter_scrubs_arguments_and_tracebacks(caplog):
    logger = logging.getLogger("test.scrub")
    logger.addFilter(ScrubPhones())
    try:
        with caplog.at_level(logging.INFO, logger="test.scrub"):
            logger.info("reporter %s wrote", "+243812345678")
            try:
                raise ValueError("bad number 0812345678")
            except ValueError:
                logger.exception("while handling")
    finally:
        logger.filters.clear()
    text = caplog.text
    assert "812345678" not in text
    assert text.count("[phone]") >= 2
