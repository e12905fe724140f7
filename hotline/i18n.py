"""Translation catalogs: gettext ``.po`` files read with Babel, French as the fallback language.

The ``.po`` files are read directly at start (no compile step to forget); ``pybabel compile``
still works for tools that want ``.mo`` files. A missing string falls back to French, then to
the English message id, so a draft catalog never leaves a screen empty.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGS = Path(__file__).parent / "translations"
DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "ln", "kg", "sw", "lua", "en")


class Translations:
    def __init__(self, catalogs: dict[str, dict[str, str]]) -> None:
        self._catalogs = catalogs

    @classmethod
    def load(cls, folder: Path = CATALOGS) -> Translations:
        catalogs: dict[str, dict[str, str]] = {}
        for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
            with po.open("rb") as handle:
                catalog = read_po(handle)
            catalogs[po.parent.parent.name] = {
                str(m.id): str(m.string)
                for m in catalog
                if m.id and isinstance(m.string, str) and m.string and not m.fuzzy
            }
        return cls(catalogs)

    def languages(self) -> tuple[str, ...]:
        return tuple(self._catalogs)

    def translate(self, lang: str, message: str) -> str:
        for code in (lang, DEFAULT_LANGUAGE):
            found = self._catalogs.get(code, {}).get(message)
            if found:
                return found
        return message

    def missing(self, lang: str, messages: list[str]) -> list[str]:
        """Message ids that ``lang`` does not translate itself (it would fall back)."""
        catalog = self._catalogs.get(lang, {})
        return [m for m in messages if not catalog.get(m)]


@lru_cache(maxsize=1)
def default_translations() -> Translations:
    return Translations.load()
