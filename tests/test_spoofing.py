"""Spoofing: a worker's command sent from a number that is not a registered worker learns nothing.

A real reference and a made-up one get the same answer (the neutral acknowledgement any SMS to
the shortcode gets), so the answers cannot be used to find out which references exist; the case
is not accepted and no SMS carries its details. (Replays: tests/test_webhooks.py,
tests/test_worker_replies.py::test_an_sms_that_at_posts_twice_is_acted_on_once.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from hotline.platform.references import ALPHABET
from hotline.platform.runtime import Runtime
from tests.support.builders import alerts, kwilu_team, load, report, texts_to
from tests.support.sms import worker_texts as sms

REFERENCE = re.compile(rf"\b[{ALPHABET}]{{6}}\b")


@pytest.mark.parametrize("command", ["1 {ref}", "INFO {ref}", "OK {ref}", "FIN {ref} fini", "2 {ref}"])
def test_a_command_from_an_unregistered_number_gets_the_same_answer_for_a_real_and_a_made_up_reference(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: Callable[[], None],
    command: str,
) -> None:
    team = kwilu_team(runtime)
    case = report(
        runtime, urgent=True, phone="+243810000001", contact="callback", description="Ma voisine est enfermee"
    )
    run_jobs()
    alerted = len(alerts(runtime, case.id))
    made_up = "ZZZZZZ" if case.reference != "ZZZZZZ" else "YYYYYY"

    sms(client, run_jobs, "+243990000071", command.format(ref=case.reference))
    sms(client, run_jobs, "+243990000072", command.format(ref=made_up))

    real_answers = texts_to(runtime, "+243990000071")
    fake_answers = texts_to(runtime, "+243990000072")
    assert real_answers and [REFERENCE.sub("REF", t) for t in real_answers] == [
        REFERENCE.sub("REF", t) for t in fake_answers
    ]
    assert not any(case.reference in t or "Kikwit" in t or "enfermee" in t for t in real_answers)
    assert load(runtime, case.id).accepted_at is None
    assert load(runtime, case.id).status in ("new", "alerted")
    assert len(alerts(runtime, case.id)) == alerted  # no decline moved the escalation on
    assert texts_to(runtime, team.primary.phone, "details") == []
