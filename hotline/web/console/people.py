"""Console pages: people. Social workers (list, create, edit, deactivate, CSV import); who is on
call now, rosters, escalation policies and console users are in the ``people_*`` modules.

A worker's number is shown masked and never put in a form or the audit log: the edit form
takes a new number or keeps the old one. Every change is audited in its own transaction.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flows.engine import N_
from hotline.alerting import staff
from hotline.alerting.training import TRAINING_ROLE
from hotline.models import SocialWorker, WorkerArea
from hotline.platform.i18n import LANGUAGES
from hotline.platform.phones import InvalidPhone, is_training_phone, mask, normalise
from hotline.records.audit import audit
from hotline.web.console.access import requires
from hotline.web.console.base import NAV, bp, page_count, runtime, translate
from hotline.web.console.people_common import (
    LANGUAGE_NAMES,
    WORKER_ROLE_LABELS,
    area_choices,
    area_label,
    managed_workers,
    manages_worker,
    worker_or_404,
)

NAV.append(("console.workers", N_("Social workers"), "people"))
NAV.append(("console.on_call_now", N_("On call now"), "people"))
NAV.append(("console.rosters", N_("Rosters"), "people"))
NAV.append(("console.policies", N_("Escalation policies"), "people"))
NAV.append(("console.users", N_("Users"), "users"))

PAGE_SIZE = 100
IMPORT_MAX_BYTES = 1024 * 1024  # the app's 16 KB body limit is for the gateway's callbacks
SHOWN_ERRORS = 50


@dataclass
class WorkerForm:
    """The worker form as typed, and what is wrong with it (messages already translated)."""

    name: str = ""
    phone: str = ""  # as typed; empty on edit keeps the number
    language: str = "fr"
    role: str = "worker"
    areas: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_request(cls) -> WorkerForm:
        form = request.form
        return cls(
            name=form.get("name", "").strip(),
            phone=form.get("phone", "").strip(),
            language=form.get("language", ""),
            role=form.get("role", ""),
            areas=list(dict.fromkeys(form.getlist("areas"))),
        )

    @classmethod
    def of(cls, worker: SocialWorker) -> WorkerForm:
        return cls(
            name=worker.name,
            language=worker.language,
            role=worker.role,
            areas=[a.location_code for a in worker.areas],
        )

    def check(self, db: Session, worker: SocialWorker | None) -> str | None:
        """Fill ``errors``; return the normalised phone (None when kept or invalid)."""
        if not self.name or len(self.name) > 120:
            self.errors.append(translate(N_("Give a name of at most 120 characters.")))
        if self.language not in LANGUAGES:
            self.errors.append(translate(N_("Choose a language.")))
        if self.role not in roles_offered(worker):
            self.errors.append(translate(N_("Choose a role.")))
        allowed = {code for code, _ in area_choices(include_country=True)}
        if not self.areas or any(code not in allowed for code in self.areas):
            self.errors.append(translate(N_("Choose at least one of your areas.")))
        if not self.phone and worker is not None:
            return None
        return self._check_phone(db, worker)

    def _check_phone(self, db: Session, worker: SocialWorker | None) -> str | None:
        try:
            phone = normalise(self.phone)
        except InvalidPhone:
            self.errors.append(translate(N_("The phone number is not valid.")))
            return None
        if is_training_phone(phone):
            self.errors.append(translate(N_("This number is reserved for the training simulator.")))
            return None
        holder = db.scalar(
            select(SocialWorker.id).where(SocialWorker.phone_hash.in_(runtime().cipher.lookup_hashes(phone)))
        )
        if holder is not None and (worker is None or holder != worker.id):
            self.errors.append(translate(N_("Another social worker already has this phone number.")))
            return None
        return phone


@bp.get("/people/workers")
@requires("people")
def workers() -> ResponseReturnValue:
    rt = runtime()
    area = request.args.get("area", "")
    needle = request.args.get("q", "").strip().lower()[:100]
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    with rt.session() as db:
        found = [
            w
            for w in managed_workers(db)
            if (
                not area
                or any(a.location_code == area or a.location_code.startswith(area + "/") for a in w.areas)
            )
            and needle in w.name.lower()
        ]
        shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        rows = [
            (w, mask(rt.cipher.decrypt(w.phone_encrypted)), [area_label(a.location_code) for a in w.areas])
            for w in shown
        ]
    return render_template(
        "console/people_workers.html",
        rows=rows,
        total=len(found),
        page=page,
        pages=page_count(len(found), PAGE_SIZE),
        area=area,
        q=needle,
        areas=area_choices(include_country=True),
        role_labels=WORKER_ROLE_LABELS,
        language_names=LANGUAGE_NAMES,
    )


@bp.route("/people/workers/new", methods=["GET", "POST"])
@requires("people")
def worker_new() -> ResponseReturnValue:
    if request.method == "GET":
        return _worker_page(WorkerForm(), None)
    rt = runtime()
    form = WorkerForm.from_request()
    with rt.session() as db:
        phone = form.check(db, None)
        if form.errors or phone is None:
            return _worker_page(form, None, 400)
        now = rt.clock.now()
        worker = SocialWorker(
            name=form.name,
            phone_encrypted=rt.cipher.encrypt(phone),
            phone_hash=rt.cipher.lookup_hash(phone),
            language=form.language,
            role=form.role,
            active=True,
            created_at=now,
            updated_at=now,
            areas=[WorkerArea(location_code=code) for code in form.areas],
        )
        db.add(worker)
        db.flush()
        audit(
            db,
            rt,
            current_user.id,
            "worker_created",
            "social_worker",
            worker.id,
            role=form.role,
            language=form.language,
            areas=form.areas,
        )
        db.commit()
        flash(translate(N_("{name} was added."), name=form.name))
    return redirect(url_for("console.workers"))


@bp.route("/people/workers/<int:worker_id>", methods=["GET", "POST"])
@requires("people")
def worker_edit(worker_id: int) -> ResponseReturnValue:
    rt = runtime()
    with rt.session() as db:
        worker = worker_or_404(db, worker_id)
        if request.method == "GET":
            return _worker_page(WorkerForm.of(worker), worker)
        form = WorkerForm.from_request()
        phone = form.check(db, worker)
        if form.errors:
            return _worker_page(form, worker, 400)
        changed = _apply(worker, form, phone)
        if changed:
            worker.updated_at = rt.clock.now()
            audit(
                db,
                rt,
                current_user.id,
                "worker_updated",
                "social_worker",
                worker.id,
                changed=changed,
                role=worker.role,
                areas=form.areas,
            )
            db.commit()
            flash(translate(N_("The changes to {name} were saved."), name=worker.name))
    return redirect(url_for("console.workers"))


@bp.post("/people/workers/<int:worker_id>/active")
@requires("people")
def worker_active(worker_id: int) -> Response:
    rt = runtime()
    active = request.form.get("active") == "1"
    with rt.session() as db:
        worker = worker_or_404(db, worker_id)
        if worker.active != active:
            worker.active, worker.updated_at = active, rt.clock.now()
            audit(
                db,
                rt,
                current_user.id,
                "worker_reactivated" if active else "worker_deactivated",
                "social_worker",
                worker.id,
            )
            db.commit()
        message = (
            N_("{name} is active again.")
            if active
            else N_("{name} is deactivated: no more alerts, even when on a roster.")
        )
        flash(translate(message, name=worker.name))
    return redirect(url_for("console.worker_edit", worker_id=worker_id))


@bp.url_value_preprocessor
def _allow_a_larger_upload(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # Runs before the CSRF check reads the form, so the larger limits apply to this route only
    # (werkzeug also holds multipart chunks to the form memory limit, files included).
    if endpoint == "console.workers_import":
        request.max_content_length = request.max_form_memory_size = IMPORT_MAX_BYTES


@bp.route("/people/workers/import", methods=["GET", "POST"])
@requires("people")
def workers_import() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("console/people_import.html", errors=[], columns=staff.COLUMNS)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_refused([translate(N_("Choose a CSV file."))])
    rt = runtime()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workers.csv"
        upload.save(path)
        try:
            rows = staff.parse_rows(rt, path)
        except staff.StaffImportError as error:
            return _import_refused(error.errors)
        except (UnicodeDecodeError, csv.Error):
            return _import_refused([translate(N_("The file is not a CSV file in UTF-8."))])
    with rt.session() as db:
        errors = _outside_scope(db, rows)
        if errors:
            return _import_refused(errors)
        result = staff.save_rows(db, rt, rows)
        audit(
            db,
            rt,
            current_user.id,
            "workers_imported",
            "social_worker",
            None,
            created=result.created,
            updated=result.updated,
            file=upload.filename[:100],
        )
        db.commit()
    flash(
        translate(
            N_("Imported: {created} added, {updated} updated."),
            created=result.created,
            updated=result.updated,
        )
    )
    return redirect(url_for("console.workers"))


def roles_offered(worker: SocialWorker | None) -> tuple[str, ...]:
    """National duty officers take every province's last alert: an admin names them (a worker
    who already is one keeps the role when a supervisor edits them)."""
    if current_user.role == "admin":
        return staff.ROLES
    return tuple(r for r in staff.ROLES if r != "national_duty" or (worker and worker.role == r))


def _worker_page(form: WorkerForm, worker: SocialWorker | None, status: int = 200) -> tuple[str, int]:
    masked = mask(runtime().cipher.decrypt(worker.phone_encrypted)) if worker else None
    return render_template(
        "console/people_worker.html",
        form=form,
        worker=worker,
        masked=masked,
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        roles=roles_offered(worker),
        role_labels=WORKER_ROLE_LABELS,
        areas=area_choices(include_country=True),
    ), status


def _apply(worker: SocialWorker, form: WorkerForm, phone: str | None) -> list[str]:
    """Copy the form onto the worker; return the names of the fields that changed."""
    changed = [name for name in ("name", "language", "role") if getattr(worker, name) != getattr(form, name)]
    worker.name, worker.language, worker.role = form.name, form.language, form.role
    if sorted(a.location_code for a in worker.areas) != sorted(form.areas):
        changed.append("areas")
        staff.set_areas(worker, tuple(form.areas))
    if phone is not None and phone != runtime().cipher.decrypt(worker.phone_encrypted):
        changed.append("phone")
        worker.phone_encrypted = runtime().cipher.encrypt(phone)
        worker.phone_hash = runtime().cipher.lookup_hash(phone)
    return changed


def _outside_scope(db: Session, rows: list[staff.WorkerRow]) -> list[str]:
    """A supervisor's file may only name their areas, and may not update someone else's worker."""
    if current_user.role == "admin":
        return []
    errors = []
    for row in rows:
        outside = [code for code in row.areas if not current_user.sees(code)]
        existing = db.scalar(
            select(SocialWorker).where(SocialWorker.phone_hash.in_(runtime().cipher.lookup_hashes(row.phone)))
        )
        if outside:
            errors.append(
                translate(
                    N_("{name}: {areas} is not one of your areas."), name=row.name, areas=", ".join(outside)
                )
            )
        elif row.role not in roles_offered(None):
            errors.append(
                translate(N_("{name}: only an administrator names national duty officers."), name=row.name)
            )
        elif existing is not None and (existing.role == TRAINING_ROLE or not manages_worker(existing)):
            errors.append(
                translate(N_("{name}: this phone belongs to a worker of another area."), name=row.name)
            )
    return errors


def _import_refused(errors: list[str]) -> tuple[str, int]:
    return render_template(
        "console/people_import.html",
        errors=errors[:SHOWN_ERRORS],
        more=max(0, len(errors) - SHOWN_ERRORS),
        columns=staff.COLUMNS,
    ), 400
