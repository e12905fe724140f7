"""What a worker hears on an escalation phone call, in their language, with no personal data: that
an alert is waiting, whether it is urgent, the place, the reference spelled out, then "press 1 to
accept, 2 to decline".

Each part is either text for the voice gateway's text-to-speech (the languages in
``HOTLINE_VOICE_SAY``, English by default: AT's voices are English) or a recording it plays. The
recordings are files per language under hotline/static/voice/<lang>/ (``CLIPS`` and a letter or
digit each for the reference), plus the place names, the same in every language, under
hotline/static/voice/places/. A language without a complete set is played the French one, the
country's official language. ``hotline voice prompts`` regenerates French and English with
espeak-ng; ``hotline voice checklist LANG`` lists what a field team records for another language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows.commands import REFERENCE_ALPHABET
from flows.engine import N_
from hotline.models import Report, SocialWorker
from hotline.platform.i18n import LANGUAGES, Translations
from hotline.platform.locations import COUNTRY, Locations
from hotline.platform.runtime import Runtime

RECORDINGS = Path(__file__).resolve().parents[1] / "static" / "voice"
FORMAT = "mp3"
FALLBACK = "fr"  # played to a language without its own recordings
# Every recorded sentence: its file name and its text (English here, translated by the catalogs).
CLIPS: dict[str, str] = {
    "alert": N_("Hotline alert. A report is waiting for an answer."),
    "urgent": N_("It is urgent."),
    "place": N_("Place:"),
    "reference": N_("Reference:"),
    "press": N_("Press 1 to accept, 2 to decline."),
    "accepted": N_("Thank you, the report is yours. The details follow by SMS."),
    "declined": N_("Noted: you declined. The report goes to the next person."),
    "taken": N_("A colleague has already accepted this report. Nothing to do."),
    "no_key": N_("No key was pressed. The report goes to the next person. Goodbye."),
}
ANSWERS = ("accepted", "declined", "taken", "no_key")  # what ends a call, after the prompt


@dataclass(frozen=True)
class Speech:
    """One thing said: ``text`` for text-to-speech, or the ``url`` of a recording."""

    text: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Prompt:
    """The call's message: ``before`` is said first, then ``ask`` waits for a key, then ``after``
    is said if no key came."""

    before: tuple[Speech, ...]
    ask: Speech
    after: tuple[Speech, ...]


def character_clip(char: str) -> str:
    """The recording of one character of a reference: ``letter-k``, ``digit-7``."""
    return f"digit-{char}" if char.isdigit() else f"letter-{char.lower()}"


def clip_names() -> list[str]:
    """Every file a language's set holds (without the extension)."""
    return [*CLIPS, *(character_clip(c) for c in REFERENCE_ALPHABET)]


def place_clip(code: str) -> str:
    """``CD-KL/kikwit`` -> ``cd-kl-kikwit`` (under places/)."""
    return code.lower().replace("/", "-")


@lru_cache(maxsize=16)
def recorded(lang: str, folder: Path = RECORDINGS) -> bool:
    """Whether ``lang`` has every recording (read once per process)."""
    return all((folder / lang / f"{name}.{FORMAT}").is_file() for name in clip_names())


def prompt(runtime: Runtime, report: Report, worker: SocialWorker) -> Prompt:
    """The alert, said or played in the worker's language."""
    voice = _Voice.of(runtime, worker.language)
    before = [voice.say("alert")]
    if report.urgent:
        before.append(voice.say("urgent"))
    before += voice.place(report.location_code, runtime.locations)
    before += voice.reference(report.reference)
    return Prompt(tuple(before), voice.say("press"), (voice.say("no_key"),))


def answer(runtime: Runtime, worker: SocialWorker, name: str) -> Speech:
    """One of ``ANSWERS`` in the worker's language."""
    return _Voice.of(runtime, worker.language).say(name)


def checklist(
    lang: str, translations: Translations, folder: Path = RECORDINGS
) -> list[tuple[str, str, str, bool]]:
    """What a field team records for ``lang``: (file, the French text, the English text, present).
    The console can show it as it is (a file each, what to say, whether it is there)."""
    rows = []
    for name in clip_names():
        if name in CLIPS:
            french, english = (translations.translate(code, CLIPS[name]) for code in ("fr", "en"))
        else:
            char = name.rsplit("-", 1)[1].upper()
            french = english = f"« {char} »"
        path = folder / lang / f"{name}.{FORMAT}"
        rows.append((f"{lang}/{name}.{FORMAT}", french, english, path.is_file()))
    return rows


@dataclass(frozen=True)
class _Voice:
    runtime: Runtime
    lang: str  # the language spoken
    base: str | None  # the recordings' base URL; None: text-to-speech

    @classmethod
    def of(cls, runtime: Runtime, lang: str) -> _Voice:
        settings = runtime.settings
        lang = lang if lang in LANGUAGES else FALLBACK
        if lang in settings.voice_say or not settings.voice_prompt_url:
            return cls(runtime, lang, None)
        played = lang if recorded(lang) else FALLBACK
        if not recorded(played):  # no recordings at all: English text-to-speech beats silence
            return cls(runtime, "en", None)
        return cls(runtime, played, settings.voice_prompt_url)

    def say(self, name: str) -> Speech:
        if self.base is None:
            return Speech(text=self.runtime.translations.translate(self.lang, CLIPS[name]))
        return Speech(url=f"{self.base}/{self.lang}/{name}.{FORMAT}")

    def place(self, code: str, locations: Locations) -> list[Speech]:
        if code == COUNTRY:
            return []
        if self.base is None:
            return [Speech(text=self._text("place") + " " + locations.label(code).replace("/", ", ") + ".")]
        found = [
            Speech(url=f"{self.base}/places/{place_clip(c)}.{FORMAT}")
            for c in dict.fromkeys((locations.province_of(code), code))
            if (RECORDINGS / "places" / f"{place_clip(c)}.{FORMAT}").is_file()
        ]
        return [self.say("place"), *found] if found else []

    def reference(self, reference: str) -> list[Speech]:
        if self.base is None:  # "K, 7, F, ...": one pause per character
            return [Speech(text=self._text("reference") + " " + ", ".join(reference) + ".")]
        return [self.say("reference"), *(Speech(url=self._clip(character_clip(c))) for c in reference)]

    def _text(self, name: str) -> str:
        return self.runtime.translations.translate(self.lang, CLIPS[name])

    def _clip(self, name: str) -> str:
        return f"{self.base}/{self.lang}/{name}.{FORMAT}"
