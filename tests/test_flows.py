"""The reporter's conversation as a basic phone shows it: every screen fits, every key does what it says.

Pure tests of ``flows``: the engine and the USSD renderer with the real catalogs and locations,
and a small host object in place of the service. No web, Redis or SQL.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import read_po

from flows import reporter, ussd
from flows.engine import (
    BACK,
    HOME,
    MENU_HINT,
    MORE,
    Effect,
    Final,
    Menu,
    State,
    Step,
    TextInput,
    new_state,
    options_of,
)
from flows.text import fold_ascii
from hotline.i18n import CATALOGS, LANGUAGES, Translations
from hotline.locations import Locations

ROOT = Path(__file__).resolve().parent.parent
FLOW = reporter.FLOW
LIMIT = 160  # africastalking.md section 1: the smallest screen, "CON "/"END " included
LONGEST_REFERENCE = "ABCDEFGH"  # longer than the references we hand out
PO_FILES = sorted(CATALOGS.glob("*/LC_MESSAGES/messages.po"))
# Where the conversation's words live: every N_() in these files can reach a phone.
CONVERSATION_SOURCES = (*sorted((ROOT / "flows").glob("*.py")), ROOT / "hotline" / "ussd.py")


class Host:
    """The engine's Context as the service provides it, from the real catalogs and locations."""

    def __init__(self) -> None:
        self.translations = Translations.load()
        self.locations = Locations.load()

    def translate(self, lang: str, message: str) -> str:
        return self.translations.translate(lang, message)

    def provinces(self) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self.locations.provinces()]

    def places(self, province: str) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self.locations.places(province)]

    def place_label(self, code: str) -> str:
        return self.locations.label(code)

    def location_codes(self) -> list[str]:
        provinces = self.locations.provinces()
        return [p.code for p in provinces] + [place.code for p in provinces for place in p.places]

    def number_of(self, province_name: str) -> str:
        """What to press on the province screen for this province."""
        names = [name for _, name in self.provinces()]
        return str(names.index(province_name) + 1)


@lru_cache(maxsize=1)
def _host() -> Host:
    return Host()


@pytest.fixture
def host() -> Host:
    return _host()


# --- helpers -----------------------------------------------------------------------------------


def dial(lang: str = "fr") -> State:
    return new_state(FLOW, lang)


def press(state: State, host: Host, *keys: str) -> tuple[State, Step]:
    """Type each key in turn, as the phone sends them; the last step is returned with the state."""
    result = Step(state)
    for key in keys:
        result = ussd.step(FLOW, result.state, key, host)
    return result.state, result


def shown(state: State, host: Host, hint: str | None = None) -> str:
    return ussd.render(FLOW, state, host, hint=hint)


def shown_after(state: State, host: Host, *keys: str) -> tuple[State, str]:
    state, result = press(state, host, *keys)
    return state, shown(state, host, result.hint)


def _unguarded(text: str) -> str:
    return text


def marked_messages(path: Path) -> set[str]:
    """The strings a source file marks with ``N_()`` for the catalogs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


# TO_CONTACT in test_webhooks.py: French, report, sexual exploitation, in danger, Kwilu, Kikwit.
TO_CONTACT = ("1", "1", "1", "1", "2", "3")


# --- every screen fits a basic phone -----------------------------------------------------------


def worst_cases(screen_id: str, lang: str, host: Host) -> Iterator[tuple[str, State]]:
    """States that show this screen at its longest, with and without a way back.

    The place screen is shown for every province that has places (Kinshasa's 24 communes are the
    longest list); the confirmation with the longest category, URGENT and the longest place label;
    the last screen with a reference longer than any we hand out.
    """
    for history in ([], ["menu"]):
        base = new_state(FLOW, lang, start=screen_id)
        base["history"] = list(history)
        if screen_id == "place":
            for code, name in host.provinces():
                if host.places(code):
                    state = copy.deepcopy(base)
                    state["answers"].update(province=code, location=code)
                    yield f"{name}, back={bool(history)}", state
            continue
        if screen_id == "confirm":
            longest_category = max(
                reporter.CATEGORIES, key=lambda o: len(fold_ascii(host.translate(lang, o.label)))
            )
            longest_place = max(host.location_codes(), key=lambda c: len(fold_ascii(host.place_label(c))))
            base["answers"].update(category=longest_category.value, urgent="yes", location=longest_place)
        if screen_id == "done":
            base["vars"]["reference"] = LONGEST_REFERENCE
        yield f"back={bool(history)}", base


def hints_for(screen: Menu | TextInput | Final) -> list[str | None]:
    if isinstance(screen, Menu):
        return [None, MENU_HINT]
    if isinstance(screen, TextInput):  # any message of the engine may stand above a text prompt
        return [None, *sorted(marked_messages(ROOT / "flows" / "engine.py"))]
    return [None]


def screen_problems(label: str, body: str, uncut: str) -> list[str]:
    problems = []
    if not body.startswith(("CON ", "END ")):
        problems.append("does not start with CON/END")
    if len(uncut) > LIMIT:
        problems.append(f"{len(uncut)} characters")
    if not body.isascii():
        problems.append("not ASCII")
    if body != uncut:
        problems.append("cut by the last-resort guard")
    return [f"{label}: {problem}\n{uncut}" for problem in problems]


@pytest.mark.parametrize("screen_id", list(FLOW.screens))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_fits_160_ascii_characters_in_every_language_without_being_cut(
    lang: str, screen_id: str, host: Host
) -> None:
    screen = FLOW.screen(screen_id)
    problems: list[str] = []
    for case, state in worst_cases(screen_id, lang, host):
        page_count = len(ussd.pages(screen, state, host)) if isinstance(screen, Menu) else 1
        for page in range(page_count):
            state["page"] = page
            for hint in hints_for(screen):
                body = ussd.render(FLOW, state, host, hint=hint)
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(ussd, "_fit", _unguarded)
                    uncut = ussd.render(FLOW, state, host, hint=hint)
                label = f"{lang} {screen_id} ({case}, page {page + 1}, hint={hint!r})"
                problems += screen_problems(label, body, uncut)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_paging_shows_every_province_and_every_place_once_in_order(lang: str, host: Host) -> None:
    lists = [new_state(FLOW, lang, start="province")]
    for code, _ in host.provinces():
        if host.places(code):
            state = new_state(FLOW, lang, start="place")
            state["answers"].update(province=code, location=code)
            lists.append(state)
    for state in lists:
        screen = FLOW.screen(state["screen"])
        assert isinstance(screen, Menu)
        pages = ussd.pages(screen, state, host)
        assert [i for page in pages for i in page] == list(range(len(options_of(screen, state, host))))
        assert all(0 < len(page) <= screen.per_page for page in pages)


def test_the_language_screen_offers_every_language_the_service_speaks() -> None:
    assert sorted(reporter.LANGUAGE_CODES) == sorted(LANGUAGES)


# --- navigation --------------------------------------------------------------------------------


def test_zero_goes_back_to_the_previous_question_and_its_answer_can_be_changed(host: Host) -> None:
    state, danger = shown_after(dial(), host, "1", "1", "1")
    assert "danger" in danger

    state, category = shown_after(state, host, BACK)
    assert category.startswith("CON Que s'est-il passe ?")
    assert "1 Exploitation sexuelle" in category

    state, _ = press(state, host, "2", "1", "2", "3", "3")  # forced labour this time
    confirm = shown(state, host)
    assert "Travail force" in confirm
    assert "Exploitation sexuelle" not in confirm


def test_98_shows_the_next_page_and_zero_the_page_before(host: Host) -> None:
    state, first = shown_after(dial(), host, "1", "1", "1", "1")
    assert "1 Kinshasa" in first
    assert "98 Suite" in first

    state, second = shown_after(state, host, MORE)
    assert "1 Kinshasa" not in second
    assert second.startswith("CON Quelle province ?")

    state, again = shown_after(state, host, BACK)
    assert again == first


def test_98_on_the_last_page_is_refused_with_the_same_options(host: Host) -> None:
    state, screen = shown_after(dial(), host, "1", "1", "1", "1")
    while "98 Suite" in screen:
        state, screen = shown_after(state, host, MORE)
    state, refused = shown_after(state, host, MORE)
    assert refused.splitlines()[0] == "CON Choisissez un numero de la liste."
    assert refused.splitlines()[1:] == screen.splitlines()[1:]
    assert state["screen"] == "province"


def test_00_returns_to_the_main_menu_and_forgets_the_answers(host: Host) -> None:
    state, _ = press(dial(), host, *TO_CONTACT)
    state, menu = shown_after(state, host, HOME)
    assert menu.startswith("CON Ligne contre la traite.")
    assert "0 Retour" not in menu  # nothing left to go back to
    assert state["answers"] == {}

    # A new report starts from nothing: the confirmation shows only what was chosen again.
    state, confirm = shown_after(state, host, "1", "5", "2", host.number_of("Ituri"), "3")
    assert confirm.startswith("CON Envoyer ce signalement ? Mariage force, Ituri")
    assert "URGENT" not in confirm


def test_an_invalid_choice_shows_the_same_options_under_a_one_line_hint(host: Host) -> None:
    state, category = shown_after(dial(), host, "1", "1")
    for wrong in ("9", "abc", "", "1 2"):
        after, refused = shown_after(state, host, wrong)
        lines = refused.splitlines()
        assert lines[0] == "CON Choisissez un numero de la liste."
        assert lines[1:] == category.splitlines()[1:]
        assert after["screen"] == "category"


def test_three_invalid_answers_in_a_row_end_with_the_free_lines(host: Host) -> None:
    state, _ = press(dial(), host, "1", "1")
    state, second = shown_after(state, host, "9", "9")
    assert second.startswith("CON ")

    state, end = shown_after(state, host, "9")
    assert end.startswith("END ")
    assert "129" in end
    assert "122" in end


@pytest.mark.parametrize("understood", ["1", MORE, BACK], ids=["an-answer", "next-page", "back"])
def test_a_valid_key_between_mistakes_starts_the_count_again(host: Host, understood: str) -> None:
    state, _ = press(dial(), host, "1", "1", "1", "1", MORE)  # page 2 of the province list
    state, screen = shown_after(state, host, "x", "x", understood, "x", "x")
    assert screen.startswith("CON Choisissez un numero de la liste.")


def test_a_province_without_places_goes_straight_to_the_contact_question(host: Host) -> None:
    state, contact = shown_after(dial(), host, "1", "1", "1", "1", host.number_of("Ituri"))
    assert contact.startswith("CON Un travailleur social peut-il vous rappeler")

    state, back = shown_after(state, host, BACK)
    assert back.startswith("CON Quelle province ?")


def test_changing_the_province_after_choosing_a_place_forgets_the_place(host: Host) -> None:
    state, _ = press(dial(), host, *TO_CONTACT)  # Kwilu, Kikwit
    state, province = shown_after(state, host, BACK, BACK)
    assert province.startswith("CON Quelle province ?")

    state, confirm = shown_after(state, host, host.number_of("Ituri"), "3")
    assert "Ituri" in confirm
    assert "Kikwit" not in confirm
    assert "Kwilu" not in confirm


def test_a_number_from_a_later_page_is_accepted_on_the_first_page(host: Host) -> None:
    state, first = shown_after(dial(), host, "1", "1", "1", "1")
    number = host.number_of("Tshuapa")
    assert f"\n{number} " not in first  # not on this page...

    state, confirm = shown_after(state, host, number, "3")  # ...but it is its number all the same
    assert confirm.startswith("CON Envoyer ce signalement ? URGENT Exploitation sexuelle, Tshuapa")


def test_sending_the_report_opens_exactly_one_report_with_the_answers(host: Host) -> None:
    state, _ = press(dial(), host, *TO_CONTACT, "1", "2")  # call me back, in the afternoon
    state, sent = press(state, host, "1")
    assert sent.effects == [
        Effect(
            "open_report",
            {
                "menu": "report",
                "category": "sexual_exploitation",
                "urgent": "yes",
                "province": "CD-KL",
                "location": "CD-KL/kikwit",
                "contact": "callback",
                "safe_time": "afternoon",
                "confirm": "send",
            },
        )
    ]
    state["vars"]["reference"] = "K7M2QX"
    end = shown(state, host)
    assert end.startswith("END Merci. Votre reference : K7M2QX.")

    # Anything typed after the last screen changes nothing and opens nothing again.
    again, more = press(state, host, "1")
    assert more.effects == []
    assert shown(again, host) == end


def test_cancelling_the_report_sends_nothing(host: Host) -> None:
    state, _ = press(dial(), host, *TO_CONTACT, "3")
    state, cancelled = press(state, host, "2")
    assert cancelled.effects == []
    assert shown(state, host).startswith("END Rien n'a ete envoye.")


def test_a_language_chosen_on_the_first_screen_is_used_from_the_next_screen(host: Host) -> None:
    _, menu = shown_after(dial(), host, "6")
    assert menu.startswith("CON Hotline against trafficking.")
    assert "1 Report a situation" in menu


# --- the new input of a hop --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "text", "typed"),
    [
        ("", "1", "1"),
        ("1", "1*2", "2"),
        ("1*2", "1*2*a*b", "a*b"),  # a star inside free text is kept
        ("1*2", "1*3*4", None),  # not the same session's history: start again
        ("1*2", "1*2", None),  # no new input (a retransmission is answered before this)
        ("1", "12", None),  # "1" then "12" is not "1" then "2"
        (None, "", ""),
        (None, "1", None),  # a session we do not know that is already under way
    ],
)
def test_the_new_input_is_what_follows_the_previous_text(
    previous: str | None, text: str, typed: str | None
) -> None:
    assert ussd.new_input(previous, text) == typed


# --- the catalogs ------------------------------------------------------------------------------


def test_every_message_the_conversation_can_show_has_a_french_translation(host: Host) -> None:
    messages = sorted(set().union(*(marked_messages(path) for path in CONVERSATION_SOURCES)))
    assert MENU_HINT in messages
    assert host.translations.missing("fr", messages) == []


@pytest.mark.parametrize("po_file", PO_FILES, ids=[p.parent.parent.name for p in PO_FILES])
def test_translations_keep_the_placeholders_of_their_message(po_file: Path) -> None:
    with po_file.open("rb") as handle:
        catalog = read_po(handle)
    changed = [
        (message.id, message.string)
        for message in catalog
        if message.id
        and isinstance(message.id, str)
        and isinstance(message.string, str)
        and message.string
        and placeholders(message.id) != placeholders(message.string)
    ]
    assert changed == []


def test_french_and_english_catalogs_are_present() -> None:
    assert {"fr", "en"} <= {p.parent.parent.name for p in PO_FILES}
