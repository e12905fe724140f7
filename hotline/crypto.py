"""Personal data at rest: phone numbers are encrypted, and found again only by a keyed hash.

Several Fernet keys may be configured: the first encrypts, every one decrypts, so a key can be
rotated without losing old rows. The lookup hash is an HMAC keyed by a key derived from the first
key, so a leaked database alone does not let anyone test a known number against it.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class PiiError(Exception):
    """A stored value could not be decrypted with any configured key."""


class PiiCipher:
    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self._hash_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline phone lookup v1"
        ).derive(keys[0].encode())

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise PiiError("stored value cannot be decrypted with the configured keys") from exc

    def lookup_hash(self, value: str) -> str:
        """A stable, keyed fingerprint of a normalised value, safe to index and to use in keys."""
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()
