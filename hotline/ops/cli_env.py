"""Where the ``hotline`` command finds its settings when the shell gives it none.

The services get their environment from systemd (``EnvironmentFile=/etc/hotline/hotline.env``) or
from ``make dev``; a person typing ``.venv/bin/hotline users create ...`` has neither. So, when
``HOTLINE_ENV`` is not set, the command reads the first of these files that exists:

1. the file named by ``HOTLINE_ENV_FILE``;
2. ``/etc/hotline/hotline.env``, the production file of docs/deploy.md;
3. ``instance/dev.env`` under the current directory, which ``make dev`` writes in a checkout.

The shell's own variables still win over the file's. With ``HOTLINE_ENV`` set, nothing is read:
whoever set it chose the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PRODUCTION_FILE = Path("/etc/hotline/hotline.env")
DEV_FILE = "dev.env"  # in the instance folder


def environment(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> dict[str, str]:
    """The variables the command runs with: the shell's, over those of the file found, if any."""
    shell = dict(os.environ if environ is None else environ)
    if shell.get("HOTLINE_ENV", "").strip():
        return shell
    found = settings_file(shell, cwd or Path.cwd())
    return {**read_env_file(found), **shell} if found else shell


def settings_file(shell: Mapping[str, str], cwd: Path) -> Path | None:
    named = shell.get("HOTLINE_ENV_FILE", "").strip()
    candidates = [Path(named)] if named else []
    candidates += [PRODUCTION_FILE, cwd / "instance" / DEV_FILE]
    return next((path for path in candidates if path.is_file() and os.access(path, os.R_OK)), None)


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines as systemd and a shell's ``set -a; . file`` read them: comments and blank
    lines skipped, an ``export`` prefix and quotes around the value removed."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def write_dev_file(instance: Path, values: Mapping[str, str]) -> Path:
    """What ``make dev`` runs with, for the ``hotline`` command typed in the same checkout."""
    path = instance / DEV_FILE
    lines = [
        "# Written by `make dev` (hotline dev): the `hotline` command run from this checkout reads it",
        "# when HOTLINE_ENV is not set (hotline/ops/cli_env.py). Development only.",
        *(f"{key}={value}" for key, value in values.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
