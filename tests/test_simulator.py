"""The training simulator: a trainer runs a report end to end on two emulated phones.

Everything goes through the console's JSON endpoints as the page's script calls them, the real
USSD service, the real inbound SMS path and the real outbox; the runtime's gateway is the real
Africa's Talking adapter pointed at a fake AT, which must never hear of a training report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hotline.alerting import training
from hotline.alerting.routing import recipients
from hotline.models import OutboundMessage, Report, WorkerArea
from hotline.platform.runtime import Runtime
from hotline.sms.messages import body_of
from tests.support.builders import KIKWIT, Worker, add_roster, add_worker, load, report
from tests.support.consolekit import csrf_token, login
from tests.support.ussd import FRENCH_REPORT

RunJobs = Callable[[], None]
PAGE = "/console/simulator"


@pytest.fixture
def kikwit_worker(runtime: Runtime) -> Worker:
    """A real social worker covering Kikwit, where the training reports are made."""
    return add_worker(runtime, "Amani", ("CD-KL",))


@pytest.fixture
def token(client: FlaskClient, runtime: Runtime) -> str:
    login(client, runtime, role="viewer")
    return csrf_token(client, PAGE)


def call(client: FlaskClient, token: str, endpoint: str, **data: Any) -> dict[str, Any]:
    response = client.post(f"{PAGE}/{endpoint}", json={"pair": 0, **data}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.data
    return response.get_json()


def dial_and_report(client: FlaskClient, token: str, keys: list[str]) -> str:
    """Dial the service on the reporter phone, press the keys; the last screen shown."""
    ussd = call(client, token, "ussd", action="send", input="")["ussd"]
    for key in keys:
        assert not ussd["end"], ussd["screen"]
        ussd = call(
            client, token, "ussd", action="send", session=ussd["session"], text=ussd["text"], input=key
        )["ussd"]
    assert ussd["end"], ussd["screen"]
    return ussd["screen"]


def phones(client: FlaskClient) -> dict[str, Any]:
    response = client.get(f"{PAGE}/phones?pair=0")
    assert response.status_code == 200
    return response.get_json()


def only_report(runtime: Runtime, training_only: bool = True) -> Report:
    with runtime.session() as session:
        [found] = session.scalars(select(Report).where(Report.training.is_(training_only)))
        return found


def all_messages(runtime: Runtime) -> list[OutboundMessage]:
    with runtime.session() as session:
        return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def test_a_ussd_report_on_the_simulator_alerts_only_the_training_worker_and_never_the_gateway(
    client, runtime, token, fake_at, kikwit_worker, run_jobs
):
    final = dial_and_report(client, token, FRENCH_REPORT)
    made = only_report(runtime)
    assert made.reference in final and made.training and made.status == "alerted"
    run_jobs()

    [alert] = all_messages(runtime)
    assert alert.training and alert.purpose == "alert"
    assert alert.recipient_hash == runtime.cipher.lookup_hash(training.WORKER_PHONES[0])
    assert (alert.status, alert.gateway) == ("delivered", "outbox")
    assert fake_at.messages == [] and fake_at.requests == []
    shown = phones(client)
    assert [m["body"] for m in shown["worker"]] == [alert.body]
    assert made.reference in alert.body
    assert shown["reports"][0]["reference"] == made.reference


def test_accepting_on_the_worker_phone_accepts_the_report_and_the_details_appear_there(
    client, runtime, token, fake_at, kikwit_worker, run_jobs
):
    dial_and_report(client, token, FRENCH_REPORT)
    run_jobs()
    made = only_report(runtime)

    shown = call(client, token, "worker", text=f"1 {made.reference}")
    run_jobs()

    accepted = load(runtime, made.id)
    assert accepted.status == "accepted" and accepted.accepted_at is not None
    received = phones(client)["worker"]
    assert [m["purpose"] for m in received] == ["alert", "reply", "details"]
    assert all(made.reference in m["body"] for m in received)
    assert all(m.training and m.gateway == "outbox" for m in all_messages(runtime))
    assert fake_at.messages == []
    assert shown["ok"] is True


def test_a_real_report_at_the_same_time_alerts_the_real_worker_and_not_the_training_worker(
    client, runtime, token, fake_at, kikwit_worker, run_jobs
):
    dial_and_report(client, token, FRENCH_REPORT)
    real = report(runtime, urgent=True, location=KIKWIT)
    run_jobs()

    assert not load(runtime, real.id).training
    assert [m.to for m in fake_at.messages] == [kikwit_worker.phone]
    assert real.reference in fake_at.messages[0].message
    assert [m["body"] for m in phones(client)["worker"]] == [
        body_of(runtime, m) for m in all_messages(runtime) if m.training
    ]
    assert real.reference not in " ".join(m["body"] for m in phones(client)["worker"])


def test_routing_never_picks_a_training_worker_for_a_real_report(runtime, kikwit_worker):
    now = runtime.clock.now()
    with runtime.session() as session:
        trainee = training.worker(session, runtime, 0)
        trainee.areas = [WorkerArea(location_code="CD-KL")]  # as if someone gave it an area
        session.commit()
        trainee_id = trainee.id
        by_area = recipients(session, runtime.locations, KIKWIT, "primary", now)
    assert [w.id for w in by_area] == [kikwit_worker.id]

    add_roster(runtime, "CD-KL", {"primary": [Worker(trainee_id, "Trainee", ""), kikwit_worker]})
    with runtime.session() as session:
        on_roster = recipients(session, runtime.locations, KIKWIT, "primary", now)
    assert trainee_id not in [w.id for w in on_roster]


def test_an_sms_report_from_the_simulator_is_training_and_its_answer_stays_local(
    client, runtime, token, fake_at, kikwit_worker, run_jobs
):
    shown = call(client, token, "sms", text="Au secours, des enfants enfermes a Kikwit")
    run_jobs()

    made = only_report(runtime)
    assert made.channel == "sms" and made.training
    received = [m["body"] for m in phones(client)["reporter"]]
    assert len(received) == 1 and made.reference in received[0]
    assert all(m.training and m.gateway == "outbox" for m in all_messages(runtime))
    assert fake_at.messages == []
    assert shown["reports"][0]["reference"] == made.reference


def test_training_reports_are_left_out_of_the_inbox(client, runtime, token, run_jobs):
    dial_and_report(client, token, FRENCH_REPORT)
    real = report(runtime, location=KIKWIT)
    made = only_report(runtime)

    inbox = client.get("/console/").get_data(as_text=True)
    assert real.reference in inbox
    assert made.reference not in inbox


def test_the_endpoints_refuse_a_post_without_a_csrf_token(client, runtime, token):
    for action in ("ussd", "sms", "worker"):
        response = client.post(f"{PAGE}/{action}", json={"pair": 0, "text": "1 ABC"})
        assert response.status_code == 400, action
    with runtime.session() as session:
        assert session.scalars(select(Report)).all() == []


def test_a_logged_out_trainer_is_sent_to_the_login_page(client):
    token = csrf_token(client)  # a session's token, but nobody logged in
    for response in (
        client.get(PAGE),
        client.get(f"{PAGE}/phones"),
        client.post(f"{PAGE}/ussd", json={"action": "send"}, headers={"X-CSRFToken": token}),
        client.post(f"{PAGE}/worker", json={"text": "1 ABC"}, headers={"X-CSRFToken": token}),
    ):
        assert response.status_code == 302
        assert "/console/login" in response.headers["Location"]


def test_the_page_offers_both_phones_without_inline_script_or_style(client, token):
    response = client.get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "+243 89 000 0001" in page and "+243 89 000 0901" in page
    assert 'href="/console/simulator"' in page  # the menu entry
    assert "<script>" not in page and " style=" not in page and "onclick" not in page
    assert len(response.data) < 150_000


def test_the_keypad_works_without_script(client, runtime, token):
    """The no-script fallback: plain form posts, one page per key."""

    def press(action: str, **fields: str) -> str:
        response = client.post(
            f"{PAGE}/ussd", data={"csrf_token": token, "pair": "0", "action": action, **fields}
        )
        assert response.status_code == 200
        return response.get_data(as_text=True)

    page = press("send", input="")
    assert "TRAIN-" in page  # a call is open
    session_id = page.split('name="session" value="')[1].split('"')[0]
    page = press("1", session=session_id, text="", input="")
    assert 'name="input" value="1"' in page  # the key went to the line, not to the service
    page = press("send", session=session_id, text="", input="1")
    assert f'name="session" value="{session_id}"' in page and 'name="text" value="1"' in page
