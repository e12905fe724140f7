"""Languages in tests: offering every shipped language to reporters, as a supervised pilot of all
of them would (HOTLINE_PILOT_LANGUAGES), for the tests that walk the conversation in each one."""

from __future__ import annotations

from hotline.platform.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hotline.platform.runtime import Runtime

EVERY_LANGUAGE = tuple(code for code in LANGUAGES if code != DEFAULT_LANGUAGE)


def pilot_every_language(runtime: Runtime) -> None:
    """What HOTLINE_PILOT_LANGUAGES=ln,kg,sw,lua,en gives a process started with it."""
    runtime.settings = runtime.settings.with_overrides(pilot_languages=EVERY_LANGUAGE)
    runtime.translations.pilot = EVERY_LANGUAGE
