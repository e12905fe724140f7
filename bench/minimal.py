"""The floor a real USSD hop costs in Python: a minimal Flask + Redis USSD app (issue 17's baseline).

What every USSD service in Python has to do, and nothing more: one JSON session per ``sessionId``
in Redis (one GET and one SET a hop), the same screens as the project's report conversation
(bench/screens.json, checked against the real stack by ``python -m bench``), and at the END one
insert into the run's database and one push onto a Redis list for whatever sends the alert.
No encryption, no phone parsing, no translations, no metrics, no flood control, no ORM.

Served by the Procfile's own web command and gunicorn config, like the bare app, with
``BENCH_DATABASE_URL`` (``sqlite:///path`` or ``postgresql://...``) and ``BENCH_REDIS_URL``.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import redis
from flask import Flask, Response, request

SCREENS: list[str] = json.loads((Path(__file__).resolve().parent / "screens.json").read_text())
ALPHABET = "ACDEFHJKMNPQRTUVWXY34679"
SESSION_TTL = 300
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS minimal_reports (id INTEGER PRIMARY KEY {autoincrement}, "
    "session_id TEXT NOT NULL UNIQUE, phone TEXT NOT NULL, answers TEXT NOT NULL, "
    "reference TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL)"
)

INSERT_SQLITE = (
    "INSERT INTO minimal_reports (session_id, phone, answers, reference, created_at) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id"
)
INSERT_POSTGRES = INSERT_SQLITE.replace("?", "%s")


class Database:
    """One connection per thread, as a hand-written app on gunicorn's gthread worker would keep."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.local = threading.local()
        self.postgres = url.startswith("postgresql")

    def create(self) -> None:
        """The table (and SQLite's WAL), once before gunicorn starts: two workers booting at once
        would race for SQLite's lock."""
        connection = self.connection()
        if not self.postgres:
            connection.execute("PRAGMA journal_mode=WAL")
        identity = "GENERATED ALWAYS AS IDENTITY" if self.postgres else ""
        connection.execute(SCHEMA.format(autoincrement=identity))
        connection.commit()
        connection.close()
        self.local.connection = None

    def connection(self) -> Any:
        """This thread's connection, opened on first use."""
        found = getattr(self.local, "connection", None)
        if found is None:
            if self.postgres:
                import psycopg

                found = psycopg.connect(self.url)
            else:
                found = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=10)
                found.execute("PRAGMA synchronous=NORMAL")  # WAL is set once, by create()
            self.local.connection = found
        return found

    def insert(self, session_id: str, phone: str, answers: list[str], reference: str) -> int:
        connection = self.connection()
        row = connection.execute(
            INSERT_POSTGRES if self.postgres else INSERT_SQLITE,
            (session_id, phone, json.dumps(answers), reference, time.time()),
        ).fetchone()
        connection.commit()
        return int(row[0])


def create_app() -> Flask:
    app = Flask(__name__)
    store = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])
    database = Database(os.environ["BENCH_DATABASE_URL"])

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", 200, content_type="text/plain")

    @app.post("/webhooks/at/<token>/ussd")
    def ussd(token: str) -> Response:
        session_id = request.form.get("sessionId", "")
        phone = request.form.get("phoneNumber", "")
        text = request.form.get("text", "")
        key = f"minimal:session:{session_id}"
        raw = store.get(key)
        session = json.loads(raw) if raw else {"answers": []}
        inputs = text.split("*") if text else []
        if inputs:
            session["answers"].append(inputs[-1])
        step = min(len(inputs), len(SCREENS) - 1)
        if step < len(SCREENS) - 1:
            store.set(key, json.dumps(session), ex=SESSION_TTL)
            return Response(SCREENS[step], 200, content_type="text/plain; charset=utf-8")
        reference = "".join(secrets.choice(ALPHABET) for _ in range(6))
        report_id = database.insert(session_id, phone, session["answers"], reference)
        store.set(key, json.dumps(session), ex=SESSION_TTL)
        store.rpush("minimal:alerts", json.dumps({"report_id": report_id}))
        screen = SCREENS[-1].format(reference=reference)
        return Response(screen, 200, content_type="text/plain; charset=utf-8")

    return app
