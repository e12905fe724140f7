"""Canaries: numbers and a word planted through every channel must never surface where they must
not be: log records (every logger, DEBUG), Redis keys and values, RQ job payloads (queued,
started, finished, failed, scheduled, deferred), error pages, and (numbers) any database column.

The log records are read raw, before the scrubbing filter of hotline.platform.logs: the code itself must
never hand a number to a logger; the filter is only the last line of defence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from rq.job import Job
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)
from sqlalchemy import select

from hotline.models import OutboundMessage, Report
from hotline.platform.clock import FrozenClock
from hotline.platform.db import Base
from hotline.platform.runtime import Runtime
from hotline.web.app import create_app
from tests.support.builders import add_worker, advance, report
from tests.support.consolekit import login, post
from tests.support.environment import TEST_TOKEN
from tests.support.fake_at import FakeAT
from tests.support.leaks import redis_values
from tests.support.sms import sms, worker_sms
from tests.support.ussd import NOT_IN_DANGER, report_as
from tests.support.voice import voice_on

BASE = f"/webhooks/at/{TEST_TOKEN}"
CALLER = "+243815550101"  # USSD report, agreed to a call back
TEXTER = "+243995550202"  # SMS report, then a status check by SMS
WORKER = "+243825550303"  # the social worker: alert, reply, details, delivery reports
WORD = "Zebracanari"  # free text typed on the keypad and sent by SMS


def forms(number: str) -> list[str]:
    """Every way a number is written: +243..., 243..., 0..., %2B243..., and its bare 9 digits."""
    digits = number[1:]
    return [number, digits, "0" + number[4:], "%2B" + digits, "%2b" + digits, number[4:]]


NUMBERS = [*forms(CALLER), *forms(TEXTER), *forms(WORKER)]
CANARIES = [*NUMBERS, WORD, WORD.lower()]


def found_in(texts: list[str], canaries: list[str] = CANARIES) -> list[str]:
    return [
        f"{canary!r} in {text[:160]!r}"
        for text in texts
        for canary in canaries
        if canary.lower() in text.lower()
    ]


def database_texts(runtime: Runtime) -> list[str]:
    """Every value of every row of every table, as text."""
    with runtime.engine.connect() as conn:
        return [
            str(value)
            for table in Base.metadata.sorted_tables
            for row in conn.execute(table.select())
            for value in row
            if value is not None
        ]


def log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = [caplog.text]
    for record in caplog.records:
        texts.append(record.getMessage())
        texts += [str(value) for value in vars(record).values()]
    return texts


def job_payloads(runtime: Runtime) -> list[str]:
    queue = runtime.queue.queue
    ids = set(queue.job_ids)
    for registry in (
        FinishedJobRegistry,
        FailedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
        DeferredJobRegistry,
    ):
        ids |= set(registry(queue=queue).get_job_ids())
    texts = []
    for job in Job.fetch_many(sorted(ids), connection=runtime.redis):
        if job is not None:
            result = job.latest_result()
            texts += [
                job.func_name,
                repr(job.args),
                repr(job.kwargs),
                job.description or "",
                repr(job.meta),
                repr(result.return_value) if result else "",
                (result.exc_string or "") if result else "",
            ]
    return texts


def plant_canaries(client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]) -> str:
    """Every channel once; returns the USSD report's reference."""
    add_worker(runtime, "Amani", ("CD-KL",), phone=WORKER)
    report_as(
        client,
        [*NOT_IN_DANGER, f"Chez {WORD}", "99", "3", f"{WORD} enferme 3 filles", "1", "4", "4827", "1"],
        phone=CALLER,
    )
    sms(client, f"{WORD} retient une fille a Kikwit", phone=TEXTER)
    client.post(
        f"{BASE}/ussd/events",
        data={
            "sessionId": "ATUid_canary",
            "serviceCode": "*384*44135#",
            "phoneNumber": CALLER,
            "status": "Incomplete",
            "input": f"1*1*{WORD}",
            "lastAppResponse": "CON ?",
            "durationInMillis": "1000",
            "hopsCount": "3",
            "date": "2026-01-05 08:03:12",
        },
    )
    run_jobs()  # alerts to the worker, the reply to the SMS reporter
    with runtime.session() as db:
        reference = db.scalar(select(Report.reference).where(Report.channel == "ussd"))
    sms(client, f"STATUT {reference} 4827", phone=TEXTER)
    worker_sms(client, WORKER, f"1 {reference}", "ATSMS-canary-accept")
    run_jobs()  # the status answer, the acceptance and its details SMS (with the call-back number)
    with runtime.session() as db:
        sent = db.scalars(
            select(OutboundMessage).where(OutboundMessage.gateway_message_id.is_not(None))
        ).all()
        deliveries = [(m.gateway_message_id, runtime.cipher.decrypt(m.recipient_encrypted)) for m in sent]
    for message_id, phone in deliveries:
        client.post(
            f"{BASE}/sms/delivery",
            data={"id": message_id, "status": "Success", "phoneNumber": phone, "networkCode": "63002"},
        )
    run_jobs()
    return reference


def test_canary_numbers_and_words_never_reach_logs_redis_or_job_payloads(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: Callable[[], None],
    fake_at: FakeAT,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    reference = plant_canaries(client, runtime, run_jobs)
    login(client, runtime, role="supervisor")
    page = f"/console/reports/{reference}"
    revealed = post(client, page + "/reveal", {"reason": "call back about the girls"}, token_from=page)

    assert CALLER in revealed.data.decode()  # planted: the one place it is meant to be shown
    assert {sms.to for sms in fake_at.messages} == {TEXTER, WORKER}  # both went through the SDK
    payloads = job_payloads(runtime)
    assert len(payloads) >= 7 * 10 and caplog.records  # something to search, not an empty haystack
    assert found_in(log_texts(caplog)) == []
    assert found_in([value.decode("utf-8", "replace") for value in redis_values(runtime)]) == []
    assert found_in(payloads) == []
    # At rest: the numbers are only ever stored encrypted (the reporter's words are kept, by design).
    stored = database_texts(runtime)
    assert any(WORD in text for text in stored) and len(stored) > 200
    assert found_in(stored, NUMBERS) == []


@pytest.fixture
def broken_app(runtime: Runtime, clock: FrozenClock, tmp_path: Path) -> Iterator[FlaskClient]:
    """The database cannot be opened: the SMS callback answers 500 so that AT posts it again."""
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'hotline.sqlite3'}"
    broken = Runtime.build(runtime.settings.with_overrides(database_url=url), clock=clock)
    try:
        yield create_app(runtime=broken).test_client()
    finally:
        broken.close()


def test_error_pages_never_echo_a_number(
    client: FlaskClient,
    runtime: Runtime,
    broken_app: FlaskClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    login(client, runtime, role="supervisor")
    sms_form = {
        "from": CALLER,
        "to": "12345",
        "text": WORD,
        "date": "2026-01-05 08:00:00",
        "id": "7a1bd5b8-0000-4000-8000-00000000c0de",
    }
    answers = {
        "404 report": client.get(f"/console/reports/{quote(CALLER)}"),
        "404 path": client.get(f"/console/{CALLER[1:]}"),
        "404 token": client.post(f"/webhooks/at/{CALLER[1:]}/sms", data=sms_form),
        "400 shape": client.post(f"{BASE}/sms", data={**sms_form, "id": f"<{CALLER}>"}),
        "400 ussd": client.post(
            f"{BASE}/ussd", data={"sessionId": f"<{CALLER}>", "phoneNumber": CALLER, "text": WORD}
        ),
        "500 database": broken_app.post(f"{BASE}/sms", data=sms_form),
    }

    assert {name: r.status_code for name, r in answers.items()} == {
        "404 report": 404,
        "404 path": 404,
        "404 token": 404,
        "400 shape": 400,
        "400 ussd": 200,
        "500 database": 500,
    }
    assert found_in([r.get_data(as_text=True) for r in answers.values()]) == []
    assert found_in(log_texts(caplog)) == []


def test_an_escalation_phone_call_leaks_no_number_or_word(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: Callable[[], None],
    fake_at: FakeAT,
    live_server: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The voice channel (issue 15): the call job, AT's callbacks (which carry the worker's number)
    and the XML the hotline answers with; the reporter's number and words stay out of all of them."""
    caplog.set_level(logging.DEBUG)
    add_worker(runtime, "Amani", ("CD-KL",), phone=WORKER)
    with voice_on(runtime, fake_at, live_server) as voice:
        voice.script(WORKER, "press1")
        opened = report(
            runtime,
            urgent=True,
            phone=CALLER,
            contact="callback",
            safe_time="morning",
            description=f"{WORD} enferme 3 filles",
        )
        run_jobs()
        advance(clock, run_jobs, 180)  # the SMS is not answered: the phone rings
        voice.wait_for_end()
        run_jobs()

    assert [c.to for c in voice.calls] == [WORKER]  # planted: the number AT rings
    assert any(CALLER in sms.message for sms in fake_at.messages)  # the details SMS, by design
    assert opened.reference in "".join(m.message for m in fake_at.messages)
    assert found_in([x.body for x in voice.exchanges]) == []
    assert found_in(log_texts(caplog)) == []
    assert found_in([value.decode("utf-8", "replace") for value in redis_values(runtime)]) == []
    assert found_in(job_payloads(runtime)) == []
    assert found_in(database_texts(runtime), NUMBERS) == []


def test_the_android_route_leaks_no_number_or_word(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: Callable[[], None],
    fake_at: FakeAT,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The second SMS route (issue 15): AT refusing, the alert goes through the Android phone; the
    reporter writes and the worker answers by the phone's sms:received webhook; its sms:sent,
    sms:delivered and sms:failed events come back (one failure quoting an SMS centre)."""
    from hotline.gateways.android import AndroidGateway
    from hotline.gateways.router import GatewayRouter
    from tests.support.fake_android import PHONE_OFF, FakeAndroid, received_payload, status_payload

    caplog.set_level(logging.DEBUG)
    add_worker(runtime, "Amani", ("CD-KL",), phone=WORKER)
    hook = f"/webhooks/android/{TEST_TOKEN}/events"
    with FakeAndroid() as phone:
        android = AndroidGateway(phone.url, phone.username, phone.password, timeout=(1, 2))
        runtime.gateway = GatewayRouter([runtime.gateway, android])
        fake_at.fail_next(1000, "http500")

        def posted(event: str, payload: dict) -> None:
            _, data, headers = phone.request_for(event, payload)
            assert client.post(hook, data=data, headers=headers).status_code == 200

        posted("sms:received", received_payload(TEXTER, f"{WORD} retient une fille a Kikwit"))
        run_jobs()  # the report, its acknowledgement to the texter, the alert to the worker
        with runtime.session() as db:
            reference = db.scalar(select(Report.reference))
        posted("sms:received", received_payload(WORKER, f"1 {reference}"))
        run_jobs()  # the acceptance and its details SMS
        for number, sent in enumerate(phone.messages):
            event = "sms:failed" if number == 0 else "sms:delivered"
            posted(event, status_payload(event, sent.message_id, sent.to, PHONE_OFF))
        run_jobs()

    assert {sms.to for sms in phone.messages} == {TEXTER, WORKER}  # planted: both went by the phone
    assert found_in(log_texts(caplog)) == []
    assert found_in([value.decode("utf-8", "replace") for value in redis_values(runtime)]) == []
    assert found_in(job_payloads(runtime)) == []
    assert found_in(database_texts(runtime), NUMBERS) == []
