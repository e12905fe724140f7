"""The console's "Partner systems" page (admins only): API clients with their token shown once,
revocation, webhooks with their secret shown once, recent deliveries and "retry now"."""

from __future__ import annotations

import re

from sqlalchemy import select

from hotline.models import AuditEntry, PartnerWebhook, WebhookDelivery
from tests.support.builders import report
from tests.support.consolekit import login, post

PAGE = "/console/integrations"


def actions(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def shown_once(page: str) -> str:
    return re.search(r'<code class="secret">([^<]+)</code>', page).group(1)


def test_an_admin_creates_a_client_whose_token_is_shown_once_then_revokes_it(client, runtime):
    login(client, runtime, role="admin")
    made = post(
        client,
        f"{PAGE}/clients",
        {"name": "Primero", "scopes": ["reports:read"], "areas": ["CD-KL"]},
        token_from=PAGE,
    )
    assert made.status_code == 200
    token = shown_once(made.data.decode())
    api = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/reports", headers=api).status_code == 200
    listing = client.get(PAGE).data.decode()
    assert "Primero" in listing and token not in listing and token[:8] in listing

    client_id = re.search(r"/integrations/clients/(\d+)/revoke", listing).group(1)
    post(client, f"{PAGE}/clients/{client_id}/revoke", token_from=PAGE)
    assert client.get("/api/v1/reports", headers=api).status_code == 401
    assert {"api_client_created", "api_client_revoked"} <= set(actions(runtime))


def test_a_client_without_a_permission_is_refused_with_a_message(client, runtime):
    login(client, runtime, role="admin")
    refused = post(client, f"{PAGE}/clients", {"name": "Primero"}, token_from=PAGE)
    assert refused.status_code == 400 and 'class="errors"' in refused.data.decode()
    assert "api_client_created" not in actions(runtime)


def test_an_admin_adds_a_webhook_sees_its_deliveries_and_retries_a_failed_one(client, runtime):
    login(client, runtime, role="admin")
    made = post(
        client,
        f"{PAGE}/webhooks/new",
        {
            "name": "ONG Kikwit",
            "url": "https://ong-kikwit.example/events",
            "events": ["opened"],
            "active": "1",
        },
        token_from=f"{PAGE}/webhooks/new",
    )
    assert made.status_code == 200 and len(shown_once(made.data.decode())) > 30
    opened = report(runtime)
    with runtime.session() as db:
        delivery = db.scalar(select(WebhookDelivery))
        delivery.status, delivery.attempts, delivery.last_error = "failed", 7, "ConnectionError"
        db.commit()
        delivery_id = delivery.id
    page = client.get(PAGE).data.decode()
    assert opened.reference in page and "ConnectionError" in page and "failed" in page

    post(client, f"{PAGE}/deliveries/{delivery_id}/retry", token_from=PAGE)
    with runtime.session() as db:
        retried = db.get(WebhookDelivery, delivery_id)
        assert (retried.status, retried.attempts) == ("pending", 0)
    assert "webhook_delivery_retried" in actions(runtime)


def test_an_admin_disables_a_webhook_and_a_bad_address_is_refused(client, runtime):
    login(client, runtime, role="admin")
    post(
        client,
        f"{PAGE}/webhooks/new",
        {"name": "ONG", "url": "https://ong.example/h", "events": ["closed"], "active": "1"},
        token_from=f"{PAGE}/webhooks/new",
    )
    with runtime.session() as db:
        webhook_id = db.scalar(select(PartnerWebhook.id))
    url = f"{PAGE}/webhooks/{webhook_id}"
    bad = post(client, url, {"name": "ONG", "url": "ftp://ong.example", "events": ["closed"]}, token_from=url)
    assert bad.status_code == 400
    inside = post(
        client,
        url,
        {"name": "ONG", "url": "http://169.254.169.254/latest/meta-data/", "events": ["closed"]},
        token_from=url,
    )
    assert inside.status_code == 400
    assert "réseau privé ou local" in inside.data.decode()
    post(client, url, {"name": "ONG", "url": "https://ong.example/h", "events": ["closed"]}, token_from=url)
    with runtime.session() as db:
        saved = db.get(PartnerWebhook, webhook_id)
        assert (saved.active, saved.url) == (False, "https://ong.example/h")
    assert actions(runtime)[-1] == "webhook_updated"


def test_only_admins_reach_the_partner_systems_page(client, runtime):
    login(client, runtime, role="supervisor")
    assert client.get(PAGE).status_code == 403


def test_a_note_added_through_the_api_shows_the_client_on_the_report_timeline(client, runtime):
    from hotline.partners.api_clients import create_client

    made = report(runtime)
    with runtime.session() as db:
        api_client, token = create_client(db, runtime, "Primero", ["reports:write"], [])
        db.commit()
        client_id = api_client.id
    client.post(
        f"/api/v1/reports/{made.reference}/notes",
        json={"text": "Dossier Primero ouvert"},
        headers={"Authorization": f"Bearer {token}"},
    )
    login(client, runtime, role="operator", areas=("CD-KL",))
    page = client.get(f"/console/reports/{made.reference}").data.decode()
    assert f"API #{client_id}" in page and "Dossier Primero ouvert" in page
