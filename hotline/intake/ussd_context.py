"""What a USSD conversation may ask of the service (the engine's Context protocol), and the
language hints that let a hop Redis cannot serve still answer in the reporter's language."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from hotline.intake import lookups
from hotline.platform.runtime import Runtime

LANGUAGE_HINTS = 4096  # sessions whose language this process remembers, for its error screens


class Context:
    """What the conversation may ask of the service (the engine's Context protocol)."""

    def __init__(self, runtime: Runtime, phone_hashes: tuple[str, ...]) -> None:
        self._runtime = runtime
        self._phone_hashes = phone_hashes  # every configured key's, during a key rotation

    def translate(self, lang: str, message: str) -> str:
        return self._runtime.translations.translate(lang, message)

    def provinces(self) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self._runtime.locations.provinces()]

    def places(self, province: str) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self._runtime.locations.places(province)]

    def place_label(self, code: str) -> str:
        return self._runtime.locations.label(code)

    def languages(self) -> Sequence[str]:
        return self._runtime.translations.offered()

    def check_report(self, reference: str, pin: str | None) -> str:
        return lookups.check_report(self._runtime, self._phone_hashes, reference, pin)


class LanguageHints:
    """The language of the sessions this process answered lately (no number, only the session
    id), so that a hop Redis cannot serve still says so in the reporter's language."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._langs: OrderedDict[str, str] = OrderedDict()

    def remember(self, session_id: str, lang: str) -> None:
        self._langs[session_id] = lang
        self._langs.move_to_end(session_id)
        while len(self._langs) > self._size:
            self._langs.popitem(last=False)

    def get(self, session_id: str) -> str | None:
        return self._langs.get(session_id)


HINTS = LanguageHints(LANGUAGE_HINTS)
