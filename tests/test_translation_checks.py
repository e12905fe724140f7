"""The checks that make a reviewer's correction safe (hotline.languages.checks), against the real
catalogs, screens, SMS and locations: a correction that drops a placeholder, changes 129, pushes
a screen past 160 characters or an SMS past its parts, loses a command word or writes what a
phone cannot show is refused, with the reason in French; every shipped text passes them.
"""

from __future__ import annotations

import pytest

from flows.reporter import FLOW
from hotline.alerting import alerts, worker_replies
from hotline.languages import checks, phone, preview, sms
from hotline.languages.checks import Proposal
from hotline.platform.i18n import LANGUAGES, default_translations
from hotline.platform.locations import Locations, default_locations

DONE = FLOW.screen("done").prompt  # "Thank you. Your reference: {reference}. ... call 129 or 122 (free)."
MENU = "Hotline against trafficking. Free and confidential."
HELP = "Free calls: 129 trafficking (APLTP). 122 violence and trafficking. 117 children in danger."
TRANSLATIONS = default_translations()
LOCATIONS: Locations = default_locations()


def refused(lang: str, message: str, text: str) -> list[str]:
    return checks.refusals(Proposal(lang, message, text), TRANSLATIONS.translate, LOCATIONS)


def test_a_correction_that_keeps_everything_is_accepted() -> None:
    kept = "Matondo. Numero na nge: {reference}. Bumbisa yo. Kana kigonsa, binga 129 to 122 (ofele)."
    assert refused("kg", DONE, kept) == []


def test_a_correction_that_drops_a_placeholder_is_refused_in_french() -> None:
    dropped = "Matondo. Numero na nge: . Kana kigonsa, binga 129 to 122 (ofele)."
    assert refused("kg", DONE, dropped) == ["Il manque {reference} : gardez-les tels quels, entre accolades."]


def test_a_placeholder_misspelt_or_unclosed_is_refused() -> None:
    assert refused("kg", DONE, "Matondo {refrence}. 129 to 122.") == [
        "Il manque {reference} : gardez-les tels quels, entre accolades.",
        "{refrence} n'existe pas dans ce message : retirez-le.",
    ]
    assert refused("kg", DONE, "Matondo {reference. 129 to 122.") == [
        "Une accolade est mal fermée : écrivez les champs comme {reference}, sans autre accolade."
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Matondo. {reference}. Kana kigonsa, binga 128 to 122.",  # 129 changed
        "Matondo. {reference}. Kana kigonsa, binga 122.",  # 129 dropped
        "Matondo. {reference}. Kana kigonsa, binga 129, 122 to 117.",  # 117 added
    ],
    ids=["changed", "dropped", "added"],
)
def test_a_correction_that_changes_the_national_numbers_is_refused(text: str) -> None:
    [reason] = refused("kg", DONE, text)
    assert reason.startswith("Les numéros nationaux doivent rester ceux du message (122, 129)")


def test_a_correction_that_pushes_a_screen_past_160_characters_is_refused_naming_the_screen() -> None:
    shipped = TRANSLATIONS.translate("kg", MENU)
    longer = shipped + " Beto ke sadisa bantu yonso ya ke mona mpasi, na ntangu yonso ya mpimpa ti ya mwini."
    reasons = refused("kg", MENU, longer)
    assert len(reasons) == 1
    assert reasons[0].startswith("L'écran « menu » ferait ")
    assert "un téléphone en affiche 160. Raccourcissez." in reasons[0]
    worst = max(
        phone.renderings(
            "menu",
            "kg",
            phone.Phone(Proposal("kg", MENU, longer).translator(TRANSLATIONS.translate), LOCATIONS),
        ),
        key=lambda r: len(r.body),
    )
    assert len(worst.body) > 160  # what the reviewer is told is what the phone would get


def test_a_short_word_on_every_screen_is_checked_on_every_screen() -> None:
    reasons = refused("ln", "Back", "Zonga na sima na esika oyo ozalaki liboso mpo na kotala lisusu")
    assert {r.split("»")[0] + "»" for r in reasons} >= {"L'écran « confirm »", "L'écran « forget_confirm »"}


def test_a_correction_that_makes_a_worker_sms_take_two_parts_is_refused() -> None:
    alert = TRANSLATIONS.translate("ln", alerts.ALERT) + " Tala mpe console mpo na koyeba makambo mosusu."
    assert refused("ln", alerts.ALERT, alert) == [
        "Le SMS « alert » prendrait 2 parties au plus long, au plus 1 : raccourcissez."
    ]


def test_a_correction_that_loses_a_command_word_is_refused() -> None:
    message = worker_replies.NO_OPEN_ALERT  # "You have no open alert. Send AIDE for help."
    assert refused("ln", message, "Ozali na likebi moko te. Tinda AIDE mpo na lisalisi.") == []
    assert refused("ln", message, "Ozali na likebi moko te. Tinda lisalisi.") == [
        "Les mots de commande SMS doivent rester des commandes, en majuscules et aussi nombreuses que dans "
        "le message (AIDE)."
    ]
    help_words = TRANSLATIONS.translate("ln", worker_replies.HELP).replace("FIN REF", "SUKISA REF")
    assert refused("ln", worker_replies.HELP, help_words) != []


def test_what_a_phone_cannot_show_is_refused_and_open_vowels_are_folded() -> None:
    assert refused("ln", "Yes", "Iyo 🙏") == [
        "Ces caractères ne s'affichent pas sur le téléphone : 🙏. Écrivez-les autrement."
    ]
    assert refused("ln", "Yes", "Ɛɛ") == []  # Lingala's open e: an "E" on the phone
    [screen] = [
        p
        for p in preview.screens(TRANSLATIONS.translate, LOCATIONS, "ln", "Yes", "Ɛɛ")
        if p.screen == "danger"
    ]
    assert "\n1 Ee\n" in screen.body


@pytest.mark.parametrize("text", ["", "   ", "Iyo\nTe"], ids=["empty", "blank", "two-lines"])
def test_an_empty_or_multi_line_text_is_refused(text: str) -> None:
    assert len(refused("ln", "Yes", text)) == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_shipped_text_a_phone_shows_passes_the_checks(lang: str) -> None:
    """A reviewer is never stuck with a text that fails for a reason they did not cause."""
    messages = set(phone.screens_of_messages(LOCATIONS)) | set(sms.sms_of_messages(LOCATIONS))
    failing = {
        message: reasons
        for message in messages
        if TRANSLATIONS.shipped("fr", message)
        if (reasons := refused(lang, message, TRANSLATIONS.translate(lang, message)))
    }
    assert failing == {}


def test_the_preview_counts_what_the_checks_measure() -> None:
    shipped = TRANSLATIONS.translate("kg", HELP)
    [screen] = preview.screens(TRANSLATIONS.translate, LOCATIONS, "kg", HELP, shipped)
    assert screen.screen == "help" and screen.body.startswith("END ")
    assert screen.length == len(screen.body) <= 160
    assert screen.fixed + screen.times * len(preview.filled(shipped, screen.values)) == screen.length
    [help_sms] = preview.messages(TRANSLATIONS.translate, LOCATIONS, "kg", HELP, shipped)
    assert (help_sms.name, help_sms.parts, help_sms.budget) == ("help", 1, 1)
