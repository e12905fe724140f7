"""Social workers from a CSV file: all rows valid or nothing imported; re-import updates by phone."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import SocialWorker, WorkerArea
from hotline.platform.i18n import LANGUAGES
from hotline.platform.phones import InvalidPhone, is_training_phone, normalise
from hotline.platform.runtime import Runtime

COLUMNS = ("name", "phone", "language", "areas", "role")
ROLES = ("worker", "supervisor", "national_duty")


class StaffImportError(ValueError):
    """The file is not importable; ``errors`` lists every problem with its line number."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class WorkerRow:
    name: str
    phone: str
    language: str
    areas: tuple[str, ...]
    role: str


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def parse_rows(runtime: Runtime, path: Path) -> list[WorkerRow]:
    errors: list[str] = []
    rows: list[WorkerRow] = []
    seen: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = tuple(h.strip().lower() for h in reader.fieldnames or ())
        if header[: len(COLUMNS)] != COLUMNS:
            raise StaffImportError([f"line 1: the columns must be {','.join(COLUMNS)}"])
        for raw in reader:
            line = reader.line_num
            row, problems = _check(
                runtime, {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            )
            if row and row.phone in seen:
                problems.append(f"the same phone as line {seen[row.phone]}")
            errors += [f"line {line}: {p}" for p in problems]
            if row and not problems:
                seen[row.phone] = line
                rows.append(row)
    if errors:
        raise StaffImportError(errors)
    return rows


def _check(runtime: Runtime, raw: dict[str, str]) -> tuple[WorkerRow | None, list[str]]:
    problems = []
    name = raw.get("name", "")
    if not name or len(name) > 120:
        problems.append("name is missing or longer than 120 characters")
    try:
        phone = normalise(raw.get("phone", ""))
    except InvalidPhone:
        phone = ""
        problems.append("phone is not a valid number")
    if phone and is_training_phone(phone):
        problems.append("this number is reserved for the training simulator")
    language = raw.get("language", "").lower() or "fr"
    if language not in LANGUAGES:
        problems.append(f"language must be one of {', '.join(LANGUAGES)}")
    # dict.fromkeys drops a repeated area ("CD-KL;CD-KL"), which would break the (worker, area) key.
    areas = tuple(dict.fromkeys(a.strip() for a in raw.get("areas", "").split(";") if a.strip()))
    bad = [a for a in areas if not runtime.locations.is_valid(a)]
    if not areas or bad:
        problems.append(f"unknown area {', '.join(bad)}" if bad else "no area given")
    role = raw.get("role", "").lower() or "worker"
    if role not in ROLES:
        problems.append(f"role must be one of {', '.join(ROLES)}")
    return WorkerRow(name, phone, language, areas, role), problems


def import_workers(runtime: Runtime, path: Path) -> ImportResult:
    rows = parse_rows(runtime, path)
    with runtime.session() as session:
        result = save_rows(session, runtime, rows)
        session.commit()
    return result


def save_rows(session: Session, runtime: Runtime, rows: list[WorkerRow]) -> ImportResult:
    """Create or update (by phone) a worker per row, in the caller's transaction (not committed),
    so the console can audit the import in the same transaction."""
    created = updated = 0
    now = runtime.clock.now()
    for row in rows:
        hashes = runtime.cipher.lookup_hashes(row.phone)  # every key's, during a key rotation
        worker = session.scalar(select(SocialWorker).where(SocialWorker.phone_hash.in_(hashes)))
        phone_hash = hashes[0]
        if worker is None:
            worker = SocialWorker(phone_hash=phone_hash, created_at=now, active=True)
            session.add(worker)
            created += 1
        else:
            updated += 1
        worker.name, worker.language, worker.role = row.name, row.language, row.role
        worker.phone_encrypted, worker.phone_hash = runtime.cipher.encrypt(row.phone), phone_hash
        worker.updated_at = now
        set_areas(worker, row.areas)
    session.flush()
    return ImportResult(created, updated)


def set_areas(worker: SocialWorker, codes: tuple[str, ...]) -> None:
    # Keep rows that stay, so the (worker, area) unique key is never hit by a delete-then-insert.
    keep = [area for area in worker.areas if area.location_code in codes]
    have = {area.location_code for area in keep}
    worker.areas = keep + [WorkerArea(location_code=c) for c in codes if c not in have]
