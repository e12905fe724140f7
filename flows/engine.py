"""A small, pure conversation engine: (flow, state, input, context) -> (new state, effects).

Conversations are data: screens with prompts, options, validators and the id of the next screen.
The engine knows nothing of HTTP, SQL, Redis or Flask; the host stores the state (a JSON-able
dict), carries out the effects (such as "open a report") and renders screens for its channel.

Navigation that works on every screen where it makes sense: ``0`` goes back (or to the previous
page of a long list), ``00`` goes to the main menu, ``98`` shows more options, ``99`` skips an
optional question. Three invalid answers in a row end the session kindly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

BACK, HOME, MORE, SKIP = "0", "00", "98", "99"
MAX_ERRORS = 3


def N_(message: str) -> str:
    """Marks a string for the translation catalogs; translated when the screen is rendered."""
    return message


MENU_HINT = N_("Please choose a number from the list.")


class Context(Protocol):
    """What a conversation may ask of its host."""

    def translate(self, lang: str, message: str) -> str: ...

    def provinces(self) -> Sequence[tuple[str, str]]: ...

    def places(self, province: str) -> Sequence[tuple[str, str]]: ...

    def place_label(self, code: str) -> str: ...

    def languages(self) -> Sequence[str]:
        """The codes of the languages offered to reporters (approved, or piloted)."""
        ...

    def check_report(self, reference: str, pin: str | None) -> str:
        """A report's status bucket for this caller: received, handled, closed, not_found,
        limited (too many lookups), or need_pin (the caller is not the reporting number)."""
        ...


State = dict[str, Any]
NextStep = str | Callable[[State, Context], str]
ValuesFn = Callable[[State, Context], Mapping[str, str]]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    literal: bool = False  # place names are shown as they are, never translated
    # A hidden option keeps its number but is neither shown nor accepted: the language menu's
    # numbers stay the same whichever languages are offered.
    shown: bool = True


OptionSource = tuple[Option, ...] | Callable[[State, Context], Sequence[Option]]


@dataclass(frozen=True)
class Menu:
    id: str
    prompt: str
    options: OptionSource
    next: NextStep
    store: str | None = None
    per_page: int = 5
    sets_language: bool = False
    values: ValuesFn | None = None
    on_enter: str | None = None


@dataclass(frozen=True)
class TextInput:
    id: str
    prompt: str
    next: NextStep
    store: str
    optional: bool = False
    max_length: int = 160
    validate: Callable[[str], str | None] | None = None  # returns an error message id, or None
    values: ValuesFn | None = None
    on_enter: str | None = None


@dataclass(frozen=True)
class Final:
    id: str
    prompt: str
    values: ValuesFn | None = None
    on_enter: str | None = None  # the effect to run before this screen is shown


Screen = Menu | TextInput | Final


@dataclass(frozen=True)
class Flow:
    name: str
    start: str
    home: str
    give_up: str
    screens: Mapping[str, Screen]

    def screen(self, screen_id: str) -> Screen:
        return self.screens[screen_id]


@dataclass(frozen=True)
class Effect:
    name: str
    answers: Mapping[str, Any]


@dataclass
class Step:
    state: State
    effects: list[Effect] = field(default_factory=list)
    hint: str | None = None

    @property
    def finished(self) -> bool:
        return bool(self.state.get("finished"))


def new_state(flow: Flow, lang: str = "fr", start: str | None = None) -> State:
    state: State = {
        "flow": flow.name,
        "screen": "",
        "answers": {},
        "page": 0,
        "errors": 0,
        "history": [],
        "lang": lang,
        "vars": {},
        "finished": False,
    }
    _enter(flow, state, start or flow.start)
    return state


def options_of(screen: Menu, state: State, ctx: Context) -> Sequence[Option]:
    return screen.options(state, ctx) if callable(screen.options) else screen.options


def step(
    flow: Flow,
    state: State,
    text: str,
    ctx: Context,
    pages: Callable[[Menu, State], list[list[int]]] | None = None,
) -> Step:
    """Apply one input to the conversation. ``pages`` tells which options each page shows."""
    state = _copy(state)
    screen = flow.screen(state["screen"])
    text = text.strip()
    if isinstance(screen, Final):
        return Step(state)
    if text == HOME and screen.id != flow.home:
        state["answers"], state["history"] = {}, []
        return Step(state, _enter(flow, state, flow.home, remember=False))
    if isinstance(screen, Menu):
        page_list = pages(screen, state) if pages else [list(range(len(options_of(screen, state, ctx))))]
        if text == MORE and state["page"] + 1 < len(page_list):
            state["page"] += 1
            state["errors"] = 0  # turning a page is an answer understood, not a mistake
            return Step(state)
        if text == BACK:
            return _back(flow, state)
        return _choose(flow, screen, state, text, ctx)
    if text == BACK:
        return _back(flow, state)
    return _answer_text(flow, screen, state, text, ctx)


def _choose(flow: Flow, screen: Menu, state: State, text: str, ctx: Context) -> Step:
    options = options_of(screen, state, ctx)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= len(options):
        return _invalid(flow, state, MENU_HINT)
    chosen = options[int(text) - 1]
    if not chosen.shown:
        return _invalid(flow, state, MENU_HINT)
    if screen.store:
        state["answers"][screen.store] = chosen.value
    if screen.sets_language:
        state["lang"] = chosen.value
    return Step(state, _enter(flow, state, _resolve(screen.next, state, ctx)))


def _answer_text(flow: Flow, screen: TextInput, state: State, text: str, ctx: Context) -> Step:
    if screen.optional and text == SKIP:
        state["answers"][screen.store] = None
        return Step(state, _enter(flow, state, _resolve(screen.next, state, ctx)))
    if not text:
        return _invalid(flow, state, N_("Please type an answer."))
    if len(text) > screen.max_length:
        return _invalid(flow, state, N_("That is too long. Please write less."))
    error = screen.validate(text) if screen.validate else None
    if error:
        return _invalid(flow, state, error)
    state["answers"][screen.store] = text
    return Step(state, _enter(flow, state, _resolve(screen.next, state, ctx)))


def _back(flow: Flow, state: State) -> Step:
    if state["page"] > 0:
        state["page"] -= 1
    elif state["history"]:
        state["screen"] = state["history"].pop()
    state["errors"] = 0
    return Step(state)


def _invalid(flow: Flow, state: State, hint: str) -> Step:
    state["errors"] += 1
    if state["errors"] >= MAX_ERRORS:
        return Step(state, _enter(flow, state, flow.give_up))
    return Step(state, hint=hint)


def _enter(flow: Flow, state: State, screen_id: str, remember: bool = True) -> list[Effect]:
    if remember and state["screen"]:
        state["history"].append(state["screen"])
    state.update(screen=screen_id, page=0, errors=0)
    screen = flow.screen(screen_id)
    if isinstance(screen, Final):
        state["finished"] = True
    if screen.on_enter:
        return [Effect(screen.on_enter, dict(state["answers"]))]
    return []


def _resolve(next_step: NextStep, state: State, ctx: Context) -> str:
    return next_step(state, ctx) if callable(next_step) else next_step


def _copy(state: State) -> State:
    copied = dict(state)
    copied["answers"] = dict(state.get("answers", {}))
    copied["history"] = list(state.get("history", []))
    copied["vars"] = dict(state.get("vars", {}))
    return copied
