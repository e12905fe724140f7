"""Possible duplicates: reports of the same place and category received close together (two people
reporting one situation, or one person reporting twice). Only suggested: a person merges them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from hotline.models import Report

WINDOW = timedelta(hours=2)
MAX_SUGGESTIONS = 10


def possible_duplicates(
    session: Session, report: Report, scope: ColumnElement[bool], window: timedelta = WINDOW
) -> list[Report]:
    """Other reports with the same place and category, received within ``window`` of this one,
    neither merged into anything, of the same kind (training or real); ``scope`` narrows them to
    what the user may see. Oldest first: the usual original."""
    if report.merged_into_id is not None:
        return []
    return list(
        session.scalars(
            select(Report)
            .where(
                scope,
                Report.id != report.id,
                Report.location_code == report.location_code,
                Report.category == report.category,
                Report.training.is_(report.training),
                Report.merged_into_id.is_(None),
                Report.created_at >= report.created_at - window,
                Report.created_at <= report.created_at + window,
            )
            .order_by(Report.created_at, Report.id)
            .limit(MAX_SUGGESTIONS)
        )
    )
