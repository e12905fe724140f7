"""Importing social workers from CSV (hotline.alerting.staff and ``hotline workers import``).

All rows valid or nothing imported; a second import of the same phone updates that worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from hotline.alerting.staff import StaffImportError, import_workers
from hotline.models import SocialWorker
from hotline.ops.cli import main
from hotline.platform.runtime import Runtime

HEADER = "name,phone,language,areas,role"
HOTLINE = Path(sys.executable).with_name("hotline")


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "workers.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def roster(runtime: Runtime) -> dict[str, dict[str, object]]:
    """Every worker by clear phone number, as the console would show them."""
    with runtime.session() as session:
        return {
            runtime.cipher.decrypt(w.phone_encrypted): {
                "name": w.name,
                "language": w.language,
                "role": w.role,
                "areas": [a.location_code for a in w.areas],
                "active": w.active,
            }
            for w in session.scalars(select(SocialWorker))
        }


def raw_rows(runtime: Runtime, table: str) -> list[tuple[object, ...]]:
    with runtime.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}"))]  # noqa: S608


def failure(runtime: Runtime, path: Path) -> list[str]:
    with pytest.raises(StaffImportError) as info:
        import_workers(runtime, path)
    return info.value.errors


# A valid file


def test_a_valid_file_imports_every_worker_with_an_e164_phone(runtime: Runtime, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "Mado Kikwit,0812345678,fr,CD-KL;CD-KL/kikwit,worker",
        "Jean Lubumbashi,+243 97 123 4567,sw,CD-HK,supervisor",
        "Permanence nationale,00243991234567,LN,CD-KN,National_Duty",
    )

    result = import_workers(runtime, path)

    assert (result.created, result.updated) == (3, 0)
    assert roster(runtime) == {
        "+243812345678": {
            "name": "Mado Kikwit",
            "language": "fr",
            "role": "worker",
            "areas": ["CD-KL", "CD-KL/kikwit"],
            "active": True,
        },
        "+243971234567": {
            "name": "Jean Lubumbashi",
            "language": "sw",
            "role": "supervisor",
            "areas": ["CD-HK"],
            "active": True,
        },
        "+243991234567": {
            "name": "Permanence nationale",
            "language": "ln",
            "role": "national_duty",
            "areas": ["CD-KN"],
            "active": True,
        },
    }


def test_the_clear_phone_number_is_stored_nowhere(runtime: Runtime, tmp_path: Path) -> None:
    import_workers(runtime, csv_file(tmp_path, "Mado,+243 81 234 5678,fr,CD-KL,worker"))

    rows = raw_rows(runtime, "social_workers") + raw_rows(runtime, "worker_areas")
    stored = " ".join(str(value) for row in rows for value in row)
    assert "Mado" in stored  # the rows were read
    assert "812345678" not in stored  # in no format: +243..., 243..., 0812...


def test_language_and_role_default_to_french_and_worker(runtime: Runtime, tmp_path: Path) -> None:
    import_workers(runtime, csv_file(tmp_path, "Mado,0812345678,,CD-KL,"))

    worker = roster(runtime)["+243812345678"]
    assert (worker["language"], worker["role"]) == ("fr", "worker")


def test_an_area_repeated_on_a_row_is_kept_once(runtime: Runtime, tmp_path: Path) -> None:
    import_workers(runtime, csv_file(tmp_path, "Mado,0812345678,fr,CD-KL; CD-KL ;CD-KL/kikwit,worker"))

    assert roster(runtime)["+243812345678"]["areas"] == ["CD-KL", "CD-KL/kikwit"]


def test_a_spreadsheet_export_with_a_bom_and_extra_columns_is_accepted(
    runtime: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffName,Phone,Language,Areas,Role,Notes\r\nMado,0812345678,fr,CD-KL,worker,équipe B\r\n".encode()
    )

    assert import_workers(runtime, path).created == 1


# Any invalid row: nothing is imported


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Bad phone,0812345,fr,CD-KL,worker", "line 3: phone is not a valid number"),
        ("Letters,08123ABCDE,fr,CD-KL,worker", "line 3: phone is not a valid number"),
        ("No phone,,fr,CD-KL,worker", "line 3: phone is not a valid number"),
        ("Nowhere,0822222222,fr,CD-XX,worker", "line 3: unknown area CD-XX"),
        ("No place,0822222222,fr,CD-KL/nowhere,worker", "line 3: unknown area CD-KL/nowhere"),
        ("Lower case,0822222222,fr,cd-kl,worker", "line 3: unknown area cd-kl"),
        ("Half bad,0822222222,fr,CD-KL;CD-ZZ,worker", "line 3: unknown area CD-ZZ"),
        ("No area,0822222222,fr,,worker", "line 3: no area given"),
        ("Klingon,0822222222,tlh,CD-KL,worker", "line 3: language must be one of fr, ln, kg, sw, lua, en"),
        ("Boss,0822222222,fr,CD-KL,chief", "line 3: role must be one of worker, supervisor, national_duty"),
        (",0822222222,fr,CD-KL,worker", "line 3: name is missing"),
        ("   ,0822222222,fr,CD-KL,worker", "line 3: name is missing"),
        ("x" * 121 + ",0822222222,fr,CD-KL,worker", "line 3: name is missing or longer than 120 characters"),
        ("Twin,+243 81 234 5678,fr,CD-KN,worker", "line 3: the same phone as line 2"),
    ],
)
def test_an_invalid_row_is_reported_with_its_line_and_nothing_is_imported(
    runtime: Runtime, tmp_path: Path, row: str, message: str
) -> None:
    path = csv_file(tmp_path, "Mado,0812345678,fr,CD-KL,worker", row)

    errors = failure(runtime, path)

    assert any(e.startswith(message) for e in errors), errors
    assert raw_rows(runtime, "social_workers") == []
    assert raw_rows(runtime, "worker_areas") == []


def test_every_problem_of_the_file_is_reported_at_once(runtime: Runtime, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "Mado,0812345678,fr,CD-KL,worker",
        "Bad phone,123,fr,CD-KL,worker",
        "Fine,0822222222,fr,CD-HK,worker",
        ",0833333333,xx,CD-XX,chief",
    )

    errors = failure(runtime, path)

    assert errors[0] == "line 3: phone is not a valid number"
    assert [e.split(":")[0] for e in errors] == ["line 3", "line 5", "line 5", "line 5", "line 5"]
    assert roster(runtime) == {}


@pytest.mark.parametrize(
    "header",
    [
        "name,phone,areas,language,role",  # columns swapped
        "nom,telephone,langue,zones,role",
        "name;phone;language;areas;role",  # semicolons from a French spreadsheet
        "name,phone,language,areas",
    ],
)
def test_a_wrong_header_is_refused_on_line_one(runtime: Runtime, tmp_path: Path, header: str) -> None:
    path = csv_file(tmp_path, "Mado,0812345678,fr,CD-KL,worker", header=header)

    assert failure(runtime, path) == ["line 1: the columns must be name,phone,language,areas,role"]
    assert roster(runtime) == {}


def test_an_empty_file_is_refused(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")

    assert failure(runtime, path)[0].startswith("line 1:")


# Re-importing updates by phone


def test_reimporting_a_phone_updates_the_worker_instead_of_adding_one(
    runtime: Runtime, tmp_path: Path
) -> None:
    import_workers(runtime, csv_file(tmp_path, "Mado K.,0812345678,fr,CD-KL,worker", name="v1.csv"))

    result = import_workers(
        runtime, csv_file(tmp_path, "Madeleine Kabongo,+243812345678,ln,CD-KL;CD-KL/kikwit,supervisor")
    )

    assert (result.created, result.updated) == (0, 1)
    assert roster(runtime) == {
        "+243812345678": {
            "name": "Madeleine Kabongo",
            "language": "ln",
            "role": "supervisor",
            "areas": ["CD-KL", "CD-KL/kikwit"],
            "active": True,
        }
    }
    assert len(raw_rows(runtime, "social_workers")) == 1


def test_reimporting_without_an_area_removes_it(runtime: Runtime, tmp_path: Path) -> None:
    import_workers(runtime, csv_file(tmp_path, "Mado,0812345678,fr,CD-KL;CD-KL/kikwit;CD-HK", name="v1.csv"))

    import_workers(runtime, csv_file(tmp_path, "Mado,0812345678,fr,CD-KL/kikwit;CD-KN"))

    assert roster(runtime)["+243812345678"]["areas"] == ["CD-KL/kikwit", "CD-KN"]
    assert sorted(row[2] for row in raw_rows(runtime, "worker_areas")) == ["CD-KL/kikwit", "CD-KN"]


def test_a_bad_reimport_leaves_the_existing_workers_as_they_were(runtime: Runtime, tmp_path: Path) -> None:
    import_workers(runtime, csv_file(tmp_path, "Mado,0812345678,fr,CD-KL,worker", name="v1.csv"))
    before = roster(runtime)

    failure(
        runtime,
        csv_file(tmp_path, "Mado renamed,0812345678,sw,CD-HK,supervisor", "New,0822222222,fr,CD-XX,worker"),
    )

    assert roster(runtime) == before


# The command line


def test_the_import_command_reports_what_it_created_and_updated(
    runtime: Runtime, environ: dict[str, str], tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "Mado,0812345678,fr,CD-KL,worker", "Jean,0971234567,sw,CD-HK,supervisor")
    runner = CliRunner()

    first = runner.invoke(main, ["workers", "import", str(path)], env=environ)
    second = runner.invoke(main, ["workers", "import", str(path)], env=environ)

    assert (first.exit_code, first.stdout) == (0, "2 created, 0 updated\n")
    assert (second.exit_code, second.stdout) == (0, "0 created, 2 updated\n")
    assert sorted(roster(runtime)) == ["+243812345678", "+243971234567"]


def test_the_import_command_lists_the_errors_on_stderr_and_exits_with_1(
    runtime: Runtime, environ: dict[str, str], tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "Mado,0812345678,fr,CD-KL,worker", "Ghost,0812345,fr,CD-XX,worker")

    result = CliRunner().invoke(main, ["workers", "import", str(path)], env=environ)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "nothing was imported:\n  line 3: phone is not a valid number\n  line 3: unknown area CD-XX\n"
    )
    assert roster(runtime) == {}


def test_the_import_command_refuses_a_file_that_does_not_exist(
    environ: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["workers", "import", str(tmp_path / "missing.csv")], env=environ)

    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_the_installed_hotline_command_imports_workers(
    runtime: Runtime, environ: dict[str, str], tmp_path: Path
) -> None:
    good = csv_file(tmp_path, "Mado,00243812345678,fr,CD-KL;CD-KL/kikwit,worker", name="good.csv")
    bad = csv_file(tmp_path, "Mado,0812345678,fr,CD-KL,worker", "Mado again,0812345678,fr,CD-KL,worker")
    env = {"PATH": os.environ.get("PATH", ""), **environ}

    done = subprocess.run(
        [str(HOTLINE), "workers", "import", str(good)], env=env, capture_output=True, text=True, timeout=60
    )
    refused = subprocess.run(
        [str(HOTLINE), "workers", "import", str(bad)], env=env, capture_output=True, text=True, timeout=60
    )

    assert (done.returncode, done.stdout, done.stderr) == (0, "1 created, 0 updated\n", "")
    assert refused.returncode == 1
    assert "line 3: the same phone as line 2" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert roster(runtime) == {
        "+243812345678": {
            "name": "Mado",
            "language": "fr",
            "role": "worker",
            "areas": ["CD-KL", "CD-KL/kikwit"],
            "active": True,
        }
    }


def test_a_number_of_the_training_simulators_range_is_refused(runtime, tmp_path):
    from hotline.alerting.staff import StaffImportError, import_workers

    csv = tmp_path / "workers.csv"
    csv.write_text("name,phone,language,areas,role\nFormateur,+243890000901,fr,CD-KL,worker\n")
    with pytest.raises(StaffImportError) as error:
        import_workers(runtime, csv)
    assert "line 2: this number is reserved for the training simulator" in error.value.errors
