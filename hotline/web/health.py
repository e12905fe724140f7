"""Health: ``/healthz`` says the process is alive; ``/readyz`` says the service can do its job.

``/readyz`` answers 503 when the database or Redis cannot be reached, when no worker or no cron
process is alive, or when an escalation step is more than two minutes overdue (alerts are not
flowing). Its body also counts the reports whose unanswered alarm is raised
(``unanswered_reports``), for a monitor that pages on them.

"Alive" means a recent heartbeat, not a registration: a worker or cron process killed with
SIGKILL never unregisters. An RQ worker's key expires unless it heartbeats (worker_ttl + 60 s;
workers/__main__.py sets the TTL) and the cron scheduler's registry entry is its last heartbeat
time; RQ's own lookups (``Worker.all``, ``CronScheduler.all``) drop the stale ones.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hotline.alerting import alarms, escalation
from hotline.platform.runtime import Runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return "ok\n", 200, {"Content-Type": "text/plain"}


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    rt: Runtime = current_app.extensions["hotline"]
    checks = {"database": _database(rt), "redis": _redis(rt)}
    checks["workers"] = _workers(rt) if checks["redis"] == "ok" else "unknown"
    checks["cron"] = _cron(rt) if checks["redis"] == "ok" else "unknown"
    checks["escalations"] = _escalations(rt) if checks["database"] == "ok" else "unknown"
    healthy = all(value == "ok" for value in checks.values())
    body: dict[str, object] = {"status": "ok" if healthy else "unhealthy", "checks": checks}
    if checks["database"] == "ok":
        # Not a check (the service works), but a monitor may page on it: reports nobody answers.
        body["unanswered_reports"] = alarms.count_unanswered(rt)
    return jsonify(body), 200 if healthy else 503


def _database(rt: Runtime) -> str:
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return "unreachable"
    return "ok"


def _redis(rt: Runtime) -> str:
    try:
        rt.redis.ping()
    except RedisError:
        return "unreachable"
    return "ok"


def _workers(rt: Runtime) -> str:
    # Not Worker.count, which counts registrations, dead or alive.
    return "ok" if Worker.all(queue=rt.queue.queue) else "none running"


def _cron(rt: Runtime) -> str:
    # Imported when /readyz is asked: croniter and dateutil stay out of the callbacks process
    # (hotline.web.callbacks), whose probes ask /healthz.
    from rq.cron import CronScheduler

    return "ok" if CronScheduler.all(rt.redis, cleanup=True) else "none running"


def _escalations(rt: Runtime) -> str:
    overdue = escalation.overdue_reports(rt)
    return f"{overdue} overdue" if overdue else "ok"
