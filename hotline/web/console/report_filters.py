"""The inbox's filters: read from the query string, turned into SQL, written back into links.

A value that is not one of the known choices is ignored rather than refused, so an old bookmark
or a hand-edited link still shows a list; a date that cannot be read is ignored too, and said
(``problems``): a list quietly wider than asked would mislead. Dates are read as the browser's date
field sends them (2025-03-14) or as people write them here (14/03/2025). Free text reaches the
database only as a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, or_
from werkzeug.datastructures import MultiDict

from flows.engine import N_
from hotline.alerting.alarms import unanswered
from hotline.casework import assignment, labels
from hotline.casework.actions import ESCALATING_STATUSES
from hotline.models import CATEGORIES, REPORT_STATUSES, Report
from hotline.platform.locations import Locations

CHANNELS = ("ussd", "sms")
URGENCIES = ("urgent", "normal")
MAX_SEARCH = 100
DATE_IGNORED = N_('The date "{value}" could not be read (write it as 14/03/2025): that filter is ignored.')


@dataclass(frozen=True)
class FilterProblem:
    message: str  # a message id, with {value}
    value: str  # what was typed, shortened


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    urgency: str = ""
    category: str = ""
    area: str = ""
    channel: str = ""
    since: str = ""  # YYYY-MM-DD, inclusive, in the viewer's time zone
    until: str = ""
    unaccepted: str = ""
    unanswered: str = ""  # the alarm is raised: nobody accepted in time (hotline.alerting.alarms)
    training: str = ""
    q: str = ""
    mine: str = ""  # assigned to me or to one of my teams ("Mes signalements")
    label: str = ""  # a label's name
    problems: tuple[FilterProblem, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: MultiDict[str, str], locations: Locations) -> InboxFilters:
        def pick(name: str, choices: tuple[str, ...]) -> str:
            value = args.get(name, "")
            return value if value in choices else ""

        area = args.get("area", "").strip()
        since, until = args.get("since", ""), args.get("until", "")
        return cls(
            status=pick("status", REPORT_STATUSES),
            urgency=pick("urgency", URGENCIES),
            category=pick("category", CATEGORIES),
            channel=pick("channel", CHANNELS),
            area=area if area and locations.is_valid(area) else "",
            since=_iso_date(since),
            until=_iso_date(until),
            unaccepted=pick("unaccepted", ("1",)),
            unanswered=pick("unanswered", ("1",)),
            training=pick("training", ("1",)),
            q=" ".join(args.get("q", "").split())[:MAX_SEARCH],
            mine=pick("mine", ("1",)),
            label=labels.clean(args.get("label", ""))[: labels.MAX_LABEL],
            problems=tuple(
                FilterProblem(DATE_IGNORED, typed.strip()[:20])
                for typed in (since, until)
                if typed.strip() and not _iso_date(typed)
            ),
        )

    def args(self) -> dict[str, str]:
        """The filters that are set, for links (paging, CSV export) that keep them."""
        shown = (f.name for f in fields(self) if f.name != "problems")
        return {name: value for name in shown if (value := getattr(self, name))}

    def conditions(self, zone: ZoneInfo, user_id: int | None = None) -> list[ColumnElement[bool]]:
        """The SQL of the filters; ``mine`` needs the user's id."""
        found: list[ColumnElement[bool]] = [Report.training.is_(bool(self.training))]
        if self.status:
            found.append(Report.status == self.status)
        if self.urgency:
            found.append(Report.urgent.is_(self.urgency == "urgent"))
        if self.category:
            found.append(Report.category == self.category)
        if self.channel:
            found.append(Report.channel == self.channel)
        if self.area:
            found.append(
                or_(
                    Report.location_code == self.area,
                    Report.location_code.like(_like_escape(self.area) + "/%", escape="\\"),
                )
            )
        if self.since:
            found.append(Report.created_at >= _start_of(self.since, zone))
        if self.until:
            found.append(Report.created_at < _start_of(self.until, zone) + timedelta(days=1))
        if self.unaccepted:
            found.append(waiting())
        if self.unanswered:
            found.append(unanswered())
        if self.mine and user_id is not None:
            found.append(assignment.mine(user_id))
        if self.label:
            found.append(labels.labelled(self.label))
        if self.q:
            pattern = f"%{_like_escape(self.q)}%"
            found.append(
                or_(Report.description.ilike(pattern, escape="\\"), Report.reference == self.q.upper())
            )
        return found


def waiting() -> ColumnElement[bool]:
    """Nobody has taken it yet: no worker accepted it and no one in the console moved it on."""
    return and_(Report.accepted_at.is_(None), Report.status.in_(ESCALATING_STATUSES))


def inbox_order() -> list[ColumnElement[object]]:
    """Unanswered reports first (the alarm is raised), then urgent reports nobody has accepted, then
    the others still waiting, then the rest."""
    urgent = Report.urgent.is_(True)
    rank = case(
        (and_(unanswered(), urgent), 0),
        (unanswered(), 1),
        (and_(waiting(), urgent), 2),
        (waiting(), 3),
        else_=4,
    )
    return [rank, Report.created_at.desc(), Report.id.desc()]


def _iso_date(value: str) -> str:
    """``2025-03-14`` or ``14/03/2025`` as ``2025-03-14``; "" for anything else."""
    text = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return ""


def _start_of(day: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(), zone).astimezone(UTC)


def _like_escape(text: str) -> str:
    # % and _ typed by a user are letters to look for, not wildcards.
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
