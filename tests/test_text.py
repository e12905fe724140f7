"""Text for small screens and SMS (flows.text) and the reference codes reporters read out
(hotline.platform.references)."""

from __future__ import annotations

import itertools

import pytest

from flows.commands import is_reference as looks_like_reference
from flows.text import fold_ascii, is_gsm7, sms_segments, to_gsm7
from hotline.platform.references import ALPHABET, LENGTH, new_reference

# fold_ascii: what a USSD screen shows


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Sécurité d’abord", "Securite d'abord"),
        ("Où êtes-vous ? À Kikwit.", "Ou etes-vous ? A Kikwit."),
        ("Français, garçon, Noël, maïs", "Francais, garcon, Noel, mais"),
        ("œuvre, cœur, Œil", "oeuvre, coeur, OEil"),
        ("“Aidez-moi” « vite »", '"Aidez-moi" " vite "'),
        ("Équateur – Mbandaka…", "Equateur - Mbandaka..."),
        ("Appelez\u00a0le\u202f112", "Appelez le 112"),
        ("Merci 🙏 beaucoup ❤️", "Merci  beaucoup "),
    ],
)
def test_fold_ascii_turns_french_into_plain_ascii(text: str, folded: str) -> None:
    assert fold_ascii(text) == folded
    assert fold_ascii(text).isascii()


def test_fold_ascii_leaves_plain_text_alone() -> None:
    assert fold_ascii("1. Signaler\n2. Aide") == "1. Signaler\n2. Aide"


# is_gsm7: one character outside GSM-7 makes the whole SMS UCS-2


@pytest.mark.parametrize("ch", ["é", "è", "à", "ù", "É", "Ç", "€", "@", "\n"])
def test_these_characters_keep_an_sms_in_gsm7(ch: str) -> None:
    assert is_gsm7(f"Alerte {ch} Kikwit")


@pytest.mark.parametrize("ch", ["ç", "ê", "â", "î", "ô", "û", "ë", "œ", "’", "\u00a0", "🙏"])
def test_these_characters_would_turn_an_sms_into_ucs2(ch: str) -> None:
    assert not is_gsm7(f"Alerte {ch} Kikwit")


# to_gsm7: what every outgoing SMS goes through


def test_to_gsm7_keeps_the_accents_gsm7_has_and_folds_the_others() -> None:
    text = "Signalement reçu à Kikwit : l’équipe arrive à l’hôpital – numéro été"

    assert to_gsm7(text) == "Signalement recu à Kikwit : l'équipe arrive à l'hopital - numéro été"


@pytest.mark.parametrize(
    "text",
    [
        "Ça s’est passé où ? Sûr, c’est noté.\u00a0Merci 🙏",
        "Œuvre « protégée » — ½ ligne… ™ ©",
        "Ngai nakoki kosalisa yo? Tuko hapa: Kinshasa, Lubumbashi • Goma",
        "Rendez-vous `demain`\tà 10h",  # ASCII, yet backtick and tab are not in GSM-7
        "".join(chr(c) for c in range(0x20, 0x2FF)),  # all of Latin-1 and Latin Extended
    ],
)
def test_to_gsm7_never_yields_a_ucs2_message(text: str) -> None:
    assert is_gsm7(to_gsm7(text))


def test_to_gsm7_does_not_make_a_message_cost_more_parts() -> None:
    text = "Votre signalement est reçu ; une travailleuse sociale vous rappellera très bientôt. " * 2
    assert sms_segments(to_gsm7(text)) <= 2 < sms_segments(text)


# sms_segments: what the gateway bills


@pytest.mark.parametrize(
    ("length", "parts"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_a_gsm7_sms_is_billed_by_160_then_153_characters(length: int, parts: int) -> None:
    assert sms_segments("a" * length) == parts


@pytest.mark.parametrize(("length", "parts"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_a_ucs2_sms_is_billed_by_70_then_67_characters(length: int, parts: int) -> None:
    assert sms_segments("ç" * length) == parts


def test_a_single_ucs2_character_cuts_a_part_from_160_to_70_characters() -> None:
    assert sms_segments("a" * 100) == 1
    assert sms_segments("a" * 99 + "ç") == 2


@pytest.mark.parametrize("ch", ["€", "[", "]", "{", "}", "~", "^", "|", "\\"])
def test_gsm7_extension_characters_count_twice(ch: str) -> None:
    assert sms_segments("a" * 158 + ch) == 1  # 160 septets
    assert sms_segments("a" * 159 + ch) == 2  # 161 septets
    assert sms_segments(ch * 80) == 1
    assert sms_segments(ch * 81) == 2


def test_an_emoji_counts_as_two_ucs2_characters() -> None:
    assert sms_segments("🙏" * 35) == 1
    assert sms_segments("🙏" * 35 + "a") == 2


# Reference codes


@pytest.fixture(scope="module")
def references() -> list[str]:
    return [new_reference() for _ in range(1000)]


def test_a_reference_is_six_characters_from_the_alphabet(references: list[str]) -> None:
    assert LENGTH == 6
    for code in references:
        assert len(code) == 6
        assert set(code) <= set(ALPHABET), code


def test_a_reference_never_holds_a_character_people_confuse(references: list[str]) -> None:
    confusable = set("0O1IL2Z5S8B")
    assert not confusable & set(ALPHABET)
    assert not confusable & set("".join(references))


def test_references_use_the_whole_alphabet(references: list[str]) -> None:
    assert set("".join(references)) == set(ALPHABET)


def test_references_are_not_sequential(references: list[str]) -> None:
    # A reference that follows the previous one would let a trafficker guess someone else's report.
    following = sum(1 for a, b in itertools.pairwise(references) if _next(a) == b)
    assert following == 0
    assert references != sorted(references)


def test_nearly_all_references_are_distinct(references: list[str]) -> None:
    # 25**6 codes: 1000 draws collide about once in 500 runs.
    assert len(set(references)) >= 998


def _next(code: str) -> str:
    """The code right after ``code`` if codes were counted in the alphabet's order."""
    digits = [ALPHABET.index(ch) for ch in code]
    for i in reversed(range(len(digits))):
        digits[i] = (digits[i] + 1) % len(ALPHABET)
        if digits[i]:
            break
    return "".join(ALPHABET[d] for d in digits)


@pytest.mark.parametrize("typed", ["ACD347", "acd347", " acd347 ", "AcD347XY", "ACDEFGH"])
def test_a_reference_is_recognised_however_it_is_typed(typed: str) -> None:
    assert looks_like_reference(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "ACD34",  # too short
        "ACD347XYZ",  # too long
        "ACD 347",
        "ACD-347",
        "ACD340",  # 0 is never in a code
        "OCD347",
        "ICD347",
        "ACDB47",
        "1",
        "oui",
        "Kikwit",
    ],
)
def test_other_answers_are_not_taken_for_a_reference(typed: str) -> None:
    assert not looks_like_reference(typed)
