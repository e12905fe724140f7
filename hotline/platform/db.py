"""Database plumbing: the declarative base, a UTC datetime type and the engine factory."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, Engine, MetaData, Result, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite has no time zones), always handed back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


SQLITE_BUSY_SECONDS = 30  # how long a write waits for another writer's lock, by default
LIMITED = "hotline_lock_wait_limited"  # on a pooled connection whose busy timeout was lowered


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _sqlite_busy_timeout_back)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # WAL lets the web and worker processes read while one writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def limit_lock_wait(session: Session, seconds: float) -> None:
    """In this session's transaction, waiting for another writer's lock gives up after ``seconds``
    (an OperationalError) instead of the engine's default: an AT callback must be answered in time.

    PostgreSQL: ``SET LOCAL`` lock and statement timeouts, which end with the transaction. SQLite:
    the connection's busy timeout, put back when the connection returns to the pool.
    """
    ms = max(1, int(seconds * 1000))
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {ms}")
        connection.connection.info[LIMITED] = True
    else:
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {ms}")
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")


def _sqlite_busy_timeout_back(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    if record.info.pop(LIMITED, False):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE matched. ``Session.execute`` returns a CursorResult for them,
    but its type says Result, which has no ``rowcount``."""
    return cast("CursorResult[*tuple[Any, ...]]", result).rowcount
