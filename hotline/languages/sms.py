"""The SMS a social worker or a reporter receives, each at its longest in one language, with the
number of parts it may take: what a correction must keep it within.

Each SMS is written as the service writes it (``flows.ussd.fill`` then ``to_gsm7``), with the
longest values it can carry: a reference longer than any we hand out, the longest place name, the
longest category in that language, an 80-character place detail, a three-digit count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows.reporter import CATEGORY_LABELS, HELP_LINES, SAFE_TIMES, STATUS_LINES
from flows.text import fold_ascii, sms_segments, to_gsm7
from flows.ussd import fill
from hotline.alerting import alerts, worker_replies
from hotline.intake import reporter_sms
from hotline.languages.phone import LONGEST_REFERENCE, marked_messages
from hotline.platform.locations import Locations

COUNT = "999"
PHONE = "+243999999999"  # as long as a number of ours
DETAIL = ", " + "x" * 80  # the place detail a reporter may type (flows.reporter: 80 characters)

Tr = Callable[[str], str]  # a translator already bound to the language
Values = Callable[[Tr, Locations], dict[str, str]]


@dataclass(frozen=True)
class Sms:
    name: str
    audience: str  # "worker" or "reporter"
    message: str  # the message id of the whole SMS
    parts: int  # the most GSM-7 parts it may take
    values: Values

    def text(self, tr: Tr, locations: Locations) -> str:
        return to_gsm7(fill(tr(self.message), self.values(tr, locations)))

    def parts_of(self, tr: Tr, locations: Locations) -> int:
        return sms_segments(self.text(tr, locations))


def _longest(texts: Iterable[str]) -> str:
    return max(texts, key=len)


@lru_cache(maxsize=4)
def _longest_place(locations: Locations) -> str:
    codes = [p.code for p in locations.provinces()]
    codes += [place.code for code in list(codes) for place in locations.places(code)]
    return _longest(fold_ascii(locations.label(code)) for code in codes)


def _reference(tr: Tr, locations: Locations) -> dict[str, str]:
    return {"reference": LONGEST_REFERENCE, "ref": LONGEST_REFERENCE}


def _alert(tr: Tr, locations: Locations) -> dict[str, str]:
    return {
        "reference": LONGEST_REFERENCE,
        "urgency": tr(alerts.URGENT) + " ",
        "place": _longest_place(locations),
        "category": _longest(tr(label).lower() for label in CATEGORY_LABELS.values()),
    }


def _details(tr: Tr, locations: Locations) -> dict[str, str]:
    safe_time = _longest(tr(option.label).lower() for option in SAFE_TIMES)
    callback = fill(tr(alerts.CALL_BACK), {"phone": PHONE, "safe_time": safe_time})
    return {
        "reference": LONGEST_REFERENCE,
        "place": _longest_place(locations),
        "detail": DETAIL,
        "people": COUNT,
        "children": _longest((tr(alerts.YES), tr(alerts.NO), tr(alerts.UNKNOWN))),
        "callback": _longest((callback, tr(alerts.NO_CALL))),
    }


def _bundle(tr: Tr, locations: Locations) -> dict[str, str]:
    # A bundle names as many waiting reports as fit (hotline.alerting.alerts): one always must.
    item = f"{LONGEST_REFERENCE} {tr(alerts.URGENT)} {_longest_place(locations)}"
    return {"count": COUNT, "rest": COUNT, "alerts": item}


def _replies() -> tuple[Sms, ...]:
    """Every answer to a worker's SMS command (hotline.alerting.worker_replies): one part each."""
    marked = marked_messages(Path(worker_replies.__file__))
    named = {value: name for name, value in vars(worker_replies).items() if isinstance(value, str)}
    return tuple(
        Sms(f"reply {named.get(message, '').lower()}".strip(), "worker", message, 1, _reference)
        for message in sorted(marked)
    )


def _reporter() -> tuple[Sms, ...]:
    """What a reporter gets by SMS (hotline.intake.reporter_sms): one part each."""
    lines = {"received": reporter_sms.RECEIVED, "neutral": reporter_sms.NEUTRAL, "help": HELP_LINES}
    lines |= {f"status {name}": line for name, line in STATUS_LINES.items()}
    return tuple(Sms(name, "reporter", message, 1, _reference) for name, message in lines.items())


@lru_cache(maxsize=1)
def every_sms() -> tuple[Sms, ...]:
    worker = (
        Sms("alert", "worker", alerts.ALERT, 1, _alert),
        Sms("details", "worker", alerts.DETAILS, 2, _details),
        Sms("bundle", "worker", alerts.BUNDLE, alerts.MAX_PARTS, _bundle),
        Sms("bundle_more", "worker", alerts.BUNDLE_MORE, alerts.MAX_PARTS, _bundle),
        Sms("waiting", "worker", alerts.WAITING, alerts.MAX_PARTS, _bundle),
    )
    return (*worker, *_replies(), *_reporter())


@lru_cache(maxsize=4)
def sms_of_messages(locations: Locations) -> dict[str, tuple[str, ...]]:
    """Message id -> the SMS it is part of (the whole SMS, or a word inside one)."""
    seen: dict[str, list[str]] = {}
    for sms in every_sms():

        def tracing(message: str, name: str = sms.name) -> str:
            names = seen.setdefault(message, [])
            if name not in names:
                names.append(name)
            return message

        sms.text(tracing, locations)
    return {message: tuple(names) for message, names in seen.items()}


def by_name(name: str) -> Sms:
    return next(sms for sms in every_sms() if sms.name == name)
