"""Keeping `hotline dev`'s processes running: one that exits is started again, not the stack stopped.

A process that exits is restarted after a pause that doubles while it keeps exiting (1, 2, 4 ...
30 s) and starts again from 1 s once it has run a minute; each exit says so on stderr. ``stop``
ends them all (Ctrl-C).
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

FIRST_PAUSE = 1.0
PAUSE_CAP = 30.0
STEADY_AFTER = 60.0  # seconds a process must run for its next restart to be quick again


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    pause: float = FIRST_PAUSE


class Supervisor:
    def __init__(
        self,
        commands: Mapping[str, list[str]],
        *,
        cwd: Path,
        env: Mapping[str, str],
        echo: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = [Child(name, command) for name, command in commands.items()]
        self.cwd, self.env, self.echo, self.clock = cwd, dict(env), echo, clock

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def poll(self) -> None:
        """Note the processes that exited and restart those whose pause is over."""
        now = self.clock()
        for child in self.children:
            if child.process is not None and (code := child.process.poll()) is not None:
                if now - child.started_at >= STEADY_AFTER:
                    child.pause = FIRST_PAUSE
                child.process, child.restart_at = None, now + child.pause
                self.echo(f"{child.name} exited with status {code}; restarting in {child.pause:.0f} s")
                child.pause = min(child.pause * 2, PAUSE_CAP)
            if child.process is None and child.restart_at is not None and now >= child.restart_at:
                self._spawn(child)

    def run(self, interval: float = 0.5) -> None:
        """Poll for ever (until Ctrl-C, which the caller turns into ``stop``)."""
        while True:
            self.poll()
            time.sleep(interval)

    def pids(self) -> dict[str, int | None]:
        return {child.name: child.process.pid if child.process else None for child in self.children}

    def stop(self, grace: float = 15) -> None:
        running = [child.process for child in self.children if child.process and child.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for child in self.children:
            child.process, child.restart_at = None, None

    def _spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(  # noqa: S603 (our own interpreter and modules)
            child.command, cwd=self.cwd, env=self.env, start_new_session=True
        )
        child.started_at, child.restart_at = self.clock(), None
