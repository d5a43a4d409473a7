"""Password hashing with argon2id (argon2-cffi), never our own; and the rules a password meets."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from trainer.errors import AccountError

MIN_LENGTH = 10
MAX_LENGTH = 256
_hasher = PasswordHasher()


def check_password_rules(password: str) -> None:
    """AccountError unless the password is 10-256 characters and not all one character."""
    if len(password) < MIN_LENGTH:
        raise AccountError(
            f"the password is too short ({len(password)} characters)",
            fix=f"use at least {MIN_LENGTH} characters",
        )
    if len(password) > MAX_LENGTH:
        raise AccountError("the password is too long", fix=f"use at most {MAX_LENGTH} characters")
    if len(set(password)) < 3:
        raise AccountError("the password is too simple", fix="mix several different characters")


def hash_password(password: str) -> str:
    """An argon2id hash of the password (rules checked first)."""
    check_password_rules(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches the stored hash; False for no hash or a corrupt one."""
    if not stored_hash or len(password) > MAX_LENGTH:
        # Spend the same time as a real check, so a missing account is not told apart by timing.
        _hasher.hash(password[:MAX_LENGTH] or "-")
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)
