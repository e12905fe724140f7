"""A USSD hop, from AT's form fields to the screen we answer, with the session kept in Redis.

Redis holds the conversation by AT's ``sessionId`` (no phone number, ever): the previous
``text``, the previous reply and the engine state. A retransmitted hop gets the same reply and
causes nothing twice; the report itself is idempotent on the session id in the database too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from redis.exceptions import RedisError

from flows import reporter
from flows import ussd as screens
from flows.engine import N_, Effect, State, new_state
from flows.text import fold_ascii

from .reports import NewReport, open_report
from .runtime import Runtime

log = logging.getLogger(__name__)

SESSION_TTL = 600  # seconds; telcos end a session long before this
LANGUAGE_TTL = 365 * 24 * 3600
RESTARTED = N_("Your session had ended. Let us start again.")
UNAVAILABLE = N_("The service is busy. Please dial again in a moment, or call 129 or 122 (free).")
INVALID_REQUEST = "END Service indisponible. Appelez le 129 ou le 122 (gratuit)."


@dataclass(frozen=True)
class Hop:
    session_id: str
    phone: str  # E.164, already checked
    text: str
    service_code: str = ""


class Context:
    """What the conversation may ask of the service (the engine's Context protocol)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def translate(self, lang: str, message: str) -> str:
        return self._runtime.translations.translate(lang, message)

    def provinces(self) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self._runtime.locations.provinces()]

    def places(self, province: str) -> Sequence[tuple[str, str]]:
        return [(p.code, p.name) for p in self._runtime.locations.places(province)]

    def place_label(self, code: str) -> str:
        return self._runtime.locations.label(code)


class UssdService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.ctx = Context(runtime)
        self.flow = reporter.FLOW

    def handle(self, hop: Hop) -> str:
        """Answer one hop with a ``CON``/``END`` screen; failures end kindly, never with an error."""
        key = f"hotline:ussd:{hop.session_id}"
        try:
            saved = self._load(key)
            if saved and saved["text"] == hop.text:
                return str(saved["reply"])  # the gateway asked again: same screen, no new effect
            reply, state = self._advance(hop, saved)
            self._save(key, {"text": hop.text, "reply": reply, "state": state})
            return reply
        except RedisError:
            log.exception("USSD session store unavailable")
            return "END " + fold_ascii(self.ctx.translate("fr", UNAVAILABLE))

    def _advance(self, hop: Hop, saved: dict | None) -> tuple[str, State]:
        typed = screens.new_input(saved["text"] if saved else None, hop.text)
        if saved is None or typed is None:
            state = self._fresh_state(hop)
            hint = RESTARTED if hop.text else None
            return screens.render(self.flow, state, self.ctx, hint=hint), state
        step = screens.step(self.flow, saved["state"], typed, self.ctx)
        state = step.state
        for effect in step.effects:
            self._apply(effect, hop, state)
        if _chose_language(saved["state"], state):
            self._remember_language(hop.phone, state["lang"])
        return screens.render(self.flow, state, self.ctx, hint=step.hint), state

    def _fresh_state(self, hop: Hop) -> State:
        lang = self._remembered_language(hop.phone)
        return new_state(self.flow, lang or "fr", start="menu" if lang else "language")

    def _apply(self, effect: Effect, hop: Hop, state: State) -> None:
        if effect.name == "open_report":
            answers = effect.answers
            opened = open_report(self.runtime, NewReport(
                source_key=f"ussd:{hop.session_id}", channel="ussd", language=state["lang"],
                category=answers["category"], urgent=answers.get("urgent") == "yes",
                location_code=answers["location"], phone=hop.phone,
                contact=answers.get("contact", "anonymous"), safe_time=answers.get("safe_time"),
            ))
            state["vars"]["reference"] = opened.report.reference

    def _remembered_language(self, phone: str) -> str | None:
        value = self.runtime.redis.get(self._language_key(phone))
        return value.decode() if value else None

    def _remember_language(self, phone: str, lang: str) -> None:
        self.runtime.redis.set(self._language_key(phone), lang, ex=LANGUAGE_TTL)

    def _language_key(self, phone: str) -> str:
        return f"hotline:lang:{self.runtime.cipher.lookup_hash(phone)}"

    def _load(self, key: str) -> dict | None:
        raw = self.runtime.redis.get(key)
        return json.loads(raw) if raw else None

    def _save(self, key: str, value: dict) -> None:
        self.runtime.redis.set(key, json.dumps(value), ex=SESSION_TTL)


def _chose_language(before: State, after: State) -> bool:
    """True when this hop picked a language on the language screen.

    A typo, ``0`` or ``00`` there is no choice: remembering French for it would skip the language
    screen on every call for a year. A valid choice is the only way on that does not end the call.
    """
    moved_on = after["history"] == [*before["history"], before["screen"]] and not after["finished"]
    return before["screen"] == "language" and moved_on
