"""The alarm banner: every open notice is on every console page, in the operator's language, for
signed-in users only; a cleared notice is gone."""

from __future__ import annotations

from flask.testing import FlaskClient

from hotline.platform.runtime import Runtime
from hotline.records.notices import clear_notice, raise_notice
from tests.support.consolekit import login


def raise_(runtime: Runtime, key: str, kind: str, level: str, **detail: object) -> None:
    with runtime.session() as session:
        raise_notice(session, runtime.clock.now(), key, kind, level, **detail)
        session.commit()


def test_a_low_gateway_balance_is_on_the_operators_pages_in_their_language(
    client: FlaskClient,
    runtime: Runtime,
) -> None:
    raise_(runtime, "balance", "gateway_balance", "critical", balance="1.20", currency="USD", minimum="5")
    login(client, runtime, "operator")
    page = client.get("/console/").get_data(as_text=True)
    assert "Le solde Africa&#39;s Talking est bas : 1.20 USD (minimum 5)." in page
    assert 'class="flash error" role="alert"' in page
    english = client.get("/console/?lang=en").get_data(as_text=True)
    assert "The Africa&#39;s Talking balance is low: 1.20 USD (minimum 5)." in english


def test_a_notice_of_a_kind_the_console_does_not_know_is_still_shown(
    client: FlaskClient,
    runtime: Runtime,
) -> None:
    raise_(runtime, "disk", "disk_full", "warning", percent=97)
    login(client, runtime, "viewer")
    assert "Alarme en cours : disk_full" in client.get("/console/").get_data(as_text=True)


def test_a_cleared_notice_leaves_the_banner_and_nobody_signed_out_sees_one(
    app,
    client: FlaskClient,
    runtime: Runtime,  # type: ignore[no-untyped-def]
) -> None:
    raise_(
        runtime,
        "sms-cap:hour:2026010508",
        "sms_cap",
        "critical",
        period="hour",
        cap=600,
        counted=600,
        held_for_workers=True,
    )
    assert "Plafond SMS" not in app.test_client().get("/console/login").get_data(as_text=True)
    login(client, runtime, "operator")
    assert "Plafond SMS atteint pour cette heure (600 sur 600)" in client.get("/console/").get_data(
        as_text=True
    )
    with runtime.session() as session:
        clear_notice(session, runtime.clock.now(), "sms-cap:hour:2026010508")
        session.commit()
    assert "Plafond SMS" not in client.get("/console/").get_data(as_text=True)
