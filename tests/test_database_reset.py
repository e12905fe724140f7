"""The suite's own reset of PostgreSQL between tests survives what a stopped process leaves behind."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import exc, insert, select, text

from hotline.models import Notice
from hotline.platform.db import make_engine
from tests.support.database_reset import empty_postgres

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="the reset empties PostgreSQL; SQLite gets a fresh file copy",
)


def test_a_backend_left_holding_locks_is_ended_and_the_tables_are_emptied(database_url: str) -> None:
    # What a process killed in the middle of an escalation step leaves: its backend inside a
    # transaction that has written a row and locked the rows it read.
    engine = make_engine(database_url)
    try:
        left = engine.connect()
        left.execute(
            insert(Notice).values(
                key="left", kind="test", level="warning", detail={}, raised_at=datetime.now(UTC)
            )
        )
        left.execute(text("SELECT * FROM reports FOR UPDATE"))

        empty_postgres(database_url)  # with the backend alive, TRUNCATE waits past lock_timeout

        with pytest.raises(exc.OperationalError):
            left.execute(text("SELECT 1"))
        left.invalidate()
        with engine.connect() as conn:
            assert conn.scalars(select(Notice)).all() == []
    finally:
        engine.dispose()
