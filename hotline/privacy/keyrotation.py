"""Key rotation for personal data: move every stored value and fingerprint to the first key.

The procedure (docs/security-privacy.md, "Rotating the PII key"): put the new key first
(HOTLINE_PII_KEY="new,old") and restart; the service then writes with the new key and finds rows
under either. Run
``hotline keys rotate``: it re-encrypts every encrypted column with the first key
(``MultiFernet.rotate``) and re-hashes every fingerprint whose number it can read, in batches, each
batch committed. It is idempotent and resumable: a second run finds nothing to do, an interrupted
run goes on where the rows say. It prints counts only, and says whether any row still needs an
old key; when none does, the old key can be removed.

Two kinds of fingerprint cannot be re-hashed, because what they fingerprint is never stored: a
report's PIN (re-keyed the next time the right PIN is typed, see hotline.intake.lookups) and the number
of an anonymous reporter. They are counted, not guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hotline.models import (
    InboundMessage,
    OutboundMessage,
    PartnerWebhook,
    Report,
    ReporterContact,
    SmsOptOut,
    SocialWorker,
    User,
)
from hotline.platform.crypto import PiiError
from hotline.platform.runtime import Runtime
from hotline.sms.messages import SEALED

BATCH_SIZE = 500
# (model, encrypted column, its fingerprint column or None): every encrypted value we keep.
ENCRYPTED: tuple[tuple[Any, str, str | None], ...] = (
    (ReporterContact, "phone_encrypted", "phone_hash"),
    (SocialWorker, "phone_encrypted", "phone_hash"),
    (OutboundMessage, "recipient_encrypted", "recipient_hash"),
    (InboundMessage, "sender_encrypted", "sender_hash"),
    (User, "totp_secret_encrypted", None),
    (PartnerWebhook, "secret_encrypted", None),
)


@dataclass
class RotationResult:
    """Counts per table (never a value), and what still needs an old key."""

    reencrypted: dict[str, int] = field(default_factory=dict)
    rehashed: dict[str, int] = field(default_factory=dict)
    unreadable: int = 0  # values no configured key opens (they need a key that is not configured)
    unverifiable_fingerprints: int = 0  # anonymous reporters: the number was never stored
    pins: int = 0  # PINs of reports not yet purged: re-keyed when next typed

    @property
    def old_key_needed(self) -> bool:
        return self.unreadable > 0


def rotate(runtime: Runtime, batch_size: int = BATCH_SIZE) -> RotationResult:
    """Rotate everything to the first key (``renamed``: each known fingerprint -> the first key's).

    1. Each encrypted column, batch by batch: re-encrypt what is not under the first key and
       set the row's fingerprint to the first key's; remember old fingerprint -> new one.
    2. Fingerprints stored without their number (reports.reporter_hash, sms_opt_outs) move
       through that mapping; the remembered language in Redis moves with them.
    3. Count what cannot move (unreadable values, anonymous fingerprints, PINs).
    """
    result = RotationResult()
    renamed: dict[str, str] = {}
    for model, encrypted, hashed in ENCRYPTED:
        _rotate_table(runtime, result, renamed, model, encrypted, hashed, batch_size)
    _rotate_sealed_bodies(runtime, result, batch_size)
    _rehash_reports(runtime, result, renamed, batch_size)
    _rehash_opt_outs(runtime, result, renamed)
    _move_remembered_languages(runtime, renamed)
    with runtime.session() as session:
        result.pins = (
            session.scalar(
                select(func.count(Report.id)).where(Report.pin_hash.is_not(None), Report.purged_at.is_(None))
            )
            or 0
        )
    return result


def _batches(session: Session, model: Any, batch_size: int, *where: Any) -> Iterator[list[Any]]:
    """Rows by ascending id, one batch at a time (keyset pagination: no OFFSET, no long scan)."""
    last = 0
    while True:
        rows = list(
            session.scalars(select(model).where(model.id > last, *where).order_by(model.id).limit(batch_size))
        )
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _rotate_table(
    runtime: Runtime,
    result: RotationResult,
    renamed: dict[str, str],
    model: Any,
    encrypted: str,
    hashed: str | None,
    batch_size: int,
) -> None:
    cipher, name = runtime.cipher, model.__tablename__
    result.reencrypted.setdefault(name, 0)
    if hashed:
        result.rehashed.setdefault(name, 0)
    with runtime.session() as session:
        for rows in _batches(session, model, batch_size):
            for row in rows:
                token = getattr(row, encrypted)
                if not token:
                    continue
                try:
                    value = cipher.decrypt(token)
                    if cipher.needs_rotation(token):
                        setattr(row, encrypted, cipher.rotate(token))
                        result.reencrypted[name] += 1
                except PiiError:
                    result.unreadable += 1
                    continue
                if hashed:
                    current, *old = cipher.lookup_hashes(value)
                    renamed.update(dict.fromkeys((*old, current), current))
                    if getattr(row, hashed) != current:
                        setattr(row, hashed, current)
                        result.rehashed[name] += 1
            session.commit()


def _rotate_sealed_bodies(runtime: Runtime, result: RotationResult, batch_size: int) -> None:
    """SMS bodies kept encrypted (hotline.sms.messages.SEALED: the details quoting a call-back number)."""
    cipher, name = runtime.cipher, "outbound_messages.body"
    result.reencrypted[name] = 0
    with runtime.session() as session:
        for rows in _batches(session, OutboundMessage, batch_size, OutboundMessage.body.startswith(SEALED)):
            for row in rows:
                token = row.body[len(SEALED) :]
                if not cipher.needs_rotation(token):
                    continue
                try:
                    row.body = SEALED + cipher.rotate(token)
                except PiiError:
                    result.unreadable += 1
                    continue
                result.reencrypted[name] += 1
            session.commit()


def _rehash_reports(
    runtime: Runtime, result: RotationResult, renamed: dict[str, str], batch_size: int
) -> None:
    result.rehashed["reports"] = 0
    with runtime.session() as session:
        for rows in _batches(session, Report, batch_size):
            for report in rows:
                current = renamed.get(report.reporter_hash or "")
                if current is None and report.reporter_hash:
                    result.unverifiable_fingerprints += 1
                elif current is not None and current != report.reporter_hash:
                    report.reporter_hash = current
                    result.rehashed["reports"] += 1
            session.commit()


def _rehash_opt_outs(runtime: Runtime, result: RotationResult, renamed: dict[str, str]) -> None:
    result.rehashed["sms_opt_outs"] = 0
    with runtime.session() as session:
        stale = [h for h in session.scalars(select(SmsOptOut.phone_hash)) if renamed.get(h, h) != h]
        for old in stale:
            new = renamed[old]
            if session.get(SmsOptOut, new) is None:
                session.execute(update(SmsOptOut).where(SmsOptOut.phone_hash == old).values(phone_hash=new))
            else:  # the number sent STOP again after the new key came: one opt-out is enough
                session.execute(delete(SmsOptOut).where(SmsOptOut.phone_hash == old))
            result.rehashed["sms_opt_outs"] += 1
        session.commit()


def _move_remembered_languages(runtime: Runtime, renamed: dict[str, str]) -> None:
    # Drafts and flood counters live minutes or hours and simply restart; a language is kept a year.
    for old, new in renamed.items():
        if old == new:
            continue
        key = f"hotline:lang:{old}"
        if runtime.redis.exists(key):
            runtime.redis.renamenx(key, f"hotline:lang:{new}")
            runtime.redis.delete(key)
