"""``python -m bench [--quick] [--db sqlite|postgresql|all]``: the four measures of issue 7.

For each database: the bare Flask app, then the real stack (hops under 32 phones, a steady
20 reports/s, a surge), then peak memory. Writes results.json and results.md, prints the table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select

from bench import load, measure, report, stack
from bench.load import Load
from hotline.models import Report

HERE = Path(__file__).resolve().parent
STEADY_PACE = 3.0  # seconds between one phone's reports in the steady run


@dataclass(frozen=True)
class Plan:
    hop_seconds: float = 30
    threads: int = 32
    steady_rate: int = 20
    steady_seconds: float = 60
    surge: int = 5000
    alert_timeout: float = 300  # bundles are held a minute, then the ticker sends them
    warmup_seconds: float = 2
    # HOTLINE_BUNDLE_AFTER for the real stack. 0 by default: the 1 s report-to-alert target is
    # about the pipeline, and bundling holds every alert past the third per worker for a minute.
    bundle_after: int = 0


FULL = Plan()
QUICK = Plan(hop_seconds=8, steady_seconds=10, surge=500)


def check_variants(hotline: stack.Hotline, variants: list[stack.Variant]) -> None:
    """Walk each conversation once and check it reports where its worker works."""
    from tests.support.ussd import walk_report  # the tests' own walker

    for i, variant in enumerate(variants):
        final = walk_report(hotline.ussd_url, f"ATUid_check_{i}", f"+2438900{i:05d}", list(variant.keys))
        with hotline.runtime.session() as session:
            where = session.scalar(
                select(Report.location_code).where(Report.source_key == f"ussd:ATUid_check_{i}")
            )
        if not final.startswith("END ") or where != variant.location_code:
            raise SystemExit(
                f"conversation {variant.keys} ended {final!r} at {where}, "
                f"not at {variant.location_code}: the menus changed, fix bench/stack.py"
            )


def hops(hotline: stack.Hotline, plan: Plan, variants: list[stack.Variant], bare: dict) -> dict:
    load.run(Load(hotline.ussd_url, plan.threads, min(plan.warmup_seconds, plan.hop_seconds), variants, "96"))
    real = load.summary(load.run(Load(hotline.ussd_url, plan.threads, plan.hop_seconds, variants, "99")))
    ratio = round(real["hops_per_s"] / bare["hops_per_s"], 2) if bare["hops_per_s"] else None
    return {"real": real, "bare": bare, "ratio": ratio}


def steady(hotline: stack.Hotline, plan: Plan, variants: list[stack.Variant], workdir: Path) -> dict:
    out = workdir / "steady"
    # Each phone starts a report every STEADY_PACE seconds, so the rate holds while a slow
    # conversation takes up to that long (one phone per report/s fell behind under load).
    phones = max(1, round(plan.steady_rate * STEADY_PACE))
    result = load.summary(
        load.run(
            Load(
                hotline.ussd_url,
                phones,
                plan.steady_seconds,
                variants,
                "98",
                pace=phones / plan.steady_rate,
                out_dir=out,
            )
        )
    )
    bundled = measure.section_reports(hotline, "98")
    seen, _ = measure.wait_for_alerts(hotline, set(bundled), plan.alert_timeout)
    return {
        "load": result,
        "reports_per_s": round(len(bundled) / result["seconds"], 1),
        "alerts": measure.latencies(load.end_screens(out), seen, bundled),
    }


def surge(hotline: stack.Hotline, plan: Plan, variants: list[stack.Variant], workdir: Path) -> dict:
    out = workdir / "surge"
    threads = min(plan.threads, plan.surge)
    started = time.time()
    result = load.summary(
        load.run(
            Load(hotline.ussd_url, threads, 3600, variants, "97", total=plan.surge, out_dir=out),
            stop_when=load.all_done(out, threads),
        )
    )
    sent_s = time.time() - started
    bundled = measure.section_reports(hotline, "97")
    seen, _ = measure.wait_for_alerts(hotline, set(bundled), plan.alert_timeout)
    alerted = [seen[r] for r in bundled if r in seen]
    return {
        "sent": plan.surge,
        "stored": len(bundled),
        "lost": plan.surge - len(bundled),
        "alerts": measure.latencies(load.end_screens(out), seen, bundled),
        "http_errors": result["http_errors"],
        "errors": result["errors"],
        "unalerted": len(set(bundled) - seen.keys()),
        "sending_s": round(sent_s, 1),
        "hops_per_s": result["hops_per_s"],
        "p99_ms": result["p99_ms"],
        "all_alerted_s": round(max(alerted) - started, 1) if alerted else None,
        "after_last_report_s": round(max(alerted) - started - sent_s, 1) if alerted else None,
    }


def run_database(kind: str, plan: Plan, workdir: Path) -> dict:
    variants = stack.variants()
    with stack.bare_stack(workdir) as bare:
        url = f"{bare.url}/webhooks/at/{stack.TOKEN}/ussd"
        load.run(
            Load(
                url,
                plan.threads,
                min(plan.warmup_seconds, plan.hop_seconds),
                variants,
                "90",
                expect_end=False,
            )
        )
        bare_hops = load.summary(
            load.run(Load(url, plan.threads, plan.hop_seconds, variants, "90", expect_end=False))
        )
    with stack.real_stack(kind, workdir, plan.bundle_after) as hotline:
        check_variants(hotline, variants)
        results = {"hops": hops(hotline, plan, variants, bare_hops)}
        measure.wait_for_alerts(hotline, set(measure.section_reports(hotline, "99")), plan.alert_timeout)
        results["steady"] = steady(hotline, plan, variants, workdir)
        if plan.surge:
            results["surge"] = surge(hotline, plan, variants, workdir)
        results["memory"] = memory = measure.memory(hotline)
        workers = [v for k, v in memory.items() if k.startswith("web_worker_") and v is not None]
        memory["web_worker_max"] = max(workers, default=None)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter runs and a smaller surge")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "all"), default="all")
    parser.add_argument("--out", type=Path, default=HERE, help="where results.json/.md go")
    parser.add_argument("--hop-seconds", type=float)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--steady-rate", type=int)
    parser.add_argument("--steady-seconds", type=float)
    parser.add_argument("--surge", type=int, help="reports in the surge (0: no surge)")
    parser.add_argument("--alert-timeout", type=float, help="seconds to wait for the alerts of a run")
    parser.add_argument(
        "--bundle-after",
        type=int,
        help="HOTLINE_BUNDLE_AFTER of the real stack (default 0: no bundling; 3 as deployed)",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    overrides = {
        name: getattr(args, name)
        for name in (
            "hop_seconds",
            "threads",
            "steady_rate",
            "steady_seconds",
            "surge",
            "alert_timeout",
            "bundle_after",
        )
        if getattr(args, name) is not None
    }
    plan = replace(plan, **overrides)
    load.wrk_binary()
    kinds = ["sqlite", "postgresql"] if args.db == "all" else [args.db]
    if "postgresql" in kinds and not stack.postgres_available():
        print("PostgreSQL is not reachable at 127.0.0.1:5432: measuring SQLite only", file=sys.stderr)
        kinds.remove("postgresql")
    results = {"machine": report.machine(), "quick": args.quick, "plan": plan.__dict__, "runs": {}}
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix=f"hotline-bench-{kind}-") as workdir:
            results["runs"][kind] = run_database(kind, plan, Path(workdir))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = report.table(results)
    (args.out / "results.md").write_text(markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
