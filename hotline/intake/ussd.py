"""A USSD hop, from AT's form fields to the screen we answer, with the session kept in Redis.

Redis holds the conversation by AT's ``sessionId``: the previous ``text``, the previous reply and
the engine state, encrypted with the PII key (a description typed on the keypad is sensitive).
No key holds a phone number: drafts and the remembered language are keyed by its keyed hash. A
retransmitted hop gets the same reply and causes nothing twice; the report itself is idempotent
on the session id in the database too.

Every hop is answered within HOTLINE_CALLBACK_BUDGET_SECONDS (AT gives up at 10 s), whatever is
slow behind it: Redis calls time out quickly in the web process (its runtime is built so), the
report's transaction waits for another writer's lock only for what is left of the budget, and a
store that failed is not tried again in the same hop. What went wrong is said in the reporter's
language when it is known: the session's, else a hint this process kept, else French.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.client import Pipeline
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError

from flows import reporter
from flows import ussd as screens
from flows.engine import N_, Effect, State, new_state
from flows.text import fold_ascii
from hotline.intake.reports import NewReport, open_report
from hotline.intake.ussd_context import HINTS, Context
from hotline.platform import meters
from hotline.platform.i18n_live import VERSION_KEY
from hotline.platform.redis_text import text
from hotline.platform.runtime import Runtime
from hotline.privacy.forget import forget_number

log = logging.getLogger(__name__)

SESSION_TTL = 600  # seconds; telcos end a session long before this
LANGUAGE_TTL = 365 * 24 * 3600
DIRECT_REPORT = "1"  # *384*123*1# (or text "1" on the first hop) jumps straight to "report"
RESTARTED = N_("Your session had ended. Let us start again.")
UNAVAILABLE = N_("The service is busy. Please dial again in a moment, or call 129 or 122 (free).")
NOT_RECEIVED = N_(
    "Your report is NOT received yet. Dial again in a moment to continue where you stopped, "
    "or call 129 or 122 (free)."
)
INVALID_REQUEST = "END Service indisponible. Appelez le 129 ou le 122 (gratuit)."
DEFAULT_LANGUAGE = "fr"
REPLY_MARGIN = 0.5  # seconds of the budget kept for writing the session and answering
ORIGIN = "origin"  # in a conversation's vars: the session id it began in
REPORT_SCREENS = frozenset(
    {
        "category",
        "danger",
        "province",
        "place",
        "place_detail",
        "people",
        "children",
        "description",
        "contact",
        "safe_time",
        "pin",
        "confirm",
    }
)


@dataclass(frozen=True)
class Hop:
    session_id: str
    phone: str  # E.164, already checked
    text: str
    service_code: str = ""
    training: bool = False  # a hop from the console's training simulator
    # time.perf_counter() when the request arrived: the hop is timed (hotline.platform.meters) in the same
    # round trip as its session write. None: not timed here.
    received_at: float | None = None


class NotReceived(Exception):
    """The report could not be stored within the hop's budget: nothing was written."""


@dataclass(frozen=True)
class Kept:
    """What Redis keeps for the number across sessions, read with the session itself."""

    lang: str | None  # the language it chose last time
    draft: bytes | str | None  # an unfinished report, still encrypted


@dataclass(frozen=True)
class Reply:
    body: str  # "CON ..." or "END ..."
    screen: str  # the screen's id: AT echoes it in the end-of-session event
    timed: bool = False  # the hop's time was counted with its session write
    store_failed: bool = False  # Redis failed: no more Redis work for this hop (its timing too)


class UssdService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.flow = reporter.FLOW

    def handle(self, hop: Hop) -> Reply:
        """Answer one hop with a ``CON``/``END`` screen; failures end kindly, never with an error.

        Two Redis round trips in all on most hops: one read (the session, with the number's
        remembered language and draft, used when a session starts or resumes), one write
        pipeline (the session, the draft, the language, the hop's timing).
        """
        phone_hashes = self.runtime.cipher.lookup_hashes(hop.phone)
        phone_hash = phone_hashes[0]
        ctx = Context(self.runtime, phone_hashes)
        key = f"hotline:ussd:{hop.session_id}"
        started = hop.received_at if hop.received_at is not None else time.perf_counter()
        deadline = started + self.runtime.settings.callback_budget_seconds
        lang: str | None = None
        try:
            raw_session, raw_lang, raw_draft, version = self.runtime.redis.mget(
                key, self._key("lang", phone_hash), self._key("draft", phone_hash), VERSION_KEY
            )
            self.runtime.translations.observe(version)  # a correction shows from the next screen on
            saved = self._decode(raw_session)
            remembered = text(raw_lang) if raw_lang else None
            if remembered not in self.runtime.translations.offered():  # no longer offered: ask again
                remembered = None
            lang = saved["state"]["lang"] if saved else remembered
            if saved and saved["text"] == hop.text:
                # The gateway asked again: the same screen, and nothing happens twice.
                return Reply(saved["reply"], saved["state"]["screen"])
            writes = self.runtime.redis.pipeline(transaction=False)  # one round trip for all
            kept = Kept(remembered, raw_draft)
            body, state = self._advance(hop, phone_hash, ctx, saved, kept, writes, deadline)
            # One ciphertext for the session and the number's draft: the draft is the session.
            sealed = self._seal({"text": hop.text, "reply": body, "state": state})
            writes.set(key, sealed, ex=SESSION_TTL)
            self._keep_draft(phone_hash, state, sealed, writes)
            if hop.received_at is not None:
                meters.count_ussd_hop(writes, time.perf_counter() - hop.received_at)
            try:
                writes.execute()
            except RedisError as exc:
                if not (state["finished"] and state["vars"].get("reference")):
                    raise
                # The report is stored: its screen (the reference) is the truth, session or not.
                log.warning("USSD session not kept after a report: %s", type(exc).__name__)
                return Reply(body, state["screen"], store_failed=True)
            HINTS.remember(hop.session_id, state["lang"])
            return Reply(body, state["screen"], timed=hop.received_at is not None)
        except RedisError as exc:
            log.warning("USSD session store unavailable: %s", type(exc).__name__)
            return self._ending(UNAVAILABLE, "unavailable", lang, hop, store_failed=True)
        except NotReceived:
            # The draft kept at the previous hop is untouched: a new call offers to resume it.
            return self._ending(NOT_RECEIVED, "not_received", lang, hop)
        except Exception:  # a bug must still leave the caller with words, not a network error
            log.exception("USSD hop failed")
            return self._ending(UNAVAILABLE, "unavailable", lang, hop)

    def _ending(
        self, message: str, screen: str, lang: str | None, hop: Hop, store_failed: bool = False
    ) -> Reply:
        """An END screen saying what went wrong, in the reporter's language when it is known."""
        lang = lang or HINTS.get(hop.session_id) or DEFAULT_LANGUAGE
        body = fold_ascii(self.runtime.translations.translate(lang, message))
        return Reply("END " + body, screen, store_failed=store_failed)

    def _advance(
        self,
        hop: Hop,
        phone_hash: str,
        ctx: Context,
        saved: dict | None,
        kept: Kept,
        writes: Pipeline,
        deadline: float,
    ) -> tuple[str, State]:
        typed = screens.new_input(saved["text"] if saved else None, hop.text)
        if saved is None or typed is None:
            state = self._fresh_state(hop, kept)
            hint = RESTARTED if hop.text and state["screen"] != "category" else None
            return screens.render(self.flow, state, ctx, hint=hint), state
        before = saved["state"]
        if before["screen"] == "resume" and typed in ("1", "2"):
            state = self._resume(phone_hash, before, kept, writes, restart=typed == "2")
            return screens.render(self.flow, state, ctx), state
        step = screens.step(self.flow, before, typed, ctx)
        state = step.state
        for effect in step.effects:
            self._apply(effect, hop, phone_hash, state, deadline)
        if _chose_language(before, state):
            writes.set(self._key("lang", phone_hash), state["lang"], ex=LANGUAGE_TTL)
        return screens.render(self.flow, state, ctx, hint=step.hint), state

    def _fresh_state(self, hop: Hop, kept: Kept) -> State:
        lang = kept.lang
        if self._direct_dial(hop):
            state = new_state(self.flow, lang or "fr", start="category")
        elif self._draft(kept.draft):
            state = new_state(self.flow, lang or "fr", start="resume")
        else:
            state = new_state(self.flow, lang or "fr", start="menu" if lang else "language")
        state["vars"][ORIGIN] = hop.session_id
        return state

    def _direct_dial(self, hop: Hop) -> bool:
        code = hop.service_code.rstrip("#").split("*")
        return hop.text == DIRECT_REPORT or (len(code) > 3 and code[-1] == DIRECT_REPORT)

    def _resume(self, phone_hash: str, current: State, kept: Kept, writes: Pipeline, restart: bool) -> State:
        draft = self._draft(kept.draft)
        writes.delete(self._key("draft", phone_hash))  # before _keep_draft writes the new one
        if restart or not draft:
            fresh = new_state(self.flow, current["lang"], start="category")
            fresh["vars"][ORIGIN] = current["vars"].get(ORIGIN)
            return fresh
        draft["errors"] = 0  # a new call: two slips before the drop must not make one more fatal
        return draft

    def _keep_draft(self, phone_hash: str, state: State, sealed: str, writes: Pipeline) -> None:
        """An unfinished report survives a dropped session for a while; a finished one does not.
        ``sealed`` is the session as stored: its state is the draft."""
        key = self._key("draft", phone_hash)
        if state["screen"] in REPORT_SCREENS and not state["finished"]:
            writes.set(key, sealed, ex=self.runtime.settings.draft_ttl_seconds)
        elif state["finished"] and state["screen"] in ("done", "done_urgent", "cancelled"):
            writes.delete(key)

    def _apply(self, effect: Effect, hop: Hop, phone_hash: str, state: State, deadline: float) -> None:
        if effect.name == "forget_number":
            forget_number(self.runtime, hop.phone)
            self.runtime.redis.delete(self._key("draft", phone_hash))
            return
        if effect.name != "open_report":
            return
        if deadline - time.perf_counter() - REPLY_MARGIN <= 0:
            raise NotReceived("no time left in the hop's budget")
        new = self._new_report(hop, phone_hash, state, effect.answers)
        try:
            opened = open_report(self.runtime, new, deadline=deadline - REPLY_MARGIN)
        except DBAPIError as exc:  # a lock held too long, a database away: nothing was stored
            log.warning("USSD report not stored in time: %s", type(exc).__name__)
            raise NotReceived(type(exc).__name__) from exc
        state["vars"]["reference"] = opened.report.reference
        if opened.held:  # nobody is alerted for a held report: the calm screen promises nothing
            state["screen"] = "done"

    def _new_report(self, hop: Hop, phone_hash: str, state: State, answers: Mapping[str, Any]) -> NewReport:
        people = answers.get("people")
        return NewReport(
            # The session the report was begun in: a report finished after a dropped call (its
            # draft resumed in a new session) is still the same report, however often it is sent.
            source_key=f"ussd:{state['vars'].get(ORIGIN, hop.session_id)}",
            channel="ussd",
            language=state["lang"],
            category=answers["category"],
            urgent=answers.get("urgent") == "yes",
            location_code=answers["location"],
            phone=hop.phone,
            reporter_hash=phone_hash,
            contact=answers.get("contact", "anonymous"),
            safe_time=answers.get("safe_time"),
            place_detail=answers.get("place_detail"),
            people_count=int(people) if people else None,
            children_involved={"yes": True, "no": False}.get(answers.get("children", "")),
            description=answers.get("description"),
            pin=answers.get("pin"),
            training=hop.training,
        )

    def _key(self, kind: str, phone_hash: str) -> str:
        return f"hotline:{kind}:{phone_hash}"

    def _decode(self, raw: bytes | str | None) -> dict | None:
        return json.loads(self.runtime.cipher.decrypt(text(raw))) if raw else None

    def _draft(self, raw: bytes | str | None) -> State | None:
        """The state of a kept draft: a sealed session, or (kept before 2026-12) a state alone."""
        found = self._decode(raw)
        if found is None:
            return None
        return found["state"] if "reply" in found else found

    def _seal(self, value: dict) -> str:
        return self.runtime.cipher.encrypt(json.dumps(value))


def _chose_language(before: State, after: State) -> bool:
    """True when this hop picked a language on the language screen.

    A typo, ``0`` or ``00`` there is no choice: remembering French for it would skip the language
    screen on every call for a year. A valid choice is the only way on that does not end the call.
    """
    moved_on = after["history"] == [*before["history"], before["screen"]] and not after["finished"]
    return before["screen"] == "language" and moved_on


def last_screen(runtime: Runtime, session_id: str) -> tuple[str, str] | None:
    """The last screen shown in a session and its language (for the end-of-session event), if
    the session is still kept."""
    raw = runtime.redis.get(f"hotline:ussd:{session_id}")
    if not raw:
        return None
    state = json.loads(runtime.cipher.decrypt(text(raw)))["state"]
    return str(state["screen"])[:64], str(state.get("lang") or "")[:8]
