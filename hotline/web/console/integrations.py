"""Console pages for partner systems (admins only): API clients and outbound webhooks.

A client's token and a webhook's secret are shown once, on the answer to the POST that made them,
never in a URL or a page that can be reloaded; only their hash / encrypted form is stored. Every
change is audited. Deliveries show their status, attempts and last error, with "retry now".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flows.engine import N_
from hotline.models import ApiClient, PartnerWebhook, Report, WebhookDelivery
from hotline.partners.api_clients import SCOPES, ApiClientError, create_client, list_clients, revoke_client
from hotline.partners.egress import AddressNotAllowed
from hotline.partners.webhooks import CANCELLED, EVENTS, FAILED, PENDING, retry_now, save_webhook
from hotline.records.audit import audit
from hotline.sms import routes
from hotline.web.console.access import requires
from hotline.web.console.base import NAV, bp, runtime, translate
from hotline.web.console.people_common import area_choices, area_label
from hotline.web.console.report_common import when

NAV.append(("console.integrations", N_("Partner systems"), "partners"))
RECENT_DELIVERIES = 50
RETRYABLE = (FAILED, PENDING, CANCELLED)  # cancelled: its webhook was disabled, maybe since enabled
SCOPE_LABELS = {
    "reports:read": N_("Read reports (no personal data)"),
    "reports:write": N_("Change status, add notes"),
    "reports:personal": N_("Personal data: free text, and the number with consent (audited)"),
    "workers:read": N_("Workers (numbers masked) and rosters"),
}
EVENT_LABELS = {
    "opened": N_("Report opened"),
    "accepted": N_("Report accepted"),
    "referred": N_("Report referred"),
    "closed": N_("Report closed"),
}
DELIVERY_LABELS = {
    "pending": N_("Waiting"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled (webhook disabled)"),
}


class _WebhookFields(TypedDict):
    """A posted webhook form, as save_webhook takes it."""

    name: str
    url: str
    events: list[str]
    areas: list[str]
    active: bool


@bp.get("/integrations")
@requires("partners")
def integrations() -> ResponseReturnValue:
    return _overview()


@bp.post("/integrations/clients")
@requires("partners")
def api_client_new() -> ResponseReturnValue:
    rt = runtime()
    with rt.session() as db:
        try:
            client, token = create_client(
                db,
                rt,
                request.form.get("name", "")[:120],
                request.form.getlist("scopes")[:10],
                request.form.getlist("areas")[:50],
                current_user.id,
            )
        except ApiClientError:
            db.rollback()
            return _overview(
                [translate(N_("Give a name, at least one permission and areas from the list."))], 400
            )
        db.commit()
        return render_template(
            "console/integrations_secret.html", title=client.name, secret=token, kind="token"
        )


@bp.post("/integrations/clients/<int:client_id>/revoke")
@requires("partners")
def api_client_revoke(client_id: int) -> Response:
    rt = runtime()
    with rt.session() as db:
        if db.get(ApiClient, client_id) is None:
            abort(404)
        client = revoke_client(db, rt, client_id, current_user.id)
        db.commit()
        flash(translate(N_("{name} can no longer call the API."), name=client.name))
    return redirect(url_for("console.integrations"))


@bp.route("/integrations/webhooks/new", methods=["GET", "POST"])
@requires("partners")
def webhook_new() -> ResponseReturnValue:
    return _webhook_form(None)


@bp.route("/integrations/webhooks/<int:webhook_id>", methods=["GET", "POST"])
@requires("partners")
def webhook_edit(webhook_id: int) -> ResponseReturnValue:
    return _webhook_form(webhook_id)


@bp.post("/integrations/deliveries/<int:delivery_id>/retry")
@requires("partners")
def delivery_retry(delivery_id: int) -> Response:
    rt = runtime()
    with rt.session() as db:
        delivery = db.get(WebhookDelivery, delivery_id)
        if delivery is None:
            abort(404)
        if delivery.status in RETRYABLE:
            retry_now(db, rt, delivery)
            audit(
                db,
                rt,
                current_user.id,
                "webhook_delivery_retried",
                "webhook_delivery",
                delivery.id,
                webhook_id=delivery.webhook_id,
                event=delivery.event,
            )
            db.commit()
            flash(translate(N_("The event will be sent again.")))
    return redirect(url_for("console.integrations"))


def _webhook_form(webhook_id: int | None) -> ResponseReturnValue:
    rt = runtime()
    with rt.session() as db:
        webhook = _webhook_or_404(db, webhook_id)
        if request.method == "GET":
            shown: dict[str, object] = (
                {
                    "name": webhook.name,
                    "url": webhook.url,
                    "events": webhook.events,
                    "areas": webhook.areas,
                    "active": webhook.active,
                }
                if webhook
                else {"events": list(EVENTS), "areas": [], "active": True}
            )
            return _webhook_page(webhook, shown)
        form = _WebhookFields(
            name=request.form.get("name", "")[:120],
            url=request.form.get("url", "")[:500],
            events=request.form.getlist("events")[:10],
            areas=request.form.getlist("areas")[:50],
            active=request.form.get("active") == "1",
        )
        try:
            saved, secret = save_webhook(db, rt, webhook, user_id=current_user.id, **form)
        except AddressNotAllowed:
            db.rollback()
            return _webhook_page(
                webhook,
                form,
                [
                    translate(
                        N_(
                            "This address is on a private or local network: events are sent only to public "
                            "addresses, unless HOTLINE_WEBHOOK_PRIVATE_NETWORKS allows that network."
                        )
                    )
                ],
                400,
            )
        except ValueError:
            db.rollback()
            return _webhook_page(
                webhook,
                form,
                [
                    translate(
                        N_(
                            "Give a name, an http:// or https:// address, at least one event and areas "
                            "from the list."
                        )
                    )
                ],
                400,
            )
        audit(
            db,
            rt,
            current_user.id,
            "webhook_created" if secret else "webhook_updated",
            "partner_webhook",
            saved.id,
            name=saved.name,
            url=saved.url,
            events=saved.events,
            areas=saved.areas,
            active=saved.active,
        )
        db.commit()
        if secret:
            return render_template(
                "console/integrations_secret.html", title=saved.name, secret=secret, kind="secret"
            )
        flash(translate(N_("The changes to {name} were saved."), name=saved.name))
    return redirect(url_for("console.integrations"))


def _webhook_or_404(db: Session, webhook_id: int | None) -> PartnerWebhook | None:
    if webhook_id is None:
        return None
    webhook = db.get(PartnerWebhook, webhook_id)
    if webhook is None:
        abort(404)
    return webhook


def _webhook_page(
    webhook: PartnerWebhook | None,
    form: Mapping[str, object],
    errors: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "console/integrations_webhook.html",
        webhook=webhook,
        form=form,
        errors=errors or [],
        events=EVENTS,
        event_labels=EVENT_LABELS,
        areas=area_choices(),
    ), status


def _overview(errors: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    with runtime().session() as db:
        clients = list_clients(db)
        webhooks = list(db.scalars(select(PartnerWebhook).order_by(PartnerWebhook.name)))
        names = {w.id: w.name for w in webhooks}
        deliveries = list(
            db.execute(
                select(WebhookDelivery, Report.reference)
                .outerjoin(Report, Report.id == WebhookDelivery.report_id)
                .order_by(WebhookDelivery.id.desc())
                .limit(RECENT_DELIVERIES)
            )
        )
        return render_template(
            "console/integrations.html",
            clients=clients,
            webhooks=webhooks,
            names=names,
            deliveries=deliveries,
            scopes=SCOPES,
            scope_labels=SCOPE_LABELS,
            event_labels=EVENT_LABELS,
            delivery_labels=DELIVERY_LABELS,
            areas=area_choices(),
            area_label=area_label,
            when=when,
            errors=errors or [],
            retryable=RETRYABLE,
            sms_routes=routes.states(runtime()),  # each SMS route: last success, last failure, balance
        ), status
