"""Console users: argon2 password hashes, TOTP second factor (secret encrypted at rest)."""

from __future__ import annotations

import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hotline.models import ROLES, ROLES_WITHOUT_AREAS, RecoveryCode, User
from hotline.platform.phones import InvalidPhone, normalise
from hotline.platform.runtime import Runtime

HASHER = PasswordHasher()
MIN_PASSWORD = 12
TOTP_ISSUER = "Hotline RDC"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B: read off paper


class UserError(ValueError):
    pass


def create_user(
    session: Session, runtime: Runtime, *, email: str, name: str, password: str, role: str, areas: list[str]
) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 200:
        raise UserError("email is not valid")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    bad = [a for a in areas if not runtime.locations.is_valid(a)]
    if bad:
        raise UserError(f"unknown area {', '.join(bad)}")
    if role not in ROLES_WITHOUT_AREAS and not areas:
        raise UserError("a user other than an admin needs at least one area")
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise UserError("a user with this email already exists")
    user = User(
        email=email,
        name=name.strip()[:120],
        password_hash=HASHER.hash(password),
        role=role,
        areas=areas,
        active=True,
        created_at=runtime.clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def check_password(user: User, password: str) -> bool:
    try:
        return HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    user.password_hash = HASHER.hash(password)


def set_alarm_phone(runtime: Runtime, user: User, phone: str | None, alarm_sms: bool) -> None:
    """A user's phone for the unanswered-report alarm SMS (kept encrypted), and whether they want
    it. No phone, no SMS: opting in needs one."""
    if phone and phone.strip():
        try:
            e164 = normalise(phone)
        except InvalidPhone:
            raise UserError("the phone number is not valid") from None
        user.phone_encrypted, user.phone_hash = runtime.cipher.encrypt(e164), runtime.cipher.lookup_hash(e164)
    else:
        user.phone_encrypted = user.phone_hash = None
    if alarm_sms and user.phone_encrypted is None:
        raise UserError("the alarm SMS needs a phone number")
    user.alarm_sms = alarm_sms


def new_totp_secret(runtime: Runtime, user: User) -> str:
    """Start enrolment: a fresh secret kept encrypted, not enabled until a code confirms it."""
    secret = pyotp.random_base32()
    user.totp_secret_encrypted = runtime.cipher.encrypt(secret)
    user.totp_enabled = False
    return secret


def totp_uri(runtime: Runtime, user: User) -> str:
    secret = runtime.cipher.decrypt(user.totp_secret_encrypted or "")
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def check_totp(runtime: Runtime, user: User, code: str) -> bool:
    if not user.totp_secret_encrypted:
        return False
    secret = runtime.cipher.decrypt(user.totp_secret_encrypted)
    return pyotp.TOTP(secret).verify(
        code.strip().replace(" ", ""), for_time=runtime.clock.now(), valid_window=1
    )


def reset_totp(user: User) -> None:
    user.totp_secret_encrypted, user.totp_enabled = None, False


def change_password(user: User, current: str, new: str) -> None:
    """A user's own change: the current password first, and a new one that differs from it."""
    if not check_password(user, current):
        raise UserError("the current password is wrong")
    if new == current:
        raise UserError("the new password must differ from the current one")
    set_password(user, new)
    user.must_change_password = False


def new_recovery_codes(session: Session, runtime: Runtime, user: User) -> list[str]:
    """Ten fresh one-time codes for a lost authenticator (the old ones stop working). Shown once;
    only their argon2 hashes are kept."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join(_code_part() for _ in range(2)) for _ in range(RECOVERY_CODES)]
    now = runtime.clock.now()
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=HASHER.hash(code), created_at=now) for code in codes
    )
    return codes


def use_recovery_code(session: Session, runtime: Runtime, user: User, typed: str) -> bool:
    """True, and the code spent, when ``typed`` is one of the user's unused recovery codes."""
    code = typed.strip().upper().replace(" ", "")
    if len(code) == 8:
        code = code[:4] + "-" + code[4:]
    unused = session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    for row in unused:
        try:
            HASHER.verify(row.code_hash, code)
        except (VerificationError, InvalidHashError):
            continue
        row.used_at = runtime.clock.now()
        return True
    return False


def recovery_codes_left(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def _code_part() -> str:
    return "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4))
