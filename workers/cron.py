"""The cron process (Procfile: ``cron: python -m workers.cron``): RQ's CronScheduler.

It only enqueues; the worker processes run the jobs. Running two of these is harmless: every
job checks the database before it acts.
"""

from __future__ import annotations

import sys

from rq.cron import CronScheduler

from hotline.logs import configure_logging
from hotline.runtime import Runtime
from hotline.settings import Settings, SettingsError

from . import jobs


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging()
    rt = Runtime.build(settings)
    scheduler = CronScheduler(connection=rt.redis, logging_level="INFO")
    scheduler.register(jobs.tick, queue_name=settings.queue_name, interval=settings.tick_seconds)
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
