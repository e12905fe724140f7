"""Every USSD hop is answered inside its budget (HOTLINE_CALLBACK_BUDGET_SECONDS) whatever is slow
behind it, says what happened in the reporter's language, and loses nothing: a report that could
not be stored in time is NOT claimed, its draft resumes on the next call, and one report results.

Before, a write lock held by another process kept the final hop 30 s (SQLite's busy timeout),
long after AT (10 s) had dropped the call; every error screen was French.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.engine import make_url

from hotline.models import Report
from hotline.platform.clock import FrozenClock
from hotline.platform.queue import JobQueue
from hotline.platform.runtime import Runtime
from hotline.web.app import create_app
from tests.support.builders import every
from tests.support.ussd import hop, new_session_id, screen_of

BUDGET = 2  # seconds: the smallest the setting allows, so a test waits as little as possible
ENGLISH_TO_SEND = ["6", "1", "1", "1", "2", "3", "3"]  # English, report, ..., Kikwit, anonymous
NOT_RECEIVED = "END Your report is NOT received yet."
BUSY = "END The service is busy."


@pytest.fixture
def quick(runtime: Runtime, clock: FrozenClock) -> Iterator[FlaskClient]:
    """The web app of a deployment whose callbacks must be answered within BUDGET seconds."""
    runtime.settings = runtime.settings.with_overrides(callback_budget_seconds=float(BUDGET))
    yield create_app(runtime=runtime).test_client()


@contextmanager
def another_writer(database_url: str) -> Iterator[None]:
    """Another process holds the database's write lock (a long import, a stuck transaction)."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(make_url(database_url).database or "", timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as holder:
        holder.execute("LOCK TABLE reports IN EXCLUSIVE MODE")  # reads go on, inserts wait
        try:
            yield
        finally:
            holder.rollback()


def type_all(client: FlaskClient, session_id: str, inputs: list[str]) -> str:
    screen_of(hop(client, session_id, ""))
    body = ""
    for i in range(len(inputs)):
        body = screen_of(hop(client, session_id, "*".join(inputs[: i + 1])))
    return body


def test_a_write_lock_at_the_final_hop_is_answered_in_time_and_the_report_resumes_once(
    quick: FlaskClient, runtime: Runtime
) -> None:
    first = new_session_id()
    type_all(quick, first, ENGLISH_TO_SEND)

    with another_writer(runtime.settings.database_url):
        started = time.monotonic()
        final = screen_of(hop(quick, first, "*".join([*ENGLISH_TO_SEND, "1"])))
        took = time.monotonic() - started
    assert final.startswith(NOT_RECEIVED), final  # in English, the reporter's language
    assert "129" in final
    assert took < BUDGET + 0.5  # not SQLite's 30 s, nor PostgreSQL's forever
    assert every(runtime, Report) == []

    second = new_session_id()
    assert "did not finish" in screen_of(hop(quick, second, ""))
    assert screen_of(hop(quick, second, "1")).startswith("CON ")  # continue where I stopped
    sent = screen_of(hop(quick, second, "1*1"))
    [report] = every(runtime, Report)
    assert report.reference in sent and sent.startswith("END ")
    assert report.source_key == f"ussd:{first}"  # the same report as the call that was cut


def test_sending_again_after_the_lock_is_gone_never_makes_a_second_report(
    quick: FlaskClient, runtime: Runtime
) -> None:
    first = new_session_id()
    type_all(quick, first, ENGLISH_TO_SEND)
    with another_writer(runtime.settings.database_url):
        screen_of(hop(quick, first, "*".join([*ENGLISH_TO_SEND, "1"])))
    for _ in range(2):  # the reporter resumes twice: each call offers the draft until one is sent
        session = new_session_id()
        screen_of(hop(quick, session, ""))
        screen_of(hop(quick, session, "1"))
        screen_of(hop(quick, session, "1*1"))
    with runtime.session() as session:
        assert len(list(session.scalars(select(Report.id)))) == 1


def test_with_redis_gone_a_hop_says_so_in_the_language_this_process_saw_for_the_session(
    quick: FlaskClient, runtime: Runtime, clock: FrozenClock
) -> None:
    session_id = new_session_id()
    type_all(quick, session_id, ENGLISH_TO_SEND[:3])  # English chosen

    settings = runtime.settings.with_overrides(redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    gone = Runtime.build(settings, clock=clock, redis_timeout=0.5)
    try:
        without_redis = create_app(runtime=gone).test_client()
        busy = screen_of(hop(without_redis, session_id, "*".join(ENGLISH_TO_SEND[:4])))
        unknown = screen_of(hop(without_redis, new_session_id(), ""))
    finally:
        gone.close()
    assert busy.startswith(BUSY), busy
    assert unknown.startswith("END Le service est occup"), unknown  # nobody's language: French


def test_after_one_redis_failure_the_queue_stops_trying_for_a_while() -> None:
    with _silent_server() as port:  # accepts, never answers: a frozen Redis
        queue = JobQueue(Redis(port=port, socket_timeout=0.3, socket_connect_timeout=0.3), "hotline")
        started = time.monotonic()
        assert queue.enqueue("workers.jobs.send_message", 1) is False
        first = time.monotonic() - started
        started = time.monotonic()
        assert [queue.enqueue("workers.jobs.send_message", i) for i in range(2, 7)] == [False] * 5
        rest = time.monotonic() - started
    assert first >= 0.3  # it did wait for the first
    assert rest < 0.3  # and not for the five after it: a report's alerts do not add up timeouts


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _silent_server() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()
