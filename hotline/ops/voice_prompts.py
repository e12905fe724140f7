"""The recorded prompts of the escalation phone calls (hotline.alerting.call_script), generated with
espeak-ng, a free text-to-speech engine, and encoded by lame: mono, 8 kHz (a phone line's band),
16 kbit/s MP3, a few kilobytes a file. ``hotline voice prompts`` writes French and English and the
place names; other languages are recorded by people (``hotline voice checklist LANG``).

Debian: ``apt-get install espeak-ng lame``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flows.commands import REFERENCE_ALPHABET
from hotline.alerting.call_script import CLIPS, FORMAT, RECORDINGS, character_clip, place_clip
from hotline.platform.i18n import Translations
from hotline.platform.locations import Locations

# espeak-ng's voices for the languages it speaks well enough for a prompt (place names: French).
ESPEAK_VOICES = {"fr": "fr", "en": "en-gb"}
SPEED = 140  # words a minute: slower than espeak's 175, for a phone line
TOOLS = ("espeak-ng", "lame")


class PromptError(RuntimeError):
    """A tool is missing or failed; the message says which."""


def generate(
    translations: Translations,
    locations: Locations,
    languages: tuple[str, ...] = tuple(ESPEAK_VOICES),
    folder: Path = RECORDINGS,
) -> list[Path]:
    """Write every recording of ``languages`` and every place name; the paths written."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise PromptError(f"{', '.join(missing)} not found: apt-get install espeak-ng lame")
    if unknown := [lang for lang in languages if lang not in ESPEAK_VOICES]:
        raise PromptError(f"no espeak-ng voice for {', '.join(unknown)}: see hotline voice checklist")
    written = []
    for lang in languages:
        for name, text in _texts(translations, lang):
            written.append(_render(text, ESPEAK_VOICES[lang], folder / lang / f"{name}.{FORMAT}"))
    for code, name in _places(locations):
        written.append(_render(name, ESPEAK_VOICES["fr"], folder / "places" / f"{place_clip(code)}.{FORMAT}"))
    return written


def _texts(translations: Translations, lang: str) -> Iterator[tuple[str, str]]:
    for name, message in CLIPS.items():
        yield name, translations.translate(lang, message)
    for char in REFERENCE_ALPHABET:  # one letter or digit, as espeak-ng names it in that language
        yield character_clip(char), char


def _places(locations: Locations) -> Iterator[tuple[str, str]]:
    for province in locations.provinces():
        yield province.code, province.name
        for place in province.places:
            yield place.code, place.name


def _render(text: str, voice: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        wav = Path(scratch) / "prompt.wav"
        _run(["espeak-ng", "-v", voice, "-s", str(SPEED), "-w", str(wav), text])
        _run(["lame", "--quiet", "-m", "m", "--resample", "8", "-b", "16", str(wav), str(target)])
    return target


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603
    except (OSError, subprocess.SubprocessError) as exc:
        raise PromptError(f"{command[0]} failed: {exc}") from None
