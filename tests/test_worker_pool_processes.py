"""The worker pool (``python -m workers``, WORKER_PROCESSES): several RQ workers under one process.

One worker process runs the jobs one at a time, and in a USSD campaign the alerts fell seconds
behind the reports (docs/performance.md). The Procfile's worker line now forks WORKER_PROCESSES
workers (default 2); the pool must start them all, replace one that dies, and leave none behind
when it is itself killed, even by SIGKILL (a Procfile runner or systemd then starts a new pool).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from rq import Worker

from hotline.platform.runtime import Runtime
from tests.support.processes import Stack, wait_for

pytestmark = pytest.mark.slow


def pool_and_children(stack: Stack) -> tuple[int, set[int]]:
    """The pool's pid (the Procfile line may run under ``sh -c``) and its worker processes'."""
    shell = stack.processes["worker"].pid
    pool = next(pid for pid in [shell, *children_of(shell)] if is_worker(pid))
    return pool, {pid for pid in children_of(pool) if is_worker(pid)}


def is_worker(pid: int) -> bool:
    """``python -m workers`` (the pool and its forks alike), not the shell that started it."""
    command = command_of(pid).split()
    return bool(command) and Path(command[0]).name.startswith("python") and "workers" in command


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_pool_runs_its_workers_replaces_a_dead_one_and_takes_them_with_it(
    environ: dict[str, str], runtime: Runtime, tmp_path: Path
) -> None:
    with Stack({**environ, "WORKER_PROCESSES": "3"}, ("worker",), log_dir=tmp_path) as stack:
        wait_for(lambda: len(Worker.all(queue=runtime.queue.queue)) == 3, timeout=30, what="three workers")
        pool, first = pool_and_children(stack)
        assert len(first) == 3 and pool not in first

        dead = sorted(first)[0]
        os.kill(dead, signal.SIGKILL)
        wait_for(
            lambda: len(pool_and_children(stack)[1] - first) == 1 and not alive(dead),
            timeout=20,
            what="a worker process in place of the killed one",
        )
        now = pool_and_children(stack)[1]
        assert len(now) == 3 and dead not in now

        os.kill(pool, signal.SIGKILL)  # not its group: its workers must go by themselves
        # Most stop within a second or two (workers/__main__.py, Worker.unsubscribe); about one run
        # in six here one took longer than 10 s, in a teardown wait not yet found: a minute at most.
        wait_for(lambda: not any(alive(pid) for pid in now), timeout=75, what="the workers to end")
