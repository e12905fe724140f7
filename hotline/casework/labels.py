"""Labels on reports (CasePro's and RapidPro's): short words operators share to sort their work,
"à rappeler", "police informée". A label is created the first time someone uses it; adding or
removing one is audited and on the report's timeline."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.casework.actions import CaseworkError, actor
from hotline.models import Label, Report, ReportLabel
from hotline.platform.db import rowcount
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit
from hotline.records.timeline import record

MAX_LABEL = 40


def clean(name: str) -> str:
    """One line, single spaces: the same words are the same label."""
    return " ".join(name.split())


def all_labels(session: Session) -> list[Label]:
    return list(session.scalars(select(Label).order_by(Label.name)))


def add_label(session: Session, runtime: Runtime, report: Report, name: str, user_id: int) -> Label:
    name = clean(name)
    if not name:
        raise CaseworkError(N_("Type a label."))
    if len(name) > MAX_LABEL:
        raise CaseworkError(N_("A label has 40 characters at most."))
    now = runtime.clock.now()
    label = session.scalar(select(Label).where(Label.name == name))
    if label is None:
        label = Label(name=name, created_by=user_id, created_at=now)
        session.add(label)
        session.flush()
    elif session.scalar(
        select(ReportLabel.id).where(ReportLabel.report_id == report.id, ReportLabel.label_id == label.id)
    ):
        raise CaseworkError(N_("The report already has this label."))
    session.add(ReportLabel(report_id=report.id, label_id=label.id, added_by=user_id, added_at=now))
    record(session, report.id, "labelled", now, actor=actor(user_id), label=name)
    audit(session, runtime, user_id, "report_labelled", "report", report.reference, label=name)
    return label


def remove_label(session: Session, runtime: Runtime, report: Report, label_id: int, user_id: int) -> None:
    label = session.get(Label, label_id)
    removed = session.execute(
        delete(ReportLabel).where(ReportLabel.report_id == report.id, ReportLabel.label_id == label_id)
    )
    if label is None or not rowcount(removed):
        raise CaseworkError(N_("The report does not have this label."))
    now = runtime.clock.now()
    record(session, report.id, "unlabelled", now, actor=actor(user_id), label=label.name)
    audit(session, runtime, user_id, "report_unlabelled", "report", report.reference, label=label.name)


def labels_of(session: Session, report_ids: list[int]) -> dict[int, list[Label]]:
    """Each report's labels, by name."""
    found: dict[int, list[Label]] = defaultdict(list)
    if not report_ids:
        return found
    rows = session.execute(
        select(ReportLabel.report_id, Label)
        .join(Label, Label.id == ReportLabel.label_id)
        .where(ReportLabel.report_id.in_(report_ids))
        .order_by(Label.name)
    )
    for report_id, label in rows:
        found[report_id].append(label)
    return found


def labelled(name: str) -> ColumnElement[bool]:
    """Reports carrying the label of this name (the inbox's filter)."""
    return exists(
        select(ReportLabel.id)
        .join(Label, Label.id == ReportLabel.label_id)
        .where(ReportLabel.report_id == Report.id, Label.name == name)
    )
