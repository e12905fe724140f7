"""Rotating HOTLINE_PII_KEY (hotline.privacy.keyrotation, ``hotline keys rotate``): nothing stops working.

Data is made under key A; the service restarts with "B,A" (B writes, both are read), the command
moves every row to B, and the service restarts with B alone. At each stage a reporter checks a
report from the reporting phone and, with the PIN, from another phone; a social worker's reply is
recognised; a number that sent STOP gets nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from hotline.models import OutboundMessage, Report, SmsOptOut
from hotline.ops.cli import main
from hotline.platform.crypto import PiiCipher
from hotline.platform.runtime import Runtime
from hotline.sms.messages import body_of
from hotline.web.app import create_app
from tests.support.builders import add_worker, runtime_with
from tests.support.environment import TEST_PII_KEY
from tests.support.sms import KIKWIT_TEXT, sms, worker_sms
from tests.support.ussd import NOT_IN_DANGER, check, report_as

KEY_A = TEST_PII_KEY
KEY_B = "x4-2c1aoQ7OQ1kQk5ZmT2yk1zmWnQvZ5y0w9fKx3S0c="
REPORTER = "+243810000001"
OTHER_PHONE = "+243970000004"
STOPPED = "+243990000123"
RECEIVED = "END Signalement {} : recu. Un travailleur social sera prevenu."
HANDLED = "END Signalement {} : pris en charge par un travailleur social."
CLOSED = "END Signalement {} : clos."


def rotate_keys(environ: dict[str, str], keys: str) -> str:
    result = CliRunner().invoke(
        main, ["keys", "rotate", "--batch-size", "2"], env={**environ, "HOTLINE_PII_KEY": keys}
    )
    assert result.exit_code == 0, result.output
    return result.output


def the_report(runtime: Runtime) -> Report:
    with runtime.session() as session:
        [report] = session.scalars(select(Report).where(Report.channel == "ussd")).all()
        return report


def test_lookups_work_under_the_old_key_during_a_rotation_and_with_the_new_key_alone(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None], environ: dict[str, str]
) -> None:
    worker = add_worker(runtime, "Amani", ("CD-KL",), phone="+243820000002").phone
    # Under key A: a report with a call-back number and PIN 4827, and an SMS waiting for a reply.
    end = report_as(client, [*NOT_IN_DANGER, "99", "99", "3", "99", "1", "4", "4827", "1"])
    reference = the_report(runtime).reference
    assert reference in end
    run_jobs()  # the alert reaches Amani
    sms(client, KIKWIT_TEXT, phone=STOPPED)

    with runtime_with(runtime, pii_keys=(KEY_B, KEY_A)) as rotating:
        during = create_app(runtime=rotating).test_client()
        sms(during, "STOP", phone=STOPPED)  # stored under B; the reply above was made under A
        run_jobs()
        assert check(during, reference, REPORTER) == RECEIVED.format(reference)
        assert check(during, reference, OTHER_PHONE, pin="4827") == RECEIVED.format(reference)
        worker_sms(during, worker, f"1 {reference}", "ATSMS-accept")
        run_jobs()
        assert check(during, reference, REPORTER) == HANDLED.format(reference)

        output = rotate_keys(environ, f"{KEY_B},{KEY_A}")
        assert "reporter_contacts: 1 re-encrypted, 1 re-hashed" in output
        assert "social_workers: 1 re-encrypted, 1 re-hashed" in output
        assert "no row needs an old key any more" in output
        assert "+243" not in output
        again = rotate_keys(environ, f"{KEY_B},{KEY_A}")  # idempotent: nothing left to move
        assert set(re.findall(r"(\d+) re-(?:encrypted|hashed)", again)) == {"0"}

    with runtime_with(runtime, pii_keys=(KEY_B,)) as rotated:
        after = create_app(runtime=rotated).test_client()
        assert check(after, reference, REPORTER) == HANDLED.format(reference)
        # The PIN was typed during the rotation, which moved it to key B.
        assert check(after, reference, OTHER_PHONE, pin="4827") == HANDLED.format(reference)
        worker_sms(after, worker, f"FIN {reference}", "ATSMS-close")
        run_jobs()
        assert check(after, reference, REPORTER) == CLOSED.format(reference)
        with rotated.session() as session:
            stopped = session.scalars(
                select(OutboundMessage).where(
                    OutboundMessage.purpose == "reply", OutboundMessage.report_id.is_not(None)
                )
            ).all()
            assert [m.status for m in stopped] == ["cancelled"]  # STOP under B caught A's reply
            assert session.get(SmsOptOut, PiiCipher((KEY_B,)).lookup_hash(STOPPED)) is not None


def test_the_rotation_command_says_when_a_value_needs_a_key_that_is_not_configured(
    runtime: Runtime, environ: dict[str, str]
) -> None:
    add_worker(runtime, "Amani", phone="+243820000002")

    result = CliRunner().invoke(main, ["keys", "rotate"], env={**environ, "HOTLINE_PII_KEY": KEY_B})

    assert result.exit_code == 1
    assert "1 value(s) cannot be read with the configured keys" in result.output


def test_a_details_sms_kept_encrypted_under_the_old_key_is_readable_with_the_new_key_alone(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None], environ: dict[str, str]
) -> None:
    worker = add_worker(runtime, "Amani", ("CD-KL",), phone="+243820000002").phone
    report_as(client, [*NOT_IN_DANGER, "99", "99", "3", "99", "1", "4", "4827", "1"])
    run_jobs()
    worker_sms(client, worker, f"1 {the_report(runtime).reference}", "ATSMS-accept")
    run_jobs()  # the details, quoting the call-back number, are sealed under key A

    output = rotate_keys(environ, f"{KEY_B},{KEY_A}")
    assert "outbound_messages.body: 1 re-encrypted" in output

    with runtime_with(runtime, pii_keys=(KEY_B,)) as rotated, rotated.session() as session:
        [details] = session.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "details")).all()
        assert REPORTER not in details.body  # at rest: only the sealed form
        assert REPORTER in body_of(rotated, details)
