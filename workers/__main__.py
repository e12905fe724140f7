"""The worker process (Procfile: ``worker: python -m workers``): RQ with its scheduler.

SimpleWorker runs each job in this process instead of forking one per job: the database pool
and the gateway client are reused, which keeps an alert's latency and memory low. A job that
dies with its process is retried by another worker's maintenance (RQ's abandoned-job handling)
and, as a last resort, re-found from the database's outbox.

``WORKER_PROCESSES`` (default 2) such processes are forked by a small pool (``pool()``).

A Redis outage does not end the process (workers/resilience.py): an idle worker waits in its
heartbeat, the scheduler in its own loop, and when RQ's work loop quits on a Redis error, a fresh
worker starts once Redis answers again.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from contextlib import suppress
from typing import Any

from redis.client import PubSub, PubSubWorkerThread
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.exceptions import StopRequested
from rq.scheduler import RQScheduler

from hotline.platform.runtime import Runtime
from workers import context
from workers.resilience import BACKOFF_CAP, REDIS_DOWN, Outage, keep_running, probe_for, stop_on_signals

JOB_MONITORING_INTERVAL = 10  # seconds between heartbeats while a job runs
MAINTENANCE_INTERVAL = 60  # seconds between clean-ups of jobs whose worker died
# An idle worker heartbeats every TTL - 15 s and its key expires TTL + 60 s after the last one:
# /readyz sees a SIGKILLed worker gone within two minutes (RQ's default, 420 s, took eight).
WORKER_TTL = 60
PUBSUB_RETRY = 2.0  # seconds between the command channel's reconnection attempts (RQ's)
DEFAULT_PROCESSES = 2  # worker processes (WORKER_PROCESSES): see pool()
RESPAWN_DELAY = 1.0  # seconds before a worker process that ended is started again
POOL_POLL = 0.2  # seconds between two looks at the children and the stop flag
FORWARD_DELAY = 2.0  # seconds the workers have to stop on a group's signal before the pool sends its own
STOP_GRACE = 25.0  # seconds the children have to finish their jobs (the Procfile's stop timeout ~30)
PR_SET_PDEATHSIG = 1  # prctl's option number (linux/prctl.h)

log = logging.getLogger(__name__)


class Scheduler(RQScheduler):
    """RQ's scheduler (a child process of the worker) that waits out an outage instead of exiting
    (the worker's maintenance would start a new one only a minute later)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stopping = threading.Event()

    def work(self) -> None:
        keep_running(super().work, Outage(probe_for(self.connection), "scheduler", self.stopping))

    def request_stop(self, signum: Any = None, frame: Any = None) -> None:
        self.stopping.set()
        super().request_stop(signum, frame)


class Worker(SimpleWorker):
    """SimpleWorker that waits out an outage in its heartbeat, the first Redis call of each turn of
    its loops, with one log line instead of one per attempt, and starts our Scheduler."""

    max_connection_wait_time = BACKOFF_CAP  # RQ's own retries around the wait for a job: 1, 2 ... 30 s

    def __init__(self, *args: Any, outage: Outage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outage = outage

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        if pipeline is not None:  # part of a job's bookkeeping: fails with it
            super().heartbeat(timeout, pipeline)
            return
        try:
            super().heartbeat(timeout)
        except REDIS_DOWN:
            if not self.outage.wait():
                raise StopRequested() from None
            if not self.connection.exists(self.key):  # Redis came back without its data
                self.register_birth()
            super().heartbeat(timeout)

    def request_stop(self, signum: Any, frame: Any) -> None:
        self.outage.stop.set()
        super().request_stop(signum, frame)

    def unsubscribe(self) -> None:
        """RQ's, in the order that does not hang: RQ unsubscribes first, and redis-py's thread,
        seeing no subscription left before it sees the stop, waits a minute for one (its
        ``sleep_time``, 60 s), which ``stop()`` waits out: a worker stopped then took up to a
        minute to unregister. The stop flag goes first here; the thread closes the connection."""
        if self.pubsub_thread:
            self.pubsub_thread.stop(timeout=0.1)
            with suppress(RedisError):
                self.pubsub.unsubscribe()
            self.pubsub_thread.join(timeout=1)

    def _pubsub_exception_handler(
        self, exc: Exception, pubsub: PubSub, pubsub_thread: PubSubWorkerThread
    ) -> None:
        """RQ's logs every retry of the command channel; the outage is logged once already."""
        if not isinstance(exc, REDIS_DOWN):
            super()._pubsub_exception_handler(exc, pubsub, pubsub_thread)
        time.sleep(PUBSUB_RETRY)

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ) -> None:
        """RQ's, with our Scheduler (RQ names its class inside this method)."""
        if burst:
            super()._start_scheduler(burst, logging_level, date_format, log_format)
            return
        self.scheduler = Scheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks(auto_start=True)

    def retire(self) -> None:
        """What RQ's teardown could not do while Redis was down: unregister, close the channel."""
        with suppress(RedisError):
            self.register_death()
        with suppress(RedisError):
            self.unsubscribe()


def new_worker(rt: Runtime, outage: Outage) -> Worker:
    return Worker(
        [rt.queue.queue],
        connection=rt.redis,
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
        maintenance_interval=MAINTENANCE_INTERVAL,
        worker_ttl=WORKER_TTL,
        log_job_description=False,
        outage=outage,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    parser.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("WORKER_PROCESSES", str(DEFAULT_PROCESSES))),
        help=f"worker processes (WORKER_PROCESSES, default {DEFAULT_PROCESSES})",
    )
    args = parser.parse_args(argv)
    if args.processes > 1 and not args.burst:
        return pool(args.processes)
    return serve(burst=args.burst)


def serve(burst: bool = False) -> int:
    """One worker process: RQ's SimpleWorker with its scheduler, riding out Redis outages."""
    rt = context.boot()
    if rt is None:
        return 2
    stop = threading.Event()
    stop_on_signals(stop)
    outage = Outage(probe_for(rt.redis), "worker", stop)
    if burst:
        new_worker(rt, outage).work(burst=True, with_scheduler=True, logging_level="INFO")
        return 0
    workers: list[Worker] = []

    def run() -> None:
        if workers:
            workers.pop().retire()
        workers.append(new_worker(rt, outage))
        workers[-1].work(with_scheduler=True, logging_level="INFO")

    return 0 if keep_running(run, outage) else 1


def pool(processes: int) -> int:
    """``processes`` worker processes, forked before any connection is made, each ``serve()``.

    One process runs the jobs one at a time: at a USSD campaign's rate the alerts fell seconds
    behind the reports while the web had CPU to spare (docs/performance.md). A child that exits is
    started again after a second; SIGTERM or SIGINT stops them all (RQ's warm shutdown: a job
    under way finishes). A child dies with this process, even SIGKILLed.
    """
    from hotline.platform.logs import configure_logging
    from hotline.platform.settings import Settings, SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError as exc:  # each child would say it again, once a second
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format)
    stop = threading.Event()
    stop_on_signals(stop)
    children = {_fork_worker() for _ in range(processes)}
    while not stop.is_set():
        pid, status = _reap()
        if pid in children:
            children.discard(pid)
            if os.waitstatus_to_exitcode(status) == 2:  # a configuration error: say it once
                stop.set()
                break
            log.warning("worker process %s ended (%s): starting another", pid, status)
            if stop.wait(RESPAWN_DELAY):
                break
            children.add(_fork_worker())
            continue
        stop.wait(POOL_POLL)
    # A Procfile runner or systemd signals the whole group: the workers are stopping already, and a
    # second SIGTERM would make RQ's warm shutdown a cold one (leaving the worker registered).
    # Only those still running after a moment get it from here.
    _wait_for(children, FORWARD_DELAY)
    for pid in children:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    _wait_for(children, STOP_GRACE)
    for pid in children:  # past the grace: a job stuck beyond it is re-found by the ticker
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return 0


def _wait_for(children: set[int], seconds: float) -> None:
    """Until ``children`` (updated in place) have all ended, or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while children and time.monotonic() < deadline:
        pid, _ = _reap()
        children.discard(pid)
        time.sleep(POOL_POLL)


def _reap() -> tuple[int, int]:
    """(pid, wait status) of a child that ended, or (0, 0)."""
    try:
        return os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return 0, 0


def _fork_worker() -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        _die_with_parent()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        code = serve()
    finally:
        os._exit(code)


def _die_with_parent() -> None:
    """Linux: SIGTERM this process when its parent dies (a SIGKILLed pool leaves no worker)."""
    with suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


if __name__ == "__main__":
    sys.exit(main())
