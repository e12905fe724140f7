"""The Alembic migrations build exactly the schema the models describe, and upgrade cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hotline.db import Base, make_engine
from hotline.migrate import alembic_config


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
