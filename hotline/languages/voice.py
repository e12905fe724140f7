"""The voice prompts of the phone-call escalation, per language: what a field team records, shown
on the Languages page beside the texts (the list is ``hotline.alerting.call_script.checklist``;
``hotline voice checklist LANG`` prints the same)."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.alerting.call_script import RECORDINGS, checklist
from hotline.platform.runtime import Runtime


@dataclass(frozen=True)
class Recording:
    file: str  # e.g. "kg/alert.mp3", under hotline/static/voice/
    french: str  # what to say, in French
    english: str
    present: bool  # the file is there


def recordings(runtime: Runtime, lang: str) -> list[Recording] | None:
    """What must be recorded for ``lang``; None when the service has no recordings folder."""
    if not RECORDINGS.is_dir():
        return None
    return [Recording(*row) for row in checklist(lang, runtime.translations)]
