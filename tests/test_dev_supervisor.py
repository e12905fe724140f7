"""`make dev` (hotline dev) keeps its processes running: one that exits is started again after a
pause that doubles while it keeps exiting, the others are left alone, and stop ends them all.

Real processes (a Python that exits at once, one that sleeps); the supervisor's clock is a counter
the test moves, so the pauses cost no time. Before, the first exit stopped the whole local stack.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hotline.ops.supervisor import Supervisor

ROOT = Path(__file__).resolve().parent.parent


class Ticks:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_process_that_exits_is_restarted_with_growing_pauses_and_the_others_keep_running(tmp_path):
    starts = tmp_path / "starts"
    exits_at_once = f"import pathlib; p = pathlib.Path({str(starts)!r}); p.write_text(p.read_text() + 'x')"
    starts.write_text("")
    lines: list[str] = []
    clock = Ticks()
    supervisor = Supervisor(
        {
            "cron": [sys.executable, "-c", exits_at_once + "; raise SystemExit(3)"],
            "web": [sys.executable, "-c", "import time; time.sleep(60)"],
        },
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        echo=lines.append,
        clock=clock,
    )
    supervisor.start()
    try:
        web = supervisor.pids()["web"]
        pauses = []
        for _ in range(3):
            cron = next(c.process for c in supervisor.children if c.name == "cron")
            assert cron is not None
            cron.wait(timeout=10)
            supervisor.poll()  # notes the exit
            pauses.append(lines[-1])
            supervisor.poll()
            assert supervisor.pids()["cron"] is None  # not before its pause is over
            clock.now += float(lines[-1].split(" in ")[1].removesuffix(" s"))
            supervisor.poll()
            assert supervisor.pids()["cron"] is not None
        assert supervisor.pids()["web"] == web
        running = [c.process for c in supervisor.children if c.process is not None]
        running[0].wait(timeout=10)  # the fourth run of cron
    finally:
        supervisor.stop()  # what Ctrl-C does

    assert pauses == [f"cron exited with status 3; restarting in {n} s" for n in (1, 2, 4)]
    assert starts.read_text() == "xxxx"
    assert [p.poll() for p in running] == [3, -15]  # the sleeping web process ended by SIGTERM
    assert supervisor.pids() == {"cron": None, "web": None}


def test_a_process_that_ran_a_while_before_exiting_is_restarted_after_the_shortest_pause(tmp_path):
    lines: list[str] = []
    clock = Ticks()
    supervisor = Supervisor(
        {"worker": [sys.executable, "-c", "raise SystemExit(1)"]},
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        echo=lines.append,
        clock=clock,
    )
    supervisor.start()
    try:
        for ran in (0.0, 0.0, 61.0):  # exits at once twice, then after a minute
            worker = supervisor.children[0].process
            assert worker is not None
            worker.wait(timeout=10)
            clock.now += ran
            supervisor.poll()
            clock.now += 30
            supervisor.poll()
    finally:
        supervisor.stop()

    assert [line.rsplit(" in ", 1)[1] for line in lines] == ["1 s", "2 s", "1 s"]
