"""A message as the phone shows it, for the review page: each USSD screen it is on at its longest,
with its character count against 160, and each SMS it is in with its GSM-7 parts.

Each preview also says what the page needs to count again as the reviewer types (static/
translations.js): how many characters (or GSM-7 septets) the rest of the screen takes, how many
times the message is on it, and the longest values of its placeholders. The count on the page is
a guide; the checks (hotline.languages.checks) decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flows.text import GSM7_EXTENSION, fold_ascii, to_gsm7
from flows.ussd import fill
from hotline.languages import phone, sms
from hotline.languages.checks import Proposal, placeholders
from hotline.platform.locations import Locations

# What stands for the message while the rest is measured: kept by ASCII folding, and by GSM-7.
SCREEN_MARK, SMS_MARK = "\x00", "\u00a7"
SCREENS_SHOWN = 3  # the tightest screens a message is on


@dataclass(frozen=True)
class ScreenPreview:
    screen: str
    body: str  # as the phone shows it, at its longest
    length: int
    fixed: int  # the characters besides the message's own
    times: int  # how many times the message is on it
    values: dict[str, str] = field(default_factory=dict)  # its placeholders' longest values

    @property
    def fits(self) -> bool:
        return self.length <= phone.LIMIT


@dataclass(frozen=True)
class SmsPreview:
    name: str
    audience: str
    body: str
    parts: int
    budget: int
    fixed: int  # the GSM-7 septets besides the message's own
    times: int
    values: dict[str, str] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        return self.parts <= self.budget


def screens(
    translate: Callable[[str, str], str], locations: Locations, lang: str, message: str, text: str
) -> list[ScreenPreview]:
    """The tightest screens the message is on, with ``text`` as its words (tightest first)."""
    proposed = Proposal(lang, message, text).translator(translate)
    marked = Proposal(lang, message, SCREEN_MARK).translator(translate)
    found = []
    for screen_id in phone.screens_of_messages(locations).get(message, ()):
        # The longest of the screen's cases that show this message (a hint page may hide a prompt).
        rests = {
            (r.case, r.hint): r for r in phone.renderings(screen_id, lang, phone.Phone(marked, locations))
        }
        pairs = [
            (shown, rests[(shown.case, shown.hint)])
            for shown in phone.renderings(screen_id, lang, phone.Phone(proposed, locations))
            if (shown.case, shown.hint) in rests
        ]
        showing = [pair for pair in pairs if SCREEN_MARK in pair[1].body] or pairs
        shown, rest = max(showing, key=lambda pair: len(pair[0].body))
        found.append(
            ScreenPreview(
                screen=screen_id,
                body=shown.body,
                length=len(shown.body),
                fixed=len(rest.body.replace(SCREEN_MARK, "")),
                times=rest.body.count(SCREEN_MARK),
                values=_screen_values(translate, locations, lang, message),
            )
        )
    return sorted(found, key=lambda p: -p.length)[:SCREENS_SHOWN]


def messages(
    translate: Callable[[str, str], str], locations: Locations, lang: str, message: str, text: str
) -> list[SmsPreview]:
    """Every SMS the message is part of, with ``text`` as its words."""
    proposed = Proposal(lang, message, text).translator(translate)
    marked = Proposal(lang, message, SMS_MARK).translator(translate)
    found = []
    for name in sms.sms_of_messages(locations).get(message, ()):
        one = sms.by_name(name)
        body = one.text(lambda m: proposed(lang, m), locations)
        rest = one.text(lambda m: marked(lang, m), locations)
        values = one.values(lambda m: translate(lang, m), locations) if message == one.message else {}
        found.append(
            SmsPreview(
                name=name,
                audience=one.audience,
                body=body,
                parts=one.parts_of(lambda m: proposed(lang, m), locations),
                budget=one.parts,
                fixed=sum(2 if ch in GSM7_EXTENSION else 1 for ch in rest.replace(SMS_MARK, "")),
                times=rest.count(SMS_MARK),
                values={k: to_gsm7(v) for k, v in values.items()},
            )
        )
    return found


def _screen_values(
    translate: Callable[[str, str], str], locations: Locations, lang: str, message: str
) -> dict[str, str]:
    names = placeholders(message) or set()
    values = {name: phone.LONGEST_REFERENCE for name in names & {"reference", "ref"}}
    if "summary" in names:  # the confirmation's summary at its longest, as the screen builds it
        ctx = phone.Phone(translate, locations)
        _, state = next(phone.worst_cases("confirm", lang, ctx))
        confirm = phone.FLOW.screen("confirm")
        found = confirm.values(state, ctx) if confirm.values else {}
        values["summary"] = fold_ascii(found.get("summary", ""))
    return values


def filled(text: str, values: dict[str, str]) -> str:
    """``text`` with its placeholders replaced, as the phone would show it (unknown ones empty)."""
    try:
        return fill(text, values)
    except (ValueError, IndexError, KeyError):
        return text
