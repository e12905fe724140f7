"""The data a process needs travels with the package: an installed wheel (not this checkout) finds
its locations, default escalation policy, catalogs, migrations, templates and static files; a
deployment replaces the two data files through settings."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hotline.alerting.escalation import DEFAULT_POLICY, area_policy, policy_for
from hotline.models import Report
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[1]

SHIPPED = (
    "hotline/data/locations.json",
    "hotline/data/escalation.json",
    "hotline/translations/fr/LC_MESSAGES/messages.po",
    "hotline/migrations/env.py",
    "hotline/migrations/script.py.mako",
    "hotline/templates/console/base.html",
    "hotline/static/console.css",
)

# Run from an empty folder against the wheel's files only: what `pip install hotline-*.whl` gets.
PROBE = """
import hotline, json
from pathlib import Path
from hotline.platform.locations import default_locations
from hotline.alerting.escalation import default_policy
from hotline.platform.i18n import default_translations
from hotline.ops.migrate import MIGRATIONS
print(json.dumps({
    "package": hotline.__file__,
    "provinces": len(default_locations().provinces()),
    "urgent_steps": len(default_policy()["urgent"]),
    "lingala": default_translations().translate("ln", "Yes"),
    "migrations": sorted(p.name for p in (MIGRATIONS / "versions").glob("0*.py")),
}))
"""


@pytest.mark.slow
def test_an_installed_wheel_finds_its_data_catalogs_and_migrations(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            wheels,
            ROOT,
        ],
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )
    (wheel,) = wheels.glob("hotline-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [name for name in SHIPPED if name not in names] == []

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, wheel],
        check=True,
        capture_output=True,
    )
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=empty,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(probe.stdout)
    assert Path(found["package"]).is_relative_to(target)  # not this checkout
    assert found["provinces"] == 26
    assert found["urgent_steps"] >= 3
    assert found["lingala"] != "Yes"
    assert found["migrations"][0].startswith("0001")


def test_a_deployment_replaces_the_default_policy_through_settings(
    environ: dict[str, str], tmp_path: Path
) -> None:
    shipped = json.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
    own = {**shipped, "urgent": [{"notify": ["supervisor"]}, {"wait": 60}, {"notify": ["national"]}]}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(own), encoding="utf-8")

    rt = Runtime.build(Settings.from_env({**environ, "HOTLINE_ESCALATION_POLICY_FILE": str(path)}))
    try:
        with rt.session() as session:
            report = Report(urgent=True, location_code="CD-KL/kikwit")
            assert policy_for(rt, report, area_policy(session, rt, report.location_code)) == own["urgent"]
    finally:
        rt.close()


def test_a_deployment_replaces_the_locations_through_settings(
    environ: dict[str, str], tmp_path: Path
) -> None:
    data = json.loads((ROOT / "hotline" / "data" / "locations.json").read_text(encoding="utf-8"))
    kwilu = next(p for p in data["provinces"] if p["code"] == "CD-KL")
    kwilu["places"] = [{"slug": "bulungu", "name": "Bulungu", "kind": "territory"}]
    path = tmp_path / "locations.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    rt = Runtime.build(Settings.from_env({**environ, "HOTLINE_LOCATIONS_FILE": str(path)}))
    try:
        assert rt.locations.is_valid("CD-KL/bulungu")
        assert not rt.locations.is_valid("CD-KL/kikwit")
    finally:
        rt.close()


@pytest.mark.parametrize("name", ["HOTLINE_LOCATIONS_FILE", "HOTLINE_ESCALATION_POLICY_FILE"])
def test_a_data_file_that_does_not_exist_stops_the_process_at_start(
    environ: dict[str, str], tmp_path: Path, name: str
) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**environ, name: str(tmp_path / "missing.json")})
