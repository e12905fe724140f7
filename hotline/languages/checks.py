"""What makes a correction safe to put in front of a reporter or a worker. A correction that fails
one check is refused with its reasons, in French (the field team's working language).

- the placeholders in braces are those of the message, each a valid one;
- the national numbers 129, 122 and 117 are those of the message, as many times;
- the SMS command words (1 REF, 2 REF, FIN REF, AIDE, LISTE...) are commands of the same kinds;
- no character vanishes on the phone (a USSD screen is folded to ASCII, an SMS to GSM-7);
- every USSD screen the message is on still fits 160 characters at its longest, "CON "/"END "
  included, on every page and under every hint; every SMS it is in keeps within its parts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from string import Formatter

from flows.commands import KEYWORDS
from flows.text import fold_ascii, to_gsm7
from hotline.languages import phone, sms
from hotline.platform.locations import Locations

MAX_LENGTH = 600
NATIONAL_NUMBER = re.compile(r"(?<!\d)(129|122|117)(?!\d)")
NUMBERED_COMMAND = re.compile(r"(?<![\w{])([12]) (?:REF\b|\{reference\})")
COMMAND_WORD = re.compile(r"(?<![\w{])([A-Z]{2,})(?![\w}])")


@dataclass(frozen=True)
class Proposal:
    """A correction: ``text`` for ``message`` in ``lang``, over what ``translate`` gives today."""

    lang: str
    message: str
    text: str

    def translator(self, translate: Callable[[str, str], str]) -> Callable[[str, str], str]:
        def proposed(lang: str, message: str) -> str:
            if (lang, message) == (self.lang, self.message):
                return self.text
            return translate(lang, message)

        return proposed


def refusals(
    proposal: Proposal,
    translate: Callable[[str, str], str],
    locations: Locations,
) -> list[str]:
    """Why this correction cannot be accepted (in French); empty when it can."""
    text, message = proposal.text, proposal.message
    if not text.strip():
        return ["Le texte est vide."]
    if len(text) > MAX_LENGTH:
        return [f"Le texte est trop long ({len(text)} caractères, au plus {MAX_LENGTH})."]
    if "\n" in text or "\r" in text or "\t" in text:
        return ["Le texte tient sur une seule ligne : retirez les retours à la ligne."]
    found = _placeholders(message, text) + _numbers(message, text) + _commands(message, text)
    screens = phone.screens_of_messages(locations).get(message, ())
    in_sms = sms.sms_of_messages(locations).get(message, ())
    found += _vanishing(text, ussd=bool(screens), sms=bool(in_sms))
    if found:
        return found  # the lengths below would be measured on a text that must change anyway
    ctx = phone.Phone(proposal.translator(translate), locations)
    for screen_id in screens:
        for rendered in phone.renderings(screen_id, proposal.lang, ctx):
            if len(rendered.body) > phone.LIMIT:
                found.append(
                    f"L'écran « {screen_id} » ferait {len(rendered.body)} caractères au plus long "
                    f"({rendered.case}) : un téléphone en affiche {phone.LIMIT}. Raccourcissez."
                )
                break
    bound = proposal.translator(translate)
    for name in in_sms:
        one = sms.by_name(name)
        parts = one.parts_of(lambda m: bound(proposal.lang, m), locations)
        if parts > one.parts:
            found.append(
                f"Le SMS « {name} » prendrait {parts} parties au plus long, au plus {one.parts} : "
                "raccourcissez."
            )
    return found


def placeholders(template: str) -> set[str] | None:
    """The names in braces, or None when the braces do not make a valid template."""
    try:
        return {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError:
        return None


def _placeholders(message: str, text: str) -> list[str]:
    expected, found = placeholders(message) or set(), placeholders(text)
    if found is None:
        return ["Une accolade est mal fermée : écrivez les champs comme {reference}, sans autre accolade."]
    problems = []
    if missing := sorted(expected - found):
        problems.append(f"Il manque {_listed(missing)} : gardez-les tels quels, entre accolades.")
    if extra := sorted(found - expected):
        problems.append(f"{_listed(extra)} n'existe pas dans ce message : retirez-le.")
    return problems


def _numbers(message: str, text: str) -> list[str]:
    expected, found = Counter(NATIONAL_NUMBER.findall(message)), Counter(NATIONAL_NUMBER.findall(text))
    if expected == found:
        return []
    wanted = ", ".join(sorted(expected.elements())) or "aucun"
    return [
        f"Les numéros nationaux doivent rester ceux du message ({wanted}) : 129, 122 et 117 ne se "
        "traduisent pas et ne se changent pas."
    ]


def command_kinds(text: str) -> Counter[str]:
    """The SMS commands a text tells a worker to send, by kind (accept, decline, help...)."""
    kinds: Counter[str] = Counter()
    for digit in NUMBERED_COMMAND.findall(text):
        kinds[KEYWORDS[digit]] += 1
    for word in COMMAND_WORD.findall(text):
        if len(word) > 1 and word in KEYWORDS and word not in ("OK", "NO", "TO", "TE", "VE"):
            kinds[KEYWORDS[word]] += 1
    return kinds


def _commands(message: str, text: str) -> list[str]:
    if command_kinds(message) == command_kinds(text):
        return []
    words = [f"{digit} REF" for digit in NUMBERED_COMMAND.findall(message)]
    words += [word for word in COMMAND_WORD.findall(message) if word in KEYWORDS]
    return [
        "Les mots de commande SMS doivent rester des commandes, en majuscules et aussi nombreuses "
        f"que dans le message ({', '.join(dict.fromkeys(words))})."
    ]


def _vanishing(text: str, *, ussd: bool, sms: bool) -> list[str]:
    lost = sorted(
        {
            ch
            for ch in text
            if not ch.isspace() and ((ussd and not fold_ascii(ch)) or (sms and not to_gsm7(ch)))
        }
    )
    if not lost:
        return []
    return [f"Ces caractères ne s'affichent pas sur le téléphone : {' '.join(lost)}. Écrivez-les autrement."]


def _listed(names: list[str]) -> str:
    return ", ".join("{" + name + "}" for name in names)
