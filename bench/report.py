"""The targets of issue 7, and the table of figures against them (printed and bench/results.md)."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Row = tuple[str, str, Callable[[dict], object], Callable[[dict], bool | None]]


def _get(run: dict, *path: str) -> object:
    value: object = run
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _at_most(limit: float, *path: str) -> Callable[[dict], bool | None]:
    def check(run: dict) -> bool | None:
        value = _get(run, *path)
        return None if value is None else float(value) <= limit  # type: ignore[arg-type]

    return check


# fmt: off
ROWS: list[Row] = [
    ("USSD hops/s, real stack (32 phones)", "", lambda r: _get(r, "hops", "real", "hops_per_s"),
     lambda r: None),
    ("USSD hops/s, bare Flask (same gunicorn)", "", lambda r: _get(r, "hops", "bare", "hops_per_s"),
     lambda r: None),
    ("Throughput ratio real / bare", ">= 0.6", lambda r: _get(r, "hops", "ratio"),
     lambda r: None if _get(r, "hops", "ratio") is None else float(_get(r, "hops", "ratio")) >= 0.6),  # type: ignore[arg-type]
    ("Hop latency p50 / p99 (ms)", "p99 <= 50",
     lambda r: f"{_get(r, 'hops', 'real', 'p50_ms')} / {_get(r, 'hops', 'real', 'p99_ms')}",
     _at_most(50, "hops", "real", "p99_ms")),
    ("Hop errors (real / bare)", "0",
     lambda r: f"{_get(r, 'hops', 'real', 'errors')} / {_get(r, 'hops', 'bare', 'errors')}",
     lambda r: _get(r, "hops", "real", "errors") == 0),
    ("Report to alert, all reports p50 / p99 / max (s)", "p99 <= 1",
     lambda r: _triple(_get(r, "steady", "alerts", "all")), _at_most(1, "steady", "alerts", "all", "p99_s")),
    ("... alerted alone (n) p50 / p99 / max (s)", "p99 <= 1",
     lambda r: _triple(_get(r, "steady", "alerts", "alone"), count=True),
     _at_most(1, "steady", "alerts", "alone", "p99_s")),
    ("... bundled by design (n) p50 / p99 / max (s)", "held 60 s",
     lambda r: _triple(_get(r, "steady", "alerts", "bundled"), count=True), lambda r: None),
    ("Steady rate reached (reports/s)", "20", lambda r: _get(r, "steady", "reports_per_s"), lambda r: None),
    ("Surge: reports stored / sent", "all",
     lambda r: f"{_get(r, 'surge', 'stored')} / {_get(r, 'surge', 'sent')}",
     lambda r: _get(r, "surge", "lost") == 0),
    ("Surge: 5xx answers", "0", lambda r: _get(r, "surge", "http_errors"),
     lambda r: _get(r, "surge", "http_errors") == 0),
    ("Surge: reports never alerted", "0", lambda r: _get(r, "surge", "unalerted"),
     lambda r: _get(r, "surge", "unalerted") == 0),
    ("Surge: time until the last alert (s)", "<= 120", lambda r: _get(r, "surge", "all_alerted_s"),
     _at_most(120, "surge", "all_alerted_s")),
    ("... of which sending the reports (s)", "", lambda r: _get(r, "surge", "sending_s"), lambda r: None),
    ("... after the last report's END (s)", "", lambda r: _get(r, "surge", "after_last_report_s"),
     lambda r: None),
    ("Surge: each report's END to its alert, p50 / p99 / max (s)", "",
     lambda r: _triple(_get(r, "surge", "alerts", "all")), lambda r: None),
    ("Peak RSS web worker (MB)", "<= 80", lambda r: _get(r, "memory", "web_worker_max"),
     _at_most(80, "memory", "web_worker_max")),
    ("Peak RSS RQ worker (MB)", "<= 80", lambda r: _get(r, "memory", "rq_worker"),
     _at_most(80, "memory", "rq_worker")),
    ("Peak RSS Redis (MB)", "", lambda r: _get(r, "memory", "redis"), lambda r: None),
]
# fmt: on


def _triple(stats: object, count: bool = False) -> str:
    if not isinstance(stats, dict) or not stats.get("count"):
        return "-"
    text = f"{stats['p50_s']} / {stats['p99_s']} / {stats['max_s']}"
    return f"({stats['count']}) {text}" if count else text


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def table(results: dict) -> str:
    """A Markdown table: one column of figures per database, each marked against its target."""
    runs = results["runs"]
    lines = [
        "| Measure | Target | " + " | ".join(runs) + " |",
        "| --- | --- | " + " | ".join("---" for _ in runs) + " |",
    ]
    for label, target, value, check in ROWS:
        cells = []
        for run in runs.values():
            verdict = check(run)
            mark = "" if verdict is None else (" ✓" if verdict else " ✗")
            shown = value(run)
            cells.append(f"{'-' if shown is None else shown}{mark}")
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    m = results["machine"]
    mode = "quick run (short, not comparable)" if results.get("quick") else "full run"
    bundling = results.get("plan", {}).get("bundle_after", 3)
    lines += [
        "",
        f"{mode}; {m['cores']} cores ({m['cpu']}), Python {m['python']}, {m['measured_at']}; "
        f"HOTLINE_BUNDLE_AFTER={bundling}" + (" (bundling off)" if not bundling else "") + ".",
    ]
    return "\n".join(lines) + "\n"
