"""What the runs mean: report-to-alert times from the fake AT's record, and peak memory."""

from __future__ import annotations

import json
import math
import os
import re
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.stack import Hotline
from flows.commands import REFERENCE_ALPHABET
from hotline.models import MESSAGE_BUNDLED, MESSAGE_PENDING, MESSAGE_SENT, OutboundMessage, Report

REFERENCE = re.compile(f"\\b[{REFERENCE_ALPHABET}]{{6}}\\b")


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (the value below which q% of the sorted values lie)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def first_alerts(sent: Path) -> dict[str, float]:
    """When the fake AT first received an SMS naming each reference (an alert or a bundle)."""
    seen: dict[str, float] = {}
    if not sent.exists():
        return seen
    for line in sent.read_text(encoding="utf-8").splitlines():
        sms = json.loads(line)
        for reference in REFERENCE.findall(sms["message"]):
            seen[reference] = min(seen.get(reference, math.inf), sms["received_at"])
    return seen


def section_reports(hotline: Hotline, prefix: str) -> dict[str, bool]:
    """Reference -> True when its alert was bundled, for the reports of one run."""
    with hotline.runtime.session() as session:
        rows = session.execute(
            select(Report.reference, OutboundMessage.status)
            .join(OutboundMessage, OutboundMessage.report_id == Report.id, isouter=True)
            .where(Report.source_key.like(f"ussd:ATUid_bench{prefix}_%"))
        ).all()
    bundled: dict[str, bool] = {}
    for reference, status in rows:
        bundled[reference] = bundled.get(reference, False) or status == MESSAGE_BUNDLED
    return bundled


def wait_for_alerts(hotline: Hotline, references: set[str], timeout: float) -> tuple[dict[str, float], float]:
    """Poll the fake AT's record until every reference was alerted; (first alerts, time waited)."""
    started = time.time()
    while True:
        seen = first_alerts(hotline.sent)
        if references <= seen.keys() or time.time() - started > timeout:
            return seen, time.time() - started
        time.sleep(0.5)


def latencies(ends: list[tuple[float, str]], seen: dict[str, float], bundled: dict[str, bool]) -> dict:
    """END screen -> alert at the fake AT, in seconds: every report, then split by bundling."""
    groups: dict[str, list[float]] = {"all": [], "alone": [], "bundled": []}
    for reference, delay in _delays(ends, seen, bundled):
        groups["all"].append(delay)
        groups["bundled" if bundled[reference] else "alone"].append(delay)
    return {name: stats(values) for name, values in groups.items()}


def delays(ends: list[tuple[float, str]], seen: dict[str, float], bundled: dict[str, bool]) -> list[float]:
    """END screen -> alert at the fake AT, in seconds, for every report alerted."""
    return [delay for _, delay in _delays(ends, seen, bundled)]


def _delays(
    ends: list[tuple[float, str]], seen: dict[str, float], bundled: dict[str, bool]
) -> list[tuple[str, float]]:
    found = []
    for at, body in ends:
        references = [r for r in REFERENCE.findall(body) if r in bundled]
        if references and references[0] in seen:
            found.append((references[0], max(0.0, seen[references[0]] - at)))
    return found


def stats(values: list[float]) -> dict:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "count": len(values),
        "p50_s": rounded(percentile(values, 50)),
        "p99_s": rounded(percentile(values, 99)),
        "max_s": rounded(max(values, default=None)),
    }


def vm_hwm_mb(pid: int) -> float | None:
    """Peak resident memory of a process (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below ``pid``, parents before children."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop(0)
        try:
            command = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found.append((current, command.strip()))
        todo += sorted(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and every process below it, in seconds (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for current, _ in descendants(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


class CpuMeter:
    """CPU spent by named process trees between ``start()`` and ``stop()``, split and per hop."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self.before: dict[str, float] = {}

    def start(self) -> None:
        self.before = {name: cpu_seconds(pid) for name, pid in self.roots.items()}

    def stop(self, hops: int) -> dict:
        spent = {name: cpu_seconds(pid) - self.before[name] for name, pid in self.roots.items()}
        per_hop = {name: round(1000 * seconds / hops, 3) if hops else None for name, seconds in spent.items()}
        total = sum(spent.values())
        return {
            "seconds": {name: round(seconds, 2) for name, seconds in spent.items()},
            "ms_per_hop": per_hop,
            "total_ms_per_hop": round(1000 * total / hops, 3) if hops else None,
        }


def settle(hotline: Hotline, timeout: float = 60) -> None:
    """Until the queue is empty and every SMS has its delivery report (or the timeout)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with hotline.runtime.session() as session:
            open_messages = session.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.status.in_((MESSAGE_PENDING, MESSAGE_SENT)))
            )
        if not open_messages and hotline.queue_empty():
            return
        time.sleep(0.2)


def web_memory(pid: int) -> dict[str, float | None]:
    """Peak RSS of each gunicorn worker below ``pid``, and of its arbiter."""
    result: dict[str, float | None] = {}
    web = pythons(pid)
    for i, worker in enumerate(web[1:], start=1):  # web[0] is gunicorn's arbiter
        result[f"web_worker_{i}"] = vm_hwm_mb(worker)
    if web:
        result["web_arbiter"] = vm_hwm_mb(web[0])
    workers = [v for k, v in result.items() if k.startswith("web_worker_") and v is not None]
    result["web_worker_max"] = max(workers, default=None)
    return result


def worker_memory(pid: int) -> dict[str, float | None]:
    """Peak RSS of the RQ workers: the pool's children that run jobs (``python -m workers``
    forks WORKER_PROCESSES of them), apart from the pool itself and RQ's scheduler, which runs
    in a child of one worker. With one process, the pool is the worker."""
    rq = pythons(pid)
    if not rq:
        return {}
    pool = rq[0]
    children = [p for p in rq if _parent(p) == pool]
    grandchildren = [p for p in rq if _parent(p) in children]
    # A pool's children are workers (one of them has the scheduler below it); a lone worker's
    # only child is its scheduler.
    workers = children if len(children) > 1 or grandchildren else [pool]
    found: dict[str, float | None] = {f"rq_worker_{i}": vm_hwm_mb(p) for i, p in enumerate(workers, 1)}
    found["rq_worker"] = max((v for v in found.values() if v is not None), default=None)
    if workers != [pool]:
        found["rq_pool"] = vm_hwm_mb(pool)
    others = [p for p in rq if p != pool and p not in workers]
    found |= {f"rq_scheduler_{i}": vm_hwm_mb(p) for i, p in enumerate(others, 1)}
    return found


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def memory(hotline: Hotline) -> dict:
    """Peak RSS of each gunicorn worker serving AT's callbacks (``web_worker_*``, the callbacks
    process), of the console's web workers (``console_*``), the RQ worker (and its scheduler),
    cron and Redis."""
    result = web_memory(hotline.stack.processes["callbacks"].pid)
    result |= {f"console_{k}": v for k, v in web_memory(hotline.stack.processes["web"].pid).items()}
    result |= worker_memory(hotline.stack.processes["worker"].pid)
    cron = pythons(hotline.stack.processes["cron"].pid)
    if cron:
        result["cron"] = vm_hwm_mb(cron[0])
    if hotline.redis.process is not None:
        result["redis"] = vm_hwm_mb(hotline.redis.process.pid)
    return result


def pythons(pid: int) -> list[int]:
    """The Python processes at or below ``pid`` (the Procfile's line may run under ``sh -c``)."""
    return [p for p, cmd in descendants(pid) if Path(cmd.split(" ", 1)[0]).name.startswith("python")]
