"""Who is alerted for a report: the active social workers whose areas cover its place."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .locations import Locations
from .models import SocialWorker, WorkerArea


def workers_for(session: Session, locations: Locations, location_code: str) -> list[SocialWorker]:
    """Workers covering the report's exact place or its whole province, each once, by id."""
    areas = locations.covering(location_code)
    query = (
        select(SocialWorker)
        .join(WorkerArea)
        .where(WorkerArea.location_code.in_(areas), SocialWorker.active.is_(True))
        .distinct()
        .order_by(SocialWorker.id)
    )
    return list(session.scalars(query))
