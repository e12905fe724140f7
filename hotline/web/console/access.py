"""Who may do what in the console: roles, area scopes, and the decorator every route carries.

Each view is wrapped by ``requires(permission)``, which also records the permission on the view
function, so a test can walk the URL map and prove no console route was left without a check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import UserMixin, current_user
from sqlalchemy import ColumnElement, true
from werkzeug.wrappers import Response

from flows.engine import N_
from hotline.models import Report, User
from hotline.platform.locations import area_covers, areas_cover

P = ParamSpec("P")
R = TypeVar("R")

ALL = ("admin", "supervisor", "operator", "viewer")
USER_ROLE_LABELS = {
    "admin": N_("Administrator"),
    "supervisor": N_("Supervisor"),
    "operator": N_("Operator"),
    "viewer": N_("Viewer"),
    "translator": N_("Translator"),
}
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "view": ALL,  # reports (within the user's areas), dashboard
    "train": ALL,  # the training simulator
    "edit": ("admin", "supervisor", "operator"),  # status, notes, assignment, merge, referral
    "reveal": ("admin", "supervisor"),  # a reporter's number, with consent and a reason
    "keep_text": ("admin", "supervisor"),  # keep a report's free text past the retention period
    "people": ("admin", "supervisor"),  # social workers, rosters, escalation policies
    "audit": ("admin", "supervisor"),
    "export_full": ("admin",),
    "users": ("admin",),
    "partners": ("admin",),  # API clients and partner webhooks (web/console/integrations.py)
    # Reviewing the reporter's and workers' texts (web/console/languages.py): a translator in
    # their languages only; approving a language and choosing who reviews what: admins.
    "translate": ("admin", "translator"),
    "languages": ("admin",),
}


class ConsoleUser(UserMixin):
    """The logged-in user as Flask-Login sees it: a detached snapshot of the row."""

    def __init__(self, user: User) -> None:
        self.id = user.id
        self.email, self.name, self.role = user.email, user.name, user.role
        self.areas: list[str] = list(user.areas or [])
        self.languages: list[str] = list(user.languages or [])
        self.must_change_password = user.must_change_password

    @property
    def role_label(self) -> str:
        return USER_ROLE_LABELS.get(self.role, self.role)

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    def reviews(self, lang: str) -> bool:
        """Whether this user may review ``lang``'s texts: an admin any, a translator theirs."""
        return self.can("languages") or (self.can("translate") and lang in self.languages)

    def sees(self, location_code: str) -> bool:
        """The rule the alarms follow too (``area_covers``): an area and its places; ``CD`` all."""
        if self.role == "admin":
            return True
        return any(area_covers(area, location_code) for area in self.areas)

    def report_filter(self) -> ColumnElement[bool]:
        """SQL condition restricting reports to this user's areas."""
        if self.role == "admin":
            return true()
        return areas_cover(self.areas, Report.location_code)


def requires(permission: str) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission}")

    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            if not current_user.is_authenticated:
                return redirect(url_for("console.login", next=request.full_path))
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapper.__dict__["permission"] = permission  # a function attribute: no type says it
        return wrapper

    return decorate


def public(view: Callable[P, R]) -> Callable[P, R]:
    """Marks a view that needs no login (the login pages); the URL-map test checks the mark."""
    view.__dict__["permission"] = None
    return view


def report_or_404(report: Report | None) -> Report:
    """A report the current user may see; another area's report is a 404, not a 403."""
    if report is None or not current_user.sees(report.location_code):
        abort(404)
    return report
