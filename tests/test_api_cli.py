"""``hotline api-clients``: an operator creates a partner's client, hands over the token printed
once, lists clients and revokes one; the API accepts the token until then."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import select

from hotline.models import AuditEntry
from hotline.ops.cli import main


def test_a_client_created_on_the_command_line_works_until_revoked(app, runtime, environ):
    runner = CliRunner(env=environ)
    created = runner.invoke(
        main,
        ["api-clients", "create", "--name", "Primero Kwilu", "--scope", "reports:read", "--area", "CD-KL"],
    )
    assert created.exit_code == 0, created.output
    token = re.search(r"token .*: (\S+)$", created.output, re.M).group(1)
    client_id = re.search(r"client (\d+) created", created.output).group(1)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/reports", headers=headers).status_code == 200

    listed = runner.invoke(main, ["api-clients", "list"])
    assert "Primero Kwilu" in listed.output and "CD-KL" in listed.output
    assert token not in listed.output and "active" in listed.output

    assert runner.invoke(main, ["api-clients", "revoke", client_id]).exit_code == 0
    assert api.get("/api/v1/reports", headers=headers).status_code == 401
    assert "revoked" in runner.invoke(main, ["api-clients", "list"]).output
    with runtime.session() as db:
        actions = list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[0] == "api_client_created" and "api_client_revoked" in actions


def test_an_unknown_area_or_scope_is_refused_with_a_message(environ):
    runner = CliRunner(env=environ)
    bad_area = runner.invoke(
        main, ["api-clients", "create", "--name", "X", "--scope", "reports:read", "--area", "CD-ZZ"]
    )
    assert bad_area.exit_code != 0 and "CD-ZZ" in bad_area.output
    bad_scope = runner.invoke(main, ["api-clients", "create", "--name", "X", "--scope", "all"])
    assert bad_scope.exit_code != 0
    assert runner.invoke(main, ["api-clients", "revoke", "999"]).exit_code != 0
