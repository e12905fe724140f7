"""The cron process (Procfile: ``cron: python -m workers.cron``): RQ's CronScheduler.

It only enqueues; the worker processes run the jobs. Running two of these is harmless: every
job checks the database before it acts.
"""

from __future__ import annotations

import sys

from rq.cron import CronScheduler

from . import context, jobs


def main() -> int:
    rt = context.boot()
    if rt is None:
        return 2
    scheduler = CronScheduler(connection=rt.redis, logging_level="INFO")
    scheduler.register(jobs.tick, queue_name=rt.settings.queue_name, interval=rt.settings.tick_seconds)
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
