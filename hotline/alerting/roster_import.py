"""Rosters from a JSON file (``hotline rosters import FILE``), until the console edits them.

Workers are named by phone number, as supervisors know them. Every roster in the file is checked
(areas, time zones, levels, known active workers, the on-call rules) before anything is written;
an area's roster is then replaced whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerting import oncall
from hotline.alerting.routing import NATIONAL
from hotline.models import Roster, RosterOverride, RosterRotation, SocialWorker
from hotline.platform.phones import InvalidPhone, normalise
from hotline.platform.runtime import Runtime


class RosterFileError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def import_rosters(runtime: Runtime, path: Path) -> int:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RosterFileError([f"cannot read {path}: {exc}"]) from None
    if not isinstance(data, list):
        raise RosterFileError(["the file must hold a list of rosters"])
    with runtime.session() as session:
        errors: list[str] = []
        parsed = []
        for i, entry in enumerate(data, start=1):
            try:
                parsed.append(_parse(session, runtime, entry))
            except (KeyError, TypeError, ValueError) as exc:
                errors.append(f"roster {i}: {exc}")
        if errors:
            raise RosterFileError(errors)
        for spec in parsed:
            _replace(session, runtime, spec)
        session.commit()
    return len(parsed)


def _parse(session: Session, runtime: Runtime, entry: dict[str, Any]) -> oncall.Roster:
    area = entry["area"]
    if area != NATIONAL and not runtime.locations.is_valid(area):
        raise ValueError(f"unknown area {area!r}")
    worker = _worker_lookup(session, runtime)
    spec = oncall.Roster(
        area=area,
        timezone=entry.get("timezone") or runtime.locations.timezone(area),
        rotations=tuple(
            oncall.Rotation(
                level=r["level"],
                members=tuple(worker(p) for p in r["members"]),
                start=date.fromisoformat(r["start"]),
                handoff_hour=int(r.get("handoff_hour", 8)),
                every_days=int(r.get("every_days", 7)),
            )
            for r in entry.get("rotations", [])
        ),
        overrides=tuple(
            oncall.Override(
                level=o["level"],
                worker_id=worker(o["worker"]),
                starts_at=datetime.fromisoformat(o["starts_at"]),
                ends_at=datetime.fromisoformat(o["ends_at"]),
                replaces=worker(o["replaces"]) if o.get("replaces") else None,
            )
            for o in entry.get("overrides", [])
        ),
    )
    oncall.validate(spec)
    return spec


def _worker_lookup(session: Session, runtime: Runtime) -> Callable[[str], int]:
    def worker_id(phone: str) -> int:
        try:
            phone_hashes = runtime.cipher.lookup_hashes(normalise(phone))
        except InvalidPhone:
            raise ValueError(f"invalid phone {phone!r}") from None
        found = session.scalar(
            select(SocialWorker.id).where(
                SocialWorker.phone_hash.in_(phone_hashes), SocialWorker.active.is_(True)
            )
        )
        if found is None:
            raise ValueError(f"no active social worker with phone {phone!r}")
        return found

    return worker_id


def _replace(session: Session, runtime: Runtime, spec: oncall.Roster) -> None:
    now = runtime.clock.now()
    roster = session.scalar(select(Roster).where(Roster.area_code == spec.area))
    if roster is None:
        roster = Roster(area_code=spec.area, created_at=now)
        session.add(roster)
    roster.timezone, roster.updated_at = spec.timezone, now
    roster.rotations = [
        RosterRotation(
            level=r.level,
            members=list(r.members),
            start_date=r.start,
            handoff_hour=r.handoff_hour,
            every_days=r.every_days,
        )
        for r in spec.rotations
    ]
    roster.overrides = [
        RosterOverride(
            level=o.level,
            worker_id=o.worker_id,
            replaces_id=o.replaces,
            starts_at=o.starts_at,
            ends_at=o.ends_at,
        )
        for o in spec.overrides
    ]
