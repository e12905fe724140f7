"""What a new team does first (issue 16, onboarding): the README's first-admin command, typed as the
README writes it, in a checkout where `make dev` ran and on a server set up as docs/deploy.md says;
and `make dev HOST=0.0.0.0` for a training room, with its warning.

The command runs as a person runs it: the installed `hotline` script in a subprocess, from the
directory the README says, without HOTLINE_ENV or any other setting in its environment, the password
typed twice on its standard input. Before, it stopped at "SECRET_KEY is required when
HOTLINE_ENV=production" in both places.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hotline.ops import devserver
from hotline.ops.migrate import upgrade
from hotline.platform.settings import Settings
from tests.support.environment import TEST_PII_KEY, TEST_TOKEN

ROOT = Path(__file__).resolve().parent.parent
HOTLINE = Path(sys.executable).with_name("hotline")
PASSWORD = "une phrase de passe assez longue"
ROOM = "0.0.0.0"  # noqa: S104 (what a training room's dev server listens on: the point of the tests)


def readme_command() -> list[str]:
    """The first-admin command as the README prints it."""
    found = re.search(r"`(\S*hotline users create [^`]+)`", (ROOT / "README.md").read_text())
    assert found, "the README names no `hotline users create` command"
    return shlex.split(found.group(1))


def bare_environment(**extra: str) -> dict[str, str]:
    """A shell's environment without any of the service's settings."""
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {**kept, **extra}


def run_as_written(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = readme_command()
    assert command[0] == ".venv/bin/hotline"  # not on the PATH: the README says where it is
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=60,
    )


def users_in(database: Path) -> list[tuple[str, str]]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text("SELECT email, role FROM users"))]
    finally:
        engine.dispose()


def checkout(tmp_path: Path) -> Path:
    """A directory laid out as the repository is: the virtualenv in .venv."""
    folder = tmp_path / "hotline"
    folder.mkdir()
    (folder / ".venv").symlink_to(ROOT / ".venv")
    return folder


def test_the_readmes_first_admin_command_works_as_written_after_make_dev(tmp_path, redis_server):
    folder = checkout(tmp_path)
    # What `make dev` does before it starts the processes: settings, schema, instance/dev.env.
    env = {
        "HOTLINE_ENV": "development",
        "HOTLINE_INSTANCE_PATH": str(folder / "instance"),
        "SMS_GATEWAY": "outbox",
        "REDIS_URL": redis_server.url,
    }
    settings = Settings.from_env(env)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    devserver._remember_settings(settings, env)

    done = run_as_written(folder, bare_environment())

    assert done.returncode == 0, done.stderr
    assert "user admin@example.org created (admin)" in done.stdout
    assert users_in(folder / "instance" / "hotline.sqlite3") == [("admin@example.org", "admin")]


def test_the_readmes_first_admin_command_works_as_written_on_a_server(tmp_path, redis_server):
    folder = checkout(tmp_path)  # /opt/hotline
    database = tmp_path / "production.sqlite3"
    settings_file = tmp_path / "hotline.env"  # /etc/hotline/hotline.env, as docs/deploy.md has it
    settings_file.write_text(
        "# as config/example.env, filled in\n"
        "HOTLINE_ENV=production\n"
        f"DATABASE_URL=sqlite:///{database}\n"
        f"REDIS_URL={redis_server.url}\n"
        "SECRET_KEY=a-production-secret-key-of-some-length\n"
        f"HOTLINE_WEBHOOK_TOKEN={TEST_TOKEN}\n"
        f"HOTLINE_PII_KEY={TEST_PII_KEY}\n"
        f"HOTLINE_INSTANCE_PATH={tmp_path / 'var'}\n"
        'AT_BALANCE_MIN="USD 10"\n'
    )
    upgrade(f"sqlite:///{database}")
    from hotline.ops import cli_env

    assert str(cli_env.PRODUCTION_FILE) in (ROOT / "docs" / "deploy.md").read_text()

    done = run_as_written(folder, bare_environment(HOTLINE_ENV_FILE=str(settings_file)))

    assert done.returncode == 0, done.stderr
    assert users_in(database) == [("admin@example.org", "admin")]


def test_without_any_settings_the_command_says_where_it_looked(tmp_path):
    done = run_as_written(checkout(tmp_path), bare_environment())

    assert done.returncode == 1
    assert "SECRET_KEY is required when HOTLINE_ENV=production" in done.stderr
    assert "/etc/hotline/hotline.env" in done.stderr and "make dev" in done.stderr


def test_a_settings_file_is_read_as_systemd_and_a_shell_read_it(tmp_path):
    from hotline.ops import cli_env

    path = tmp_path / "hotline.env"
    path.write_text("# comment\n\nexport A=1\nB=\"two words\"\nC='x=y'\nnot a line\n")
    assert cli_env.read_env_file(path) == {"A": "1", "B": "two words", "C": "x=y"}
    chosen = cli_env.environment({"HOTLINE_ENV_FILE": str(path), "B": "mine"}, cwd=tmp_path)
    assert chosen["A"] == "1" and chosen["B"] == "mine"  # the shell's own variable wins
    assert cli_env.environment({"HOTLINE_ENV": "test", "HOTLINE_ENV_FILE": str(path)}) == {
        "HOTLINE_ENV": "test",
        "HOTLINE_ENV_FILE": str(path),
    }  # HOTLINE_ENV set: nothing read


# make dev HOST=0.0.0.0


def make_dry_run(*args: str, **env: str) -> str:
    done = subprocess.run(
        ["make", "-n", "dev", *args],
        cwd=ROOT,
        env={**bare_environment(), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done.stdout.strip().splitlines()[-1]


def test_make_dev_takes_a_host_from_its_command_line_only():
    assert make_dry_run("HOST=0.0.0.0") == ".venv/bin/hotline dev --host 0.0.0.0"
    assert make_dry_run() == ".venv/bin/hotline dev --host 127.0.0.1"
    assert make_dry_run(HOST="my-laptop") == ".venv/bin/hotline dev --host 127.0.0.1"  # a shell's HOST


def test_a_room_wide_dev_server_warns_who_can_reach_it():
    assert devserver.shared_host_warning("127.0.0.1", 8000) == ""
    warning = devserver.shared_host_warning(ROOM, 8000)
    assert warning.startswith("WARNING: listening on 0.0.0.0")
    assert "/console/simulator" in warning and "demo password" in warning


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_make_dev_host_lets_the_training_rooms_phones_in(tmp_path):
    room_address = devserver._lan_address()
    if room_address.startswith("127.") or not re.match(r"^\d+\.\d+\.\d+\.\d+$", room_address):
        pytest.skip("this machine has no network address besides loopback")
    port = _free_port()
    env = bare_environment(HOTLINE_INSTANCE_PATH=str(tmp_path / "instance"), WEB_CONCURRENCY="1")
    log = tmp_path / "dev.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(HOTLINE), "dev", "--host", ROOM, "--port", str(port)],  # what make dev HOST=0.0.0.0 runs
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            answer = _first_answer(f"http://{room_address}:{port}/console/login", time.monotonic() + 60)
            assert answer == 200
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert "WARNING: listening on 0.0.0.0" in log.read_text()
    assert (tmp_path / "instance" / "dev.env").read_text().count("HOTLINE_ENV=development") == 1


def _first_answer(url: str, deadline: float) -> int:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing answered at {url}")
