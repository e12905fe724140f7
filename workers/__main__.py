"""The worker process (Procfile: ``worker: python -m workers``): RQ with its scheduler.

SimpleWorker runs each job in this process instead of forking one per job: the database pool
and the gateway client are reused, which keeps an alert's latency and memory low. A job that
dies with its process is retried by another worker's maintenance (RQ's abandoned-job handling)
and, as a last resort, re-found from the database's outbox.
"""

from __future__ import annotations

import argparse
import sys

from rq import SimpleWorker

from workers import context

JOB_MONITORING_INTERVAL = 10  # seconds between heartbeats while a job runs
MAINTENANCE_INTERVAL = 60  # seconds between clean-ups of jobs whose worker died
# An idle worker heartbeats every TTL - 15 s and its key expires TTL + 60 s after the last one:
# /readyz sees a SIGKILLed worker gone within two minutes (RQ's default, 420 s, took eight).
WORKER_TTL = 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    args = parser.parse_args(argv)
    rt = context.boot()
    if rt is None:
        return 2
    worker = SimpleWorker(
        [rt.queue.queue],
        connection=rt.redis,
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
        maintenance_interval=MAINTENANCE_INTERVAL,
        worker_ttl=WORKER_TTL,
        log_job_description=False,
    )
    worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
