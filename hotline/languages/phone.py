"""The USSD screens as a basic phone shows them: every screen at its longest, in one language, and
the messages each is made of.

The checks of a correction (``hotline.languages.checks``) and the review screen render these
cases; ``tests/test_flows.py``'s screen-size test walks the same ones.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows import engine, reporter, ussd
from flows.engine import MENU_HINT, Final, Menu, State, TextInput, new_state
from flows.text import fold_ascii
from hotline.intake.ussd import NOT_RECEIVED, RESTARTED, UNAVAILABLE
from hotline.platform.i18n import LANGUAGES
from hotline.platform.locations import Locations

FLOW = reporter.FLOW
LIMIT = ussd.LIMIT  # characters, "CON "/"END " included
LONGEST_REFERENCE = "ABCDEFGH"  # longer than the references we hand out
# The END screens the service answers when it cannot go on (hotline.intake.ussd).
ENDINGS = {"unavailable": UNAVAILABLE, "not_received": NOT_RECEIVED}

Translate = Callable[[str, str], str]


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


class Phone:
    """The engine's Context as the service provides it, for rendering screens: the real
    locations, a given translator (the live one, or one with a proposed correction), every
    language offered, and no lookup (a check shows a report as received)."""

    def __init__(self, translate: Translate, locations: Locations) -> None:
        self._translate, self.locations = translate, locations

    def translate(self, lang: str, message: str) -> str:
        return self._translate(lang, message)

    def provinces(self) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self.locations.provinces()]

    def places(self, province: str) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self.locations.places(province)]

    def place_label(self, code: str) -> str:
        return self.locations.label(code)

    def languages(self) -> Sequence[str]:
        return LANGUAGES

    def check_report(self, reference: str, pin: str | None) -> str:
        return "received"


@dataclass(frozen=True)
class Rendered:
    screen: str  # the screen's id
    case: str  # which of its longest cases
    body: str  # as composed, before the last-resort cut: what must fit LIMIT
    hint: str | None = None  # the message shown above it, if any

    @property
    def problems(self) -> list[str]:
        found = []
        if len(self.body) > LIMIT:
            found.append(f"{len(self.body)} characters")
        if not self.body.isascii():
            found.append("not ASCII")
        if not self.body.startswith(("CON ", "END ")):
            found.append("does not start with CON/END")
        return found


def worst_cases(screen_id: str, lang: str, ctx: engine.Context) -> Iterator[tuple[str, State]]:
    """States that show this screen at its longest, with and without a way back.

    The place screen is shown for every province that has places (Kinshasa's 24 communes are the
    longest list); the confirmation with the longest category, URGENT and the longest place label;
    the last screen with a reference longer than any we hand out.
    """
    for history in ([], ["menu"]):
        base = new_state(FLOW, lang, start=screen_id)
        base["history"] = list(history)
        if screen_id == "place":
            for code, name in ctx.provinces():
                if ctx.places(code):
                    state = copy.deepcopy(base)
                    state["answers"].update(province=code, location=code)
                    yield f"{name}, {_back(history)}", state
            continue
        if screen_id == "confirm":
            codes = [code for code, _ in ctx.provinces()]
            codes += [place for code in list(codes) for place, _ in ctx.places(code)]
            longest_category = max(
                reporter.CATEGORIES, key=lambda o: len(fold_ascii(ctx.translate(lang, o.label)))
            )
            longest_place = max(codes, key=lambda c: len(fold_ascii(ctx.place_label(c))))
            base["answers"].update(category=longest_category.value, urgent="yes", location=longest_place)
        if screen_id in ("done", "done_urgent"):
            base["vars"]["reference"] = LONGEST_REFERENCE
        if screen_id == "check_result":
            for status in reporter.STATUS_LINES:
                state = copy.deepcopy(base)
                state["answers"]["check_ref"] = LONGEST_REFERENCE
                state["vars"]["status"] = status
                yield f"{status}, {_back(history)}", state
            continue
        yield _back(history), base


def _back(history: list[str]) -> str:
    return "avec « 0 Retour »" if history else "sans « 0 Retour »"


def hints_for(screen: Menu | TextInput | Final) -> list[str | None]:
    """The one-line hints a screen can show above itself."""
    if isinstance(screen, Menu):
        # A call the service forgot starts again on one of these, with a word of explanation.
        restarts = [RESTARTED] if screen.id in ("language", "menu", "resume") else []
        return [None, MENU_HINT, *restarts]
    if isinstance(screen, TextInput):  # any message of the engine, or this screen's validator's
        own = [screen.validate("x")] if screen.validate else []
        return [None, *sorted(marked_messages(Path(engine.__file__))), *own]
    return [None]


def renderings(screen_id: str, lang: str, ctx: Phone) -> Iterator[Rendered]:
    """Every way this screen can look at its longest: each case, page and hint."""
    if screen_id in ENDINGS:
        yield Rendered(screen_id, "", "END " + fold_ascii(ctx.translate(lang, ENDINGS[screen_id])))
        return
    screen = FLOW.screen(screen_id)
    for case, state in worst_cases(screen_id, lang, ctx):
        page_count = len(ussd.pages(screen, state, ctx)) if isinstance(screen, Menu) else 1
        for page in range(page_count):
            state["page"] = page
            for hint in hints_for(screen):
                label = f"{case}, page {page + 1}" + (", sous un message d'aide" if hint else "")
                yield Rendered(screen_id, label, ussd.compose(FLOW, state, ctx, hint=hint), hint)


SCREENS = (*FLOW.screens, *ENDINGS)


@lru_cache(maxsize=4)
def screens_of_messages(locations: Locations) -> dict[str, tuple[str, ...]]:
    """Message id -> the screens it is shown on (any case, page or hint), in flow order."""
    seen: dict[str, list[str]] = {}
    for screen_id in SCREENS:

        def tracing(lang: str, message: str, screen_id: str = screen_id) -> str:
            screens = seen.setdefault(message, [])
            if screen_id not in screens:
                screens.append(screen_id)
            return message

        for _ in renderings(screen_id, "en", Phone(tracing, locations)):
            pass
    return {message: tuple(screens) for message, screens in seen.items()}


def longest(screen_id: str, lang: str, ctx: Phone) -> Rendered:
    """The longest of a screen's renderings: what its character count is shown against."""
    return max(renderings(screen_id, lang, ctx), key=lambda r: len(r.body))
