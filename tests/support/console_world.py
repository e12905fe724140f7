"""A console with something on every page: Kwilu's team and roster, a Lubumbashi worker, reports in
both time zones (an urgent one that skipped the optional questions, one accepted by SMS with a
note, a referral and a new status, an SMS one, a training one), an API client, a webhook, and users.

Every text a person typed is French, so that a page showing English words shows the console's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hotline.alerting import training
from hotline.casework.actions import add_note, refer, set_status
from hotline.models import Report
from hotline.partners.api_clients import create_client
from hotline.partners.webhooks import save_webhook
from hotline.platform.runtime import Runtime
from tests.support.builders import KIKWIT, add_worker, kwilu_team, reply, report
from tests.support.consolekit import make_user

LUBUMBASHI = "CD-HK/lubumbashi"


@dataclass(frozen=True)
class World:
    urgent: Report  # Kikwit, urgent: the optional questions were skipped
    accepted: Report  # Kikwit, accepted by SMS, with a note, a referral and a status
    lubumbashi: Report  # Haut-Katanga, an hour ahead of Kinshasa
    sms: Report
    practice: Report  # made on the training simulator
    worker_id: int
    user_id: int
    webhook_id: int


def build_world(runtime: Runtime, run_jobs) -> World:  # type: ignore[no-untyped-def]
    team = kwilu_team(runtime)
    add_worker(runtime, "Fatuma", ("CD-HK",))  # Lubumbashi's worker
    urgent = report(runtime, urgent=True)
    accepted = report(
        runtime,
        category="forced_labour",
        people_count=4,
        children_involved=True,
        description="Des enfants travaillent la nuit dans une carrière près du marché.",
        place_detail="Derrière le marché central",
        phone="+243811234567",
        contact="callback",
        safe_time="evening",
    )
    lubumbashi = report(runtime, location=LUBUMBASHI, category="domestic_servitude")
    sms = report(runtime, channel="sms", category="child_trafficking", description="Une fille est retenue.")
    practice = report(runtime, training=True, source_key=f"ussd:{training.new_training_id()}")
    run_jobs()
    reply(runtime, team.primary, f"1 {accepted.reference}")
    run_jobs()
    supervisor_id, _ = make_user(runtime, "operator", ("CD-KL",), email="bisou@example.org")
    with runtime.session() as db:
        case = db.get_one(Report, accepted.id)
        add_note(db, runtime, case, "Appelé la police de Kikwit.", supervisor_id)
        refer(db, runtime, case, "police", date(2026, 1, 9), date(2026, 1, 5), supervisor_id)
        set_status(db, runtime, case, "in_progress", supervisor_id)
        create_client(db, runtime, "Primero Kwilu", ["reports:read"], ["CD-KL"])
        webhook, _ = save_webhook(
            db,
            runtime,
            None,
            name="Suivi des cas",
            url="https://partenaire.example.org/crochet",
            events=["opened", "accepted"],
            areas=["CD-KL"],
        )
        db.commit()
        webhook_id = webhook.id
    return World(urgent, accepted, lubumbashi, sms, practice, team.primary.id, supervisor_id, webhook_id)


def route_values(world: World) -> dict[str, object]:
    """What the console's routes take, for the pages of this world."""
    return {
        "reference": world.accepted.reference,
        "worker_id": world.worker_id,
        "user_id": world.user_id,
        "area": "CD-KL",
        "webhook_id": world.webhook_id,
        "lang": "ln",
    }


__all__ = ["KIKWIT", "LUBUMBASHI", "World", "build_world", "route_values"]
