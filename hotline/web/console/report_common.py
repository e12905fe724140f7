"""What the console's report pages share: finding a report in the user's areas, and times shown in
the zone of the place they belong to, the zone named ("14:38 (heure de Lubumbashi)"): a report's
times in its place's zone, the others in the user's (the zone of their first area)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.models import Report
from hotline.platform.locations import LocationsError
from hotline.web.console.access import report_or_404
from hotline.web.console.base import runtime, translate

DEFAULT_ZONE = "Africa/Kinshasa"


def find_report(db: Session, reference: str) -> Report:
    report = db.scalar(select(Report).where(Report.reference == reference.strip().upper()[:8]))
    return report_or_404(report)


def viewer_zone() -> ZoneInfo:
    """The time zone of the user's first area (Kwilu and Kinshasa UTC+1, the east UTC+2)."""
    locations = runtime().locations
    area = next((a for a in current_user.areas if locations.is_valid(a)), None)
    return ZoneInfo(locations.timezone(area) if area else DEFAULT_ZONE)


def viewer_today() -> date:
    return runtime().clock.now().astimezone(viewer_zone()).date()


def place_zone(location_code: str) -> ZoneInfo:
    """The zone of a place (its province's: the east of the country is an hour ahead)."""
    try:
        return ZoneInfo(runtime().locations.timezone(location_code))
    except (LocationsError, KeyError):
        return viewer_zone()


def zone_name(zone: ZoneInfo) -> str:
    """ "heure de Kinshasa", "Lubumbashi time": the zone by the city that names it."""
    return translate(N_("{city} time"), city=str(zone).rpartition("/")[2].replace("_", " "))


def when(moment: datetime | None, place: str | None = None) -> str:
    """A date and time in the zone of ``place`` (a location code), else in the user's, with the
    zone named; "" for no time."""
    if moment is None:
        return ""
    zone = place_zone(place) if place else viewer_zone()
    return f"{moment.astimezone(zone).strftime('%d/%m/%Y %H:%M')} ({zone_name(zone)})"
