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
# A language reaches reporters once approved (hotline.languages, set by an admin); French and
# English are approved as shipped, the others are drafts until native speakers reviewed them.
LANGUAGE_STATES = ("draft", "in_review", "approved")
APPROVED_AS_SHIPPED = ("fr", "en")


def catalog_path(lang: str, folder: Path = CATALOGS) -> Path:
    return folder / lang / "LC_MESSAGES" / "messages.po"


def read_messages(po: Path) -> list[Message]:
    """A catalog's messages with their comments and flags, in file order, without its header."""
    catalog = _MessagesOnly(charset="utf-8")
    with po.open("rb") as handle:
        PoFileParser(catalog, ignore_obsolete=True).parse(handle)
    return catalog.messages()


class Translations:
    pilot: tuple[str, ...] = ()  # languages offered to reporters before approval (a pilot)

    def __init__(self, catalogs: dict[str, dict[str, str]]) -> None:
        self._catalogs = catalogs

    @classmethod
    def load(cls, folder: Path = CATALOGS) -> Translations:
        catalogs: dict[str, dict[str, str]] = {}
        for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
            catalogs[po.parent.parent.name] = {
                str(m.id): str(m.string)
                for m in read_messages(po)
                if m.id and isinstance(m.string, str) and m.string and not m.fuzzy
            }
        return cls(catalogs)

    def languages(self) -> tuple[str, ...]:
        return tuple(self._catalogs)

    def shipped(self, lang: str, message: str) -> str:
        """The catalog's own text, without fallback ("" when the catalog has none)."""
        return self._catalogs.get(lang, {}).get(message, "")

    def state(self, lang: str) -> str:
        return "approved" if lang in APPROVED_AS_SHIPPED else "draft"

    def observe(self, version: object) -> None:
        """The corrections' version as read elsewhere (the USSD hop's MGET): the shipped catalogs
        alone never change (hotline.platform.i18n_live's do)."""

    def offered(self) -> tuple[str, ...]:
        """The languages the reporter's menu offers: French always (the fallback), the approved
        ones, and those of a supervised pilot (HOTLINE_PILOT_LANGUAGES)."""
        return tuple(
            code
            for code in LANGUAGES
            if code == DEFAULT_LANGUAGE or code in self.pilot or self.state(code) == "approved"
        )

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
