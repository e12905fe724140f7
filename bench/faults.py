"""``python -m bench.faults``: USSD hop latency while Redis is frozen, next to the same phones' with
Redis healthy, in one run (issue 18). Part of ``make bench``.

The real stack (bench/stack.py: the Procfile's web, worker and cron, a private Redis, SQLite, the fake
AT) and phones dialling report conversations from Python threads (no wrk needed), all on loopback.
Three phases back to back: Redis healthy, Redis frozen (SIGSTOP: connections stay open and nothing
answers, as a hung server), Redis thawed. A hop counts as frozen if Redis was frozen at any time
while it waited; one answered after AT's 10 s deadline is one the phone never saw. Writes
faults.json and the fault section of results.md (after the table ``python -m bench`` writes), and
prints it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench import measure, report, stack

HERE = Path(__file__).resolve().parent
DEADLINE = 10.0  # seconds: Africa's Talking drops a USSD session not answered within this
HOP_TIMEOUT = 35.0  # longer than gunicorn's own request timeout: every answer is measured
WARMUP = 3.0  # seconds of dialling before the healthy phase
SECTION = "## Redis frozen mid-conversation (python -m bench.faults)"


@dataclass(frozen=True)
class Hop:
    started: float
    seconds: float
    answer: str  # "CON", "END", or what went wrong ("http 502", "ReadTimeout")
    last: bool  # the conversation's last hop (where END is the report's receipt)


def phone(url: str, number: int, keys: tuple[str, ...], stop: threading.Event, hops: list[Hop]) -> None:
    """One phone: report conversations back to back until ``stop``; every hop timed."""
    with requests.Session() as http:
        conversation = 0
        while not stop.is_set():
            conversation += 1
            text = ""
            for i, key in enumerate(["", *keys]):
                text = key if i <= 1 else f"{text}*{key}"
                started = time.time()
                form = {
                    "sessionId": f"ATUid_fault_{number}_{conversation}",
                    "phoneNumber": f"+24399{number % 100:02d}{conversation % 100000:05d}",
                    "serviceCode": "*384*1#",
                    "networkCode": "63001",
                    "text": text,
                }
                try:
                    response = http.post(url, data=form, timeout=HOP_TIMEOUT)
                    answer = (
                        response.text[:3] if response.status_code == 200 else f"http {response.status_code}"
                    )
                except requests.RequestException as exc:
                    answer = type(exc).__name__
                hops.append(Hop(started, time.time() - started, answer, i == len(keys)))
                if answer != "CON" or stop.is_set():
                    break  # an END (receipt or error screen) or no answer ends the session


def summary(hops: list[Hop]) -> dict:
    """Latency (ms) and what the phones saw, for the hops of one phase."""
    seconds = [h.seconds for h in hops]

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    return {
        "hops": len(hops),
        "p50_ms": ms(measure.percentile(seconds, 50)),
        "p99_ms": ms(measure.percentile(seconds, 99)),
        "max_ms": ms(max(seconds, default=None)),
        "past_deadline": sum(1 for s in seconds if s > DEADLINE),
        "cut_short": sum(1 for h in hops if h.answer == "END" and not h.last),  # an error screen
        "failed": sum(1 for h in hops if h.answer not in ("CON", "END")),
    }


def run(phones: int, seconds: dict[str, float], workdir: Path) -> dict:
    variants = stack.variants()
    with stack.real_stack("sqlite", workdir, bundle_after=0) as hotline:
        stop, hops = threading.Event(), list[Hop]()
        threads = [
            threading.Thread(
                target=phone,
                args=(hotline.ussd_url, n, variants[n % len(variants)].keys, stop, hops),
                daemon=True,
            )
            for n in range(phones)
        ]
        for thread in threads:
            thread.start()
        time.sleep(WARMUP)  # the first hops of a fresh stack are not counted
        bounds = {"healthy": time.time()}
        time.sleep(seconds["healthy"])
        with hotline.redis.unavailable("frozen"):
            bounds["frozen"] = time.time()
            time.sleep(seconds["frozen"])
        bounds["thawed"] = time.time()
        time.sleep(seconds["thawed"])
        stop.set()
        for thread in threads:
            thread.join(timeout=HOP_TIMEOUT + 5)
        running = [kind for kind, p in hotline.stack.processes.items() if p.poll() is None]
    frozen, thawed = bounds["frozen"], bounds["thawed"]
    phases = {  # a hop in flight when Redis froze counts as frozen; the warm-up's are left out
        "healthy": summary(
            [h for h in hops if bounds["healthy"] <= h.started and h.started + h.seconds < frozen]
        ),
        "frozen": summary([h for h in hops if h.started < thawed and h.started + h.seconds >= frozen]),
        "thawed": summary([h for h in hops if h.started >= thawed]),
    }
    return {
        "machine": report.machine(),
        "phones": phones,
        "seconds": seconds,
        "phases": phases,
        "running_after": running,
    }


def markdown(result: dict) -> str:
    lines = [
        SECTION,
        "",
        f"{result['phones']} phones dialling throughout; Redis frozen (SIGSTOP) for "
        f"{result['seconds']['frozen']:.0f} s between {result['seconds']['healthy']:.0f} s healthy "
        f"and {result['seconds']['thawed']:.0f} s thawed. AT's deadline is {DEADLINE:.0f} s.",
        "",
        "| Redis | hops | p50 (ms) | p99 (ms) | max (ms) | past 10 s | error screens | failed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in result["phases"].items():
        lines.append(
            f"| {name} | {s['hops']} | {s['p50_ms']} | {s['p99_ms']} | {s['max_ms']} | "
            f"{s['past_deadline']} | {s['cut_short']} | {s['failed']} |"
        )
    m = result["machine"]
    lines += [
        "",
        f"Still running after the freeze: {', '.join(result['running_after']) or 'nothing'}. "
        f"SQLite; {m['cores']} cores ({m['cpu']}), Python {m['python']}, {m['measured_at']}.",
        "",
    ]
    return "\n".join(lines)


def with_section(existing: str, section: str) -> str:
    """results.md with the fault section replaced (or added after the table)."""
    before = existing.split(SECTION, 1)[0].rstrip("\n")
    return (before + "\n\n" if before else "") + section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--phones", type=int, default=16)
    parser.add_argument("--healthy-seconds", type=float, default=20)
    parser.add_argument("--freeze-seconds", type=float, default=20)
    parser.add_argument("--thawed-seconds", type=float, default=10)
    parser.add_argument("--out", type=Path, default=HERE, help="where faults.json and results.md go")
    args = parser.parse_args(argv)
    seconds = {"healthy": args.healthy_seconds, "frozen": args.freeze_seconds, "thawed": args.thawed_seconds}
    with tempfile.TemporaryDirectory(prefix="hotline-bench-faults-") as workdir:
        result = run(args.phones, seconds, Path(workdir))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "faults.json").write_text(json.dumps(result, indent=2) + "\n")
    results_md = args.out / "results.md"
    section = markdown(result)
    results_md.write_text(with_section(results_md.read_text() if results_md.exists() else "", section))
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
