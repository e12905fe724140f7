"""The reports export: the inbox's list as a spreadsheet, CSV for French Excel or XLSX.

Headers and values in the console's language (French by default), times in the viewer's local time
(the header names the offset), a dated file name. No personal data unless ``full=1``, which only
admins may ask for and which adds the free text, never a phone number. Every export is audited.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response, abort, request
from flask_login import current_user
from sqlalchemy import select

from flows.engine import N_
from hotline.casework.exports import (
    XLSX_MIMETYPE,
    Cell,
    Table,
    csv_bytes,
    file_name,
    local,
    utc_offset,
    xlsx_bytes,
)
from hotline.models import Report
from hotline.records.audit import audit
from hotline.web.console.access import requires
from hotline.web.console.base import bp, runtime, translate
from hotline.web.console.people_common import LANGUAGE_NAMES
from hotline.web.console.report_common import viewer_today, viewer_zone
from hotline.web.console.report_filters import InboxFilters
from hotline.web.console.report_timeline import CHANNEL_LABELS, STATUS_LABELS, category_label

HEADERS = (
    N_("Reference"),
    N_("Received ({offset})"),
    N_("Channel"),
    N_("Language"),
    N_("Category"),
    N_("Urgent"),
    N_("Province"),
    N_("Place"),
    N_("Place code"),
    N_("Status"),
    N_("Training"),
    N_("People involved"),
    N_("Children involved"),
    N_("Accepted ({offset})"),
    N_("Minutes before acceptance"),
    N_("Merged into"),
)
FULL_HEADERS = (N_("Description"), N_("Place detail"))


@bp.get("/reports.csv")
@requires("view")
def reports_csv() -> Response:
    table, name = _export("csv")
    return Response(
        csv_bytes(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/reports.xlsx")
@requires("view")
def reports_xlsx() -> Response:
    table, name = _export("xlsx")
    return Response(
        xlsx_bytes(table),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _export(kind: str) -> tuple[Table, str]:
    """The reports in the user's areas with the inbox's filters, as a table, and the file's name;
    audited (who, how many, which filters, with or without the free text)."""
    rt = runtime()
    full = request.args.get("full") == "1"
    if full and not current_user.can("export_full"):
        abort(403)
    filters = InboxFilters.from_args(request.args, rt.locations)
    scope = [current_user.report_filter(), *filters.conditions(viewer_zone(), current_user.id)]
    with rt.session() as db:
        reports = list(db.scalars(select(Report).where(*scope).order_by(Report.created_at, Report.id)))
        merged = dict(
            db.execute(
                select(Report.id, Report.reference).where(
                    Report.id.in_({r.merged_into_id for r in reports if r.merged_into_id})
                )
            ).all()
        )
        audit(
            db,
            rt,
            current_user.id,
            "reports_exported",
            "report",
            None,
            full=full,
            count=len(reports),
            filters=filters.args(),
            format=kind,
        )
        db.commit()
    stem = translate(N_("reports-full")) if full else translate(N_("reports"))
    return _table(reports, merged, full), file_name(stem, viewer_today(), kind)


def _table(reports: list[Report], merged: dict[int, str], full: bool) -> Table:
    rt = runtime()
    zone = viewer_zone()
    offset = utc_offset(rt.clock.now(), zone)
    yes, no = translate(N_("Yes")), translate(N_("No"))
    headers = [translate(h, offset=offset) for h in HEADERS]
    if full:
        headers += [translate(h) for h in FULL_HEADERS]
    rows: list[Sequence[Cell]] = []
    for r in reports:
        waited = int((r.accepted_at - r.created_at).total_seconds() // 60) if r.accepted_at else None
        row: list[Cell] = [
            r.reference,
            local(r.created_at, zone),
            CHANNEL_LABELS.get(r.channel, r.channel),
            LANGUAGE_NAMES.get(r.language, r.language),
            translate(category_label(r.category)),
            yes if r.urgent else no,
            rt.locations.label(rt.locations.province_of(r.location_code)),
            rt.locations.label(r.location_code),
            r.location_code,
            translate(STATUS_LABELS.get(r.status, r.status)),
            yes if r.training else no,
            r.people_count,
            None if r.children_involved is None else yes if r.children_involved else no,
            local(r.accepted_at, zone),
            waited,
            merged.get(r.merged_into_id or 0),
        ]
        if full:
            row += [r.description or "", r.place_detail or ""]
        rows.append(row)
    return Table(translate(N_("Reports")), headers, rows)
