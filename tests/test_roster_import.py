"""`hotline rosters import`: rosters from a file, checked whole before anything is written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from hotline.alerting.roster_import import RosterFileError, import_rosters
from hotline.alerting.routing import recipients
from hotline.alerting.staff import import_workers
from hotline.models import Roster
from hotline.ops.cli import main

WORKERS = (
    "name,phone,language,areas,role\n"
    "Primaire,+243820000002,fr,CD-KL,worker\n"
    "Secours,+243820000004,fr,CD-KL,worker\n"
    "Chef,+243970000003,fr,CD-KL,supervisor\n"
)


@pytest.fixture
def workers(runtime, tmp_path: Path) -> None:
    csv = tmp_path / "workers.csv"
    csv.write_text(WORKERS)
    import_workers(runtime, csv)


def roster_file(tmp_path: Path, rosters: list[dict]) -> Path:
    path = tmp_path / "rosters.json"
    path.write_text(json.dumps(rosters))
    return path


KWILU = {
    "area": "CD-KL",
    "rotations": [
        {"level": "primary", "members": ["0820000002"], "start": "2026-01-01", "handoff_hour": 8},
        {"level": "backup", "members": ["+243 82 000 0004"], "start": "2026-01-01"},
        {"level": "supervisor", "members": ["+243970000003"], "start": "2026-01-01"},
    ],
}


def names(workers) -> list[str]:  # type: ignore[no-untyped-def]
    return [w.name for w in workers]


def test_an_imported_roster_decides_who_is_alerted_at_each_level(runtime, workers, tmp_path):
    assert import_rosters(runtime, roster_file(tmp_path, [KWILU])) == 1
    at = datetime(2026, 1, 10, 12, tzinfo=UTC)
    with runtime.session() as session:
        alerted = {
            level: names(recipients(session, runtime.locations, "CD-KL/kikwit", level, at))
            for level in ("primary", "backup", "supervisor")
        }
    assert alerted == {"primary": ["Primaire"], "backup": ["Secours"], "supervisor": ["Chef"]}


def test_the_example_file_in_config_imports_against_the_demo_workers(runtime, tmp_path):
    import_workers(runtime, Path("config/demo-workers.csv"))
    assert import_rosters(runtime, Path("config/rosters.example.json")) == 1


def test_reimporting_an_area_replaces_its_roster(runtime, workers, tmp_path):
    import_rosters(runtime, roster_file(tmp_path, [KWILU]))
    smaller = {**KWILU, "rotations": KWILU["rotations"][:1]}
    import_rosters(runtime, roster_file(tmp_path, [smaller]))
    with runtime.session() as session:
        roster = session.scalar(select(Roster))
        assert [r.level for r in roster.rotations] == ["primary"]
        assert session.scalar(select(func.count()).select_from(Roster)) == 1


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"area": "CD-XX"}, "unknown area"),
        (
            {"rotations": [{"level": "primary", "members": ["+243990009999"], "start": "2026-01-01"}]},
            "no active social worker",
        ),
        ({"rotations": [{"level": "boss", "members": ["0820000002"], "start": "2026-01-01"}]}, "level"),
        ({"timezone": "Africa/Nowhere"}, "time zone"),
        (
            {"rotations": [{"level": "primary", "members": ["08200000AB"], "start": "2026-01-01"}]},
            "invalid phone",
        ),
    ],
)
def test_a_broken_roster_is_refused_with_its_reason_and_nothing_is_written(
    runtime, workers, tmp_path, broken, message
):
    path = roster_file(tmp_path, [KWILU, {**KWILU, **broken}])
    with pytest.raises(RosterFileError) as error:
        import_rosters(runtime, path)
    assert "roster 2" in str(error.value) and message in str(error.value)
    with runtime.session() as session:
        assert session.scalar(select(func.count()).select_from(Roster)) == 0


def test_the_cli_imports_and_reports_errors_on_stderr(environ, runtime, workers, tmp_path):
    runner = CliRunner()
    good = runner.invoke(main, ["rosters", "import", str(roster_file(tmp_path, [KWILU]))], env=environ)
    assert good.exit_code == 0, good.output
    assert "1 roster(s) imported" in good.output
    bad = runner.invoke(
        main, ["rosters", "import", str(roster_file(tmp_path, [{"area": "CD-XX"}]))], env=environ
    )
    assert bad.exit_code == 1
    assert "unknown area" in bad.output
