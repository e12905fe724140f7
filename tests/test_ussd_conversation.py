"""Whole USSD conversations through the real webhook, as Africa's Talking relays them from a phone.

AT posts the cumulative ``text`` (every input so far joined by ``*``, docs/africastalking.md section 1);
each reply must be a ``CON``/``END`` screen of at most 160 characters.
"""

from __future__ import annotations

from itertools import count

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from flows.reporter import LANGUAGE_CODES
from flows.text import fold_ascii
from hotline.intake.ussd import RESTARTED
from hotline.models import Report
from hotline.platform.runtime import Runtime
from tests.support.environment import TEST_TOKEN
from tests.support.languages import pilot_every_language
from tests.support.leaks import redis_values
from tests.support.ussd import FRENCH_REPORT

USSD_URL = f"/webhooks/at/{TEST_TOKEN}/ussd"
PHONE = "+243810000001"
OTHER_PHONE = "+243970000004"
PHONE_FORMS = ("+243810000001", "243810000001", "0810000001")
LIMIT = 160

# English, report, forced labour, not in danger, Ituri (no places), no place detail, 2 people,
# children: no, no description, anonymous, no PIN, send.
ENGLISH_REPORT = ["6", "1", "2", "2", "8", "99", "2", "2", "99", "3", "99", "1"]
HELP = ["1", "3"]  # French, get help now

_session_ids = count(1)


def new_session_id() -> str:
    return f"ATUid_{next(_session_ids):032x}"


def hop(client: FlaskClient, session_id: str, text: str, phone: str = PHONE) -> str:
    """Post one hop and return the screen, after checking it is one a phone can show."""
    response = client.post(
        USSD_URL,
        data={
            "sessionId": session_id,
            "phoneNumber": phone,
            "serviceCode": "*384*44135#",
            "networkCode": "63001",
            "text": text,
        },
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith(("CON ", "END ")), body
    assert len(body) <= LIMIT, body
    assert body.isascii(), body
    return body


def walk(
    client: FlaskClient, inputs: list[str], phone: str = PHONE, session_id: str | None = None
) -> list[str]:
    """Dial, then type each input: AT sends ``""``, ``"1"``, ``"1*1"``... in one session."""
    session_id = session_id or new_session_id()
    screens = [hop(client, session_id, "", phone)]
    for i in range(1, len(inputs) + 1):
        screens.append(hop(client, session_id, "*".join(inputs[:i]), phone))
    return screens


def reports(runtime: Runtime) -> list[Report]:
    with runtime.session() as session:
        return list(session.scalars(select(Report).order_by(Report.id)))


# --- whole reports -----------------------------------------------------------------------------


def test_a_whole_report_in_french_ends_with_its_reference(client: FlaskClient, runtime: Runtime) -> None:
    screens = walk(client, FRENCH_REPORT)

    assert all(screen.startswith("CON ") for screen in screens[:-1])
    assert "1 Signaler une situation" in screens[1]
    [report] = reports(runtime)
    # Someone is in danger: no optional question, and the end names the lines to call now.
    assert screens[-1].startswith(f"END Envoye, reference {report.reference}. Appelez le 129 ou le 122")
    assert (report.language, report.category, report.urgent, report.location_code) == (
        "fr",
        "sexual_exploitation",
        True,
        "CD-KL/kikwit",
    )


def test_a_whole_report_in_english_speaks_english_and_ends_with_its_reference(
    client: FlaskClient, runtime: Runtime
) -> None:
    screens = walk(client, ENGLISH_REPORT)

    assert "6 English" in screens[0]
    assert "1 Report a situation" in screens[1]
    assert screens[2].startswith("CON What happened?")
    assert screens[4].startswith("CON Which province?\n1 Kinshasa")  # 8 Ituri is on page 2
    assert screens[5].startswith("CON Village, street or landmark?\n99 Skip")
    assert screens[6].startswith("CON How many people are concerned?")
    assert screens[7].startswith("CON Are there children among them?\n1 Yes\n2 No\n3 Not sure")
    assert screens[8].startswith("CON In a few words, what did you see?")
    assert screens[9].startswith("CON Can a social worker call you back on this number?")
    assert screens[10].startswith("CON To check from another phone, choose a 4-digit PIN.")
    assert screens[11].startswith("CON Send this report? Forced labour, Ituri")
    assert not any("Retour" in screen or "Suite" in screen for screen in screens[1:])
    [report] = reports(runtime)
    assert screens[-1].startswith(f"END Thank you. Your reference: {report.reference}.")
    assert (report.language, report.category, report.urgent, report.location_code) == (
        "en",
        "forced_labour",
        False,
        "CD-IT",
    )
    assert (report.place_detail, report.people_count, report.children_involved) == (None, 2, False)
    assert (report.description, report.pin_hash) == (None, None)


def test_get_help_now_ends_on_a_screen_naming_the_free_lines(client: FlaskClient, runtime: Runtime) -> None:
    end = walk(client, HELP)[-1]
    assert end.startswith("END ")
    for line in ("129", "122", "117"):
        assert line in end
    assert reports(runtime) == []


# --- the language is remembered, the number is not ---------------------------------------------


def test_the_language_chosen_is_remembered_for_the_next_call_from_the_same_phone(
    client: FlaskClient, runtime: Runtime
) -> None:
    walk(client, ["6"])  # English, then the caller hangs up on the main menu

    again = hop(client, new_session_id(), "")
    assert again.startswith("CON Hotline against trafficking.")
    assert "1 Report a situation" in again
    assert "Francais" not in again

    other = hop(client, new_session_id(), "", phone=OTHER_PHONE)
    assert other.startswith("CON Langue / Language")
    assert "1 Francais" in other


def test_redis_never_holds_the_callers_number(client: FlaskClient, runtime: Runtime) -> None:
    walk(client, FRENCH_REPORT)  # a report asking for a call back: the number is needed later
    walk(client, ["3", "2"])  # a second call: the language screen again, then Lingala
    walk(client, ["1"], phone=PHONE.lstrip("+"))  # a network that drops the "+"

    stored = redis_values(runtime)
    assert any(b"hotline:lang:" in value for value in stored)  # the language is kept, by hash
    leaks = [value for value in stored for form in PHONE_FORMS if form.encode() in value]
    assert leaks == []


@pytest.mark.parametrize("typed", ["7", "00", "0"], ids=["a-typo", "home", "back"])
def test_a_key_that_chooses_no_language_is_not_remembered_as_a_choice(
    client: FlaskClient, typed: str
) -> None:
    walk(client, [typed])  # the caller hangs up without choosing

    assert "1 Francais" in hop(client, new_session_id(), "")


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_a_call_the_service_has_forgotten_starts_again_in_the_callers_language(
    client: FlaskClient, runtime: Runtime, lang: str
) -> None:
    pilot_every_language(runtime)  # drafts reach reporters only when approved, or in a pilot
    walk(client, [str(LANGUAGE_CODES.index(lang) + 1)])

    restarted = hop(client, new_session_id(), "1*2")  # a session we never saw, already under way
    explanation = fold_ascii(runtime.translations.translate(lang, RESTARTED))
    assert restarted.startswith(f"CON {explanation}\n1 ")
    # The explanation above the main menu's first page: five choices and "98" for the sixth.
    assert restarted.count("\n") == 6


# --- a gateway that goes on after the end ------------------------------------------------------


@pytest.mark.parametrize("inputs", [HELP, FRENCH_REPORT], ids=["help", "report"])
def test_a_hop_after_the_last_screen_shows_that_screen_again(
    client: FlaskClient, runtime: Runtime, inputs: list[str]
) -> None:
    session_id = new_session_id()
    end = walk(client, inputs, session_id=session_id)[-1]
    assert end.startswith("END ")

    after = hop(client, session_id, "*".join([*inputs, "1"]))
    assert after == end
    assert len(reports(runtime)) == (1 if inputs == FRENCH_REPORT else 0)
