"""An audit entry's detail written for people: each field by its label (``audit_labels``), each value
in words: a worker by name, a status or a level by its label, a date as people here write it, a
moment in the page's zone (named), an escalation policy's steps as French words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from flows.engine import N_
from hotline.web.console.access import USER_ROLE_LABELS
from hotline.web.console.audit_labels import FIELD_LABELS
from hotline.web.console.people_common import LEVEL_LABELS, WORKER_ROLE_LABELS
from hotline.web.console.report_timeline import PARTNER_LABELS, STATUS_LABELS, category_label

Translate = Callable[[str], str]

VALUE_LABELS = {
    "role": N_("the user's role does not allow it"),
    "too many failures": N_("too many failed attempts"),
    "urgent": N_("Urgent"),
    "normal": N_("Not urgent"),
}
WORKER_FIELDS = ("worker_id", "previous_worker_id", "replaces_id")
ASSIGNEE_FIELDS = ("assignee", "previous")  # "worker:3", "user:2", "team:1" (casework.assignment)
ASSIGNEE_KINDS = {"user": N_("Console user"), "team": N_("Team (audit log)")}
STEP_WORDS = {
    "notify": N_("alert {levels}"),
    "call": N_("call {levels}"),
    "wait": N_("wait {minutes} min"),
    "repeat": N_("repeat {times} times"),
}


def detail_lines(
    detail: Mapping[str, Any] | None,
    tr: Translate,
    workers: Mapping[int, str],
    place: Callable[[str], str],
    when: Callable[[datetime], str],
) -> list[tuple[str, str]]:
    """An entry's detail as (label, text) pairs in the console's language; the template escapes
    both. ``workers`` names the social workers it mentions, ``place`` labels location codes,
    ``when`` writes a moment (with its zone named)."""
    shown = Shown(tr, workers, place, when)
    return sorted((_field(key, tr), shown.value(key, value)) for key, value in (detail or {}).items())


class Shown:
    """How one page writes a detail's values."""

    def __init__(
        self,
        tr: Translate,
        workers: Mapping[int, str],
        place: Callable[[str], str],
        when: Callable[[datetime], str],
    ) -> None:
        self.tr, self.workers, self.place, self.when = tr, workers, place, when

    def value(self, key: str, value: Any) -> str:
        return _value(key, value, self)


def mentioned_workers(details: list[Mapping[str, Any] | None]) -> set[int]:
    found = set()
    for detail in details:
        for key, value in (detail or {}).items():
            if key in WORKER_FIELDS and isinstance(value, int):
                found.add(value)
            elif key in ASSIGNEE_FIELDS and isinstance(value, str) and value.startswith("worker:"):
                found.update(int(raw) for raw in [value[7:]] if raw.isdigit())
    return found


def _field(key: str, tr: Translate) -> str:
    return tr(FIELD_LABELS[key]) if key in FIELD_LABELS else key


def _value(key: str, value: Any, shown: Shown) -> str:
    tr, workers, place = shown.tr, shown.workers, shown.place
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool) or key in ("training", "unaccepted", "unanswered"):
        return tr(N_("Yes")) if value in (True, "1") else tr(N_("No"))
    if key in WORKER_FIELDS and isinstance(value, int):
        return workers.get(value, f"#{value}")
    if key in ASSIGNEE_FIELDS and isinstance(value, str) and ":" in value:
        kind, _, raw = value.partition(":")
        if kind == "worker" and raw.isdigit():
            return workers.get(int(raw), f"#{raw}")
        return f"{tr(ASSIGNEE_KINDS[kind])} #{raw}" if kind in ASSIGNEE_KINDS else value
    if key == "actor" and isinstance(value, str) and value.startswith("api:"):
        return f"API #{value[4:]}"
    if key == "category" and isinstance(value, str):
        return tr(category_label(value))
    labels = _labels_for(key)
    if labels is not None and isinstance(value, str):
        return tr(labels[value]) if value in labels else value
    if key in ("area", "areas") and isinstance(value, (str, list)):
        return ", ".join(_place(code, place) for code in ([value] if isinstance(value, str) else value))
    if key == "changed" and isinstance(value, list):
        return ", ".join(_field(str(name), tr) for name in value)
    if key in ("steps", "urgent_steps") and isinstance(value, list):
        return " ; ".join(_step(step, tr) for step in value) if value else "—"
    if key == "rotations" and isinstance(value, list):
        return ", ".join(_rotation(rotation, tr) for rotation in value)
    if key in ("starts_at", "ends_at", "since", "until", "follow_up_on") and isinstance(value, str):
        return _moment(value, shown.when)
    if key in ("why", "reason") and isinstance(value, str):
        return tr(VALUE_LABELS.get(value, value))
    if isinstance(value, dict):
        return ", ".join(
            tr(N_("{label}: {value}")).format(label=_field(k, tr), value=_value(k, v, shown))
            for k, v in value.items()
        )
    if isinstance(value, list):
        return ", ".join(
            str(item) if not isinstance(item, (dict, list)) else json.dumps(item) for item in value
        )
    return str(value)


def _labels_for(key: str) -> Mapping[str, str] | None:
    return {
        "to": STATUS_LABELS,
        "status": STATUS_LABELS,
        "partner": PARTNER_LABELS,
        "level": LEVEL_LABELS,
        "role": {**WORKER_ROLE_LABELS, **USER_ROLE_LABELS},
        "urgency": VALUE_LABELS,
    }.get(key)


def _place(code: str, place: Callable[[str], str]) -> str:
    try:
        return place(code)
    except (KeyError, ValueError):
        return code


def _step(step: object, tr: Translate) -> str:
    if not isinstance(step, dict) or len(step) != 1:
        return json.dumps(step)
    ((kind, value),) = step.items()
    if kind in ("notify", "call") and isinstance(value, list):
        levels = ", ".join(tr(LEVEL_LABELS[v]) if v in LEVEL_LABELS else str(v) for v in value)
        return tr(STEP_WORDS[kind]).format(levels=levels)
    if kind == "wait" and isinstance(value, (int, float)):
        return tr(STEP_WORDS["wait"]).format(minutes=f"{value / 60:g}")
    if kind == "repeat":
        return tr(STEP_WORDS["repeat"]).format(times=value)
    return json.dumps(step)


def _rotation(rotation: object, tr: Translate) -> str:
    if not isinstance(rotation, dict):
        return json.dumps(rotation)
    level = str(rotation.get("level", ""))
    members = rotation.get("members") or []
    label = tr(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level
    return tr(N_("{level}: {count} in turn")).format(level=label, count=len(members))


def _moment(text: str, when: Callable[[datetime], str]) -> str:
    """An ISO date, or a date and time (in the page's zone, named), as people here write them."""
    try:
        if "T" in text:
            moment = datetime.fromisoformat(text)
            return when(moment) if moment.tzinfo else moment.strftime("%d/%m/%Y %H:%M")
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text
