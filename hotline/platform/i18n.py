"""Translation catalogs: gettext ``.po`` files read with Babel, French as the fallback language.

The ``.po`` files are read directly at start (no compile step to forget); ``pybabel compile``
still works for tools that want ``.mo`` files. A missing string falls back to French, then to
the English message id, so a draft catalog never leaves a screen empty.

Only the messages are read, not the header: Babel binds a catalog to its header's ``Language:``
and formats the header when the catalog is iterated, and both load CLDR locale data that stays
in every process (~2 MB) although lookups never use it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileParser

CATALOGS = Path(__file__).resolve().parents[1] / "translations"
DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "ln", "kg", "sw", "lua", "en")


class Translations:
    def __init__(self, catalogs: dict[str, dict[str, str]]) -> None:
        self._catalogs = catalogs

    @classmethod
    def load(cls, folder: Path = CATALOGS) -> Translations:
        catalogs: dict[str, dict[str, str]] = {}
        for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
            catalog = _MessagesOnly(charset="utf-8")
            with po.open("rb") as handle:
                PoFileParser(catalog, ignore_obsolete=True).parse(handle)
            catalogs[po.parent.parent.name] = {
                str(m.id): str(m.string)
                for m in catalog.messages()
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


class _MessagesOnly(Catalog):
    """A Babel catalog without its header entry (``msgid ""``), read through ``messages()``:
    iterating a catalog formats its header, which loads CLDR data too (see the module's doc)."""

    def __init__(self, charset: str) -> None:
        super().__init__(charset=charset)
        self._ids: dict[str | tuple[str, ...], None] = {}

    def __setitem__(self, id: str | tuple[str, ...] | list[str], message: Message) -> None:
        if id != "":
            super().__setitem__(id, message)
            self._ids[tuple(id) if isinstance(id, list) else id] = None

    def messages(self) -> list[Message]:
        """The messages in file order, as iterating the catalog yields them after its header."""
        return [self[id] for id in self._ids]


@lru_cache(maxsize=1)
def default_translations() -> Translations:
    return Translations.load()
