"""Running the Procfile's processes for real in tests: web and callbacks (gunicorn), worker, cron."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from hotline.ops.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


class Stack:
    """The Procfile's process types started as written, with one environment; stopped on exit."""

    def __init__(
        self,
        env: dict[str, str],
        kinds: tuple[str, ...] = ("web", "worker"),
        log_dir: Path | None = None,
        commands: dict[str, str] | None = None,
    ) -> None:
        """``commands`` replaces Procfile lines by kind (the benchmark's bare app uses it). Each
        gunicorn kind listens on a port of its own (PORT, as a Procfile runner gives each line)."""
        self.port = free_port()
        self.ports = {"web": self.port, "callbacks": free_port()}
        self.commands = {**procfile(), **(commands or {})}
        bin_dir = str(Path(sys.executable).parent)
        self.env = {
            **os.environ,
            **env,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "PATH": bin_dir + os.pathsep + os.environ["PATH"],
        }
        self.kinds = kinds
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def callbacks_url(self) -> str:
        """The callbacks process's address (AT's callbacks), or the web's when it does not run."""
        kind = "callbacks" if "callbacks" in self.kinds else "web"
        return f"http://127.0.0.1:{self.ports[kind]}"

    def start(self, kind: str) -> subprocess.Popen[bytes]:
        log = open(self.log_dir / f"{kind}.log", "ab") if self.log_dir else subprocess.DEVNULL  # noqa: SIM115
        env = {**self.env, "PORT": str(self.ports[kind])} if kind in self.ports else self.env
        process = subprocess.Popen(  # noqa: S602
            self.commands[kind],
            shell=True,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[kind] = process
        return process

    def kill(self, kind: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(kind)
        os.killpg(process.pid, sig)
        process.wait(timeout=10)

    def wait_until_up(self, timeout: float = 30.0, kind: str = "web") -> None:
        url = f"http://127.0.0.1:{self.ports[kind]}/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise AssertionError(f"{name} exited with {process.returncode}: {self.logs()}")
            try:
                if requests.get(url, timeout=1).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still booting
                pass
            time.sleep(0.1)
        raise AssertionError(f"{kind} did not come up: {self.logs()}")

    def logs(self) -> str:
        if not self.log_dir:
            return "(no logs kept)"
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.log_dir.glob("*.log"))
        )

    def __enter__(self) -> Stack:
        for kind in self.kinds:
            self.start(kind)
        for kind in ("web", "callbacks"):
            if kind in self.kinds:
                self.wait_until_up(kind=kind)
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
            # Whatever of the group is still there (the leader past its grace, or a child it left
            # behind) would go on writing to the next test's database: end it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it returns something truthy (for watching other processes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")
