"""The targets of issue 17 (issue 7's, restated against peers), and the table of figures against
them (printed and written to bench/results.md)."""

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
        return None if not isinstance(value, int | float) else value <= limit

    return check


def _at_least(limit: float, *path: str) -> Callable[[dict], bool | None]:
    def check(run: dict) -> bool | None:
        value = _get(run, *path)
        return None if not isinstance(value, int | float) else value >= limit

    return check


def _spread(run: dict, *path: str, spread: str = "") -> str:
    """A median, with its min-max over the rounds when there were several."""
    value = _get(run, *path)
    bounds = _get(run, *path[:-1], spread or f"{path[-1]}_spread")
    if isinstance(bounds, list) and bounds[0] != bounds[1]:
        return f"{value} ({bounds[0]}-{bounds[1]})"
    return "-" if value is None else str(value)


def _ratio(run: dict, key: str) -> str:
    return _spread(run, "hops", key)


def _split(run: dict, app: str) -> str:
    split = _get(run, "hops", app, "cpu", "ms_per_hop")
    if not isinstance(split, dict):
        return "-"
    return " / ".join(f"{value}" for value in split.values())


# fmt: off
ROWS: list[Row] = [
    ("USSD hops/s: bare Flask / minimal USSD app / project", "",
     lambda r: " / ".join(_spread(r, "hops", app, "hops_per_s") for app in ("bare", "minimal", "real")),
     lambda r: None),
    ("Throughput, project / minimal", ">= 0.5", lambda r: _ratio(r, "ratio"),
     _at_least(0.5, "hops", "ratio")),
    ("CPU ms per hop, all processes: minimal / project", "",
     lambda r: f"{_spread(r, 'hops', 'minimal', 'cpu', 'total_ms_per_hop', spread='total_spread')} / "
               f"{_spread(r, 'hops', 'real', 'cpu', 'total_ms_per_hop', spread='total_spread')}",
     lambda r: None),
    ("... project: console web / callbacks / worker / cron / Redis", "", lambda r: _split(r, "real"),
     lambda r: None),
    ("... minimal: web / Redis", "", lambda r: _split(r, "minimal"), lambda r: None),
    ("CPU per hop, project / minimal", "<= 2", lambda r: _ratio(r, "cpu_ratio"),
     _at_most(2, "hops", "cpu_ratio")),
    ("Hop p99 ms: minimal / project (32 phones)", "",
     lambda r: f"{_spread(r, 'hops', 'minimal', 'p99_ms')} / {_spread(r, 'hops', 'real', 'p99_ms')}",
     lambda r: None),
    ("Hop p99, project / minimal", "<= 2.5", lambda r: _ratio(r, "p99_ratio"),
     _at_most(2.5, "hops", "p99_ratio")),
    ("Hop errors: minimal / project", "0",
     lambda r: f"{_get(r, 'hops', 'minimal', 'errors')} / {_get(r, 'hops', 'real', 'errors')}",
     lambda r: _get(r, "hops", "real", "errors") == 0),
    ("Reports/s during the hop runs", "", lambda r: _get(r, "hops", "real", "reports_per_s"), lambda r: None),
    ("... END to alert at that rate, p50 / p99 / max (s)", "p99 <= 2",
     lambda r: _triple(_get(r, "hops", "real", "alerts")), _at_most(2, "hops", "real", "alerts", "p99_s")),
    ("Steady run: reports/s reached", "20", lambda r: _get(r, "steady", "reports_per_s"), lambda r: None),
    ("... END to alert, p50 / p99 / max (s)", "p99 <= 2",
     lambda r: _triple(_get(r, "steady", "alerts", "all")), _at_most(2, "steady", "alerts", "all", "p99_s")),
    ("... bundled by design (n) p50 / p99 / max (s)", "held 60 s",
     lambda r: _triple(_get(r, "steady", "alerts", "bundled"), count=True), lambda r: None),
    ("Surge: reports stored / sent", "all",
     lambda r: f"{_get(r, 'surge', 'stored')} / {_get(r, 'surge', 'sent')}",
     lambda r: None if _get(r, "surge") is None else _get(r, "surge", "lost") == 0),
    ("Surge: 5xx answers", "0", lambda r: _get(r, "surge", "http_errors"),
     lambda r: None if _get(r, "surge") is None else _get(r, "surge", "http_errors") == 0),
    ("Surge: reports never alerted", "0", lambda r: _get(r, "surge", "unalerted"),
     lambda r: None if _get(r, "surge") is None else _get(r, "surge", "unalerted") == 0),
    ("Surge: last alert after the surge began (s)", "<= 180", lambda r: _get(r, "surge", "all_alerted_s"),
     _at_most(180, "surge", "all_alerted_s")),
    ("... of which sending the reports (s)", "", lambda r: _get(r, "surge", "sending_s"), lambda r: None),
    ("Surge: each report's END to its alert, p50 / p99 / max (s)", "",
     lambda r: _triple(_get(r, "surge", "alerts", "all")), lambda r: None),
    ("Peak RSS per web worker serving AT's callbacks (MB)", "<= 55",
     lambda r: _get(r, "memory", "web_worker_max"),
     _at_most(55, "memory", "web_worker_max")),
    ("... the minimal app's web worker (MB)", "", lambda r: _get(r, "minimal_memory", "web_worker_max"),
     lambda r: None),
    ("Peak RSS per web worker serving the console and API (MB)", "",
     lambda r: _get(r, "memory", "console_web_worker_max"), lambda r: None),
    ("Peak RSS RQ worker (MB)", "<= 65", lambda r: _get(r, "memory", "rq_worker"),
     _at_most(65, "memory", "rq_worker")),
    ("Peak RSS cron / Redis (MB)", "",
     lambda r: f"{_get(r, 'memory', 'cron')} / {_get(r, 'memory', 'redis')}", lambda r: None),
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
    plan = results.get("plan", {})
    bundling = plan.get("bundle_after", 3)
    lines += [
        "",
        f"{mode}; {m['cores']} cores ({m['cpu']}), Python {m['python']}, {m['measured_at']}; "
        f"HOTLINE_BUNDLE_AFTER={bundling}" + (" (bundling off)" if not bundling else "") + "; "
        f"hops: {plan.get('rounds')} round(s) of {plan.get('hop_seconds')} s per app, median (min-max).",
    ]
    return "\n".join(lines) + "\n"
