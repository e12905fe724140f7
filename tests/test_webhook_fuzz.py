"""Whatever reaches the callbacks, the gateway never gets a server error and a phone never gets garbage.

Random forms (text with ``*``, ``#``, emoji, very long values, random extra fields), random content
types and random binary bodies go to each of the four routes; random key presses go through one USSD
session, from the first screen or after a valid path to the free-text screens (a place, a
description), where any text, stars included, must be kept as typed. Each test shares one app
across its examples (the fixtures are built once per test).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from urllib.parse import quote, urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from hotline.models import Report
from hotline.platform.runtime import Runtime
from hotline.web.app import MAX_BODY_BYTES, create_app
from tests.support.environment import TEST_TOKEN

BASE = f"/webhooks/at/{TEST_TOKEN}"
ROUTES = ("/ussd", "/ussd/events", "/sms", "/sms/delivery")
USSD_LIMIT = 160

fuzz = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Unicode without lone surrogates (a form cannot carry those), "²" and "①" included; NUL comes only
# from SPECIAL, so that most drawn values are ones a telco could really pass on.
CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
KEYPAD = st.text(st.sampled_from("0123456789*#"), max_size=30)
SPECIAL = st.sampled_from(
    [
        "",
        " ",
        "*",
        "#",
        "**",
        "1*",
        "*1",
        "1**2",
        "😀",
        "🇨🇩",
        "é",
        "0",
        "00",
        "98",
        "99",
        "*384*123#",
        "\n",
        "a\x00b",
        "%00",
        "+",
        "-1",
        "1e3",
        "NaN",
    ]
)
LONG = st.builds(
    lambda piece, n: piece * n, st.sampled_from(["x", "é", "😀", "*", "1", "1*"]), st.integers(150, 1100)
)
TEXT = st.one_of(st.text(CHARACTERS, max_size=40), KEYPAD, SPECIAL, LONG)

PHONES = st.one_of(
    st.sampled_from(
        [
            "+243810000001",
            "243810000001",
            "0810000001",
            "+243 81 000 0001",
            "00243810000001",
            "+254711000000",
            "Vodacom",
            "+1",
            "",
            "+",
        ]
    ),
    st.text(st.sampled_from("+0123456789 "), max_size=20),
    TEXT,
)
NUMBERS = st.one_of(st.integers(-(10**20), 10**20).map(str), TEXT)
STATUSES = st.one_of(
    st.sampled_from(
        [
            "Success",
            "success",
            "SUCCESS",
            "Failed",
            "Incomplete",
            "Sent",
            "Submitted",
            "Buffered",
            "Rejected",
            "Expired",
            "AbsentSubscriber",
            " Success ",
        ]
    ),
    TEXT,
)
IDS = st.one_of(st.sampled_from(["ATUid_1", "ATXid_1", "7a1bd5b8-5b1f", ""]), TEXT)

FIELDS: dict[str, dict[str, st.SearchStrategy[str]]] = {
    "/ussd": {
        "sessionId": IDS,
        "serviceCode": TEXT,
        "phoneNumber": PHONES,
        "networkCode": TEXT,
        "text": TEXT,
    },
    "/ussd/events": {
        "date": TEXT,
        "sessionId": IDS,
        "serviceCode": TEXT,
        "networkCode": TEXT,
        "phoneNumber": PHONES,
        "status": STATUSES,
        "cost": TEXT,
        "durationInMillis": NUMBERS,
        "hopsCount": NUMBERS,
        "hopsMetadata": TEXT,
        "input": TEXT,
        "lastAppResponse": TEXT,
        "errorMessage": TEXT,
    },
    "/sms": {
        "from": PHONES,
        "to": TEXT,
        "text": TEXT,
        "date": TEXT,
        "id": IDS,
        "linkId": TEXT,
        "networkCode": TEXT,
        "cost": TEXT,
    },
    "/sms/delivery": {
        "id": IDS,
        "status": STATUSES,
        "phoneNumber": PHONES,
        "networkCode": TEXT,
        "failureReason": TEXT,
        "retryCount": NUMBERS,
    },
}
EXTRA_FIELDS = st.dictionaries(st.text(CHARACTERS, min_size=1, max_size=12), TEXT, max_size=3)
FORM_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data",
        "application/json",
        "text/plain",
        None,
    ]
)
ANY_TYPES = st.one_of(
    FORM_TYPES,
    st.sampled_from(
        [
            "multipart/form-data; boundary=xyz",
            "multipart/form-data; boundary=",
            "application/octet-stream",
            "text/html; charset=utf-8",
            "*/*",
            "",
            ";;;",
        ]
    ),
    st.text(CHARACTERS, max_size=30).filter(lambda t: "\n" not in t and "\r" not in t),
)


def form_for(route: str) -> st.SearchStrategy[dict[str, str]]:
    """Any subset of the fields AT posts to ``route``, each random, plus random fields of its own."""
    known = st.fixed_dictionaries({}, optional=FIELDS[route])
    return st.builds(lambda extra, form: {**extra, **form}, EXTRA_FIELDS, known)


@contextmanager
def no_errors_logged() -> Iterator[None]:
    """Fails when the service logs an error, such as a USSD hop that raised and was caught."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("hotline")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not records, [r.getMessage() for r in records]


def post_form(
    client: FlaskClient, route: str, form: dict[str, str], content_type: str | None
) -> TestResponse:
    if content_type == "multipart/form-data":
        return client.post(BASE + route, data=form, content_type=content_type)
    return client.post(BASE + route, data=urlencode(form).encode(), content_type=content_type)


def assert_acceptable(route: str, response: TestResponse) -> None:
    """The answer AT can live with: never a 5xx; for USSD always a screen a phone can show."""
    assert response.status_code < 500
    if response.status_code == 413:
        assert (response.request.content_length or 0) > MAX_BODY_BYTES
        return
    if route == "/ussd":
        assert_screen(response)
    else:
        assert response.status_code in (200, 400)


def assert_screen(response: TestResponse) -> str:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    body = response.get_data(as_text=True)
    assert body.startswith(("CON ", "END ")), body
    assert len(body) <= USSD_LIMIT, body
    return body


@pytest.mark.parametrize("route", ROUTES)
@fuzz
@given(data=st.data())
def test_a_random_form_never_gets_a_server_error(
    client: FlaskClient, route: str, data: st.DataObject
) -> None:
    form = data.draw(form_for(route), label="form")
    content_type = data.draw(FORM_TYPES, label="content_type")
    with no_errors_logged():
        response = post_form(client, route, form, content_type)
    assert_acceptable(route, response)


@pytest.mark.parametrize("route", ROUTES)
@fuzz
@given(body=st.binary(max_size=2048), content_type=ANY_TYPES)
def test_a_random_body_never_gets_a_server_error(
    client: FlaskClient, route: str, body: bytes, content_type: str | None
) -> None:
    with no_errors_logged():
        response = client.post(BASE + route, data=body, content_type=content_type)
    assert_acceptable(route, response)


_sessions = count(1)
KEY_PRESSES = st.one_of(
    st.sampled_from(["0", "00", "98", "99"]),
    st.integers(0, 12).map(str),
    st.text(CHARACTERS, max_size=20),
    st.sampled_from(["²", "①", "١", " 1 ", "1#", "#"]),
)


@settings(fuzz, max_examples=150)
@given(inputs=st.lists(KEY_PRESSES, max_size=16), phone=st.sampled_from(["+243810000001", "243970000004"]))
def test_any_key_presses_in_one_session_always_get_a_valid_screen(
    client: FlaskClient, runtime: Runtime, inputs: list[str], phone: str
) -> None:
    session_id = f"ATUid_fuzz{next(_sessions):026x}"
    text: str | None = None
    with no_errors_logged():
        for typed in ["", *inputs]:
            text = typed if text is None else (f"{text}*{typed}" if text else typed)
            form = {
                "sessionId": session_id,
                "phoneNumber": phone,
                "text": text,
                "serviceCode": "*384*44135#",
                "networkCode": "63001",
            }
            assert_screen(client.post(f"{BASE}/ussd", data=form))
    with runtime.session() as session:
        reports = session.scalar(
            select(func.count()).select_from(Report).where(Report.source_key == f"ussd:{session_id}")
        )
    assert reports <= 1


# Francais, report, forced labour, not in danger, Kwilu, Kikwit: the free-text screens follow.
TO_PLACE_DETAIL = ["1", "1", "2", "2", "2", "3"]
TO_DESCRIPTION = [*TO_PLACE_DETAIL, "99", "99", "3"]  # no place, no number, children: not sure
FREE_TEXT = st.one_of(
    st.text(CHARACTERS, max_size=200),
    SPECIAL,
    LONG,
    KEYPAD,
    st.text(st.sampled_from("ab *#1😀é"), max_size=60),
)


def ussd_hop(client: FlaskClient, session_id: str, phone: str, text: str) -> str | None:
    """The screen answered, or None for a body bigger than any AT sends (refused as too large)."""
    form = {
        "sessionId": session_id,
        "phoneNumber": phone,
        "text": text,
        "serviceCode": "*384*44135#",
        "networkCode": "63001",
    }
    response = client.post(f"{BASE}/ussd", data=form)
    if response.status_code == 413:
        assert (response.request.content_length or 0) > MAX_BODY_BYTES
        return None
    return assert_screen(response)


@settings(fuzz, max_examples=80)
@given(
    prefix=st.sampled_from([TO_PLACE_DETAIL, TO_DESCRIPTION]),
    inputs=st.lists(st.one_of(FREE_TEXT, KEY_PRESSES), min_size=1, max_size=10),
)
def test_any_input_on_the_free_text_screens_always_gets_a_valid_screen(
    client: FlaskClient, runtime: Runtime, prefix: list[str], inputs: list[str]
) -> None:
    session_id = f"ATUid_text{next(_sessions):026x}"
    typed: list[str] = []
    with no_errors_logged():
        ussd_hop(client, session_id, "+243810000001", "")
        for key in [*prefix, *inputs]:
            typed.append(key)
            if ussd_hop(client, session_id, "+243810000001", "*".join(typed)) is None:
                break  # the inputs so far add up to more than a callback can carry
    with runtime.session() as session:
        reports = session.scalar(
            select(func.count()).select_from(Report).where(Report.source_key == f"ussd:{session_id}")
        )
    assert reports <= 1


@settings(fuzz, max_examples=60)
@given(description=FREE_TEXT)
def test_any_description_that_fits_is_stored_exactly_as_typed(
    client: FlaskClient, runtime: Runtime, description: str
) -> None:
    kept = description.replace("\x00", "").strip()  # NUL cannot be stored; the engine trims
    assume(0 < len(kept) <= 160 and kept not in ("0", "00", "99"))
    session_id = f"ATUid_desc{next(_sessions):026x}"
    # The last hop sends every input joined by "*": the description's own stars stay in it.
    texts = ["", *("*".join(TO_DESCRIPTION[: i + 1]) for i in range(len(TO_DESCRIPTION)))]
    texts.append(f"{texts[-1]}*{description}")
    texts += [f"{texts[-1]}*3", f"{texts[-1]}*3*99", f"{texts[-1]}*3*99*1"]  # anonymous, send
    with no_errors_logged():
        screens = [ussd_hop(client, session_id, "+243970000004", text) for text in texts]
    assert (screens[-1] or "").startswith("END Merci.")
    with runtime.session() as session:
        stored = session.scalar(select(Report.description).where(Report.source_key == f"ussd:{session_id}"))
    assert stored == kept


# Tokens and sizes: during a rotation two tokens open the callbacks; a body over the cap is refused.
ROTATION = ("fuzz-new-token-0123456789abcdef", "fuzz-old-token-0123456789abcdef")
TOKENS = st.one_of(
    st.sampled_from(ROTATION),
    st.sampled_from([t[:-1] for t in ROTATION]),
    st.text(CHARACTERS, min_size=1, max_size=40),
)


@pytest.fixture
def rotating_client(runtime: Runtime) -> Iterator[FlaskClient]:
    settings = runtime.settings.with_overrides(webhook_token=ROTATION[0], webhook_token_previous=ROTATION[1])
    rt = Runtime.build(settings, clock=runtime.clock)
    try:
        yield create_app(runtime=rt).test_client()
    finally:
        rt.close()


@pytest.mark.parametrize("route", ROUTES)
@settings(fuzz, max_examples=60)
@given(token=TOKENS, size=st.integers(MAX_BODY_BYTES - 300, MAX_BODY_BYTES + 300), data=st.data())
def test_any_token_with_a_body_near_the_size_limit_never_gets_a_server_error(
    rotating_client: FlaskClient, route: str, token: str, size: int, data: st.DataObject
) -> None:
    form = urlencode(data.draw(form_for(route), label="form")).encode()
    assume(len(form) + 9 <= size)
    body = form + b"&padding=" + b"x" * (size - len(form) - 9)
    with no_errors_logged():
        response = rotating_client.post(
            f"/webhooks/at/{quote(token, safe='')}{route}",
            data=body,
            content_type="application/x-www-form-urlencoded",
        )
    if token not in ROTATION:
        assert response.status_code == 404  # the body is never read
    elif size > MAX_BODY_BYTES:
        assert response.status_code == 413
    else:
        assert_acceptable(route, response)
