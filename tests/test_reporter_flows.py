"""The reporter's USSD conversations end to end through the webhook: what a caller sees and what is kept.

Each test dials as Africa's Talking relays a phone (docs/africastalking.md section 1: ``text`` is every
input of the session joined by ``*``) and checks what a reporter would notice: the screens, the
report that reaches the social workers, and that an anonymous caller's number is kept nowhere.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

import pytest
from flask.testing import FlaskClient
from rq.job import Job
from sqlalchemy import MetaData, func, select, update

from hotline.intake.reports import pin_hash
from hotline.models import (
    OutboundMessage,
    Report,
    ReporterContact,
    ReportEvent,
    UssdSessionEvent,
)
from hotline.platform.clock import FrozenClock
from hotline.platform.crypto import PiiError
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings
from hotline.web.app import create_app
from tests.support.builders import add_worker
from tests.support.environment import TEST_TOKEN
from tests.support.languages import pilot_every_language
from tests.support.leaks import redis_values
from tests.support.sms import worker_sms
from tests.support.ussd import IN_DANGER, NOT_IN_DANGER, SERVICE_CODE, Call, check, report_as

BASE = f"/webhooks/at/{TEST_TOKEN}"
PHONE = "+243810000001"
OTHER_PHONE = "+243970000004"

OPTIONAL = ("place_detail", "people", "children", "description", "pin")


def all_of(runtime: Runtime, model: type) -> list[Any]:
    with runtime.session() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def how_many(runtime: Runtime, model: type) -> int:
    with runtime.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def the_report(runtime: Runtime) -> Report:
    [report] = all_of(runtime, Report)
    return report


def contact_of(runtime: Runtime, report: Report) -> ReporterContact | None:
    with runtime.session() as session:
        return session.scalar(select(ReporterContact).where(ReporterContact.report_id == report.id))


@pytest.fixture
def kwilu_worker(runtime: Runtime) -> str:
    """A social worker covering Kwilu (no roster: every worker of the area is alerted)."""
    return add_worker(runtime, "Amani", ("CD-KL",), phone="+243820000002").phone


def reference_in(runtime: Runtime, body: str) -> str:
    reference = the_report(runtime).reference
    assert reference in body
    return reference


# --- the two paths of a report -----------------------------------------------------------------


def test_in_danger_the_report_skips_the_optional_questions_and_ends_naming_129_and_122(
    client: FlaskClient, runtime: Runtime
) -> None:
    call = Call(client)
    call.dial()
    end = call.press("1", "1", *IN_DANGER, "1", "3", "1")  # call me back, in the evening, send

    assert call.screens == [
        "language",
        "menu",
        "category",
        "danger",
        "province",
        "place",
        "contact",
        "safe_time",
        "confirm",
        "done_urgent",
    ]
    assert not set(OPTIONAL) & set(call.screens)
    report = the_report(runtime)
    assert end == (
        f"END Envoye, reference {report.reference}. Appelez le 129 ou le 122 "
        "maintenant, gratuit. Un travailleur social est alerte."
    )
    assert (report.urgent, report.category, report.location_code) == (
        True,
        "sexual_exploitation",
        "CD-KL/kikwit",
    )
    assert (
        report.place_detail,
        report.people_count,
        report.children_involved,
        report.description,
        report.pin_hash,
    ) == (None, None, None, None, None)
    contact = contact_of(runtime, report)
    assert contact is not None and (contact.consent, contact.safe_time) == ("callback", "evening")


@pytest.mark.parametrize(
    "description",
    ["two girls * one boy", "*", "1*2", "deux filles enlevées * 3 garçons #urgent", "**a**"],
    ids=["a-star-inside", "only-a-star", "looks-like-two-inputs", "accents-star-and-hash", "stars-around"],
)
def test_without_danger_the_answers_are_stored_exactly_as_typed(
    client: FlaskClient, runtime: Runtime, description: str
) -> None:
    call = Call(client)
    call.dial()
    call.press("1", "1", *NOT_IN_DANGER)
    call.press("Quartier Lukolela, pres de l'eglise", "3", "1")
    # AT joins the inputs with "*": nothing tells the separator from a star in the description.
    call.send(f"{call.text}*{description}")
    call.inputs.append(description)
    assert call.screens[-1] == "contact"
    end = call.press("2", "4827", "1")  # keep my number secret, PIN 4827, send

    assert call.screens == [
        "language",
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
        "done",
    ]
    report = the_report(runtime)
    assert end.startswith(f"END Merci. Votre reference : {report.reference}.")
    assert (report.place_detail, report.people_count, report.children_involved) == (
        "Quartier Lukolela, pres de l'eglise",
        3,
        True,
    )
    assert report.description == description
    assert (report.urgent, report.category) == (False, "forced_labour")
    assert report.pin_hash == pin_hash(runtime, report.reference, "4827")
    contact = contact_of(runtime, report)
    assert contact is not None and (contact.consent, contact.safe_time) == ("confidential", None)


def test_99_skips_each_optional_question(client: FlaskClient, runtime: Runtime) -> None:
    call = Call(client)
    call.dial()
    call.press("1", "1", *NOT_IN_DANGER)
    skipped = []
    for key in ("99", "99", "3", "99", "3", "99"):  # children: 3 "not sure"; contact: anonymous
        skipped.append(call.screens[-1])
        call.press(key)
    assert skipped == ["place_detail", "people", "children", "description", "contact", "pin"]
    assert call.screens[-1] == "confirm"
    call.press("1")

    report = the_report(runtime)
    assert (
        report.place_detail,
        report.people_count,
        report.children_involved,
        report.description,
        report.pin_hash,
    ) == (None, None, None, None, None)
    assert contact_of(runtime, report) is None


def test_a_repeated_hop_creates_nothing_twice(
    client: FlaskClient, runtime: Runtime, run_jobs: Any, kwilu_worker: str
) -> None:
    call = Call(client)
    call.dial()
    call.press("1", "1", *NOT_IN_DANGER, "Marche", "2", "2")
    description_screen = call.press("a * b")
    assert call.send(call.text) == description_screen  # the gateway asked again: same screen
    call.press("3", "99")
    end = call.press("1")
    run_jobs()  # the report's escalate job: the alert to the Kwilu worker, sent
    outbox_rows, events = how_many(runtime, OutboundMessage), how_many(runtime, ReportEvent)
    assert outbox_rows == 1

    for _ in range(3):
        assert call.send(call.text) == end
    run_jobs()
    assert how_many(runtime, Report) == 1
    assert the_report(runtime).description == "a * b"
    assert (how_many(runtime, OutboundMessage), how_many(runtime, ReportEvent)) == (outbox_rows, events)
    assert [m.status for m in all_of(runtime, OutboundMessage)] == ["delivered"]  # sent once


# --- a dropped call ----------------------------------------------------------------------------


def start_then_drop(client: FlaskClient, phone: str = PHONE) -> Call:
    """A report stopped on "how many people?" after typing a place: the network dropped the call."""
    call = Call(client, phone)
    call.dial()
    call.press("1", "1", *NOT_IN_DANGER, "Marche central")
    assert call.screens[-1] == "people"
    return call


def test_a_dropped_call_resumes_at_the_same_screen_with_the_earlier_answers(
    client: FlaskClient, runtime: Runtime
) -> None:
    start_then_drop(client)

    again = Call(client)  # a new sessionId from the same phone
    resume = again.dial()
    assert resume == (
        "CON Vous n'avez pas termine votre dernier signalement.\n"
        "1 Continuer ou je m'etais arrete\n2 Recommencer"
    )
    assert again.screens == ["resume"]
    people = again.press("1")
    assert people.startswith("CON Combien de personnes sont concernees ?")
    assert again.screens[-1] == "people"
    back = again.press("0")  # the earlier screens are still there to go back to
    assert back.startswith("CON Village, rue ou point de repere ?")
    again.press("Marche central, pres du pont", "4", "2", "99", "3", "99", "1")

    report = the_report(runtime)
    assert (report.category, report.urgent, report.location_code) == ("forced_labour", False, "CD-KL/kikwit")
    assert (report.place_detail, report.people_count, report.children_involved) == (
        "Marche central, pres du pont",
        4,
        False,
    )
    assert Call(client).dial().startswith("CON Ligne contre la traite.")  # no draft once sent


def test_after_a_dropped_call_2_starts_a_new_report_without_the_earlier_answers(
    client: FlaskClient, runtime: Runtime
) -> None:
    start_then_drop(client)

    again = Call(client)
    again.dial()
    category = again.press("2")
    assert category.startswith("CON Que s'est-il passe ?")
    again.press(*IN_DANGER[:-1], "1", "3", "1")  # sexual exploitation, danger, Kwilu, whole province

    report = the_report(runtime)
    assert (report.category, report.urgent, report.location_code, report.place_detail) == (
        "sexual_exploitation",
        True,
        "CD-KL",
        None,
    )
    assert Call(client).dial().startswith("CON Ligne contre la traite.")


def test_a_resumed_report_forgives_the_mistakes_made_before_the_call_dropped(
    client: FlaskClient,
) -> None:
    call = start_then_drop(client)
    call.press("abc", "abc")  # two wrong answers to "how many people?", then the network drops

    again = Call(client)
    again.dial()
    again.press("1")
    hint = again.press("xyz")
    assert hint.startswith("CON Tapez un nombre, par exemple 3.")  # a hint, not the end of the call
    assert again.screens[-1] == "people"


def test_a_draft_kept_before_the_upgrade_still_resumes(client: FlaskClient, runtime: Runtime) -> None:
    """Drafts were kept as the state alone until the draft became the sealed session itself: a
    call dropped before the upgrade resumes after it (drafts live 30 minutes by default)."""
    start_then_drop(client)
    sealed = runtime.redis.get(draft_key(runtime))
    session = json.loads(runtime.cipher.decrypt(sealed.decode()))
    assert session["state"]["screen"] == "people"  # the draft is the session as it was stored
    runtime.redis.set(draft_key(runtime), runtime.cipher.encrypt(json.dumps(session["state"])))

    again = Call(client)
    again.dial()
    assert again.press("1").startswith("CON Combien de personnes sont concernees ?")


def test_a_draft_belongs_to_its_phone_only(client: FlaskClient) -> None:
    start_then_drop(client)
    assert Call(client, OTHER_PHONE).dial().startswith("CON Langue / Language")


def draft_key(runtime: Runtime, phone: str = PHONE) -> str:
    return f"hotline:draft:{runtime.cipher.lookup_hash(phone)}"


@pytest.fixture
def five_minute_drafts(environ: dict[str, str], clock: FrozenClock) -> Iterator[tuple[FlaskClient, Runtime]]:
    """The app of a deployment that sets HOTLINE_DRAFT_MINUTES=5."""
    settings = Settings.from_env({**environ, "HOTLINE_DRAFT_MINUTES": "5"})
    rt = Runtime.build(settings, clock=clock)
    try:
        yield create_app(runtime=rt).test_client(), rt
    finally:
        rt.close()


def test_a_draft_expires_after_hotline_draft_minutes(
    client: FlaskClient, runtime: Runtime, five_minute_drafts: tuple[FlaskClient, Runtime]
) -> None:
    start_then_drop(client)
    assert 1790 < runtime.redis.ttl(draft_key(runtime)) <= 1800  # 30 minutes by default

    short_client, short = five_minute_drafts
    start_then_drop(short_client, OTHER_PHONE)
    assert 290 < short.redis.ttl(draft_key(short, OTHER_PHONE)) <= 300

    short.redis.delete(draft_key(short, OTHER_PHONE))  # what Redis does when the TTL runs out
    assert Call(short_client, OTHER_PHONE).dial().startswith("CON Ligne contre la traite.")


# --- direct dial -------------------------------------------------------------------------------


def test_a_first_hop_with_text_1_goes_straight_to_the_report(client: FlaskClient, runtime: Runtime) -> None:
    call = Call(client)
    assert call.dial("1").startswith("CON Que s'est-il passe ?\n1 Exploitation sexuelle")
    call.inputs = ["1"]
    assert call.press("1").startswith("CON Quelqu'un est-il en danger maintenant ?")
    end = call.press(*IN_DANGER[1:], "3", "1")
    assert call.screens[0] == "category"
    assert reference_in(runtime, end)


def test_a_service_code_with_an_extra_1_goes_straight_to_the_report_in_the_callers_language(
    coded_client: FlaskClient, runtime: Runtime
) -> None:
    plain = Call(coded_client, service_code="*384*123#")
    assert plain.dial().startswith("CON Langue / Language")
    plain.press("6")  # English, remembered for the next dials

    direct = Call(coded_client, service_code="*384*123*1#")
    assert direct.dial().startswith("CON What happened?\n1 Sexual exploitation")
    end = direct.press(*IN_DANGER, "3", "1")
    assert end.startswith("END Sent, reference ")
    assert the_report(runtime).language == "en"


# --- checking a report -------------------------------------------------------------------------


def test_the_reporting_phone_sees_received_then_being_handled_then_closed(
    client: FlaskClient, runtime: Runtime, run_jobs: Any, kwilu_worker: str
) -> None:
    end = report_as(client, [*NOT_IN_DANGER, "99", "99", "3", "99", "3", "99", "1"])  # anonymous
    reference = reference_in(runtime, end)
    run_jobs()  # the alert reaches the Kwilu worker

    assert check(client, reference) == (
        f"END Signalement {reference} : recu. Un travailleur social sera prevenu."
    )

    worker_sms(client, kwilu_worker, f"1 {reference}", "ATSMS-accept")
    run_jobs()
    assert the_report(runtime).status == "accepted"
    assert check(client, reference.lower()) == (
        f"END Signalement {reference} : pris en charge par un travailleur social."
    )

    with runtime.session() as session:
        session.execute(update(Report).values(status="closed"))
        session.commit()
    assert check(client, reference) == f"END Signalement {reference} : clos."


NOT_FOUND = "END Aucun signalement avec ce code. Verifiez-le et reessayez."


def test_another_phone_needs_the_pin_and_a_wrong_pin_is_answered_like_an_unknown_code(
    client: FlaskClient, runtime: Runtime
) -> None:
    end = report_as(client, [*NOT_IN_DANGER, "99", "99", "3", "99", "3", "4827", "1"])
    reference = reference_in(runtime, end)

    assert check(client, reference, OTHER_PHONE, pin="4827") == (
        f"END Signalement {reference} : recu. Un travailleur social sera prevenu."
    )
    assert check(client, reference, OTHER_PHONE, pin="4828") == NOT_FOUND
    assert check(client, "QQQQQQ", OTHER_PHONE, pin="4827") == NOT_FOUND
    assert check(client, "QQQQQQ", PHONE, pin="4827") == NOT_FOUND  # unknown: the same PIN screen


def test_a_report_without_a_pin_cannot_be_checked_from_another_phone(
    client: FlaskClient, runtime: Runtime
) -> None:
    reference = reference_in(runtime, report_as(client, [*IN_DANGER, "3", "1"]))
    assert check(client, reference, OTHER_PHONE, pin="0000") == NOT_FOUND


def test_the_sixth_check_within_an_hour_from_one_phone_is_refused(
    client: FlaskClient, runtime: Runtime
) -> None:
    end = report_as(client, [*NOT_IN_DANGER, "99", "99", "3", "99", "3", "4827", "1"])
    reference = reference_in(runtime, end)
    too_many = "END Trop de demandes depuis ce telephone. Reessayez dans une heure."

    for _ in range(5):
        assert check(client, reference).startswith(f"END Signalement {reference} : recu.")
    assert check(client, reference) == too_many
    assert check(client, "QQQQQQ", pin="1234") == too_many  # guessing other codes: refused too
    key = f"hotline:lookups:{runtime.cipher.lookup_hash(PHONE)}"
    assert 3590 < runtime.redis.ttl(key) <= 3600  # the count is forgotten after an hour

    # Another phone has its own five, and each check with the PIN counts once.
    for _ in range(5):
        assert check(client, reference, OTHER_PHONE, pin="4827").startswith("END Signalement")
    assert check(client, reference, OTHER_PHONE, pin="4827") == too_many


# --- an anonymous report leaves no number anywhere ---------------------------------------------

ANONYMOUS_PHONE = "+243997654321"
NUMBER_FORMS = ("+243997654321", "243997654321", "0997654321", "997654321")


def leaks(value: Any, runtime: Runtime) -> list[str]:
    """The forms of the anonymous number found in ``value``, in clear or behind our encryption."""
    if isinstance(value, bytes):
        candidates = [value.decode("utf-8", "replace")]
        with suppress(zlib.error):  # RQ keeps a job's data compressed
            candidates.append(zlib.decompress(value).decode("utf-8", "replace"))
    else:
        candidates = [str(value)]
    for candidate in list(candidates):
        with suppress(PiiError, ValueError, TypeError):
            candidates.append(runtime.cipher.decrypt(candidate))
    return [form for form in NUMBER_FORMS for text in candidates if form in text]


def job_ids(runtime: Runtime) -> set[str]:
    queue = runtime.queue.queue
    ids = set(queue.get_job_ids())
    for registry in (
        queue.scheduled_job_registry,
        queue.started_job_registry,
        queue.deferred_job_registry,
        queue.finished_job_registry,
        queue.failed_job_registry,
    ):
        ids |= set(registry.get_job_ids())
    return ids


def database_rows(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, found by reflection (tables added later are scanned too)."""
    metadata = MetaData()
    metadata.reflect(bind=runtime.engine)
    with runtime.engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table))]
            for table in metadata.sorted_tables
        }


def test_an_anonymous_report_keeps_the_number_nowhere(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: Any,
    kwilu_worker: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    call = Call(client, ANONYMOUS_PHONE)
    call.dial()
    call.press("1", "1", *NOT_IN_DANGER, "Marche", "2", "1", "deux filles", "3", "4827", "1")
    reference = reference_in(runtime, call.send(call.text))  # a retransmission, too
    # A network that drops the "+": the same caller checks, then starts a report and is cut off.
    assert check(client, reference, "243997654321").startswith(f"END Signalement {reference}")
    dropped = Call(client, "243997654321")
    dropped.dial()
    dropped.press("1", "1")  # on "is someone in danger?"
    client.post(
        f"{BASE}/ussd/events",
        data={
            "sessionId": call.session_id,
            "phoneNumber": ANONYMOUS_PHONE,
            "status": "Success",
            "serviceCode": SERVICE_CODE,
            "networkCode": "63001",
            "durationInMillis": "52000",
            "hopsCount": "13",
            "input": call.text,
            "lastAppResponse": "END ...",
            "errorMessage": "",
        },
    )

    jobs = job_ids(runtime)
    assert jobs  # the alert to send and the next escalation step
    for job_id in jobs:
        job = Job.fetch(job_id, connection=runtime.redis)
        assert all(isinstance(arg, int) for arg in job.args), job.args  # ids only
        for part in (repr(job.args), repr(job.kwargs), job.description or "", job.data):
            assert leaks(part, runtime) == [], (job_id, part)
    run_jobs()

    [report] = all_of(runtime, Report)
    assert report.reference == reference and report.reporter_hash
    assert contact_of(runtime, report) is None
    rows = database_rows(runtime)
    assert rows["reports"] and rows["outbound_messages"] and rows["ussd_session_events"]
    found = [
        (table, row)
        for table, table_rows in rows.items()
        for row in table_rows
        if any(leaks(value, runtime) for value in row)
    ]
    assert found == []

    stored = redis_values(runtime)
    assert any(b"hotline:draft:" in value for value in stored)  # the dropped report's draft...
    assert [value for value in stored if leaks(value, runtime)] == []  # ...by hash, encrypted

    logged = [
        caplog.text,
        *(record.getMessage() for record in caplog.records),
        *(repr(record.args) for record in caplog.records),
    ]
    assert [line for line in logged if leaks(line, runtime)] == []


# --- telemetry ---------------------------------------------------------------------------------


def test_the_end_of_session_event_keeps_the_last_screen_shown(client: FlaskClient, runtime: Runtime) -> None:
    call = Call(client)
    call.dial()
    call.press("1", "1", *NOT_IN_DANGER, "99")
    assert call.screens[-1] == "people"
    response = client.post(
        f"{BASE}/ussd/events",
        data={
            "sessionId": call.session_id,
            "phoneNumber": PHONE,
            "status": "Incomplete",
            "durationInMillis": "61000",
            "hopsCount": str(len(call.screens)),
            "hopsMetadata": "|".join(call.screens[:-1]),
        },
    )  # AT lags a hop behind; ours is the truth
    assert response.status_code == 200

    [event] = all_of(runtime, UssdSessionEvent)
    assert (event.last_screen, event.status, event.hops) == ("people", "Incomplete", 8)


def test_a_session_the_service_forgot_takes_its_last_screen_from_the_echoed_labels(
    client: FlaskClient, runtime: Runtime
) -> None:
    client.post(
        f"{BASE}/ussd/events",
        data={"sessionId": "ATUid_gone", "status": "Incomplete", "hopsMetadata": "language|menu|signs1"},
    )
    [event] = all_of(runtime, UssdSessionEvent)
    assert event.last_screen == "signs1"


# --- the other conversations -------------------------------------------------------------------


def test_learn_the_signs_walks_three_short_screens(client: FlaskClient, runtime: Runtime) -> None:
    call = Call(client)
    call.dial()
    first = call.press("1", "4")
    second = call.press("1")
    third = call.press("1")

    assert call.screens[-3:] == ["signs1", "signs2", "signs3"]
    assert first.startswith("CON Signes : ") and "\n1 " in first
    assert second.startswith("CON Signes : ") and second != first
    assert third.startswith("END Signes : ") and "choisissez 1" in third
    assert how_many(runtime, Report) == 0


def test_a_language_changed_from_the_main_menu_is_remembered_for_the_next_call(
    client: FlaskClient, runtime: Runtime
) -> None:
    pilot_every_language(runtime)  # Kiswahili, a draft, is offered in a pilot
    call = Call(client)
    call.dial()
    call.press("1")  # Francais
    assert call.press("5").startswith("CON Langue / Language\n1 Francais")
    assert call.press("4").startswith("CON ")  # Kiswahili (its catalog may still fall back)
    assert call.screens[-1] == "menu"

    again = Call(client)
    again.dial()
    assert again.screens == ["menu"]  # no language screen: the choice was kept
    again.press("5", "6")
    assert Call(client).dial().startswith("CON Hotline against trafficking. Free and confidential.")
