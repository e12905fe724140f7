"""Partner webhooks against a real HTTP receiver on 127.0.0.1: every report event reaches the
partner once, signed with the webhook's secret, without a phone number or the reporter's words;
a partner that fails is retried with backoff (by the frozen clock and the ticker), one that
refuses for good is not, and nothing is lost when Redis forgets the jobs."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from hotline.casework import actions as casework
from hotline.models import PartnerWebhook, Report, WebhookDelivery
from hotline.partners.egress import AddressNotAllowed
from hotline.partners.webhooks import ADDRESS_NOT_ALLOWED, EVENTS, MAX_ATTEMPTS, save_webhook
from hotline.platform.queue import WEBHOOK_BACKOFF_SECONDS
from tests.support.builders import REPORTER_PHONE, advance, kwilu_team, reply, report

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
DESCRIPTION = "Mama Nzuzi garde trois filles au marché"
TICKER_GRACE = 30  # two ticks of 15 s: the ticker leaves fresh rows to their own job


@dataclass
class Received:
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    """A partner's endpoint: records every request and answers the queued status codes (200 once
    they run out)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: deque[int] = field(default_factory=deque)

    def events(self) -> list[str]:
        return [r.headers["X-Hotline-Event"] for r in self.requests]


@pytest.fixture
def receiver(runtime) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    """The partner, on 127.0.0.1: a private address the settings must allow, as for a VPN."""
    runtime.settings = runtime.settings.with_overrides(webhook_private_networks=LOOPBACK)
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            found.requests.append(Received(dict(self.headers), body))
            self.send_response(found.answers.popleft() if found.answers else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.url = f"http://127.0.0.1:{server.server_port}/hotline/events"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


def add_webhook(runtime, url: str, events=EVENTS, areas=()) -> str:  # type: ignore[no-untyped-def]
    """A partner webhook; returns its secret, as the console shows it once."""
    with runtime.session() as db:
        _, secret = save_webhook(
            db, runtime, None, name="Primero", url=url, events=list(events), areas=list(areas)
        )
        db.commit()
    return secret


def verified(secret: str, request: Received) -> dict:  # type: ignore[type-arg]
    """What a partner does before trusting a request: recompute the signature from the secret."""
    timestamp = request.headers["X-Hotline-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.{request.body}".encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Hotline-Signature"], f"v1={expected}")
    return json.loads(request.body)


def deliveries(runtime) -> list[WebhookDelivery]:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return list(db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_an_opened_report_reaches_the_partner_signed_and_without_personal_data(runtime, run_jobs, receiver):
    secret = add_webhook(runtime, receiver.url)
    made = report(
        runtime,
        phone=REPORTER_PHONE,
        contact="callback",
        description=DESCRIPTION,
        place_detail="derrière l'église",
    )
    run_jobs()
    (request,) = receiver.requests
    body = verified(secret, request)
    assert body["event"] == "opened" and body["reference"] == made.reference
    assert body["location_code"] == made.location_code and body["status"] == "new"
    assert request.headers["X-Hotline-Delivery"] == str(deliveries(runtime)[0].id)
    assert REPORTER_PHONE not in request.body and REPORTER_PHONE[1:] not in request.body
    assert "Nzuzi" not in request.body and "église" not in request.body
    assert deliveries(runtime)[0].status == "delivered"


def test_a_failing_partner_is_retried_with_backoff_until_it_takes_the_event(
    runtime, run_jobs, receiver, clock
):
    secret = add_webhook(runtime, receiver.url)
    receiver.answers.extend([500])
    report(runtime)
    run_jobs()
    (waiting,) = deliveries(runtime)
    assert (waiting.status, waiting.attempts, waiting.last_status_code) == ("pending", 1, 500)
    advance(clock, run_jobs, seconds=5)  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    advance(clock, run_jobs, seconds=WEBHOOK_BACKOFF_SECONDS[0] + TICKER_GRACE)
    first, second = receiver.requests
    assert first.body == second.body and verified(secret, second)["event"] == "opened"
    assert first.headers["X-Hotline-Delivery"] == second.headers["X-Hotline-Delivery"]
    assert int(second.headers["X-Hotline-Timestamp"]) > int(first.headers["X-Hotline-Timestamp"])
    (done,) = deliveries(runtime)
    assert (done.status, done.attempts) == ("delivered", 2)


def test_a_partner_refusing_for_good_is_not_retried_but_a_busy_one_is(runtime, run_jobs, receiver, clock):
    add_webhook(runtime, receiver.url)
    receiver.answers.extend([410, 429])
    report(runtime)
    report(runtime)
    run_jobs()
    gone, busy = deliveries(runtime)
    assert (gone.status, gone.last_error) == ("failed", "HTTP 410")
    assert busy.status == "pending"
    advance(clock, run_jobs, seconds=3600)
    assert [d.status for d in deliveries(runtime)] == ["failed", "delivered"]
    assert len(receiver.requests) == 3


def test_a_partner_down_for_good_is_given_up_after_the_last_attempt(runtime, run_jobs, receiver, clock):
    add_webhook(runtime, receiver.url)
    receiver.answers.extend([503] * 50)
    report(runtime)
    run_jobs()
    for wait in WEBHOOK_BACKOFF_SECONDS:
        advance(clock, run_jobs, seconds=wait + TICKER_GRACE)
    (given_up,) = deliveries(runtime)
    assert (given_up.status, given_up.attempts) == ("failed", MAX_ATTEMPTS)
    advance(clock, run_jobs, seconds=86400)
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_nothing_is_lost_when_redis_forgets_the_job(runtime, run_jobs, receiver, clock):
    add_webhook(runtime, receiver.url)
    report(runtime)
    runtime.redis.flushdb()
    run_jobs()
    assert receiver.requests == []
    advance(clock, run_jobs, seconds=TICKER_GRACE + 1)
    assert receiver.events() == ["opened"]


def test_a_case_sends_opened_accepted_referred_and_closed_once_each(runtime, run_jobs, receiver, clock):
    team = kwilu_team(runtime)
    secret = add_webhook(runtime, receiver.url)
    made = report(runtime)
    reply(runtime, team.primary, f"1 {made.reference}")
    with runtime.session() as db:
        casework.refer(
            db, runtime, db.get(Report, made.id), "shelter", date(2026, 1, 9), date(2026, 1, 5), None
        )  # type: ignore[arg-type]
        db.commit()
    reply(runtime, team.primary, f"FIN {made.reference} placée au centre")
    run_jobs()
    assert sorted(receiver.events()) == sorted(EVENTS)
    bodies = {b["event"]: b for b in (verified(secret, r) for r in receiver.requests)}
    assert bodies["accepted"]["accepted_at"] and bodies["closed"]["status"] == "closed"
    assert all("placée" not in r.body and "+243" not in r.body for r in receiver.requests)
    advance(clock, run_jobs, seconds=3600)
    assert len(receiver.requests) == 4


def test_training_reports_other_areas_and_unsubscribed_events_send_nothing(runtime, run_jobs, receiver):
    add_webhook(runtime, receiver.url, events=("closed",), areas=("CD-KL",))
    in_area = report(runtime)
    report(runtime, training=True)
    other = report(runtime, location="CD-KN/gombe")
    with runtime.session() as db:
        for made in (in_area, other):
            casework.set_status(db, runtime, db.get(Report, made.id), "unfounded", "api:1")
        db.commit()
    run_jobs()
    (request,) = receiver.requests
    assert json.loads(request.body)["reference"] == in_area.reference
    assert json.loads(request.body)["status"] == "unfounded"


def test_a_rolled_back_change_sends_nothing(runtime, run_jobs, receiver):
    add_webhook(runtime, receiver.url, events=("closed",))
    made = report(runtime)
    with runtime.session() as db:
        casework.set_status(db, runtime, db.get(Report, made.id), "closed", "api:1")
        db.rollback()
    run_jobs()
    assert receiver.requests == [] and deliveries(runtime) == []


@pytest.mark.parametrize("url", ["ftp://partner.example/x", "javascript:alert(1)", "partner.cd"])
def test_a_webhook_url_must_be_http_or_https(runtime, url):
    with runtime.session() as db, pytest.raises(ValueError):
        save_webhook(db, runtime, None, name="X", url=url, events=["opened"], areas=[])


def test_a_webhook_disabled_before_sending_sends_nothing(runtime, run_jobs, receiver):
    add_webhook(runtime, receiver.url)
    report(runtime)
    with runtime.session() as db:
        db.scalar(select(PartnerWebhook)).active = False
        db.commit()
    run_jobs()
    assert receiver.requests == []
    assert [(d.status, d.last_error) for d in deliveries(runtime)] == [("cancelled", "disabled")]


def test_a_flood_held_report_is_not_announced_to_partners(runtime, run_jobs, receiver):
    add_webhook(runtime, receiver.url, events=("opened",))
    flooder = runtime.cipher.lookup_hash("+243990000001")
    made = [report(runtime, reporter_hash=flooder) for _ in range(runtime.settings.flood_reports_hour + 1)]
    run_jobs()
    announced = [json.loads(r.body)["reference"] for r in receiver.requests]
    assert announced == [r.reference for r in made[:-1]]  # the one over the limit stays in-house


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://localhost/admin",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/h",
        "http://[::1]:5432/",
    ],
)
def test_a_webhook_to_a_private_or_local_address_is_refused_unless_its_network_is_allowed(runtime, url):
    with runtime.session() as db, pytest.raises(AddressNotAllowed):
        save_webhook(db, runtime, None, name="X", url=url, events=["opened"], areas=[])


def test_a_name_that_resolves_to_a_private_address_gets_nothing_and_is_not_retried(
    runtime, run_jobs, receiver, clock
):
    """A name is resolved at every send, as its DNS may change after it was saved: one that
    resolves to an address the settings do not allow gets nothing, and fails for good."""
    add_webhook(runtime, receiver.url)
    with runtime.session() as db:  # as if the partner's name now pointed at the server itself
        db.scalar(select(PartnerWebhook)).url = receiver.url.replace("127.0.0.1", "localhost")
        db.commit()
    runtime.settings = runtime.settings.with_overrides(webhook_private_networks=())
    report(runtime)
    run_jobs()
    advance(clock, run_jobs, seconds=86400)
    (refused,) = deliveries(runtime)
    assert (refused.status, refused.last_error, refused.attempts) == ("failed", ADDRESS_NOT_ALLOWED, 1)
    assert receiver.requests == []


def test_a_webhook_scoped_to_the_whole_country_gets_every_provinces_reports(runtime, run_jobs, receiver):
    add_webhook(runtime, receiver.url, events=("opened",), areas=("CD",))
    made = {report(runtime).reference, report(runtime, location="CD-KN/gombe").reference}
    run_jobs()
    assert {json.loads(request.body)["reference"] for request in receiver.requests} == made
