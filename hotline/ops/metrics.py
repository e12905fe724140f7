"""Prometheus metrics, read at scrape time from the database and Redis.

Several gunicorn workers on several hosts serve ``/metrics``: whichever answers must give the
same numbers, so nothing is counted in process memory. State (reports, alerts, queues, backlog,
acceptance times) is queried from the database and RQ; events that leave no row (USSD hop
latency, SMS parts and cost) are kept in Redis by :mod:`hotline.platform.meters`. Training reports and
messages are left out. Labels are channels, categories and statuses: never a person.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.exceptions import RedisError
from rq import Worker
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hotline.alerting import alarms, escalation
from hotline.models import MESSAGE_PENDING, OutboundMessage, Report, UssdSessionEvent
from hotline.platform import meters
from hotline.platform.redis_text import text_hash
from hotline.platform.runtime import Runtime

log = logging.getLogger(__name__)

# Minutes from a report to a social worker's acceptance: the hotline's promise is minutes, not hours.
ACCEPTANCE_BUCKETS = (60, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)


class HotlineCollector(Collector):
    """One scrape: each source is read on its own, so a Redis outage still reports the database."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "hotline_metrics_source_up", "Whether a source could be read", labels=["source"]
        )
        for source, read in (("database", self._database), ("redis", self._redis)):
            try:
                metrics = list(read())
            except (SQLAlchemyError, RedisError) as exc:
                log.warning("metrics: %s unavailable: %s", source, type(exc).__name__)
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from metrics
        yield up

    def _database(self) -> Iterator[Metric]:
        rt = self.runtime
        with rt.session() as session:
            yield _labelled(
                CounterMetricFamily,
                "hotline_reports",
                "Reports received",
                ["channel", "category"],
                session.execute(
                    select(Report.channel, Report.category, func.count())
                    .where(Report.training.is_(False))
                    .group_by(Report.channel, Report.category)
                ),
            )
            yield _labelled(
                GaugeMetricFamily,
                "hotline_reports_by_status",
                "Reports by current status",
                ["status"],
                session.execute(
                    select(Report.status, func.count())
                    .where(Report.training.is_(False))
                    .group_by(Report.status)
                ),
            )
            yield _labelled(
                GaugeMetricFamily,
                "hotline_alerts",
                "Alerts to social workers by status",
                ["status"],
                session.execute(
                    select(OutboundMessage.status, func.count())
                    .where(OutboundMessage.purpose == "alert", OutboundMessage.training.is_(False))
                    .group_by(OutboundMessage.status)
                ),
            )
            yield _labelled(
                CounterMetricFamily,
                "hotline_ussd_sessions",
                "USSD sessions ended, by AT status",
                ["status"],
                session.execute(
                    select(UssdSessionEvent.status, func.count()).group_by(UssdSessionEvent.status)
                ),
            )
            yield from _backlog(rt, session)
            yield _acceptance(session)
        yield GaugeMetricFamily(
            "hotline_escalations_overdue",
            "Escalation steps more than two minutes late",
            value=escalation.overdue_reports(rt),
        )
        yield GaugeMetricFamily(
            "hotline_reports_unanswered",
            "Reports whose unanswered alarm is raised: nobody accepted in the policy's time",
            value=alarms.count_unanswered(rt),
        )

    def _redis(self) -> Iterator[Metric]:
        rt, queue = self.runtime, self.runtime.queue.queue
        depth = GaugeMetricFamily("hotline_queue_jobs", "Jobs in the RQ queue", labels=["state"])
        depth.add_metric(["queued"], queue.count)
        for state, registry in (
            ("scheduled", ScheduledJobRegistry),
            ("started", StartedJobRegistry),
            ("failed", FailedJobRegistry),
        ):
            depth.add_metric([state], registry(queue=queue).count)
        yield depth
        yield GaugeMetricFamily(
            "hotline_workers", "RQ workers with a live heartbeat", value=len(Worker.all(queue=queue))
        )
        buckets, total = meters.hop_histogram(rt.redis)
        yield HistogramMetricFamily(
            "hotline_ussd_hop_seconds", "Time to answer one USSD hop", buckets=buckets, sum_value=total
        )
        parts, cost = meters.sms_spend(rt.redis)
        yield _labelled(
            CounterMetricFamily,
            "hotline_sms_parts",
            "SMS parts the gateway accepted",
            ["gateway"],
            parts.items(),
        )
        yield _labelled(
            CounterMetricFamily,
            "hotline_sms_cost",
            "What the gateway charged for SMS",
            ["currency"],
            cost.items(),
        )
        balance = text_hash(rt.redis.hgetall(meters.BALANCE))
        if balance:
            yield _labelled(
                GaugeMetricFamily,
                "hotline_gateway_balance",
                "Gateway account credit",
                ["currency"],
                [(balance["currency"], float(balance["amount"]))],
            )


def _labelled(
    kind: type[CounterMetricFamily | GaugeMetricFamily],
    name: str,
    documentation: str,
    labels: list[str],
    rows: Iterable[tuple[str, float]],
) -> Metric:
    metric = kind(name, documentation, labels=labels)
    for *values, number in rows:
        metric.add_metric([str(v) for v in values], number)
    return metric


def _backlog(rt: Runtime, session: Session) -> Iterator[Metric]:
    count, oldest = session.execute(
        select(func.count(), func.min(OutboundMessage.created_at)).where(
            OutboundMessage.status == MESSAGE_PENDING
        )
    ).one()
    yield GaugeMetricFamily("hotline_outbox_pending", "SMS waiting to be sent", value=count)
    age = (rt.clock.now() - oldest).total_seconds() if oldest else 0
    yield GaugeMetricFamily(
        "hotline_outbox_oldest_pending_seconds", "Age of the oldest unsent SMS", value=max(age, 0)
    )


def _acceptance(session: Session) -> Metric:
    rows = session.execute(
        select(Report.created_at, Report.accepted_at).where(
            Report.accepted_at.is_not(None), Report.training.is_(False)
        )
    )
    # Read in Python rather than with date arithmetic in SQL, which differs between SQLite and
    # PostgreSQL; accepted reports number in the thousands, not millions.
    waits = [
        (accepted - created) / timedelta(seconds=1)
        for created, accepted in rows
        if accepted is not None  # always, by the query: for the type checker
    ]
    buckets = [(str(bound), float(sum(1 for w in waits if w <= bound))) for bound in ACCEPTANCE_BUCKETS]
    buckets.append(("+Inf", float(len(waits))))
    return HistogramMetricFamily(
        "hotline_acceptance_seconds",
        "From a report to a social worker's acceptance",
        buckets=buckets,
        sum_value=sum(waits),
    )
