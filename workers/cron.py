"""The cron process (Procfile: ``cron: python -m workers.cron``): RQ's CronScheduler.

It only enqueues; the worker processes run the jobs. Running two of these is harmless: every
job checks the database before it acts. A Redis outage does not end it (workers/resilience.py):
it waits for Redis and starts RQ's loop again, and what fell due meanwhile is enqueued then.
"""

from __future__ import annotations

import sys
import threading
from types import FrameType
from typing import Any

from rq.cron import CronScheduler

from workers import context, jobs
from workers.resilience import Outage, keep_running, probe_for, stop_on_signals

RETENTION_CRON = "30 2 * * *"
BALANCE_CRON = "0 6 * * *"  # 06:00 UTC, 07:00 in Kinshasa: read before the office opens


class Cron(CronScheduler):
    """RQ's CronScheduler whose stop request is remembered across outages."""

    def __init__(self, *args: Any, stop: threading.Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stop = stop

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()
        super()._request_stop(signum, frame)


def main() -> int:
    rt = context.boot()
    if rt is None:
        return 2
    stop = threading.Event()
    stop_on_signals(stop)
    scheduler = Cron(connection=rt.redis, logging_level="INFO", stop=stop)
    scheduler.register(jobs.tick, queue_name=rt.settings.queue_name, interval=rt.settings.tick_seconds)
    # Every night at 02:30 UTC, when the service is quietest (03:30 in Kinshasa).
    scheduler.register(jobs.purge_expired, queue_name=rt.settings.queue_name, cron=RETENTION_CRON)
    scheduler.register(jobs.check_balance, queue_name=rt.settings.queue_name, cron=BALANCE_CRON)
    return 0 if keep_running(scheduler.start, Outage(probe_for(rt.redis), "cron", stop)) else 1


if __name__ == "__main__":
    sys.exit(main())
