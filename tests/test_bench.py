"""The benchmark's plumbing (bench/, `make bench`) on a tiny scale, and how it reads its records.

The full benchmark takes minutes and is not part of the suite; this runs every step of it for a
second each against the real processes, so a change that breaks `make bench` shows up here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.measure import first_alerts, latencies, percentile

ROOT = Path(__file__).resolve().parent.parent


def test_percentiles_are_nearest_rank_and_absent_without_values():
    assert percentile([0.3, 0.1, 0.2, 0.4], 50) == 0.2
    assert percentile([float(n) for n in range(1, 101)], 99) == 99.0
    assert percentile([], 99) is None


def test_report_to_alert_time_counts_from_the_end_screen_to_the_first_sms_naming_the_report(tmp_path):
    sent = tmp_path / "sent.jsonl"
    lines = [
        {"message": "ALERTE K7F3QX Kwilu/Kikwit: exploitation sexuelle.", "received_at": 100.4},
        {"message": "ALERTES: K7F3QX Kwilu/Kikwit; M4TR9A Kinshasa/Gombe.", "received_at": 161.0},
        {"message": "ALERTE URGENT QQQQQQ", "received_at": 99.0},
    ]
    sent.write_text("".join(json.dumps(line) + "\n" for line in lines))
    seen = first_alerts(sent)  # any six code letters count, checked against the database later
    assert {r: seen[r] for r in ("K7F3QX", "M4TR9A", "QQQQQQ")} == {
        "K7F3QX": 100.4,
        "M4TR9A": 161.0,
        "QQQQQQ": 99.0,
    }

    ends = [
        (100.0, "END Merci. Votre reference : K7F3QX. Gardez-la."),
        (101.0, "END Merci. Votre reference : M4TR9A. Gardez-la."),
        (102.0, "END Merci. Votre reference : NEVERX. Gardez-la."),
    ]
    result = latencies(ends, seen, {"K7F3QX": False, "M4TR9A": True, "NEVERX": False})
    assert result["all"]["count"] == 2 and result["all"]["max_s"] == 60.0
    assert result["alone"] == {"count": 1, "p50_s": 0.4, "p99_s": 0.4, "max_s": 0.4}
    assert result["bundled"]["count"] == 1 and result["bundled"]["p50_s"] == 60.0


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="the benchmark's load tool: apt-get install -y wrk")
def test_a_tiny_benchmark_run_loads_the_three_apps_loses_no_report_and_writes_the_table(tmp_path):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--db",
            "sqlite",
            "--hop-seconds",
            "1",
            "--threads",
            "2",
            "--steady-rate",
            "2",
            "--steady-seconds",
            "3",
            "--surge",
            "6",
            "--alert-timeout",
            "0",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    run = json.loads((tmp_path / "results.json").read_text())["runs"]["sqlite"]
    hops = run["hops"]
    assert hops["bare"]["hops_per_s"] > 0 and hops["real"]["hops_per_s"] > 0
    assert hops["minimal"]["errors"] == 0 and hops["minimal"]["conversations"] > 0  # the second baseline
    assert hops["real"]["errors"] == 0 and hops["real"]["conversations"] > 0
    # CPU counted per process tree: the project's web, callbacks, worker, cron and Redis
    assert set(hops["real"]["cpu"]["ms_per_hop"]) == {"web", "callbacks", "worker", "cron", "redis"}
    assert hops["real"]["cpu"]["total_ms_per_hop"] > 0 and hops["cpu_ratio"] > 0
    assert run["steady"]["load"]["conversations"] >= 1 and run["steady"]["load"]["errors"] == 0
    assert run["surge"]["stored"] == run["surge"]["sent"] == 6
    assert run["surge"]["http_errors"] == 0
    assert run["memory"]["web_worker_max"] > 0 and run["memory"]["rq_worker"] > 0  # the callbacks'
    assert run["memory"]["console_web_worker_max"] > 0
    assert run["memory"]["redis"] > 0
    table = (tmp_path / "results.md").read_text()
    assert "| Throughput, project / minimal | >= 0.5 |" in table
    assert "| CPU per hop, project / minimal | <= 2 |" in table
    assert "Peak RSS RQ worker (MB)" in table


@pytest.mark.slow
def test_a_tiny_fault_bench_run_measures_hops_around_a_redis_freeze_and_writes_its_section(tmp_path):
    (tmp_path / "results.md").write_text("| Measure | Target | sqlite |\n")  # what `python -m bench` wrote
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.faults",
            "--phones",
            "2",
            "--healthy-seconds",
            "1",
            "--freeze-seconds",
            "2",
            "--thawed-seconds",
            "1",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    result = json.loads((tmp_path / "faults.json").read_text())
    assert [name for name, phase in result["phases"].items() if phase["hops"]] == [
        "healthy",
        "frozen",
        "thawed",
    ]
    assert result["running_after"] == ["web", "callbacks", "worker", "cron"]
    table = (tmp_path / "results.md").read_text()
    assert table.startswith("| Measure | Target | sqlite |\n\n## Redis frozen mid-conversation")
