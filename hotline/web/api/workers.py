"""API endpoints on people: social workers (numbers masked, as in the console) and who is on call."""

from __future__ import annotations

from flask import Response, jsonify
from sqlalchemy import select

from hotline.alerting.routing import on_call_now
from hotline.alerting.training import TRAINING_ROLE
from hotline.models import Roster, SocialWorker
from hotline.platform.phones import mask
from hotline.records.audit import audit
from hotline.web.api.base import bp, caller, runtime, scope


def _visible(area: str) -> bool:
    """An area the client covers, or one containing a client's area (a province's workers also
    cover the client's town)."""
    who = caller()
    return who.sees(area) or any(a.startswith(area + "/") for a in who.areas)


@bp.get("/workers")
@scope("workers:read")
def list_workers() -> Response:
    rt = runtime()
    with rt.session() as db:
        items = []
        for worker in db.scalars(
            select(SocialWorker)
            .where(SocialWorker.role != TRAINING_ROLE)
            .order_by(SocialWorker.name, SocialWorker.id)
        ):
            areas = [a.location_code for a in worker.areas]
            if not any(_visible(a) for a in areas) and caller().areas:
                continue
            items.append(
                {
                    "id": worker.id,
                    "name": worker.name,
                    "role": worker.role,
                    "language": worker.language,
                    "active": worker.active,
                    "areas": areas,
                    "phone": mask(rt.cipher.decrypt(worker.phone_encrypted)),
                }
            )
        audit(db, rt, caller().actor, "api_workers_listed", "social_worker", None, count=len(items))
        db.commit()
    return jsonify({"items": items})


@bp.get("/rosters")
@scope("workers:read")
def list_rosters() -> Response:
    """Every roster the client may see, with who is on call now at each level."""
    rt = runtime()
    now = rt.clock.now()
    with rt.session() as db:
        items = []
        for roster in db.scalars(select(Roster).order_by(Roster.area_code)):
            if caller().areas and not _visible(roster.area_code):
                continue
            answer = on_call_now(db, roster.area_code, now) or {}
            ids = {i for level in answer.values() for i in level}
            names = (
                {w.id: w.name for w in db.scalars(select(SocialWorker).where(SocialWorker.id.in_(ids)))}
                if ids
                else {}
            )
            items.append(
                {
                    "area": roster.area_code,
                    "timezone": roster.timezone,
                    "on_call": {
                        level: [{"id": i, "name": names.get(i, "")} for i in workers]
                        for level, workers in answer.items()
                    },
                }
            )
        audit(db, rt, caller().actor, "api_rosters_listed", "roster", None, count=len(items))
        db.commit()
    return jsonify({"at": now.isoformat().replace("+00:00", "Z"), "items": items})
