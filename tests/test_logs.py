"""No phone number reaches a log line, in any of the forms it travels in."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from hotline.platform.logs import ScrubPhones, make_handler, scrub
from hotline.platform.settings import Settings, SettingsError

FORMS = [
    "+243812345678",
    "243812345678",
    "0812345678",
    "00243812345678",
    "%2B243812345678",
    "+243 81 234 5678",
    "081-234-5678",
    "+254 712 345 678",
]


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


@contextmanager
def captured(log_format: str) -> Iterator[io.StringIO]:
    """The process's real handler (as configure_logging installs it), writing to a buffer."""
    stream = io.StringIO()
    handler = make_handler(log_format)
    handler.setStream(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    level, root.level = root.level, logging.INFO
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_logs_are_one_object_a_line_with_phones_scrubbed_everywhere():
    with captured("json") as stream:
        log = logging.getLogger("hotline.test")
        log.info("reporter %s wrote", "+243812345678", extra={"detail": "call 0812345678"})
        try:
            raise ValueError("bad number 0812345678")
        except ValueError:
            log.exception("while handling %s", "00243812345678")
    first, second = json_lines(stream)
    assert {"time", "level", "logger", "message"} <= first.keys()
    assert first["level"] == "INFO" and first["logger"] == "hotline.test"
    assert first["message"] == "reporter [phone] wrote"
    assert first["time"].endswith("+00:00")
    assert "request_id" not in first and "job_id" not in first  # outside a request or a job
    assert second["message"] == "while handling [phone]"
    assert "ValueError: bad number [phone]" in second["exception"]
    assert "812345678" not in stream.getvalue()


def test_every_web_log_line_carries_the_request_id_it_echoes(app, client):
    @app.get("/_log_twice")
    def log_twice():  # type: ignore[no-untyped-def]
        logging.getLogger("hotline.web").warning("first")
        logging.getLogger("hotline.web").warning("second")
        return "ok"

    with captured("json") as stream:
        given = client.get("/_log_twice", headers={"X-Request-Id": "nginx-4f1c2a9e7b"})
        made = client.get("/_log_twice", headers={"X-Request-Id": "<script>alert(1)</script>"})
    assert given.headers["X-Request-Id"] == "nginx-4f1c2a9e7b"
    made_id = made.headers["X-Request-Id"]
    assert len(made_id) == 32 and made_id.isalnum()  # a sane one was made instead
    ids = [line["request_id"] for line in json_lines(stream)]
    assert ids == ["nginx-4f1c2a9e7b", "nginx-4f1c2a9e7b", made_id, made_id]


def test_every_job_log_line_carries_the_job_id(runtime, run_jobs):
    job = runtime.queue.queue.enqueue(logging.warning, "job line for %s", "+243812345678")
    with captured("json") as stream:
        run_jobs()
    [line] = [line for line in json_lines(stream) if line["message"].startswith("job line")]
    assert line["job_id"] == job.id
    assert line["message"] == "job line for [phone]"


def test_text_logs_name_the_request_in_brackets(app, client):
    @app.get("/_log_once")
    def log_once():  # type: ignore[no-untyped-def]
        logging.getLogger("hotline.web").warning("hello")
        return "ok"

    with captured("text") as stream:
        client.get("/_log_once", headers={"X-Request-Id": "abcdef0123456789"})
    assert "WARNING hotline.web [request abcdef0123456789]: hello" in stream.getvalue()


@pytest.mark.parametrize(
    ("env", "given", "expected"),
    [
        ("production", None, "json"),
        ("development", None, "text"),
        ("test", None, "text"),
        ("development", "json", "json"),
        ("production", "TEXT", "text"),
    ],
)
def test_the_log_format_defaults_to_json_in_production_only(environ, env, given, expected):
    changes = {
        "HOTLINE_ENV": env,
        "HOTLINE_PII_KEY": environ["HOTLINE_PII_KEY"],
        **({"HOTLINE_LOG_FORMAT": given} if given else {}),
    }
    assert Settings.from_env({**environ, **changes}).log_format == expected


def test_an_unknown_log_format_stops_the_process_with_its_name(environ):
    with pytest.raises(SettingsError, match="HOTLINE_LOG_FORMAT"):
        Settings.from_env({**environ, "HOTLINE_LOG_FORMAT": "xml"})


def test_gunicorns_own_lines_are_json_and_its_access_log_goes_nowhere(environ, monkeypatch, capsys):
    """config/gunicorn.conf.py's logging config, applied as gunicorn applies it."""
    import logging.config
    import runpy

    from gunicorn.glogging import CONFIG_DEFAULTS

    for name, value in {**environ, "HOTLINE_ENV": "production"}.items():
        monkeypatch.setenv(name, value)
    conf = runpy.run_path("config/gunicorn.conf.py")
    root, saved = logging.getLogger(), (logging.getLogger().handlers[:], logging.getLogger().level)
    try:
        logging.config.dictConfig({**CONFIG_DEFAULTS, **conf["logconfig_dict"]})
        logging.getLogger("gunicorn.error").info("Booting worker with pid: %s", 4242)
        logging.getLogger("gunicorn.access").info('"POST /webhooks/at/secret-token/ussd" 200')
    finally:
        root.handlers[:], root.level = saved
    written = capsys.readouterr()
    assert "secret-token" not in written.out + written.err
    lines = [json.loads(line) for line in written.err.splitlines()]
    assert lines == [
        {
            "time": lines[0]["time"],
            "level": "INFO",
            "logger": "gunicorn.error",
            "message": "Booting worker with pid: 4242",
        }
    ]
