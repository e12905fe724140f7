"""Redis frozen in the middle of a report (the process stopped, not killed), with the Procfile's
web process: every hop is answered inside the callback budget, in the reporter's language, and
after Redis comes back the draft resumes and exactly one report results.

Before, each hop waited on two Redis timeouts of 5 s in series and answered after 10.02 s, past
AT's deadline, always in French.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import select

from hotline.models import Report
from hotline.ops.redis_server import PrivateRedis
from hotline.platform.runtime import Runtime
from tests.support.processes import Stack

pytestmark = pytest.mark.slow

BUDGET = 4  # the default HOTLINE_CALLBACK_BUDGET_SECONDS
PHONE = "+243810000333"
ENGLISH_TO_SEND = ["6", "1", "1", "1", "2", "3", "3"]  # English, report, ..., Kikwit, anonymous


@contextmanager
def frozen(redis: PrivateRedis) -> Iterator[None]:
    assert redis.process is not None
    os.kill(redis.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(redis.process.pid, signal.SIGCONT)


class Phone:
    def __init__(self, url: str) -> None:
        self.url = url

    def hop(self, session_id: str, inputs: list[str]) -> tuple[str, float]:
        started = time.monotonic()
        response = requests.post(
            self.url,
            data={
                "sessionId": session_id,
                "phoneNumber": PHONE,
                "serviceCode": "*384*1#",
                "networkCode": "63001",
                "text": "*".join(inputs),
            },
            timeout=15,
        )
        assert response.status_code == 200
        return response.text, time.monotonic() - started

    def type_all(self, session_id: str, inputs: list[str]) -> str:
        body = self.hop(session_id, [])[0]
        for i in range(len(inputs)):
            body = self.hop(session_id, inputs[: i + 1])[0]
        return body


def test_with_redis_frozen_mid_report_every_hop_is_answered_in_time_and_one_report_results(
    environ: dict[str, str], runtime: Runtime, redis_server: PrivateRedis, tmp_path
) -> None:
    # One web worker: the language hint it keeps is then the one every hop meets.
    env = {**environ, "HOTLINE_ENV": "production", "WEB_CONCURRENCY": "1"}
    with Stack(env, ("web",), log_dir=tmp_path) as stack:
        phone = Phone(f"{stack.url}/webhooks/at/{environ['HOTLINE_WEBHOOK_TOKEN']}/ussd")
        phone.type_all("ATUid_frozen_1", ENGLISH_TO_SEND[:5])  # English, then on to the province

        with frozen(redis_server):
            mid_report, mid_took = phone.hop("ATUid_frozen_1", ENGLISH_TO_SEND[:6])
            new_dial, dial_took = phone.hop("ATUid_frozen_2", [])
            redial, redial_took = phone.hop("ATUid_frozen_1", ENGLISH_TO_SEND[:6])

        # A Redis timeout is a quarter of the budget, and the web process does not retry it.
        assert max(mid_took, dial_took, redial_took) < BUDGET - 1, (mid_took, dial_took, redial_took)
        assert mid_report.startswith("END The service is busy"), mid_report  # English: chosen
        assert "129" in mid_report and len(mid_report) <= 160
        assert new_dial.startswith("END "), new_dial  # a new call: nobody's language yet
        assert redial.startswith("END The service is busy"), redial

        # Redis is back: the next call offers the draft, and sending it makes one report.
        assert "did not finish" in phone.hop("ATUid_frozen_3", [])[0]
        phone.hop("ATUid_frozen_3", ["1"])  # continue where I stopped: the place screen again
        phone.hop("ATUid_frozen_3", ["1", "3"])  # Kikwit
        phone.hop("ATUid_frozen_3", ["1", "3", "3"])  # anonymous
        final, _ = phone.hop("ATUid_frozen_3", ["1", "3", "3", "1"])  # send

    with runtime.session() as session:
        reports = list(session.scalars(select(Report)))
    assert len(reports) == 1, stack.logs()
    assert reports[0].reference in final
