"""The Alembic migrations build exactly the schema the models describe, and upgrade cleanly."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hotline.models import Notice
from hotline.ops.migrate import alembic_config, upgrade
from hotline.platform.db import Base, make_engine
from hotline.records.notices import open_notices


def test_the_migrations_leave_nothing_for_autogenerate_to_add(migrated_database):
    url = migrated_database if "://" in migrated_database else f"sqlite:///{migrated_database}"
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_the_migration_history_is_one_straight_line(migrated_database):
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    revisions = [r.revision for r in script.walk_revisions()]
    assert revisions == sorted(revisions, reverse=True)  # 0004, 0003, ... : no branches


def test_0006_gives_the_period_notices_open_at_the_upgrade_their_end(tmp_path):
    """Before 0006 the next period's first SMS or flood cleared a notice; that code is gone, so the
    upgrade must end the notices it would have cleared, or they would stay up for good."""
    url = f"sqlite:///{tmp_path / 'before-0006.sqlite3'}"
    upgrade(url, "0005")
    engine = make_engine(url)
    raised = datetime(2026, 1, 5, 8, 30)  # stored as naive UTC, as UTCDateTime does
    with engine.begin() as conn:
        for key, kind, cleared in (
            ("sms-cap:hour:2026010508", "sms_cap", None),
            ("sms-cap:day:20260105", "sms_cap", None),
            ("flood:20260105", "flood", None),
            ("flood:20260104", "flood", raised),
            ("gateway-balance", "gateway_balance", None),
        ):
            conn.execute(
                text(
                    "INSERT INTO notices (key, kind, level, detail, raised_at, cleared_at)"
                    " VALUES (:key, :kind, 'warning', '{}', :raised, :cleared)"
                ),
                {"key": key, "kind": kind, "raised": raised, "cleared": cleared},
            )
    upgrade(url)
    with Session(engine) as session:
        ends = {n.key: n.ends_at for n in session.scalars(select(Notice))}
        assert ends == {
            "sms-cap:hour:2026010508": datetime(2026, 1, 5, 9, tzinfo=UTC),
            "sms-cap:day:20260105": datetime(2026, 1, 6, tzinfo=UTC),
            "flood:20260105": datetime(2026, 1, 6, tzinfo=UTC),
            "flood:20260104": None,  # already cleared
            "gateway-balance": None,  # no period: open until the balance is topped up
        }
        assert [n.key for n in open_notices(session, datetime(2026, 2, 1, tzinfo=UTC))] == ["gateway-balance"]
    engine.dispose()
