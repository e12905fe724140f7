"""Driving the load with wrk (Debian's ``wrk``) and bench/ussd.lua: one thread, one phone."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.stack import Variant

LUA = Path(__file__).resolve().parent / "ussd.lua"
TIMEOUT = "10s"  # AT's own deadline for a USSD answer


@dataclass(frozen=True)
class Load:
    """One wrk run: ``threads`` phones, for ``seconds`` or until ``total`` conversations."""

    url: str
    threads: int
    seconds: float
    variants: Sequence[Variant]
    prefix: str  # keeps each run's phones and sessions apart in the shared Redis
    pace: float = 0.0  # seconds between one phone's conversation starts; 0 = back to back
    total: int = 0
    out_dir: Path | None = None
    expect_end: bool = True


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("the benchmark needs wrk: apt-get install -y wrk")
    return found


def run(load: Load, stop_when: Callable[[], bool] | None = None) -> dict:
    """Run wrk; ``stop_when`` is polled and ends the run early (wrk reports on SIGINT)."""
    if load.out_dir:
        load.out_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "BENCH_VARIANTS": ";".join(",".join(v.keys) for v in load.variants),
        "BENCH_THREADS": str(load.threads),
        "BENCH_PREFIX": load.prefix,
        "BENCH_PACE": str(load.pace),
        "BENCH_TOTAL": str(load.total),
        "BENCH_EXPECT_END": "1" if load.expect_end else "0",
    }
    if load.out_dir:
        env["BENCH_OUT"] = str(load.out_dir)
    command = [
        wrk_binary(),
        "-t",
        str(load.threads),
        "-c",
        str(load.threads),
        "-d",
        f"{max(1, round(load.seconds))}s",
        "--timeout",
        TIMEOUT,
        "-s",
        str(LUA),
        load.url,
    ]
    process = subprocess.Popen(  # noqa: S603
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    while stop_when is not None and process.poll() is None:
        if stop_when():
            process.send_signal(signal.SIGINT)
            break
        time.sleep(0.2)
    output, _ = process.communicate(timeout=load.seconds + 60)
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"wrk gave no result:\n{output}")


def summary(result: dict) -> dict:
    """Hops per second and latencies in milliseconds, from wrk's microseconds."""
    seconds = result["duration_us"] / 1e6
    errors = result["socket_errors"] + result["http_errors"] + result["timeouts"] + result["bad_screens"]
    return {
        "hops": result["requests"],
        "seconds": round(seconds, 2),
        "hops_per_s": round(result["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(result["p50_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2),
        "max_ms": round(result["max_us"] / 1000, 2),
        "errors": errors,
        "http_errors": result["http_errors"],
        "conversations": result["conversations"],
        "unfinished": result["unfinished"],
    }


def end_screens(out_dir: Path) -> list[tuple[float, str]]:
    """(time, END screen) for every finished conversation, as the phones saw them."""
    ends = []
    for path in sorted(out_dir.glob("ends-*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            at, _, body = line.partition("\t")
            ends.append((float(at), body))
    return ends


def all_done(out_dir: Path, threads: int) -> Callable[[], bool]:
    return lambda: len(list(out_dir.glob("done-*"))) >= threads
