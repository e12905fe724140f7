"""Saved searches: a user's named inbox filters ("Urgents de Kikwit non acceptés"), one click away.

The filters are kept as the inbox's query string reads them (``report_filters.InboxFilters.args``),
so a saved search is a link the inbox checks like any other: a filter that no longer makes sense is
ignored there, and the user's areas always apply.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.casework.actions import CaseworkError
from hotline.models import SavedSearch
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit

MAX_NAME = 60
MAX_SEARCHES = 30


def searches_of(session: Session, user_id: int) -> list[SavedSearch]:
    return list(
        session.scalars(select(SavedSearch).where(SavedSearch.user_id == user_id).order_by(SavedSearch.name))
    )


def save_search(
    session: Session, runtime: Runtime, user_id: int, name: str, filters: dict[str, str]
) -> SavedSearch:
    """Save (or replace, by name) the user's search."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise CaseworkError(N_("Name the search (60 characters at most)."))
    if not filters:
        raise CaseworkError(N_("Choose at least one filter before saving the search."))
    found = session.scalar(
        select(SavedSearch).where(SavedSearch.user_id == user_id, SavedSearch.name == name)
    )
    if found is None:
        if len(searches_of(session, user_id)) >= MAX_SEARCHES:
            raise CaseworkError(N_("You have 30 saved searches: delete one first."))
        found = SavedSearch(user_id=user_id, name=name, created_at=runtime.clock.now())
        session.add(found)
    found.filters = dict(filters)
    session.flush()
    audit(
        session, runtime, user_id, "search_saved", "saved_search", str(found.id), name=name, filters=filters
    )
    return found


def delete_search(session: Session, runtime: Runtime, user_id: int, search_id: int) -> None:
    found = session.get(SavedSearch, search_id)
    if found is None or found.user_id != user_id:  # another user's search is not found
        raise CaseworkError(N_("No such saved search."))
    audit(session, runtime, user_id, "search_deleted", "saved_search", str(found.id), name=found.name)
    session.delete(found)
