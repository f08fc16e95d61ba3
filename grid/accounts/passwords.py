"""Password hashing (argon2id, memory-hard) and the password policy."""
import string
import unicodedata
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from grid.errors import DomainError

# zxcvbn's list of the 30,000 most common passwords, as a set for O(1) look-ups.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def hasher() -> PasswordHasher:
    cache = current_app.extensions.setdefault("grid_hasher", {})
    if "hasher" not in cache:
        cfg = current_app.config
        cache["hasher"] = PasswordHasher(
            time_cost=cfg["ARGON2_TIME_COST"],
            memory_cost=cfg["ARGON2_MEMORY_KIB"],
            parallelism=cfg["ARGON2_PARALLELISM"],
        )
    return cache["hasher"]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash, so timing does not reveal usernames."""
    ph = hasher()
    if password_hash is None:
        password_hash = current_app.extensions["grid_hasher"].setdefault("dummy", ph.hash("not a password"))
    try:
        return ph.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def character_classes(password: str) -> int:
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits]
    count = sum(any(c in cls for c in password) for cls in classes)
    return count + any(not c.isalnum() for c in password)


def check_password_policy(password: str, *, username: str) -> None:
    """Raise DomainError(field="password") naming every rule the password breaks."""
    cfg = current_app.config
    password = unicodedata.normalize("NFKC", password)
    problems = []
    if len(password) < cfg["PASSWORD_MIN_LENGTH"]:
        problems.append(_("at least %(n)s characters", n=cfg["PASSWORD_MIN_LENGTH"]))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2 or lowered == username.lower():
        problems.append(_("not a common password, a repeated character or your username"))
    if cfg["PASSWORD_POLICY"] == "dengbao" and character_classes(password) < 3:
        problems.append(_("at least three of: lower-case letters, upper-case letters, digits, symbols"))
    if problems:
        raise DomainError(_("The password must have: %(rules)s.", rules="; ".join(problems)), field="password")


def password_expired(changed_at: datetime, now: datetime) -> bool:
    cfg = current_app.config
    if cfg["PASSWORD_POLICY"] != "dengbao":
        return False
    return now - changed_at > timedelta(days=cfg["PASSWORD_MAX_AGE_DAYS"])
