"""Giving each test an empty PostgreSQL database without migrating it again."""

from __future__ import annotations

from sqlalchemy import text

from hotline.platform.db import Base, make_engine

# What a test is allowed to wait for a table lock before its setup fails with a clear error.
LOCK_TIMEOUT = "20s"


def empty_postgres(url: str) -> None:
    """Empty every table, keep the schema.

    A process that an earlier test stopped can leave its server backend finishing a statement
    inside a transaction: PostgreSQL notices a killed client only when it sends the answer. That
    backend holds locks, and TRUNCATE would wait for it, or deadlock with it when it asks for the
    next lock. Tests run one at a time, so every other busy backend on this database is such a
    leftover: end it first.
    """
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND backend_type = 'client backend' AND state <> 'idle'"
                )
            )
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
