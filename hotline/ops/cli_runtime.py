"""What the ``hotline`` commands run with a runtime built for the run, and closed after it.

Apart from hotline.ops.cli, which imports it inside the commands that use it: a runtime brings
SQLAlchemy, Redis and the rest (about 270 ms), which ``hotline --help`` need not load.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from sqlalchemy.orm import Session

from hotline.alerting.roster_import import RosterFileError
from hotline.alerting.staff import StaffImportError
from hotline.partners.api_clients import ApiClientError
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings

T = TypeVar("T")


def import_all_or_nothing(
    settings: Settings,
    run: Callable[[Runtime], T],
    error_type: type[StaffImportError] | type[RosterFileError],
) -> T:
    """Run an import; on its error, list every problem on stderr and exit 1 (nothing written)."""
    runtime = Runtime.build(settings)
    try:
        return run(runtime)
    except error_type as exc:
        click.echo("nothing was imported:", err=True)
        for line in exc.errors:
            click.echo(f"  {line}", err=True)
        raise SystemExit(1) from None
    finally:
        runtime.close()


def in_transaction(settings: Settings, action: Callable[[Session, Runtime], T]) -> T:
    """Run ``action(session, runtime)`` and commit; an ApiClientError becomes a clean message."""
    runtime = Runtime.build(settings)
    try:
        with runtime.session() as session:
            result = action(session, runtime)
            session.commit()
            return result
    except ApiClientError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
