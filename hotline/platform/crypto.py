"""Personal data at rest: phone numbers are encrypted, and found again only by a keyed hash.

Several Fernet keys may be configured: the first encrypts, every one decrypts, so a key can be
rotated without losing old rows. The lookup hash is an HMAC keyed by a key derived from a Fernet
key, so a leaked database alone does not let anyone test a known number against it.

During a rotation ("new,old") new rows are hashed with the first key, and lookups accept the hash
under every configured key (``lookup_hashes``, queried with ``IN``), so a row written under the
old key is still found; ``hotline keys rotate`` (hotline.privacy.keyrotation) then rewrites old rows.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class PiiError(Exception):
    """A stored value could not be decrypted with any configured key."""


def _hash_key(key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline phone lookup v1").derive(
        key.encode()
    )


class PiiCipher:
    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self._primary = Fernet(keys[0])
        self._hash_keys = tuple(_hash_key(k) for k in dict.fromkeys(keys))

    @property
    def rotating(self) -> bool:
        """True while more than one key is configured (old rows may still use an old key)."""
        return len(self._hash_keys) > 1

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise PiiError("stored value cannot be decrypted with the configured keys") from exc

    def needs_rotation(self, token: str) -> bool:
        """True when ``token`` was not encrypted with the first key."""
        try:
            self._primary.decrypt(token.encode())
        except InvalidToken:
            return True
        return False

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` with the first key (MultiFernet.rotate: same value, new key)."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise PiiError("stored value cannot be decrypted with the configured keys") from exc

    def lookup_hash(self, value: str) -> str:
        """A stable, keyed fingerprint of a normalised value, safe to index and to use in keys."""
        return self._digest(self._hash_keys[0], value)

    def lookup_hashes(self, value: str) -> tuple[str, ...]:
        """The fingerprint under every configured key, the first key's first: what a lookup
        accepts while a rotation is under way."""
        return tuple(self._digest(key, value) for key in self._hash_keys)

    def hashes_of(self, stored_hash: str, encrypted: str) -> tuple[str, ...]:
        """Every fingerprint of a stored number given its row's hash and ciphertext; outside a
        rotation that is the stored hash alone, without decrypting anything."""
        if not self.rotating or not encrypted:  # "" once retention removed the number
            return (stored_hash,)
        return tuple(dict.fromkeys((stored_hash, *self.lookup_hashes(self.decrypt(encrypted)))))

    def _digest(self, key: bytes, value: str) -> str:
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
