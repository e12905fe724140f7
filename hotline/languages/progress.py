"""How far each language's review has come, and where reporters leave the USSD conversation in
each language: a confusing translation shows up as a drop-off on its screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.casework import stats
from hotline.languages.review import Entry, entries, language_state
from hotline.models import UssdSessionEvent
from hotline.platform.i18n import LANGUAGES
from hotline.platform.runtime import Runtime

UNKNOWN_LANGUAGE = "?"  # a session whose language was no longer kept when it ended
SCREENS_SHOWN = 5  # the screens most left on, per language


@dataclass(frozen=True)
class Progress:
    lang: str
    state: str  # draft, in_review, approved
    offered: bool  # on the reporter's language menu (approved, or in a pilot)
    reviewed: int
    flagged: int
    draft: int
    corrected: int

    @property
    def total(self) -> int:
        return self.reviewed + self.flagged + self.draft


def count(lang: str, state: str, offered: bool, found: Sequence[Entry]) -> Progress:
    return Progress(
        lang=lang,
        state=state,
        offered=offered,
        reviewed=sum(1 for e in found if e.state == "reviewed"),
        flagged=sum(1 for e in found if e.state == "flagged"),
        draft=sum(1 for e in found if e.state == "draft"),
        corrected=sum(1 for e in found if e.corrected),
    )


def progress(session: Session, runtime: Runtime, languages: Sequence[str] = LANGUAGES) -> list[Progress]:
    offered = runtime.translations.offered()
    return [
        count(lang, language_state(session, lang), lang in offered, entries(session, runtime, lang))
        for lang in languages
    ]


@dataclass(frozen=True)
class LanguageFunnel:
    lang: str
    sessions: int
    completed: int  # ended with AT's "Success"
    steps: list[stats.FunnelStep]  # the screens sessions ended on, most drop-outs first

    @property
    def dropped(self) -> int:
        return self.sessions - self.completed


def funnels(session: Session, since: datetime) -> list[LanguageFunnel]:
    """Sessions since ``since``, per language (the known ones in menu order, then unknown)."""
    per_language: dict[str, list[tuple[str | None, str]]] = {}
    rows = session.execute(
        select(UssdSessionEvent.language, UssdSessionEvent.last_screen, UssdSessionEvent.status).where(
            UssdSessionEvent.received_at >= since
        )
    )
    for language, screen, status in rows:
        per_language.setdefault(language or UNKNOWN_LANGUAGE, []).append((screen, status))
    order = [*LANGUAGES, *sorted(set(per_language) - set(LANGUAGES))]
    found = []
    for lang in order:
        events = per_language.get(lang)
        if events:
            completed = sum(1 for _, status in events if status == "Success")
            steps = [s for s in stats.ussd_funnel(events) if s.dropped][:SCREENS_SHOWN]
            found.append(LanguageFunnel(lang, len(events), completed, steps))
    return found
