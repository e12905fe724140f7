"""The ``hotline`` command (hotline.ops.cli): schema upgrades and configuration errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, inspect, text

from hotline.ops.cli import main
from hotline.ops.migrate import alembic_config
from tests.support.environment import TEST_PII_KEY, TEST_TOKEN

HOTLINE = Path(sys.executable).with_name("hotline")
# Every variable Settings reads: unset unless a test sets it, whatever the developer's shell holds.
VARIABLES = (
    "HOTLINE_ENV",
    "HOTLINE_INSTANCE_PATH",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "HOTLINE_WEBHOOK_TOKEN",
    "HOTLINE_PII_KEY",
    "SMS_GATEWAY",
    "AT_USERNAME",
    "AT_API_KEY",
    "AT_SENDER_ID",
    "AT_API_URL",
    "USSD_SERVICE_CODE",
    "HOTLINE_ESCALATION_WAIT_SECONDS",
    "HOTLINE_QUEUE",
)


def run(*args: str, **env: str) -> Result:
    clean: dict[str, str | None] = dict.fromkeys(VARIABLES)
    clean.update(env)
    return CliRunner().invoke(main, list(args), env=clean)


def schema(database: Path) -> tuple[set[str], list[str]]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
        return set(inspect(engine).get_table_names()), versions
    finally:
        engine.dispose()


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert revision is not None
    return revision


def test_db_upgrade_creates_the_schema_in_a_fresh_sqlite_file(tmp_path: Path) -> None:
    instance = tmp_path / "instance"  # does not exist yet: the command creates it

    result = run("db", "upgrade", HOTLINE_ENV="development", HOTLINE_INSTANCE_PATH=str(instance))

    assert (result.exit_code, result.stdout) == (0, "database is up to date\n")
    tables, versions = schema(instance / "hotline.sqlite3")
    assert {"reports", "social_workers", "worker_areas", "outbound_messages"} <= tables
    assert versions == [head()]


def test_db_upgrade_a_second_time_changes_nothing_and_keeps_the_data(tmp_path: Path) -> None:
    database = tmp_path / "hotline.sqlite3"
    env = {
        "HOTLINE_ENV": "test",
        "HOTLINE_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    assert run("db", "upgrade", **env).exit_code == 0
    first = schema(database)
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO social_workers (name, phone_encrypted, phone_hash, language, role, active,"
                " created_at, updated_at) VALUES ('Mado', 'x', 'h', 'fr', 'worker', 1,"
                " '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
            )
        )
    engine.dispose()

    again = run("db", "upgrade", **env)

    assert (again.exit_code, again.stdout) == (0, "database is up to date\n")
    assert schema(database) == first
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM social_workers")).scalars().all() == ["Mado"]
    engine.dispose()


def test_a_configuration_error_is_one_clear_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    result = run("db", "upgrade", HOTLINE_ENV="production", HOTLINE_INSTANCE_PATH=str(tmp_path / "i"))

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # not an exception escaping from the command
    assert result.stderr == "Error: configuration error: SECRET_KEY is required when HOTLINE_ENV=production\n"
    assert not (tmp_path / "i").exists()


def test_a_bad_value_stops_the_import_before_it_touches_anything(tmp_path: Path) -> None:
    path = tmp_path / "workers.csv"
    path.write_text("name,phone,language,areas,role\nMado,0812345678,fr,CD-KL,worker\n")

    result = run(
        "workers",
        "import",
        str(path),
        HOTLINE_ENV="test",
        HOTLINE_INSTANCE_PATH=str(tmp_path),
        HOTLINE_PII_KEY="not-a-key",
        DATABASE_URL=f"sqlite:///{tmp_path / 'never.sqlite3'}",
    )

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: configuration error: HOTLINE_PII_KEY must be Fernet keys")
    assert not (tmp_path / "never.sqlite3").exists()


def test_the_installed_command_shows_a_configuration_error_without_a_traceback(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOTLINE_ENV": "production",
        "HOTLINE_INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "a-production-secret-key-of-some-length",
        "HOTLINE_PII_KEY": TEST_PII_KEY,
        "HOTLINE_WEBHOOK_TOKEN": TEST_TOKEN,
        "DATABASE_URL": "mysql://hotline@db/hotline",
    }

    done = subprocess.run(
        [str(HOTLINE), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("Error: configuration error: DATABASE_URL must start with one of sqlite:")
    assert "Traceback" not in done.stderr
