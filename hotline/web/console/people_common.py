"""What the people pages share: which areas and workers the user may manage, labels, and times.

A supervisor manages the areas they see (their provinces and the places inside them) and the
workers whose every area is among those; an admin manages everything, including the national
duty roster ("CD"). Anything else is a 404, as another area's report is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from flows.engine import N_
from hotline.alerting.training import TRAINING_ROLE
from hotline.models import SocialWorker, WorkerArea
from hotline.platform.locations import COUNTRY
from hotline.web.console.base import runtime
from hotline.web.console.report_common import zone_name

LEVEL_LABELS = {
    "primary": N_("Primary"),
    "backup": N_("Backup"),
    "supervisor": N_("Supervisor"),
    "national": N_("National duty"),
}
WORKER_ROLE_LABELS = {
    "worker": N_("Social worker"),
    "supervisor": N_("Supervisor"),
    "national_duty": N_("National duty"),
}
# Each language by its own name, as a worker would look for it.
LANGUAGE_NAMES = {
    "fr": "Français",
    "ln": "Lingala",
    "kg": "Kikongo",
    "sw": "Kiswahili",
    "lua": "Tshiluba",
    "en": "English",
}
TIME_FORMAT = "%d/%m/%Y %H:%M"
INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


def area_choices(include_country: bool = False) -> list[tuple[str, str]]:
    """(code, label) of the areas the user may manage: provinces, each followed by its places."""
    locations = runtime().locations
    choices: list[tuple[str, str]] = []
    if include_country and current_user.sees(COUNTRY):
        choices.append((COUNTRY, locations.label(COUNTRY)))
    for province in locations.provinces():
        codes = [province.code, *(p.code for p in province.places)]
        choices += [(code, locations.label(code)) for code in codes if current_user.sees(code)]
    return choices


def managed_area_or_404(code: str) -> str:
    """An area the user may manage (the national roster "CD" is an admin's), else 404."""
    if not runtime().locations.is_valid(code) or not current_user.sees(code):
        abort(404)
    return code


def area_label(code: str) -> str:
    return runtime().locations.label(code)


def manages_worker(worker: SocialWorker) -> bool:
    codes = [area.location_code for area in worker.areas]
    if current_user.role == "admin":
        return True
    return bool(codes) and all(current_user.sees(code) for code in codes)


def managed_workers(db: Session) -> list[SocialWorker]:
    """Every worker the user may manage, active first, by name (the simulator's are not staff)."""
    workers = db.scalars(
        select(SocialWorker)
        .where(SocialWorker.role != TRAINING_ROLE)
        .options(selectinload(SocialWorker.areas))
        .order_by(SocialWorker.active.desc(), SocialWorker.name, SocialWorker.id)
    )
    return [w for w in workers if manages_worker(w)]


def worker_or_404(db: Session, worker_id: int) -> SocialWorker:
    worker = db.get(SocialWorker, worker_id)
    if worker is None or worker.role == TRAINING_ROLE or not manages_worker(worker):
        abort(404)
    return worker


def workers_for_area(db: Session, area: str) -> list[SocialWorker]:
    """Active workers who may stand on the area's roster: those covering the area, a place in it,
    or its whole province. Everyone, for the national roster."""
    locations = runtime().locations
    query = (
        select(SocialWorker)
        .where(SocialWorker.active.is_(True), SocialWorker.role != TRAINING_ROLE)
        .order_by(SocialWorker.name, SocialWorker.id)
    )
    if area != COUNTRY:
        covering = locations.covering(area)
        code = WorkerArea.location_code
        query = query.where(
            SocialWorker.areas.any(code.in_(covering) | code.startswith(area + "/", autoescape=True))
        )
    return list(db.scalars(query))


def worker_names(db: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(
        db.execute(select(SocialWorker.id, SocialWorker.name).where(SocialWorker.id.in_(wanted))).all()
    )


def zone_of(area: str) -> ZoneInfo:
    return ZoneInfo(runtime().locations.timezone(area))


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """A time in the area's zone, the zone named, as every time in the console is."""
    return f"{moment.astimezone(zone).strftime(TIME_FORMAT)} ({zone_name(zone)})"
