"""API endpoints on reports: list and filter, read one, change its status, add a note, and
(with the reports:personal scope) the reporter's contact, under the console's consent rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, overload

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.casework.actions import CaseworkError, add_note, reveal_number, set_status
from hotline.models import CATEGORIES, REPORT_STATUSES, Report
from hotline.records.audit import audit
from hotline.web.api.base import ApiError, bp, caller, json_body, runtime, scope

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
FILTERS = ("status", "category", "area", "urgent", "since", "until", "cursor", "limit")


@bp.after_request
def no_store(response: Response) -> Response:
    # Reports and workers must not stay in a proxy's or a client library's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reports")
@scope("reports:read")
def list_reports() -> Response:
    """Newest first, ``limit`` at a time; ``next_cursor`` fetches the next page."""
    query = select(Report).where(Report.training.is_(False), caller().report_filter())
    for condition in _conditions(request.args):
        query = query.where(condition)
    limit = _integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    cursor = _integer("cursor", None, 1, 2**31 - 1)
    if cursor is not None:
        query = query.where(Report.id < cursor)
    rt = runtime()
    with rt.session() as db:
        rows = list(db.scalars(query.order_by(Report.id.desc()).limit(limit + 1)))
        page = rows[:limit]
        audit(
            db,
            rt,
            caller().actor,
            "api_reports_listed",
            "report",
            None,
            count=len(page),
            filters={k: v[:64] for k, v in request.args.items() if k in FILTERS},
        )
        db.commit()
        items = [summary(r) for r in page]
    next_cursor = str(page[-1].id) if len(rows) > limit else None
    return jsonify({"items": items, "next_cursor": next_cursor})


@bp.get("/reports/<reference>")
@scope("reports:read")
def read_report(reference: str) -> Response:
    rt = runtime()
    with rt.session() as db:
        report = _find(db, reference)
        body = summary(report)
        body["events"] = [{"at": _iso(e.at), "kind": e.kind} for e in report.events]
        personal = caller().may("reports:personal")
        if personal:  # free text can name people: only for clients trusted with it, audited
            body.update(description=report.description, place_detail=report.place_detail)
        audit(db, rt, caller().actor, "api_report_read", "report", report.reference, personal=personal)
        db.commit()
    return jsonify(body)


@bp.post("/reports/<reference>/status")
@scope("reports:write")
def change_status(reference: str) -> Response:
    status = json_body().get("status")
    if not isinstance(status, str):
        raise ApiError(400, "bad_request", "status must be a string")
    return _act(reference, lambda db, report: set_status(db, runtime(), report, status, caller().actor))


@bp.post("/reports/<reference>/notes")
@scope("reports:write")
def add_report_note(reference: str) -> Response:
    text = json_body().get("text")
    if not isinstance(text, str):
        raise ApiError(400, "bad_request", "text must be a string")
    response = _act(reference, lambda db, report: add_note(db, runtime(), report, text, caller().actor))
    response.status_code = 201
    return response


@bp.post("/reports/<reference>/contact")
@scope("reports:personal")
def reporter_contact(reference: str) -> Response:
    """The reporter's number, only if they agreed to be called back, with a reason (audited)."""
    reason = json_body().get("reason")
    if not isinstance(reason, str):
        raise ApiError(400, "bad_request", "reason must be a string")
    rt = runtime()
    with rt.session() as db:
        report = _find(db, reference)
        try:
            phone = reveal_number(db, rt, report, reason, caller().actor)
        except CaseworkError as refusal:
            db.commit()  # the refusal's audit line
            consent = report.contact is not None and report.contact.consent == "callback"
            raise ApiError(400 if consent else 403, "refused", str(refusal)) from None
        db.commit()
        contact = report.contact
        assert contact is not None
        return jsonify(
            {
                "reference": report.reference,
                "phone": phone,
                "consent": contact.consent,
                "safe_time": contact.safe_time,
            }
        )


def summary(report: Report) -> dict[str, Any]:
    """What any client with reports:read may know: no number, no free text."""
    return {
        "reference": report.reference,
        "status": report.status,
        "category": report.category,
        "urgent": report.urgent,
        "channel": report.channel,
        "language": report.language,
        "location_code": report.location_code,
        "people_count": report.people_count,
        "children_involved": report.children_involved,
        "contact": report.contact.consent if report.contact else "anonymous",
        "created_at": _iso(report.created_at),
        "updated_at": _iso(report.updated_at),
        "accepted_at": _iso(report.accepted_at),
        "finished_at": _iso(report.finished_at),
    }


def _act(reference: str, action: Callable[[Session, Report], object]) -> Response:
    rt = runtime()
    with rt.session() as db:
        report = _find(db, reference)
        try:
            action(db, report)
        except CaseworkError as refusal:
            db.rollback()
            raise ApiError(422, "refused", str(refusal)) from None
        db.commit()
        return jsonify(summary(report))


def _find(db: Session, reference: str) -> Report:
    """A report this client may see; another area's or a training report is simply not found."""
    report = db.scalar(select(Report).where(Report.reference == reference.strip().upper()[:8]))
    if report is None or report.training or not caller().sees(report.location_code):
        raise ApiError(404, "not_found", "no report with this reference")
    return report


def _conditions(args: Any) -> list[Any]:
    found: list[Any] = []
    if "status" in args:
        found.append(Report.status == _choice("status", REPORT_STATUSES))
    if "category" in args:
        found.append(Report.category == _choice("category", CATEGORIES))
    if "area" in args:
        area = args["area"]
        if not runtime().locations.is_valid(area):
            raise ApiError(400, "bad_request", "area is not a known location code")
        found.append((Report.location_code == area) | Report.location_code.like(area + "/%"))
    if "urgent" in args:
        found.append(Report.urgent.is_(_choice("urgent", ("true", "false")) == "true"))
    if "since" in args:
        found.append(Report.created_at >= _moment("since"))
    if "until" in args:
        found.append(Report.created_at < _moment("until"))
    return found


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = request.args[name]
    if value not in allowed:
        raise ApiError(400, "bad_request", f"{name} must be one of {', '.join(allowed)}")
    return value


@overload
def _integer(name: str, default: int, low: int, high: int) -> int: ...
@overload
def _integer(name: str, default: None, low: int, high: int) -> int | None: ...
def _integer(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if len(raw) > 10 or not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, "bad_request", f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _moment(name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(request.args[name])
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment.astimezone(UTC)  # year 1 with an offset overflows here, not in the query
    except (ValueError, OverflowError):
        raise ApiError(400, "bad_request", f"{name} must be an ISO 8601 date-time with its offset") from None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
