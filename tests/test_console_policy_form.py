"""The escalation policy edited with a form, in French: one row per step (a kind, levels, a number),
rows added, moved up and removed without script, checked as check_steps checks a policy file; the
keyword text only as import/export."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from hotline.models import AuditEntry, EscalationPolicy
from hotline.web.console.policy_form import step_kinds
from tests.support.consolekit import login, post

PATH = "/console/people/policies/CD-KL"


def form(**lists: list[tuple[str, list[str], str]]) -> dict[str, object]:
    """The posted rows: ``normal=[(kind, levels, number), ...]``."""
    data: dict[str, object] = {}
    for name, rows in lists.items():
        for index, (kind, levels, number) in enumerate(rows):
            data[f"{name}-{index}-kind"] = kind
            data[f"{name}-{index}-levels"] = levels
            data[f"{name}-{index}-number"] = number
    return data


def stored(runtime) -> EscalationPolicy | None:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return db.scalar(select(EscalationPolicy).where(EscalationPolicy.area_code == "CD-KL"))


def selected_kinds(page: str, name: str) -> list[str]:
    """The kind chosen in each row of one list, in order ("" for a blank row)."""
    kinds = []
    for options in re.findall(rf'<select name="{name}-\d+-kind">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="(\w*)" selected>', options)
        kinds.append(chosen.group(1) if chosen else "")
    return kinds


def test_the_policy_page_shows_the_steps_as_a_french_form(client, runtime):
    login(client, runtime, "supervisor", ("CD-KL",))

    page = html.unescape(client.get(PATH).get_data(as_text=True))

    assert selected_kinds(page, "normal")[:3] == ["notify", "wait", "notify"]
    assert "Alerter par SMS : Principal" in page  # the policy in words
    assert "Attendre 10 min une acceptation" in page
    assert "Recommencer les étapes au-dessus (3 fois au total)" in page
    assert '<option value="notify" selected>Alerter par SMS</option>' in page
    assert 'name="normal-0-levels" value="primary" checked> Principal' in page
    assert 'name="normal-1-number" value="10"' in page
    assert "notify primary\nwait 10\nnotify backup" in page  # the export, to copy


def test_a_supervisor_saves_steps_from_the_rows_with_the_alarm_times(client, runtime):
    user_id = login(client, runtime, "supervisor", ("CD-KL",))

    response = post(
        client,
        PATH,
        {
            "action": "save",
            **form(
                normal=[
                    ("notify", ["primary"], ""),
                    ("wait", [], "5"),
                    ("notify", ["backup", "supervisor"], ""),
                    ("", [], ""),  # a blank row is ignored
                    ("repeat", [], "2"),
                ],
                urgent=[
                    ("notify", ["primary", "backup"], ""),
                    ("wait", [], "1,5"),
                    ("notify", ["national"], ""),
                ],
            ),
            "alarm_normal": "45",
            "alarm_urgent": "",
        },
        PATH,
    )

    assert response.status_code == 302
    policy = stored(runtime)
    assert policy is not None
    assert policy.steps == [
        {"notify": ["primary"]},
        {"wait": 300},
        {"notify": ["backup", "supervisor"]},
        {"repeat": 2},
    ]
    assert policy.urgent_steps == [{"notify": ["primary", "backup"]}, {"wait": 90}, {"notify": ["national"]}]
    assert (policy.alarm_minutes, policy.urgent_alarm_minutes) == (45, None)
    with runtime.session() as db:
        [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "policy_saved"))
    assert (entry.user_id, entry.target_id, entry.detail["imported"]) == (user_id, "CD-KL", False)
    assert entry.detail["steps"] == policy.steps


def test_bad_rows_are_refused_in_french_and_shown_again_unsaved(client, runtime):
    login(client, runtime, "supervisor", ("CD-KL",))

    response = post(
        client,
        PATH,
        {
            "action": "save",
            **form(
                normal=[("notify", [], ""), ("wait", [], "bientôt"), ("repeat", [], "0")],
                urgent=[("wait", [], "3")],
            ),
        },
        PATH,
    )

    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Signalements normaux, étape 1 : cochez au moins un niveau" in page
    assert "Signalements normaux, étape 2 : une attente est un nombre de minutes" in page
    assert "Signalements normaux, étape 3 : une répétition est un nombre entier de fois, de 1 à 999" in page
    assert "Signalements urgents, une procédure doit alerter au moins un niveau" in page
    assert 'name="normal-1-number" value="bientôt"' in page  # what was typed stays
    assert stored(runtime) is None


def test_rows_are_added_moved_up_and_removed_without_saving(client, runtime):
    login(client, runtime, "supervisor", ("CD-KL",))
    rows = form(
        normal=[("notify", ["primary"], ""), ("wait", [], "5"), ("notify", ["backup"], "")],
        urgent=[("notify", ["primary"], "")],
    )

    added = html.unescape(post(client, PATH, {**rows, "action": "add:normal"}, PATH).get_data(as_text=True))
    moved = html.unescape(post(client, PATH, {**rows, "action": "up:normal:2"}, PATH).get_data(as_text=True))
    removed = html.unescape(
        post(client, PATH, {**rows, "action": "remove:normal:1"}, PATH).get_data(as_text=True)
    )

    assert selected_kinds(added, "normal") == ["notify", "wait", "notify", ""]
    assert selected_kinds(moved, "normal") == ["notify", "notify", "wait"]
    assert 'name="normal-1-levels" value="backup" checked' in moved
    assert selected_kinds(removed, "normal") == ["notify", "notify"]
    assert selected_kinds(removed, "urgent") == ["notify"]
    assert stored(runtime) is None
    assert post(client, PATH, {**rows, "action": "up:normal:9"}, PATH).status_code == 400


def test_the_keyword_text_imports_french_words_too(client, runtime):
    login(client, runtime, "supervisor", ("CD-KL",))

    response = post(
        client,
        PATH,
        {"action": "import", "normal": "Alerter primary\nattendre 2\nrépéter 2", "urgent": "notify national"},
        PATH,
    )

    assert response.status_code == 302
    policy = stored(runtime)
    assert policy is not None
    assert policy.steps == [{"notify": ["primary"]}, {"wait": 120}, {"repeat": 2}]
    assert policy.urgent_steps == [{"notify": ["national"]}]


@pytest.mark.skipif("call" not in step_kinds(), reason="check_steps has no call step in this tree")
def test_a_phone_call_step_is_a_row_like_the_others(client, runtime):
    login(client, runtime, "supervisor", ("CD-KL",))
    page = html.unescape(client.get(PATH).get_data(as_text=True))
    assert '<option value="call">Appeler (téléphone)</option>' in page

    post(
        client,
        PATH,
        {"action": "save", **form(normal=[("notify", ["primary"], "")], urgent=[("call", ["primary"], "")])},
        PATH,
    )

    policy = stored(runtime)
    assert policy is not None and policy.urgent_steps == [{"call": ["primary"]}]
    assert "Appeler (téléphone) : Principal" in html.unescape(client.get(PATH).get_data(as_text=True))
