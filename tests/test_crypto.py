"""Personal data at rest (hotline.platform.crypto): phone numbers encrypted, found again by a keyed hash."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from hotline.platform.crypto import PiiCipher, PiiError
from tests.support.environment import TEST_PII_KEY

PHONE = "+243812345678"
OLD_KEY = TEST_PII_KEY
NEW_KEY = "x4-2c1aoQ7OQ1kQk5ZmT2yk1zmWnQvZ5y0w9fKx3S0c="


@pytest.fixture
def cipher() -> PiiCipher:
    return PiiCipher((OLD_KEY,))


def test_an_encrypted_number_decrypts_to_the_same_number(cipher: PiiCipher) -> None:
    assert cipher.decrypt(cipher.encrypt(PHONE)) == PHONE


def test_the_stored_value_never_contains_the_number(cipher: PiiCipher) -> None:
    stored = cipher.encrypt(PHONE)

    assert PHONE not in stored
    assert PHONE[1:] not in stored
    assert "812345678" not in stored


def test_the_same_number_encrypted_twice_gives_two_different_values(cipher: PiiCipher) -> None:
    # Equal ciphertexts would let anyone reading the database see which reports share a reporter.
    assert cipher.encrypt(PHONE) != cipher.encrypt(PHONE)


def test_the_lookup_hash_is_stable_across_restarts(cipher: PiiCipher) -> None:
    assert cipher.lookup_hash(PHONE) == PiiCipher((OLD_KEY,)).lookup_hash(PHONE)


def test_the_lookup_hash_tells_numbers_apart_and_hides_them(cipher: PiiCipher) -> None:
    digest = cipher.lookup_hash(PHONE)

    assert digest != cipher.lookup_hash("+243812345679")
    assert "812345678" not in digest
    assert len(digest) == 64  # fits the phone_hash column


def test_the_lookup_hash_depends_on_the_key() -> None:
    # A leaked database without the key does not let anyone test a known number against it.
    assert PiiCipher((OLD_KEY,)).lookup_hash(PHONE) != PiiCipher((NEW_KEY,)).lookup_hash(PHONE)


def test_after_a_key_rotation_numbers_encrypted_with_the_old_key_still_decrypt() -> None:
    stored_before = PiiCipher((OLD_KEY,)).encrypt(PHONE)

    rotated = PiiCipher((NEW_KEY, OLD_KEY))

    assert rotated.decrypt(stored_before) == PHONE


def test_after_a_key_rotation_new_values_are_encrypted_with_the_new_key() -> None:
    stored_after = PiiCipher((NEW_KEY, OLD_KEY)).encrypt(PHONE)

    assert PiiCipher((NEW_KEY,)).decrypt(stored_after) == PHONE
    with pytest.raises(PiiError):
        PiiCipher((OLD_KEY,)).decrypt(stored_after)


def test_a_value_from_an_unknown_key_raises_pii_error(cipher: PiiCipher) -> None:
    foreign = PiiCipher((Fernet.generate_key().decode(),)).encrypt(PHONE)

    with pytest.raises(PiiError, match="cannot be decrypted"):
        cipher.decrypt(foreign)


def test_a_damaged_value_raises_pii_error_without_showing_it(cipher: PiiCipher) -> None:
    stored = cipher.encrypt(PHONE)
    damaged = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]

    with pytest.raises(PiiError) as info:
        cipher.decrypt(damaged)
    assert damaged not in str(info.value)


def test_a_cipher_needs_at_least_one_key() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        PiiCipher(())
