"""Phone numbers (hotline.platform.phones): every way a Congolese number is written gives one E.164 form."""

from __future__ import annotations

import pytest

from hotline.platform.phones import InvalidPhone, mask, normalise, try_normalise


@pytest.mark.parametrize(
    "written",
    [
        "0812345678",  # national, as people write it
        "243812345678",  # gateways sometimes drop the +
        "00243812345678",  # international prefix dialled from the DRC
        "+243 81 234 5678",  # spaced out on a poster
        "+243812345678",  # E.164 already
        " +243812345678 ",  # pasted with spaces around it
        "081-234-5678",
        "812345678",  # national significant number alone
    ],
)
def test_every_way_of_writing_a_congolese_number_gives_the_same_e164(written: str) -> None:
    assert normalise(written) == "+243812345678"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0991234567", "+243991234567"),  # Airtel
        ("0851234567", "+243851234567"),  # Orange
        ("0901234567", "+243901234567"),  # Africell
    ],
)
def test_numbers_of_every_operator_are_accepted(written: str, expected: str) -> None:
    assert normalise(written) == expected


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "not a number",
        "081234567O",  # a letter O typed for a zero
        "0812345ABC",  # letters a keypad would turn into a stranger's number
        "+243 81 ABC DEFG",
        "08123",  # too short
        "081234567",  # one digit missing
        "08123456789",  # one digit too many
        "+2438123456789",
        "+254 20 1234",  # a Kenyan (Nairobi) landline with digits missing
        "0" * 40,  # absurdly long
    ],
)
def test_it_refuses_what_is_not_a_phone_number(written: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise(written)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("+254712345678", "+254712345678"),  # Kenya (Safaricom)
        ("254712345678", "+254712345678"),  # Kenya, without the +
        ("+256 772 123456", "+256772123456"),  # Uganda
        ("0033612345678", "+33612345678"),  # France, dialled from the DRC
    ],
)
def test_a_valid_foreign_number_keeps_its_own_country(written: str, expected: str) -> None:
    assert normalise(written) == expected


def test_try_normalise_gives_none_instead_of_raising() -> None:
    assert try_normalise("0812345678") == "+243812345678"
    assert try_normalise("hello") is None
    assert try_normalise(None) is None


@pytest.mark.parametrize("e164", ["+243812345678", "+243991234567", "+254712345678"])
def test_a_masked_number_never_contains_the_full_number(e164: str) -> None:
    masked = mask(e164)

    assert e164 not in masked
    assert e164[1:] not in masked
    assert e164[4:] not in masked.replace(" ", "")  # not even the national part
    assert e164[6:9] not in masked.replace(" ", "").replace("*", "")  # the middle digits are hidden


def test_a_masked_number_still_shows_its_country_operator_prefix_and_last_digits() -> None:
    # Enough for a social worker to tell two callers apart, not enough to call them.
    assert mask("+243812345678") == "+243 81* *** *678"
    assert mask("+243812345678") != mask("+243812345679")


def test_a_masked_short_value_shows_nothing() -> None:
    assert mask("+2431") == "***"
