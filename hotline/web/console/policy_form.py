"""An escalation policy as the console's form shows it: one row per step, each with a kind, levels
and a number, and the same steps in words; the keyword text (``notify primary`` / ``wait 10`` /
``repeat 3``) is only the import/export format.

The step kinds offered are those ``hotline.alerting.escalation.check_steps`` accepts: a kind that
takes levels (``notify``, ``call``) or a kind that takes a number (``wait`` in minutes, ``repeat``
times in all). A new kind of either shape needs only its label here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from werkzeug.datastructures import MultiDict

from flows.engine import N_
from hotline.alerting.escalation import PolicyError, Step, check_steps
from hotline.alerting.routing import ESCALATION_LEVELS
from hotline.web.console.base import translate
from hotline.web.console.people_common import LEVEL_LABELS

LEVEL_KINDS = ("notify", "call")  # steps that take levels
NUMBER_KINDS = ("wait", "repeat")  # steps that take a number
KIND_LABELS = {
    "notify": N_("Alert by SMS"),
    "call": N_("Phone call"),
    "wait": N_("Wait (minutes)"),
    "repeat": N_("Repeat the steps above (times in all)"),
}
MAX_ROWS = 40
MAX_WAIT_MINUTES = 7 * 24 * 60
MAX_REPEAT = 999
NUMBER = re.compile(r"^\d{1,5}([.,]\d{1,2})?$")
# French words an imported line may start with, as well as the keywords.
KEYWORD_ALIASES = {
    "alerter": "notify",
    "appel": "call",
    "appeler": "call",
    "attendre": "wait",
    "repeter": "repeat",
    "répéter": "repeat",
}


@dataclass
class Row:
    """One step as typed: ``kind`` empty is a blank row (ignored); ``number`` as the person typed it
    (minutes for a wait, times for a repeat)."""

    kind: str = ""
    levels: list[str] = field(default_factory=list)
    number: str = ""


@cache
def step_kinds() -> tuple[str, ...]:
    """The kinds of step the policies accept, in the order the form offers them."""
    kinds = []
    for kind in (*LEVEL_KINDS, *NUMBER_KINDS):
        probe: object = {kind: [ESCALATION_LEVELS[0]]} if kind in LEVEL_KINDS else {kind: 1}
        try:
            check_steps([probe])
        except PolicyError:
            continue
        kinds.append(kind)
    return tuple(kinds)


def rows_of(steps: list[Step]) -> list[Row]:
    rows = []
    for step in steps:
        ((kind, value),) = step.items()
        if kind in LEVEL_KINDS and isinstance(value, list):
            rows.append(Row(kind, list(value)))
        elif kind == "wait" and isinstance(value, int):
            rows.append(Row(kind, number=f"{value / 60:g}"))
        else:
            rows.append(Row(kind, number=str(value)))
    return rows


def rows_from_form(form: MultiDict[str, str], name: str) -> list[Row]:
    """The rows posted for one list (``normal`` or ``urgent``): ``<name>-<i>-kind``, ``-levels``
    (several), ``-number``."""
    rows = []
    for index in range(MAX_ROWS):
        prefix = f"{name}-{index}-"
        if prefix + "kind" not in form:
            continue
        kind = form.get(prefix + "kind", "")
        rows.append(
            Row(
                kind if kind in step_kinds() else "",
                [level for level in ESCALATION_LEVELS if level in form.getlist(prefix + "levels")],
                form.get(prefix + "number", "").strip()[:10],
            )
        )
    return rows


def steps_of(rows: list[Row]) -> tuple[list[Step], list[str]]:
    """The steps the rows describe, and the problems found (each naming its step, in words)."""
    steps: list[Step] = []
    errors: list[str] = []
    for row in rows:
        if not row.kind:
            continue
        step, problem = _checked(row)
        if step is None:
            number = len(steps) + len(errors) + 1
            errors.append(translate(N_("step {number}: {problem}"), number=number, problem=problem))
        else:
            steps.append(step)
    return steps, errors + _alerts_nobody(steps, errors)


def _checked(row: Row) -> tuple[Step | None, str]:
    """The row as a step checked by ``check_steps``, or why it is not one."""
    candidate: object
    if row.kind in LEVEL_KINDS:
        if not row.levels:
            return None, translate(N_("choose at least one level"))
        if unknown := [level for level in row.levels if level not in ESCALATION_LEVELS]:
            return None, translate(
                N_("unknown level {level}: use {levels}"),
                level=", ".join(unknown),
                levels=", ".join(ESCALATION_LEVELS),
            )
        candidate = {row.kind: row.levels}
    elif row.kind == "wait":
        text = row.number.replace(",", ".")
        if not NUMBER.match(row.number) or not 0 < float(text) <= MAX_WAIT_MINUTES:
            return None, translate(N_("a wait is a number of minutes, e.g. 10 or 1.5"))
        candidate = {"wait": max(1, round(float(text) * 60))}
    elif not row.number.isdigit() or not 1 <= int(row.number) <= MAX_REPEAT:
        return None, translate(N_("a repeat is a whole number of times, 1 to {most}"), most=MAX_REPEAT)
    else:
        candidate = {row.kind: int(row.number)}
    try:
        return check_steps([candidate])[0], ""
    except PolicyError as error:  # the authority on steps; its words are English
        return None, str(error).removeprefix("step 1: ")


def _alerts_nobody(steps: list[Step], errors: list[str]) -> list[str]:
    if errors or any(set(step) & set(LEVEL_KINDS) for step in steps):
        return []
    return [translate(N_("a policy notifies at least one level"))]


def describe(steps: list[Step]) -> list[str]:
    """The steps in the console's language, one sentence each."""
    lines = []
    for step in steps:
        ((kind, value),) = step.items()
        if isinstance(value, list):
            levels = ", ".join(translate(LEVEL_LABELS.get(str(level), str(level))) for level in value)
            lines.append(
                translate(N_("{kind}: {levels}"), kind=translate(KIND_LABELS.get(kind, kind)), levels=levels)
            )
        elif kind == "wait" and isinstance(value, int):
            lines.append(translate(N_("Wait {minutes} min for an acceptance"), minutes=f"{value / 60:g}"))
        else:
            lines.append(translate(N_("Repeat the steps above ({times} times in all)"), times=value))
    return lines


def form_context(rows: Mapping[str, list[Row]]) -> dict[str, object]:
    """What the step rows' template needs."""
    return {
        "rows": rows,
        "kind_labels": KIND_LABELS,
        "level_kinds": LEVEL_KINDS,
        "levels": ESCALATION_LEVELS,
    }


def format_steps(steps: list[Step]) -> str:
    """The export: one keyword line per step (``notify primary, backup``, ``wait 10``, ``repeat 3``)."""
    lines = []
    for step in steps:
        ((kind, value),) = step.items()
        if isinstance(value, list):
            lines.append(f"{kind} " + ", ".join(value))
        elif kind == "wait" and isinstance(value, int):
            lines.append(f"wait {value / 60:g}")
        else:
            lines.append(f"{kind} {value}")
    return "\n".join(lines)


def parse_steps(text: str) -> tuple[list[Step], list[str]]:
    """The import: the steps the keyword lines describe, and the problems found (each naming its line)."""
    steps: list[Step] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines()[:MAX_ROWS], 1):
        kind, _, rest = line.strip().lower().partition(" ")
        kind = KEYWORD_ALIASES.get(kind, kind)
        if not kind:
            continue
        if kind not in step_kinds():
            problem = translate(N_("start the line with {kinds}"), kinds=", ".join(step_kinds()))
            step = None
        else:
            levels = [level for level in re.split(r"[,\s]+", rest.strip()) if level]
            row = Row(kind, levels) if kind in LEVEL_KINDS else Row(kind, number=rest.strip())
            step, problem = _checked(row)
        if step is None:
            errors.append(translate(N_("line {number}: {problem}"), number=number, problem=problem))
        else:
            steps.append(step)
    return steps, errors + _alerts_nobody(steps, errors)
