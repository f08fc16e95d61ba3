"""Validation rules for resident records: ID numbers, phone numbers, ages and
self-care ability.

Pure module: no Flask, no database.  Every refusal is a `RuleError` whose
`kind` names the broken rule and whose `params` fill in the user-facing
message, so callers translate without parsing text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from operator import mul

__all__ = [
    "ABLE", "NEEDS_HELP", "UNABLE", "SELF_CARE_ITEMS", "SELF_CARE_LEVELS",
    "IdentityNumber", "RuleError",
    "age_on", "assess_self_care", "check_id_consistency", "compute_check_digit",
    "mask_id_number", "mask_phone", "normalise_id_number", "normalise_phone",
    "parse_id_number", "parse_phone",
]


class RuleError(ValueError):
    """A value breaks a rule. `.kind` is machine-readable, `.params` a dict for the message."""

    def __init__(self, kind: str, **params: object) -> None:
        self.kind = kind
        self.params = params
        detail = ", ".join(f"{key}={value!r}" for key, value in params.items())
        super().__init__(f"{kind} ({detail})" if detail else kind)


# --- Resident identity numbers (GB 11643-1999) ----------------------------------

ID_LENGTH = 18
OLD_ID_LENGTH = 15
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)

# First two digits: provinces (GB/T 2260), plus 81/82/83 which are used by the
# residence permits of Hong Kong, Macao and Taiwan residents.
PROVINCE_CODES = frozenset(
    [f"{n}" for n in range(11, 16)] + [f"{n}" for n in range(21, 24)]
    + [f"{n}" for n in range(31, 38)] + [f"{n}" for n in range(41, 47)]
    + [f"{n}" for n in range(50, 55)] + [f"{n}" for n in range(61, 66)]
    + ["71", "81", "82", "83"]
)

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
# Hyphen-like characters people paste between digit groups; NFKC leaves most of
# them alone (it only maps the full-width hyphen-minus).
_MINUS_SIGNS = frozenset("\u2212\u2796\ufe63")


@dataclass(frozen=True, repr=False)
class IdentityNumber:
    """A valid 18-digit resident ID (GB 11643-1999) and what it encodes."""

    value: str  # normalised: 17 digits + digit or upper-case 'X'
    birth_date: date
    gender: str  # "male" / "female" (17th digit odd = male)
    region: str  # first 6 digits

    def __repr__(self) -> str:
        # Masked, so that logging an IdentityNumber does not leak the number.
        return (f"IdentityNumber(value={mask_id_number(self.value)!r}, "
                f"birth_date=..., gender={self.gender!r}, region={self.region!r})")


def _is_separator(char: str) -> bool:
    """Whitespace, dashes, minus signs and invisible format characters (ZWSP, BOM…)."""
    category = unicodedata.category(char)
    return char.isspace() or category in ("Pd", "Cf", "Zs") or char in _MINUS_SIGNS


def _normalise_step(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not _is_separator(c)).replace("x", "X")


def normalise_id_number(raw: str) -> str:
    """NFKC (full-width → ASCII), drop all whitespace and hyphens, upper-case 'x'.

    Never raises; the result may still be invalid.  Idempotent for any input.
    """
    if raw.isascii() and raw.isalnum() and "x" not in raw:
        # Already clean (what nearly every ledger cell holds): nothing to change.
        return raw
    # Dropping a separator can bring a base letter next to a combining mark,
    # which NFKC then composes; repeat until nothing changes so the function is
    # idempotent.  Terminates: after the first pass the text only gets shorter.
    text = _normalise_step(raw)
    while (again := _normalise_step(text)) != text:
        text = again
    return text


def compute_check_digit(first17: str) -> str:
    """GB 11643 check character for 17 digits: weighted sum mod 11 → "10X98765432"."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(map(mul, map(int, first17), ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def _parse_birth_date(digits: str) -> date | None:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def parse_id_number(raw: str, *, today: date) -> IdentityNumber:
    """Normalise and validate an 18-digit resident ID, or raise `RuleError`.

    Checks, in this order (the first failure is reported):
    id_length (length, old=True for a 15-digit first-generation ID),
    id_characters, id_region (region), id_birth_date (value),
    id_birth_future (value), id_check_digit (expected, given).
    """
    value = normalise_id_number(raw)
    if len(value) != ID_LENGTH:
        if len(value) == OLD_ID_LENGTH and value.isascii() and value.isdigit():
            # First-generation IDs expired in 2013; ask for the 18-digit one.
            raise RuleError("id_length", length=len(value), old=True)
        raise RuleError("id_length", length=len(value))
    if not _ID_SHAPE.fullmatch(value):
        raise RuleError("id_characters")
    if value[:2] not in PROVINCE_CODES:
        raise RuleError("id_region", region=value[:6])
    birth_digits = value[6:14]
    birth_date = _parse_birth_date(birth_digits)
    if birth_date is None or birth_date < EARLIEST_BIRTH:
        raise RuleError("id_birth_date", value=birth_digits)
    if birth_date > today:
        raise RuleError("id_birth_future", value=birth_date.isoformat())
    expected = compute_check_digit(value[:17])
    if value[17] != expected:
        raise RuleError("id_check_digit", expected=expected, given=value[17])
    gender = "male" if int(value[16]) % 2 == 1 else "female"
    return IdentityNumber(value=value, birth_date=birth_date, gender=gender, region=value[:6])


def check_id_consistency(identity: IdentityNumber, *, birth_date: date | None,
                         gender: str | None) -> None:
    """Raise `RuleError` when a separately entered value contradicts the ID.

    None means "not given" and is never a contradiction.  Kinds:
    id_birth_mismatch (id_date, given), id_gender_mismatch (id_gender, given).
    """
    if birth_date is not None and birth_date != identity.birth_date:
        raise RuleError("id_birth_mismatch", id_date=identity.birth_date.isoformat(),
                        given=birth_date.isoformat())
    if gender is not None and gender != identity.gender:
        raise RuleError("id_gender_mismatch", id_gender=identity.gender, given=gender)


def _mask_middle(text: str, keep_start: int, keep_end: int, stars: int | None = None) -> str:
    hidden = len(text) - keep_start - keep_end
    return text[:keep_start] + "*" * (hidden if stars is None else stars) + text[len(text) - keep_end:]


def mask_id_number(value: str) -> str:
    """Hide the birth date and sequence: "110101199003071234" → "110101********1234".

    The input is normalised first.  Other lengths keep the first 3 and last 2
    characters with a star for each hidden one; 5 characters or fewer become
    all stars (keeping 3 + 2 would hide nothing).  Empty stays empty.
    """
    text = normalise_id_number(value)
    if len(text) == ID_LENGTH:
        return _mask_middle(text, 6, 4)
    if len(text) <= 5:
        return "*" * len(text)
    return _mask_middle(text, 3, 2)


# --- Phone numbers ------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Trunk prefix 0, area code (2–3 digits, never starting with 0: "00" is the
# international prefix), local number; 10–12 digits in all.
_LANDLINE = re.compile(r"0[1-9][0-9]{8,10}")
_PHONE_SEPARATORS = frozenset("-()（）")


def normalise_phone(raw: str) -> str:
    """NFKC, drop whitespace/hyphens/parentheses, drop the China prefix of a mobile.

    A leading '+' is kept.  "+86", "0086" or "86" before an 11-digit mobile is
    removed; "+86"/"0086" before a landline without its trunk 0 becomes "0"
    ("+86 571 8765 4321" → "057187654321").  Never raises.
    """
    if raw.isascii() and raw.isdigit():
        # Digits only (nearly every ledger cell): nothing for NFKC or the separators to do.
        text = raw
    else:
        text = unicodedata.normalize("NFKC", raw)
        text = "".join(c for c in text if not (_is_separator(c) or c in _PHONE_SEPARATORS))
    for prefix in ("+86", "0086", "86"):
        rest = text[len(prefix):]
        if text.startswith(prefix) and _MOBILE.fullmatch(rest):
            return rest
    for prefix in ("+86", "0086"):
        rest = text[len(prefix):]
        if text.startswith(prefix) and _LANDLINE.fullmatch("0" + rest):
            return "0" + rest
    return text


def parse_phone(raw: str) -> str:
    """Return the normalised number if it is a mainland mobile or landline.

    Mobile: 1[3-9] + 9 digits.  Landline: 0 + area code + local number, 10–12
    digits.  Otherwise raise `RuleError("phone", value=raw)`.
    """
    value = normalise_phone(raw)
    if _MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value):
        return value
    raise RuleError("phone", value=raw)


def mask_phone(value: str) -> str:
    """"13812345678" → "138****5678"; "057187654321" → "0571****4321".

    Landlines keep the area code (3 characters for 010/02x, else 4) and the
    last 4 digits.  Anything else becomes stars except the last 2 characters
    (all stars if 2 characters or fewer).  Empty stays empty.
    """
    text = normalise_phone(value)
    if _MOBILE.fullmatch(text):
        return _mask_middle(text, 3, 4, stars=4)
    if _LANDLINE.fullmatch(text):
        area = 3 if text[1] in "12" else 4
        return _mask_middle(text, area, 4, stars=4)
    if len(text) <= 2:
        return "*" * len(text)
    return _mask_middle(text, 0, 2)


# --- Age ------------------------------------------------------------------------------

def age_on(birth_date: date, day: date) -> int:
    """Completed years on `day`; raises ValueError if `day` is before birth.

    Someone born on 29 February turns a year older on 1 March in non-leap
    years (comparing (month, day) pairs gives exactly that).
    """
    if day < birth_date:
        raise ValueError("day is before the birth date")
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# --- Self-care ability (老年人日常生活自理能力) ------------------------------------

# eating 吃饭, dressing 穿衣, transfer 上下床, toilet 如厕, walking 室内走动, bathing 洗澡
SELF_CARE_ITEMS = ("eating", "dressing", "transfer", "toilet", "walking", "bathing")
ABLE, NEEDS_HELP, UNABLE = "able", "needs_help", "unable"
ITEM_VALUES = (ABLE, NEEDS_HELP, UNABLE)
# Results from best to worst.
SELF_CARE_LEVELS = ("independent", "partially_dependent", "fully_dependent")
FULLY_DEPENDENT_MIN_UNABLE = 5


def assess_self_care(items: Mapping[str, str]) -> str:
    """Classify self-care ability from the six items (each able/needs_help/unable).

    Follows the 民政 classification that counts the items a person cannot do
    (1–2 mild, 3–4 moderate, 5–6 severe disability):
    - "independent" (自理): every item is able;
    - "fully_dependent" (完全丧失): 5 or 6 items unable;
    - "partially_dependent" (部分丧失): anything else, including needing help
      with any item while being unable to do at most 4.
    Monotonic: making any item worse never gives a better result.
    Raises RuleError("self_care_items", missing=[...], bad=[...], unknown=[...])
    when an item is missing, has another value, or an unknown key is present;
    the lists follow SELF_CARE_ITEMS order (unknown ones sorted).
    """
    missing = [name for name in SELF_CARE_ITEMS if name not in items]
    bad = [name for name in SELF_CARE_ITEMS if name in items and items[name] not in ITEM_VALUES]
    unknown = sorted(str(key) for key in items if key not in SELF_CARE_ITEMS)
    if missing or bad or unknown:
        raise RuleError("self_care_items", missing=missing, bad=bad, unknown=unknown)
    unable = sum(items[name] == UNABLE for name in SELF_CARE_ITEMS)
    if unable >= FULLY_DEPENDENT_MIN_UNABLE:
        return "fully_dependent"
    if all(items[name] == ABLE for name in SELF_CARE_ITEMS):
        return "independent"
    return "partially_dependent"
