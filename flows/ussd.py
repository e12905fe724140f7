"""USSD on top of the engine: the new input of a hop, pagination and 160-character screens."""

from __future__ import annotations

from collections.abc import Callable
from string import Formatter
from typing import Any

from flows.engine import (
    BACK,
    MENU_HINT,
    MORE,
    N_,
    SKIP,
    Context,
    Final,
    Flow,
    Menu,
    State,
    Step,
    TextInput,
    options_of,
)
from flows.engine import step as engine_step
from flows.text import fold_ascii

LIMIT = 160  # characters, INCLUDING the "CON "/"END " prefix: the smallest screen known to work
PREFIX_LEN = 4
MORE_LABEL, BACK_LABEL, SKIP_LABEL = N_("More"), N_("Back"), N_("Skip")


def new_input(previous_text: str | None, text: str) -> str | None:
    """The input typed on this hop, from AT's cumulative ``text`` (inputs joined by ``*``).

    Taking what follows the previous text keeps a ``*`` typed inside free text whole. Returns None
    when ``text`` does not continue the previous one (the host then restarts politely).
    """
    if previous_text is None:
        return text if text == "" else None
    if previous_text == "":
        return text
    if text.startswith(previous_text + "*"):
        return text[len(previous_text) + 1 :]
    return None


def step(flow: Flow, state: State, text: str, ctx: Context) -> Step:
    return engine_step(flow, state, text, ctx, pages=lambda screen, st: pages(screen, st, ctx))


def render(flow: Flow, state: State, ctx: Context, hint: str | None = None) -> str:
    """The full reply body: ``CON ...`` or ``END ...``, folded to ASCII, at most LIMIT characters."""
    return _fit(compose(flow, state, ctx, hint))


def compose(flow: Flow, state: State, ctx: Context, hint: str | None = None) -> str:
    """The screen as ``render`` shows it, before the last-resort cut: what the checks measure."""
    screen = flow.screen(state["screen"])
    tr = _translator(ctx, state)
    prompt = _prompt(screen, state, ctx, tr)
    if isinstance(screen, Final):
        return "END " + fold_ascii(prompt)
    lines: list[str]
    if isinstance(screen, Menu):
        lines = [fold_ascii(tr(hint) if hint else prompt)]
        page_list = pages(screen, state, ctx)
        page = min(state["page"], len(page_list) - 1)
        options = options_of(screen, state, ctx)
        lines += [f"{i + 1} {_label(options[i], tr)}" for i in page_list[page]]
        lines += _nav(tr, more=page + 1 < len(page_list), back=page > 0 or bool(state["history"]))
    else:
        lines = ([fold_ascii(tr(hint))] if hint else []) + [fold_ascii(prompt)]
        nav = [f"{SKIP} {fold_ascii(tr(SKIP_LABEL))}"] if screen.optional else []
        lines += nav + _nav(tr, more=False, back=bool(state["history"]))
    return "CON " + "\n".join(lines)


def pages(screen: Menu, state: State, ctx: Context) -> list[list[int]]:
    """Split a menu's options into pages that fit, at most ``per_page`` options each."""
    tr = _translator(ctx, state)
    head = max(len(fold_ascii(_prompt(screen, state, ctx, tr))), len(fold_ascii(tr(MENU_HINT))))
    options = options_of(screen, state, ctx)
    shown = [i for i, opt in enumerate(options) if opt.shown]
    lines = {i: f"{i + 1} {_label(options[i], tr)}" for i in shown}
    more_line = len(f"{MORE} {fold_ascii(tr(MORE_LABEL))}") + 1
    back_line = len(f"{BACK} {fold_ascii(tr(BACK_LABEL))}") + 1
    result: list[list[int]] = []
    n = 0  # the next of the shown options
    while n < len(shown):
        # "0 Back" shows on every page but the first page of a screen with nothing before it.
        used = PREFIX_LEN + head + (back_line if result or state["history"] else 0)
        current: list[int] = []
        while n < len(shown) and len(current) < screen.per_page:
            need = len(lines[shown[n]]) + 1
            last = n == len(shown) - 1
            if used + need + (0 if last else more_line) > LIMIT and current:
                break
            current.append(shown[n])
            used += need
            n += 1
        result.append(current)
    return result or [[]]


def _nav(tr: Callable[[str], str], *, more: bool, back: bool) -> list[str]:
    nav = [f"{MORE} {fold_ascii(tr(MORE_LABEL))}"] if more else []
    return nav + ([f"{BACK} {fold_ascii(tr(BACK_LABEL))}"] if back else [])


def _translator(ctx: Context, state: State) -> Callable[[str], str]:
    lang = state.get("lang", "fr")
    return lambda message: ctx.translate(lang, message)


def _label(option: Any, tr: Callable[[str], str]) -> str:
    return fold_ascii(option.label if option.literal else tr(option.label))


def _prompt(screen: Menu | TextInput | Final, state: State, ctx: Context, tr: Callable[[str], str]) -> str:
    values = dict(state.get("vars", {}))
    if screen.values:
        values.update(screen.values(state, ctx))
    return fill(tr(screen.prompt), values)


def fill(template: str, values: dict[str, Any]) -> str:
    """``str.format`` that leaves unknown placeholders empty instead of raising."""
    names = {name for _, name, _, _ in Formatter().parse(template) if name}
    return template.format(**{name: values.get(name, "") for name in names})


def _fit(text: str) -> str:
    # The screen-length test keeps every real screen under the limit; this is the last guard so
    # a phone never sees a gateway error instead of our words.
    return text if len(text) <= LIMIT else text[: LIMIT - 3] + "..."
