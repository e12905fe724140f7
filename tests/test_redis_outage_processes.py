"""Redis gone with real processes (issue 18): the worker, its scheduler and cron wait for it.

The Procfile's web, worker and cron run against the suite's private Redis, which is frozen (SIGSTOP:
every call hangs until a timeout) or stopped (every call refused; it comes back empty) for 30 s
while alerts fall due, and once an alert is in the gateway's hands. Before, cron exited on the first
Redis timeout or refusal, the worker when a job's bookkeeping failed and at start while Redis was
down; systemd restarted them, `make dev` stopped.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Literal

import pytest
import requests
from rq import Worker
from rq.cron import CronScheduler
from sqlalchemy import select

from hotline.alerting.staff import import_workers
from hotline.models import Report
from hotline.ops.redis_server import PrivateRedis
from hotline.platform.runtime import Runtime
from tests.support.alerting_stack import LATE, NORMAL_REPORT, Hotline, is_alert, start_stack
from tests.support.processes import Stack, wait_for
from tests.support.ussd import walk_report
from workers.__main__ import DEFAULT_PROCESSES

pytestmark = pytest.mark.slow

WORKER, SUPERVISOR = "+243810000301", "+243810000302"
WAIT = 20  # every policy wait: the supervisor's alert falls due while Redis is gone
OUTAGE = 30  # seconds
POOL = DEFAULT_PROCESSES  # the Procfile's worker line runs this many RQ workers (WORKER_PROCESSES)
HELD = 3  # seconds the gateway holds the alert in flight when Redis goes, before failing it


@pytest.fixture
def kwilu(runtime: Runtime, tmp_path: Path) -> None:
    """No roster: Kwilu's worker is the primary level, its supervisor the supervisor level."""
    csv = tmp_path / "workers.csv"
    csv.write_text(
        f"name,phone,language,areas,role\nAmani,{WORKER},en,CD-KL,worker\nChantal,{SUPERVISOR},en,CD-KL,supervisor\n"
    )
    import_workers(runtime, csv)


def report(hotline: Hotline, session_id: str, phone: str) -> str:
    """A normal report over USSD, as in tests/support/alerting_stack.py, from its own phone."""
    final = walk_report(hotline.hooks + "/ussd", session_id, phone, NORMAL_REPORT)
    with hotline.runtime.session() as session:
        reference = session.scalar(select(Report.reference).where(Report.source_key == f"ussd:{session_id}"))
    assert reference is not None and reference in final, final
    return reference


def readyz(hotline: Hotline) -> tuple[int, dict[str, Any]]:
    # Longer than the web's Redis timeout: a frozen Redis makes /readyz itself wait for it.
    response = requests.get(hotline.stack.url + "/readyz", timeout=20)
    return response.status_code, response.json()


def outage_lines(log: Path, what: str) -> tuple[int, int]:
    """How often ``what`` (worker, scheduler, cron) logged that Redis went, and that it came back."""
    text = log.read_text(errors="replace")
    return text.count(f"{what}: Redis unreachable"), text.count(f"{what}: Redis back after")


@pytest.mark.parametrize("how", ["frozen", "stopped"])
def test_redis_gone_for_30_s_the_processes_stay_and_send_what_fell_due_once(
    how: Literal["frozen", "stopped"],
    kwilu: None,
    environ: dict[str, str],
    runtime: Runtime,
    redis_server: PrivateRedis,
    tmp_path: Path,
) -> None:
    settings = {"HOTLINE_ESCALATION_WAIT_SECONDS": str(WAIT), "HOTLINE_TICK_SECONDS": "1"}
    with start_stack(environ, runtime, tmp_path, **settings) as hotline:
        hotline.readiness(200)
        worker, cron = hotline.stack.processes["worker"], hotline.stack.processes["cron"]
        first = report(hotline, "ATUid_outage_first", "+243990000301")
        hotline.fake.wait_for(is_alert(first, WORKER), timeout=LATE)
        hotline.fake.timeout_hold = HELD
        hotline.fake.fail_next(1, "timeout")  # the second report's alert: held, then a 504
        second = report(hotline, "ATUid_outage_second", "+243990000302")
        wait_for(
            lambda: len([r for r in hotline.fake.requests if r.path == "/version1/messaging"]) == 2,
            timeout=LATE,
            what="the second alert in the gateway's hands",
        )
        with redis_server.unavailable(how):
            gone_at = time.monotonic()
            during = readyz(hotline)
            time.sleep(OUTAGE - (time.monotonic() - gone_at))
        # Due meanwhile: the first report's supervisor level; the second's worker (again) and supervisor.
        hotline.fake.wait_for(lambda m: is_alert(first)(m) or is_alert(second)(m), count=4, timeout=40)
        time.sleep(3)  # a duplicate would come close behind: the ticker runs every second
        after = hotline.readiness(200, timeout=30)
        wait_for(
            lambda: cron.poll() is not None or outage_lines(tmp_path / "cron.log", "cron")[1],
            timeout=30,
            what="cron to find Redis again (or to have exited)",
        )
        still_running = [kind for kind, p in hotline.stack.processes.items() if p.poll() is None]
        same = hotline.stack.processes["worker"] is worker and hotline.stack.processes["cron"] is cron

    assert during[0] == 503 and during[1]["checks"]["redis"] == "unreachable"
    assert same and still_running == ["web", "worker", "cron"]
    assert [m.to for m in hotline.alerts(first)] == [WORKER, SUPERVISOR]
    assert sorted(m.to for m in hotline.alerts(second)) == [WORKER, SUPERVISOR]  # in either order
    assert after["status"] == "ok"
    # Once per outage, not per attempt (a process may not notice a freeze shorter than its timeouts).
    assert outage_lines(tmp_path / "cron.log", "cron") == (1, 1)
    for what in ("worker", "scheduler"):
        went, back = outage_lines(tmp_path / "worker.log", what)
        assert went <= POOL and back <= POOL, (what, went, back)  # once per process at most
    assert (tmp_path / "worker.log").read_text().count("could not connect to Redis") <= 1


def test_the_worker_and_cron_started_while_redis_is_down_wait_for_it(
    environ: dict[str, str], runtime: Runtime, redis_server: PrivateRedis, tmp_path: Path
) -> None:
    with ExitStack() as cleanup:
        with redis_server.unavailable("stopped"):
            stack = cleanup.enter_context(Stack(environ, ("worker", "cron"), log_dir=tmp_path))
            time.sleep(3)
            while_down = {kind: p.poll() for kind, p in stack.processes.items()}
        wait_for(
            lambda: Worker.all(queue=runtime.queue.queue) and CronScheduler.all(runtime.redis),
            timeout=20,
            what="the worker and cron to register once Redis is up",
        )
        after = {kind: p.poll() for kind, p in stack.processes.items()}

    assert while_down == after == {"worker": None, "cron": None}
    assert outage_lines(tmp_path / "worker.log", "worker") == (POOL, POOL)  # once per worker process
    assert outage_lines(tmp_path / "cron.log", "cron") == (1, 1)
