"""Walking USSD conversations as Africa's Talking relays them (docs/africastalking.md section 1):
each hop posts the cumulative ``text``, every input of the session so far joined by ``*``.

- ``hop`` / ``walk``: through the test client, every screen checked as one AT can show
  (``screen_of``: status, content type, ``CON``/``END``, 160 characters);
- ``Call`` / ``report_as`` / ``check``: one phone's session through the test client, every screen
  checked as a basic phone shows it (also ASCII only, and AT's limits for the echoed hop label);
- ``dial``: one call to the end, returning only the last screen (the flood and SMS cap tests);
- ``walk_report``: over HTTP, against the real processes (the slow tests and bench/).
"""

from __future__ import annotations

from itertools import count

import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.environment import BASE

SERVICE_CODE = "*384*44135#"
PHONE = "+243810000001"
SCREEN_TYPE = "text/plain; charset=utf-8"
USSD_LIMIT = 160

# Inputs of a whole report, one per screen: language 1 Francais, menu 1 report, category 1 sexual
# exploitation, danger 1 yes, province 2 Kwilu, place 3 Kikwit, then contact and confirmation
# (someone in danger: the optional questions are skipped, tests/test_reporter_flows.py has both paths).
TO_CONTACT = ["1", "1", "1", "1", "2", "3"]
ANONYMOUS_REPORT = [*TO_CONTACT, "3", "1"]  # contact 3 anonymous, confirm 1 send
CALLBACK_REPORT = [*TO_CONTACT, "1", "2", "1"]  # contact 1 call me back, safe time 2 afternoon, send
# French, report, sexual exploitation, in danger, Kwilu, Kikwit, call me back, afternoon, send.
FRENCH_REPORT = ["1", "1", "1", "1", "2", "3", "1", "2", "1"]
# French, report, sexual exploitation, in danger now, Kwilu, Kikwit, anonymous, send.
FIRST_REPORT = ["1", "1", "1", "1", "2", "3", "3", "1"]

# After the language screen (1 Francais) and the main menu (1 report), for ``report_as``:
IN_DANGER = ["1", "1", "2", "3"]  # sexual exploitation, in danger, Kwilu, Kikwit
NOT_IN_DANGER = ["2", "2", "2", "3"]  # forced labour, no danger, Kwilu, Kikwit

_session_ids = count(1)


def new_session_id() -> str:
    return f"ATUid_{next(_session_ids):032x}"


# --- hop and walk: every screen as AT can show it ----------------------------------------------


def ussd_form(session_id: str, text: str, phone: str = PHONE, **extra: str) -> dict[str, str]:
    return {
        "sessionId": session_id,
        "serviceCode": "*384*44135#",
        "phoneNumber": phone,
        "networkCode": "63001",
        "text": text,
        **extra,
    }


def hop(client: FlaskClient, session_id: str, text: str, phone: str = PHONE, **extra: str) -> TestResponse:
    return client.post(f"{BASE}/ussd", data=ussd_form(session_id, text, phone, **extra))


def walk(
    client: FlaskClient, inputs: list[str], session_id: str | None = None, phone: str = PHONE
) -> list[str]:
    """Dial (text "") then type each input as AT reports it (all inputs so far joined by ``*``)."""
    session_id = session_id or new_session_id()
    screens = [screen_of(hop(client, session_id, "", phone))]
    for i in range(len(inputs)):
        screens.append(screen_of(hop(client, session_id, "*".join(inputs[: i + 1]), phone)))
    return screens


def screen_of(response: TestResponse) -> str:
    """The body of a USSD answer, after checking it is one AT can show."""
    assert response.status_code == 200
    assert response.headers["Content-Type"] == SCREEN_TYPE
    body = response.get_data(as_text=True)
    assert body.startswith(("CON ", "END ")), body
    assert len(body) <= USSD_LIMIT, body
    return body


def end_of_session(session_id: str, **changes: str) -> dict[str, str]:
    """The form AT posts to the USSD events callback when a session ends."""
    form = {
        "date": "2026-01-05 08:03:12",
        "sessionId": session_id,
        "serviceCode": "*384*44135#",
        "networkCode": "63001",
        "phoneNumber": PHONE,
        "status": "Incomplete",
        "cost": "USD 0.0000",
        "durationInMillis": "41230",
        "hopsCount": "3",
        "input": "1*1",
        "lastAppResponse": "CON Que s'est-il passe ?",
        "errorMessage": "",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


# --- Call: one phone's session, as a basic phone shows it --------------------------------------


class Call:
    """One USSD session from one phone: ``press`` sends the cumulative ``text`` AT would send."""

    def __init__(
        self,
        client: FlaskClient,
        phone: str = PHONE,
        service_code: str = SERVICE_CODE,
        session_id: str | None = None,
    ) -> None:
        self.client, self.phone, self.service_code = client, phone, service_code
        self.session_id = session_id or new_session_id()
        self.inputs: list[str] = []
        self.screens: list[str] = []  # the screen ids, as our at-ussd-hop-metadata header names them

    def dial(self, first_text: str = "") -> str:
        return self.send(first_text)

    def press(self, *keys: str) -> str:
        body = ""
        for key in keys:
            self.inputs.append(key)
            body = self.send("*".join(self.inputs))
        return body

    def send(self, text: str) -> str:
        response = self.client.post(
            f"{BASE}/ussd",
            data={
                "sessionId": self.session_id,
                "serviceCode": self.service_code,
                "phoneNumber": self.phone,
                "networkCode": "63001",
                "text": text,
            },
        )
        body = phone_screen_of(response)
        self.screens.append(response.headers["at-ussd-hop-metadata"])
        return body

    @property
    def text(self) -> str:
        return "*".join(self.inputs)


def phone_screen_of(response: TestResponse) -> str:
    """The body of a USSD answer, after checking it is one a basic phone can show."""
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith(("CON ", "END ")), body
    assert len(body) <= USSD_LIMIT, body
    assert body.isascii(), body
    label = response.headers["at-ussd-hop-metadata"]
    assert 0 < len(label) <= 99 and "|" not in label  # AT's limits for the echoed label
    return body


def report_as(client: FlaskClient, keys: list[str], phone: str = PHONE) -> str:
    """A whole report from a phone that has not chosen a language yet; returns the last screen."""
    call = Call(client, phone)
    call.dial()
    return call.press("1", "1", *keys)


def check(client: FlaskClient, reference: str, phone: str = PHONE, pin: str | None = None) -> str:
    """Dial (the language is remembered), choose "check a report", type the reference [and PIN]."""
    call = Call(client, phone)
    first = call.dial()
    if first.startswith("CON Langue"):
        call.press("1")
    screen = call.press("2", reference)
    if pin is not None:
        assert screen.startswith("CON Tapez le code PIN de 4 chiffres")
        screen = call.press(pin)
    return screen


# --- dial: one call to the end -----------------------------------------------------------------


def dial(client: FlaskClient, phone: str, inputs: list[str]) -> str:
    """One USSD call to the end; returns the last screen."""
    session_id = new_session_id()
    body = ""
    for i in range(len(inputs) + 1):
        form = {
            "sessionId": session_id,
            "serviceCode": "*384*44135#",
            "phoneNumber": phone,
            "networkCode": "63001",
            "text": "*".join(inputs[:i]),
        }
        response = client.post(f"{BASE}/ussd", data=form)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert body.startswith(("CON ", "END ")) and len(body) <= 160, body
    return body


# --- walk_report: over HTTP, against the real processes ----------------------------------------


def walk_report(url: str, session_id: str, phone: str, keys: list[str]) -> str:
    """Dial ``url`` (a running web process's USSD callback) and type ``keys``; returns the last screen."""
    return walk_screens(url, session_id, phone, keys)[-1]


def walk_screens(url: str, session_id: str, phone: str, keys: list[str]) -> list[str]:
    """Like ``walk_report``, every screen shown (the benchmark compares them with its baseline's)."""
    text, screens = "", []
    for i, key in enumerate(["", *keys]):
        text = key if i <= 1 else f"{text}*{key}"
        response = requests.post(
            url,
            data={
                "sessionId": session_id,
                "phoneNumber": phone,
                "serviceCode": "*384*1#",
                "networkCode": "63001",
                "text": text,
            },
            timeout=10,
        )
        assert response.status_code == 200
        screens.append(response.text)
        assert response.text.startswith(("CON ", "END ")), response.text
    return screens
