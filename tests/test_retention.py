"""Retention (hotline.privacy.retention): HOTLINE_RETENTION_DAYS after a report finished, its personal data
goes, by the daily job; text an operator marked as needed stays. Time is the frozen clock's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from hotline.models import AuditEntry, InboundMessage, OutboundMessage, Report, ReporterContact
from hotline.ops.cli import main
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings, SettingsError
from tests.support.builders import add_worker, report
from tests.support.consolekit import login, post
from tests.support.sms import KIKWIT_TEXT, sms
from workers import jobs

CALLER = "+243811234567"
SMS_REPORTER = "+243810000001"
PLACE = "Derriere le marche de Kikwit"
STORY = "Trois filles enfermees chez le voisin"


def finish(runtime: Runtime, report_id: int) -> None:
    with runtime.session() as db:
        row = db.get(Report, report_id)
        row.status, row.finished_at = "closed", runtime.clock.now()
        db.commit()


def fresh(runtime: Runtime, report_id: int) -> Report:
    with runtime.session() as db:
        row = db.get(Report, report_id)
        assert row is not None
        db.expunge(row)
        return row


def contacts(runtime: Runtime) -> int:
    with runtime.session() as db:
        return len(db.scalars(select(ReporterContact)).all())


@pytest.fixture
def cases(client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]) -> dict[str, int]:
    """A call-back USSD report, the same with its text marked as needed, a training report, an SMS
    report (its SMS and our reply keep the number) and an open report, all made now."""
    add_worker(runtime, "Amani", ("CD-KL",))
    made = {
        name: report(
            runtime,
            phone=CALLER,
            contact="callback",
            reporter_hash="f" * 64,
            place_detail=PLACE,
            description=STORY,
            training=name == "training",
        ).id
        for name in ("callback", "kept", "training", "open")
    }
    sms(client, KIKWIT_TEXT, phone=SMS_REPORTER)
    run_jobs()
    with runtime.session() as db:
        made["sms"] = db.scalar(select(Report.id).where(Report.channel == "sms"))
        db.get(Report, made["kept"]).keep_text = True
        db.commit()
    for name in ("callback", "kept", "training", "sms"):
        finish(runtime, made[name])
    return made


def test_nothing_is_removed_before_the_retention_period(
    runtime: Runtime, clock: FrozenClock, cases: dict[str, int]
) -> None:
    clock.advance(days=179, hours=23)

    assert jobs.purge_expired() == 0
    assert contacts(runtime) == 4
    assert all(fresh(runtime, i).description for i in cases.values())


def test_after_the_period_exactly_the_personal_data_goes_and_kept_text_stays(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, cases: dict[str, int]
) -> None:
    clock.advance(days=180, seconds=1)

    assert jobs.purge_expired() == 4
    assert jobs.purge_expired() == 0  # idempotent: a second night finds nothing to do

    purged = fresh(runtime, cases["callback"])
    assert (purged.description, purged.place_detail, purged.reporter_hash) == (None, None, None)
    assert (purged.category, purged.location_code, purged.status) == (
        "sexual_exploitation",
        "CD-KL/kikwit",
        "closed",
    )  # the statistics still count it
    kept = fresh(runtime, cases["kept"])
    assert (kept.description, kept.place_detail, kept.reporter_hash) == (STORY, PLACE, None)
    assert fresh(runtime, cases["training"]).purged_at is not None
    still_open = fresh(runtime, cases["open"])
    assert (still_open.description, still_open.purged_at) == (STORY, None)
    assert contacts(runtime) == 1  # the open report's only
    with runtime.session() as db:
        [inbound] = db.scalars(select(InboundMessage)).all()
        assert (inbound.sender_encrypted, inbound.sender_hash, inbound.text) == ("", "", "")
        replies = db.scalars(
            select(OutboundMessage).where(
                OutboundMessage.report_id == cases["sms"], OutboundMessage.worker_id.is_(None)
            )
        ).all()
        assert [(m.recipient_encrypted, m.body) for m in replies] == [("", "")]

    login(client, runtime, role="supervisor")
    page = client.get(f"/console/reports/{purged.reference}").data.decode()
    assert "Données personnelles supprimées" in page
    assert "/reveal" not in page and STORY not in page and PLACE not in page
    assert STORY in client.get(f"/console/reports/{kept.reference}").data.decode()


def test_a_supervisor_marks_the_text_as_needed_and_it_is_audited(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, cases: dict[str, int]
) -> None:
    reference = fresh(runtime, cases["callback"]).reference
    login(client, runtime, role="supervisor")
    page = f"/console/reports/{reference}"

    response = post(client, page + "/keep-text", {"keep": "1"}, token_from=page)

    assert response.status_code == 303
    assert "Texte nécessaire : la description est conservée" in client.get(page).data.decode()
    clock.advance(days=181)
    jobs.purge_expired()
    assert fresh(runtime, cases["callback"]).description == STORY
    with runtime.session() as db:
        assert (
            db.scalar(select(AuditEntry.action).where(AuditEntry.action == "report_keep_text"))
            == "report_keep_text"
        )


def test_an_operator_cannot_mark_the_text_as_needed(
    client: FlaskClient, runtime: Runtime, cases: dict[str, int]
) -> None:
    reference = fresh(runtime, cases["callback"]).reference
    login(client, runtime, role="operator")
    page = f"/console/reports/{reference}"

    assert "/keep-text" not in client.get(page).data.decode()
    assert post(client, page + "/keep-text", {"keep": "1"}, token_from=page).status_code == 403
    assert fresh(runtime, cases["callback"]).keep_text is False


def test_hotline_retention_run_purges_with_the_configured_period(
    runtime: Runtime, cases: dict[str, int], environ: dict[str, str]
) -> None:
    # The command's process has the system clock: months after the frozen clock's January 2026.
    result = CliRunner().invoke(main, ["retention", "run"], env={**environ, "HOTLINE_RETENTION_DAYS": "1"})

    assert result.exit_code == 0, result.output
    assert result.output == "4 report(s) lost their personal data\n"


@pytest.mark.parametrize("value", ["0", "-3", "ten", "3651", "1.5"])
def test_a_bad_retention_period_stops_the_start(environ: dict[str, str], value: str) -> None:
    with pytest.raises(SettingsError, match="HOTLINE_RETENTION_DAYS"):
        Settings.from_env({**environ, "HOTLINE_RETENTION_DAYS": value})
