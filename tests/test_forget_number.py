"""A reporter deletes their number by USSD (flows.reporter "forget_*", hotline.privacy.forget), through the
real webhook, and the console shows it is gone; nobody else's number is touched."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from flows.reporter import FLOW
from hotline.models import InboundMessage, OutboundMessage, Report, ReporterContact, ReportEvent
from hotline.platform.i18n import LANGUAGES
from hotline.platform.runtime import Runtime
from hotline.sms.messages import body_of
from tests.support.builders import add_worker
from tests.support.consolekit import login
from tests.support.languages import pilot_every_language
from tests.support.sms import KIKWIT_TEXT, sms, worker_sms
from tests.support.ussd import NOT_IN_DANGER, Call, report_as
from workers import jobs

REPORTER = "+243810000001"
OTHER_REPORTER = "+243970000004"
WITH_CALLBACK = [*NOT_IN_DANGER, "99", "99", "3", "99", "1", "4", "99", "1"]
LANGUAGE_KEYS = {"fr": "1", "ln": "2", "kg": "3", "sw": "4", "lua": "5", "en": "6"}


def report_page(client: FlaskClient, reference: str) -> str:
    response = client.get(f"/console/reports/{reference}")
    assert response.status_code == 200
    return response.data.decode()


def references(runtime: Runtime) -> dict[int, str]:
    with runtime.session() as db:
        return dict(db.execute(select(Report.id, Report.reference).order_by(Report.id)).all())


def test_a_reporter_deletes_their_number_and_the_console_no_longer_shows_it(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    amani = add_worker(runtime, "Amani", ("CD-KL",), phone="+243820000002").phone
    report_as(client, WITH_CALLBACK, phone=REPORTER)
    report_as(client, WITH_CALLBACK, phone=OTHER_REPORTER)
    mine, theirs = references(runtime).values()
    run_jobs()
    worker_sms(client, amani, f"1 {mine}", "ATSMS-accept-mine")
    worker_sms(client, amani, f"1 {theirs}", "ATSMS-accept-theirs")
    run_jobs()  # Amani's details SMS quote each call-back number

    call = Call(client, REPORTER)
    assert call.dial().startswith("CON Ligne contre la traite")  # the language was remembered
    assert "6 Effacer mon numero" in call.press("98")
    assert call.press("6").startswith("CON Effacer ce numero de vos signalements ?")
    done = call.press("1")

    assert done.startswith("END C'est fait : ce numero n'est plus garde avec aucun signalement.")
    run_jobs()
    login(client, runtime, role="supervisor")
    page = report_page(client, mine)
    assert "/reveal" not in page and "+243 81" not in page
    assert "La personne a supprimé son numéro par USSD" in page
    other = report_page(client, theirs)
    assert "/reveal" in other and "+243 97" in other
    with runtime.session() as db:
        [kept] = db.scalars(select(ReporterContact)).all()
        assert runtime.cipher.decrypt(kept.phone_encrypted) == OTHER_REPORTER
        [event] = db.scalars(select(ReportEvent).where(ReportEvent.kind == "contact_deleted")).all()
        assert REPORTER[4:] not in str(event.detail)
        assert db.scalar(select(Report.reporter_hash).where(Report.reference == mine)) is None
        details = [
            body_of(runtime, m)
            for m in db.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.purpose == "details")
                .order_by(OutboundMessage.id)
            )
        ]
        assert [REPORTER in body for body in details] == [False, False]
        assert OTHER_REPORTER in details[1]  # the other reporter's worker still has it


def test_the_sms_still_waiting_for_the_number_are_cancelled(client: FlaskClient, runtime: Runtime) -> None:
    sms(client, KIKWIT_TEXT, phone=REPORTER)
    with runtime.session() as db:
        inbound_id = db.scalar(select(InboundMessage.id))
    jobs.handle_inbound(inbound_id)  # the reply "Received, reference ..." is written, not yet sent

    call = Call(client, REPORTER)
    call.dial()
    call.press("1", "6", "1")

    with runtime.session() as db:
        [reply] = db.scalars(select(OutboundMessage)).all()
        assert (reply.status, reply.recipient_encrypted) == ("cancelled", "")
        sender = db.scalar(select(InboundMessage.sender_encrypted))
        assert sender == ""


def test_cancelling_changes_nothing(client: FlaskClient, runtime: Runtime) -> None:
    report_as(client, WITH_CALLBACK, phone=REPORTER)

    call = Call(client, REPORTER)
    call.dial()
    assert call.press("6", "2") == "END Rien n'a ete change."

    with runtime.session() as db:
        assert len(db.scalars(select(ReporterContact)).all()) == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_delete_screens_fit_a_basic_phone_in_every_language(
    client: FlaskClient, runtime: Runtime, lang: str
) -> None:
    pilot_every_language(runtime)  # drafts reach reporters only when approved, or in a pilot
    assert {"forget_confirm", "forget_done", "forget_kept"} <= set(FLOW.screens)
    first = Call(client, REPORTER)
    first.dial()
    first.press(LANGUAGE_KEYS[lang])  # remembered for the calls below
    for choice in ("1", "2"):
        call = Call(client, REPORTER)
        call.dial()
        call.press("98", "6", choice)  # Call checks each screen: <= 160 ASCII characters
        assert call.screens[-2:] == ["forget_confirm", "forget_done" if choice == "1" else "forget_kept"]
