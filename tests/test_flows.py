"""The reporter's conversation as a basic phone shows it: every screen fits, every key does what it says.

Pure tests of ``flows``: the engine and the USSD renderer with the real catalogs and locations,
and a small host object in place of the service. No web, Redis or SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    SKIP,
    Effect,
    Menu,
    State,
    Step,
    new_state,
    options_of,
)
from flows.text import fold_ascii
from hotline.intake.ussd import INVALID_REQUEST, NOT_RECEIVED, UNAVAILABLE
from hotline.languages.phone import hints_for, marked_messages, worst_cases
from hotline.platform.i18n import CATALOGS, LANGUAGES, Translations
from hotline.platform.locations import Locations

ROOT = Path(__file__).resolve().parent.parent
FLOW = reporter.FLOW
LIMIT = 160  # docs/africastalking.md section 1: the smallest screen, "CON "/"END " included
PO_FILES = sorted(CATALOGS.glob("*/LC_MESSAGES/messages.po"))
# Where the conversation's words live: every N_() in these files can reach a phone.
CONVERSATION_SOURCES = (
    *sorted((ROOT / "flows").glob("*.py")),
    ROOT / "hotline" / "intake" / "ussd.py",
    ROOT / "hotline" / "intake" / "reporter_sms.py",
)


class Host:
    """The engine's Context as the service provides it, from the real catalogs and locations."""

    def __init__(self) -> None:
        self.translations = Translations.load()
        self.locations = Locations.load()
        self.own_reports, self.status, self.pin = True, "received", "4827"
        self.offered: tuple[str, ...] = LANGUAGES  # every language, as in a pilot of all of them
        self.lookups: list[tuple[str, str | None]] = []

    def translate(self, lang: str, message: str) -> str:
        return self.translations.translate(lang, message)

    def provinces(self) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self.locations.provinces()]

    def places(self, province: str) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self.locations.places(province)]

    def place_label(self, code: str) -> str:
        return self.locations.label(code)

    def languages(self) -> Sequence[str]:
        return self.offered

    def check_report(self, reference: str, pin: str | None) -> str:
        """As the service answers: the status from the reporting phone, the PIN asked otherwise."""
        self.lookups.append((reference, pin))
        known = reference == "K7M3QX"
        if known and self.own_reports:
            return self.status
        if pin is None:
            return "need_pin"  # also for an unknown reference: nothing to learn from it
        return self.status if known and pin == self.pin else "not_found"

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
    shared = _host()
    shared.own_reports, shared.status, shared.lookups = True, "received", []
    shared.offered = LANGUAGES
    return shared


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


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


# TO_CONTACT in test_webhooks.py: French, report, sexual exploitation, in danger, Kwilu, Kikwit.
TO_CONTACT = ("1", "1", "1", "1", "2", "3")


# --- every screen fits a basic phone -----------------------------------------------------------


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
                uncut = ussd.compose(FLOW, state, host, hint=hint)
                label = f"{lang} {screen_id} ({case}, page {page + 1}, hint={hint!r})"
                problems += screen_problems(label, body, uncut)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_screens_shown_when_the_service_cannot_answer_fit_too(lang: str, host: Host) -> None:
    for message in (UNAVAILABLE, NOT_RECEIVED):
        body = "END " + fold_ascii(host.translate(lang, message))
        assert "129" in body and "122" in body  # the national lines, whatever went wrong
        assert body.isascii()
        assert len(body) <= LIMIT, body
    for body in (INVALID_REQUEST,):
        assert body.isascii()
        assert len(body) <= LIMIT, body


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
    state, confirm = shown_after(
        state, host, "1", "5", "2", host.number_of("Ituri"), SKIP, SKIP, "3", SKIP, "3", SKIP
    )
    assert confirm.startswith("CON Envoyer ce signalement ? Mariage force, Ituri")
    assert "URGENT" not in confirm
    assert "safe_time" not in state["answers"]  # the call-back time of the first report is gone


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


def test_in_danger_a_province_without_places_goes_straight_to_the_contact_question(
    host: Host,
) -> None:
    state, contact = shown_after(dial(), host, "1", "1", "1", "1", host.number_of("Ituri"))
    assert contact.startswith("CON Un travailleur social peut-il vous rappeler")

    state, back = shown_after(state, host, BACK)
    assert back.startswith("CON Quelle province ?")


def test_not_in_danger_a_province_without_places_goes_to_the_optional_place_question(
    host: Host,
) -> None:
    state, detail = shown_after(dial(), host, "1", "1", "1", "2", host.number_of("Ituri"))
    assert detail.startswith("CON Village, rue ou point de repere ?")
    assert "99 Passer" in detail

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
    assert state["screen"] == "done_urgent"
    state["vars"]["reference"] = "K7M2QX"
    end = shown(state, host)
    assert end.startswith("END Envoye, reference K7M2QX. Appelez le 129 ou le 122 maintenant")

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


def test_a_report_without_danger_asks_the_optional_questions_and_keeps_the_answers_as_typed(
    host: Host,
) -> None:
    state, _ = press(dial(), host, "1", "1", "2", "2", "2", "3")  # forced labour, no danger, Kikwit
    state, _ = press(state, host, "Pres du marche, rue 12", "3", "1", "deux filles * un garcon")
    state, _ = press(state, host, "2", "4827")  # keep my number secret, PIN 4827
    state, confirm = shown_after(state, host)
    assert confirm.startswith("CON Envoyer ce signalement ? Travail force, Kwilu/Kikwit")

    state, sent = press(state, host, "1")
    assert sent.effects == [
        Effect(
            "open_report",
            {
                "menu": "report",
                "category": "forced_labour",
                "urgent": "no",
                "province": "CD-KL",
                "location": "CD-KL/kikwit",
                "place_detail": "Pres du marche, rue 12",
                "people": "3",
                "children": "yes",
                "description": "deux filles * un garcon",
                "contact": "confidential",
                "pin": "4827",
                "confirm": "send",
            },
        )
    ]
    assert state["screen"] == "done"
    state["vars"]["reference"] = "K7M2QX"
    assert shown(state, host).startswith("END Merci. Votre reference : K7M2QX.")


def test_99_skips_each_optional_question(host: Host) -> None:
    state, _ = press(dial(), host, "1", "1", "2", "2", "2", "3")
    screens = []
    for key in (SKIP, SKIP, "3", SKIP, "3", SKIP):
        screens.append(state["screen"])
        state, result = press(state, host, key)
        assert result.hint is None
    assert screens == ["place_detail", "people", "children", "description", "contact", "pin"]
    assert state["screen"] == "confirm"
    answers = state["answers"]
    assert (answers["place_detail"], answers["people"], answers["description"], answers["pin"]) == (
        None,
        None,
        None,
        None,
    )
    assert answers["children"] == "unsure"


@pytest.mark.parametrize(
    ("keys", "screen_id", "hint"),
    [
        pytest.param(["abc"], "people", "CON Tapez un nombre, par exemple 3.", id="people-in-words"),
        pytest.param(["0"], "place_detail", None, id="people-zero-is-back"),
        pytest.param(["1000"], "people", "CON C'est trop long.", id="people-too-many-digits"),
        pytest.param(["3", "1", SKIP, "3", "12345"], "pin", "CON C'est trop long.", id="pin-too-long"),
        pytest.param(["3", "1", SKIP, "3", "12a4"], "pin", "CON Tapez 4 chiffres", id="pin-not-digits"),
    ],
)
def test_a_wrong_number_on_a_typed_question_asks_again_with_a_hint(
    host: Host, keys: list[str], screen_id: str, hint: str | None
) -> None:
    state, _ = press(dial(), host, "1", "1", "2", "2", "2", "3", SKIP)  # on "how many people?"
    state, screen = shown_after(state, host, *keys)
    assert state["screen"] == screen_id
    if hint:
        assert screen.startswith(hint)
        assert state["errors"] == 1


def test_a_star_or_a_hash_typed_inside_free_text_is_kept(host: Host) -> None:
    state, _ = press(dial(), host, "1", "1", "2", "2", "2", "3", "Rue 5 * #12", SKIP, "2", "a*b#c")
    assert state["answers"]["place_detail"] == "Rue 5 * #12"
    assert state["answers"]["description"] == "a*b#c"


def test_checking_from_the_reporting_phone_shows_the_status_in_one_line(host: Host) -> None:
    _, end = shown_after(dial(), host, "1", "2", "k7m3qx")  # small letters are the same code
    assert end == "END Signalement K7M3QX : recu. Un travailleur social sera prevenu."
    assert host.lookups == [("K7M3QX", None)]


def test_checking_from_another_phone_asks_for_the_pin_and_a_wrong_one_finds_nothing(
    host: Host,
) -> None:
    host.own_reports = False
    state, pin = shown_after(dial(), host, "1", "2", "K7M3QX")
    assert pin.startswith("CON Tapez le code PIN de 4 chiffres")

    _, right = shown_after(state, host, "4827")
    assert right.startswith("END Signalement K7M3QX : recu.")
    _, wrong = shown_after(state, host, "1111")
    _, unknown = shown_after(dial(), host, "1", "2", "QQQQQQ", "4827")
    assert wrong == unknown == "END Aucun signalement avec ce code. Verifiez-le et reessayez."


def test_a_reference_that_cannot_be_one_is_refused_before_any_lookup(host: Host) -> None:
    state, screen = shown_after(dial(), host, "1", "2", "K0O1I")  # letters no reference uses
    assert state["screen"] == "check_ref"
    assert screen.startswith("CON Tapez le code recu, par exemple K7F3QX.")
    assert host.lookups == []


# Every conversation, from the language screen: the keys after choosing the language, and the
# screens it must pass through. The host opens no report, so "done" shows an empty reference.
CONVERSATIONS = {
    "report-in-danger": (
        ["1", "1", "1", "2", "3", "1", "2", "1"],
        ["menu", "category", "danger", "province", "place", "contact", "safe_time", "confirm", "done_urgent"],
    ),
    "report-not-in-danger": (
        ["1", "2", "2", "8", "Marche central", "4", "1", "Ils travaillent * la nuit", "2", "4827", "1"],
        [
            "menu",
            "category",
            "danger",
            "province",
            "place_detail",
            "people",
            "children",
            "description",
            "contact",
            "pin",
            "confirm",
            "done",
        ],
    ),
    "report-cancelled": (
        ["1", "7", "2", "1", "1", SKIP, SKIP, "2", SKIP, "3", SKIP, "2"],
        [
            "menu",
            "category",
            "danger",
            "province",
            "place",
            "place_detail",
            "people",
            "children",
            "description",
            "contact",
            "pin",
            "confirm",
            "cancelled",
        ],
    ),
    "check-from-the-reporting-phone": (["2", "K7M3QX"], ["menu", "check_ref", "check_result"]),
    "check-from-another-phone": (["2", "K7M3QX", "4827"], ["menu", "check_ref", "check_pin", "check_result"]),
    "get-help-now": (["3"], ["menu", "help"]),
    "learn-the-signs": (["4", "1", "1"], ["menu", "signs1", "signs2", "signs3"]),
    "change-the-language": (["5", "6"], ["menu", "language", "menu"]),
}


@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_conversation_can_be_walked_in_every_language(host: Host, lang: str, conversation: str) -> None:
    keys, path = CONVERSATIONS[conversation]
    host.own_reports = conversation != "check-from-another-phone"
    state, result = press(dial(), host, str(reporter.LANGUAGE_CODES.index(lang) + 1))
    seen, problems = [state["screen"]], []
    for key in keys:
        state, result = press(state, host, key)
        assert result.hint is None, (state["screen"], key)
        seen.append(state["screen"])
        body = shown(state, host)
        problems += screen_problems(f"{lang} {state['screen']}", body, body)
        if state["screen"] != "language":  # the language screen is the same in every language
            prompt = FLOW.screen(state["screen"]).prompt
            if "{" not in prompt:
                assert fold_ascii(host.translate(state["lang"], prompt)) in body
    assert seen == path
    assert not problems
    assert state["finished"] == (conversation != "change-the-language")
    expected_lang = "en" if conversation == "change-the-language" else lang
    assert state["lang"] == expected_lang


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


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_a_reporter_can_see_is_translated_in_every_catalog(host: Host, lang: str) -> None:
    messages = sorted(set().union(*(marked_messages(path) for path in CONVERSATION_SOURCES)))
    assert MENU_HINT in messages
    assert host.translations.missing(lang, messages) == []


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
