"""Registry rules (grid.registry.rules): pure, no Flask app, no database."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grid.registry import rules
from grid.registry.rules import (
    ABLE, NEEDS_HELP, SELF_CARE_ITEMS, SELF_CARE_LEVELS, UNABLE, IdentityNumber, RuleError,
    age_on, assess_self_care, check_id_consistency, compute_check_digit, mask_id_number,
    mask_phone, normalise_id_number, normalise_phone, parse_id_number, parse_phone,
)

TODAY = date(2026, 3, 1)
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)} | {"X": "Ｘ", "x": "ｘ"}
SEPARATORS = (" ", "\u3000", "\t", "\u00a0", "-", "－", "\u2010", "\u200b", "\n")


def make_id(first17: str) -> str:
    return first17 + compute_check_digit(first17)


def raises_kind(kind: str, raw: str, **params) -> RuleError:
    with pytest.raises(RuleError) as caught:
        parse_id_number(raw, today=TODAY)
    assert caught.value.kind == kind
    for key, value in params.items():
        assert caught.value.params[key] == value
    return caught.value


@st.composite
def valid_ids(draw) -> tuple[str, date, int]:
    """(ID, birth date, sequence) with a valid province, real birth date and check digit."""
    province = draw(st.sampled_from(sorted(rules.PROVINCE_CODES)))
    rest = draw(st.integers(0, 9999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(0, 999))
    first17 = f"{province}{rest:04d}{born:%Y%m%d}{sequence:03d}"
    return make_id(first17), born, sequence


# --- ID numbers: properties --------------------------------------------------------

@given(valid_ids())
def test_valid_ids_parse_and_round_trip(case):
    value, born, sequence = case
    identity = parse_id_number(value, today=TODAY)
    assert identity.value == value
    assert identity.birth_date == born
    assert identity.gender == ("male" if sequence % 2 else "female")
    assert identity.region == value[:6]
    check_id_consistency(identity, birth_date=born, gender=identity.gender)


@given(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_changing_any_single_character_is_rejected(case, position, replacement):
    value = case[0]
    if replacement == value[position]:
        replacement = "0" if value[position] != "0" else "1"
    changed = value[:position] + replacement + value[position + 1:]
    assert len(changed) == 18
    with pytest.raises(RuleError):
        parse_id_number(changed, today=TODAY)


@given(valid_ids(), st.integers(0, 17), st.integers(1, 9))
def test_changing_a_digit_is_caught_by_the_check_digit(case, position, delta):
    # Every weight is non-zero mod 11 (a prime), so any one-digit change moves
    # the weighted sum: the check digit catches it even when the rest looks fine.
    value = case[0]
    if value[position] == "X":
        return
    digit = str((int(value[position]) + delta) % 10)
    changed = value[:position] + digit + value[position + 1:]
    first17 = changed[:17]
    assert compute_check_digit(first17) != changed[17]


@given(st.text())
def test_normalise_id_number_is_idempotent(raw):
    once = normalise_id_number(raw)
    assert normalise_id_number(once) == once


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_normalise_id_number_leaves_no_whitespace_or_hyphen(raw):
    result = normalise_id_number(raw)
    assert not any(c.isspace() or c in "-－‐" for c in result)
    assert "x" not in result


@given(valid_ids(), st.data())
def test_full_width_and_separators_normalise_to_the_same_id(case, data):
    value = case[0]
    variant = ""
    for char in value:
        if char == "X" and data.draw(st.booleans()):
            char = "x"
        if data.draw(st.booleans()):
            char = FULL_WIDTH[char]
        variant += char + data.draw(st.sampled_from(("",) * 4 + SEPARATORS))
    variant = data.draw(st.sampled_from(SEPARATORS)) + variant
    assert normalise_id_number(variant) == value
    assert parse_id_number(variant, today=TODAY).value == value


@given(valid_ids(), st.sampled_from(("", " ", "\u3000")))
def test_mask_id_number_never_reveals_birth_date_and_sequence(case, separator):
    value = case[0]
    raw = value[:6] + separator + value[6:14] + separator + value[14:]
    masked = mask_id_number(raw)
    assert masked == value[:6] + "*" * 8 + value[14:]
    assert value[6:14] not in masked


@given(st.dictionaries(st.sampled_from(SELF_CARE_ITEMS), st.sampled_from((ABLE, NEEDS_HELP, UNABLE)),
                       min_size=6, max_size=6),
       st.sampled_from(SELF_CARE_ITEMS), st.sampled_from((NEEDS_HELP, UNABLE)))
def test_assess_self_care_is_monotonic(items, item, worse):
    order = (ABLE, NEEDS_HELP, UNABLE)
    if order.index(worse) <= order.index(items[item]):
        return
    before = SELF_CARE_LEVELS.index(assess_self_care(items))
    after = SELF_CARE_LEVELS.index(assess_self_care(items | {item: worse}))
    assert after >= before


def birthday_in(born: date, year: int) -> date:
    """The birthday celebrated in `year`: 29 February moves to 1 March in non-leap years."""
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(0, 200 * 366))
def test_age_on_counts_birthdays(born, days):
    day = born + timedelta(days=days)
    if day.year > 9998:
        return
    age = age_on(born, day)
    assert birthday_in(born, born.year + age) <= day < birthday_in(born, born.year + age + 1)


# --- ID numbers: examples ------------------------------------------------------------

def test_real_looking_example_validates():
    assert compute_check_digit("11010519491231002") == "X"
    identity = parse_id_number("11010519491231002X", today=TODAY)
    assert identity == IdentityNumber("11010519491231002X", date(1949, 12, 31), "female", "110105")
    assert parse_id_number("11010519491231002x", today=TODAY).value == "11010519491231002X"


def test_full_width_example():
    assert parse_id_number("１１０１０５　１９４９１２３１　００２ｘ", today=TODAY).value == "11010519491231002X"


def test_repr_hides_the_number():
    identity = parse_id_number("11010519491231002X", today=TODAY)
    assert "19491231" not in repr(identity)


def test_id_length():
    raises_kind("id_length", "1101051949123100", length=16)
    error = raises_kind("id_length", "110105491231002", length=15, old=True)
    assert error.params["old"] is True
    assert "old" not in raises_kind("id_length", "11010519491231002X1").params
    raises_kind("id_length", "", length=0)


def test_id_characters():
    raises_kind("id_characters", "1101051949123100XX")
    raises_kind("id_characters", "11010519491231002Y")
    raises_kind("id_characters", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")  # Arabic-Indic digits are not ASCII


@pytest.mark.parametrize("region", ["000000", "100000", "160000", "200000", "380000", "470000",
                                    "550000", "660000", "720000", "840000", "990000"])
def test_id_region(region):
    raises_kind("id_region", make_id(region + "19900307123"), region=region)


@pytest.mark.parametrize("province", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54",
                                      "61", "65", "71", "81", "82", "83"])
def test_every_province_range_end_is_accepted(province):
    parse_id_number(make_id(province + "010119900307123"), today=TODAY)


@pytest.mark.parametrize("digits", ["19990230", "19991301", "19990000", "18991231", "00000101"])
def test_id_birth_date(digits):
    raises_kind("id_birth_date", make_id("110101" + digits + "123"), value=digits)


def test_birth_date_limits():
    parse_id_number(make_id("11010119000101123"), today=TODAY)
    parse_id_number(make_id("11010120000229123"), today=TODAY)
    raises_kind("id_birth_date", make_id("11010119000229123"))  # 1900 is not a leap year


def test_id_birth_future():
    raises_kind("id_birth_future", make_id("11010120260302123"), value="2026-03-02")
    parse_id_number(make_id("11010120260301123"), today=TODAY)  # born today is fine


def test_id_check_digit():
    raises_kind("id_check_digit", "110105194912310021", expected="X", given="1")


def test_check_order_reports_the_first_failure():
    # Bad region and bad date: the region comes first.
    raises_kind("id_region", make_id("00000019990230123"))


def test_id_birth_mismatch():
    identity = parse_id_number("11010519491231002X", today=TODAY)
    with pytest.raises(RuleError) as caught:
        check_id_consistency(identity, birth_date=date(1949, 12, 30), gender=None)
    assert caught.value.kind == "id_birth_mismatch"
    assert caught.value.params == {"id_date": "1949-12-31", "given": "1949-12-30"}


def test_id_gender_mismatch():
    identity = parse_id_number("11010519491231002X", today=TODAY)
    with pytest.raises(RuleError) as caught:
        check_id_consistency(identity, birth_date=date(1949, 12, 31), gender="male")
    assert caught.value.kind == "id_gender_mismatch"
    assert caught.value.params == {"id_gender": "female", "given": "male"}
    check_id_consistency(identity, birth_date=None, gender=None)


def test_rule_error_is_a_value_error_with_kind_and_params():
    error = RuleError("phone", value="123")
    assert isinstance(error, ValueError)
    assert (error.kind, error.params) == ("phone", {"value": "123"})
    assert "phone" in str(error)


@pytest.mark.parametrize("value, masked", [
    ("110101199003071234", "110101********1234"),
    ("", ""),
    ("110101900307123", "110**********23"),
    ("1234567", "123**67"),
    ("12345", "*****"),
])
def test_mask_id_number_examples(value, masked):
    assert mask_id_number(value) == masked


# --- Phones ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("+86-13812345678", "13812345678"),
    ("0086 13812345678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("(0571) 8765-4321", "057187654321"),
    ("（0571）87654321", "057187654321"),
    ("010-12345678", "01012345678"),
    ("0571-8765432", "05718765432"),
    ("+86 571 8765 4321", "057187654321"),
    ("0086 10 12345678", "01012345678"),
])
def test_parse_phone_accepts(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12812345678", "1381234567", "138123456789", "23812345678",
                                 "0012345678", "0571876", "+1 415 555 0100", "1381234567x",
                                 "١٣٨١٢٣٤٥٦٧٨", "+8613812345678+"])
def test_parse_phone_refuses(raw):
    with pytest.raises(RuleError) as caught:
        parse_phone(raw)
    assert caught.value.kind == "phone"
    assert caught.value.params == {"value": raw}


def test_normalise_phone_keeps_a_leading_plus():
    assert normalise_phone("+1 (415) 555-0100") == "+14155550100"


@pytest.mark.parametrize("value, masked", [
    ("13812345678", "138****5678"),
    ("057187654321", "0571****4321"),
    ("01012345678", "010****5678"),
    ("12345", "***45"),
    ("12", "**"),
    ("", ""),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mask_phone_hides_the_middle_of_any_mobile(mobile):
    assert mask_phone(mobile) == mobile[:3] + "****" + mobile[7:]
    assert parse_phone(mobile) == mobile


# --- Age ----------------------------------------------------------------------------------

def test_age_on():
    assert age_on(date(1990, 3, 7), date(2026, 3, 6)) == 35
    assert age_on(date(1990, 3, 7), date(2026, 3, 7)) == 36
    assert age_on(date(2026, 3, 1), date(2026, 3, 1)) == 0
    with pytest.raises(ValueError):
        age_on(date(2026, 3, 2), date(2026, 3, 1))


def test_age_on_leap_day_birthday():
    born = date(2000, 2, 29)
    assert age_on(born, date(2023, 2, 28)) == 22
    assert age_on(born, date(2023, 3, 1)) == 23
    assert age_on(born, date(2024, 2, 28)) == 23
    assert age_on(born, date(2024, 2, 29)) == 24


# --- Self-care --------------------------------------------------------------------------

def items_with(unable: int = 0, needs_help: int = 0) -> dict[str, str]:
    values = [UNABLE] * unable + [NEEDS_HELP] * needs_help
    values += [ABLE] * (len(SELF_CARE_ITEMS) - len(values))
    return dict(zip(SELF_CARE_ITEMS, values))


@pytest.mark.parametrize("unable, needs_help, expected", [
    (0, 0, "independent"),
    (0, 1, "partially_dependent"),
    (0, 6, "partially_dependent"),
    (1, 0, "partially_dependent"),
    (4, 2, "partially_dependent"),
    (5, 0, "fully_dependent"),
    (5, 1, "fully_dependent"),
    (6, 0, "fully_dependent"),
])
def test_assess_self_care(unable, needs_help, expected):
    assert assess_self_care(items_with(unable, needs_help)) == expected


def test_self_care_items_errors():
    items = items_with() | {"bathing": "sometimes"}
    del items["eating"]
    with pytest.raises(RuleError) as caught:
        assess_self_care(items)
    assert caught.value.kind == "self_care_items"
    assert caught.value.params == {"missing": ["eating"], "bad": ["bathing"], "unknown": []}
    with pytest.raises(RuleError) as caught:
        assess_self_care(items_with() | {"swimming": ABLE})
    assert caught.value.params["unknown"] == ["swimming"]
    with pytest.raises(RuleError) as caught:
        assess_self_care({})
    assert caught.value.params["missing"] == list(SELF_CARE_ITEMS)
