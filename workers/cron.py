"""The cron process (Procfile: ``cron: python -m workers.cron``): RQ's CronScheduler.

It only enqueues; the worker processes run the jobs. Running two of these is harmless: every
job checks the database before it acts.
"""

from __future__ import annotations

import sys

from rq.cron import CronScheduler

from workers import context, jobs

RETENTION_CRON = "30 2 * * *"
BALANCE_CRON = "0 6 * * *"  # 06:00 UTC, 07:00 in Kinshasa: read before the office opens


def main() -> int:
    rt = context.boot()
    if rt is None:
        return 2
    scheduler = CronScheduler(connection=rt.redis, logging_level="INFO")
    scheduler.register(jobs.tick, queue_name=rt.settings.queue_name, interval=rt.settings.tick_seconds)
    # Every night at 02:30 UTC, when the service is quietest (03:30 in Kinshasa).
    scheduler.register(jobs.purge_expired, queue_name=rt.settings.queue_name, cron=RETENTION_CRON)
    scheduler.register(jobs.check_balance, queue_name=rt.settings.queue_name, cron=BALANCE_CRON)
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
