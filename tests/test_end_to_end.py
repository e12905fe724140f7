"""The walking skeleton, with real processes: a USSD report reaches a social worker's phone.

gunicorn runs the Procfile's callbacks command (AT's callbacks' own process, as in production), an
RQ worker runs the Procfile's worker command, Redis is a real server, the SMS goes out through the
real africastalking SDK to the fake AT, whose delivery report comes back to the callbacks process
and updates the stored status.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.alerting.staff import import_workers
from hotline.models import OutboundMessage, Report
from tests.support.fake_at import FakeAT
from tests.support.processes import Stack, wait_for
from tests.support.ussd import walk_report

pytestmark = pytest.mark.slow

KIKWIT_WORKER = "+243820000002"


def test_a_ussd_report_reaches_the_social_worker_and_the_delivery_report_is_stored(
    environ, runtime, tmp_path: Path
):
    csv = tmp_path / "workers.csv"
    csv.write_text(
        "name,phone,language,areas,role\n"
        f"Agent Kikwit,{KIKWIT_WORKER},fr,CD-KL/kikwit,worker\n"
        "Agent Gombe,+243810000001,fr,CD-KN,worker\n"
    )
    import_workers(runtime, csv)

    with FakeAT(api_key="e2e-key", username="hotline-e2e") as fake:
        env = {
            **environ,
            "HOTLINE_ENV": "production",
            "SMS_GATEWAY": "africastalking",
            "AT_USERNAME": "hotline-e2e",
            "AT_API_KEY": "e2e-key",
            "AT_API_URL": fake.url,
        }
        with Stack(env, kinds=("callbacks", "worker"), log_dir=tmp_path) as stack:
            hooks = f"{stack.callbacks_url}/webhooks/at/{environ['HOTLINE_WEBHOOK_TOKEN']}"
            fake.delivery_callback_url = hooks + "/sms/delivery"
            # Francais, report, sexual exploitation, danger now, Kwilu, Kikwit, anonymous, send.
            # Someone in danger: no optional question, and the last screen names 129 and 122.
            final = walk_report(
                hooks + "/ussd", "ATUid_e2e1", "+243990000123", ["1", "1", "1", "1", "2", "3", "3", "1"]
            )
            assert final.startswith("END ")
            assert "129" in final and "122" in final

            with runtime.session() as session:
                report = session.scalar(select(Report))
            assert report is not None and report.reference in final

            sent = fake.wait_for(lambda m: report.reference in m.message, timeout=30)
            assert [m.to for m in sent] == [KIKWIT_WORKER]  # not the Kinshasa worker
            assert "URGENT" in sent[0].message and "Kikwit" in sent[0].message
            assert sent[0].parts == 1  # GSM-7, one part

            def delivered() -> OutboundMessage | None:
                with runtime.session() as session:
                    message = session.scalar(select(OutboundMessage))
                    return message if message and message.status == "delivered" else None

            message = wait_for(delivered, timeout=30, what="the delivery report")
            assert message.gateway_message_id == sent[0].message_id
            assert message.gateway == "africastalking"
