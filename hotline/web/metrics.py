"""``/metrics`` for Prometheus, behind a bearer token; and the timing of every USSD hop.

Without HOTLINE_METRICS_TOKEN the route answers 404, as if it did not exist: a deployment that
never set up monitoring exposes nothing. With it, a missing or wrong token gets 401.
"""

from __future__ import annotations

import hmac
import time

from flask import Blueprint, Response, abort, current_app, g, request

from hotline.platform import meters
from hotline.platform.runtime import Runtime

bp = Blueprint("metrics", __name__)
USSD_ENDPOINT = "webhooks.ussd"


def runtime() -> Runtime:
    return current_app.extensions["hotline"]


@bp.get("/metrics")
def metrics() -> Response:
    expected = runtime().settings.metrics_token
    if not expected:
        abort(404)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        return Response(
            "bearer token required\n",
            401,
            mimetype="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    # Imported by the first scrape: a web process that is never scraped does not carry them.
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    from hotline.ops.metrics import HotlineCollector

    registry = CollectorRegistry(auto_describe=False)
    registry.register(HotlineCollector(runtime()))
    return Response(generate_latest(registry), 200, content_type=CONTENT_TYPE_LATEST)


@bp.before_app_request
def start_hop_timer() -> None:
    # Runs after the webhook's token check: a request with a wrong token is never timed.
    if request.endpoint == USSD_ENDPOINT:
        g.hop_started = time.perf_counter()


@bp.after_app_request
def record_hop(response: Response) -> Response:
    # A hop that wrote its session was counted in that round trip (hotline.intake.ussd); the others
    # (a repeated hop, a refused request, Redis trouble) are counted here.
    started = g.pop("hop_started", None)
    if started is not None:
        meters.record_ussd_hop(runtime().redis, time.perf_counter() - started)
    return response
