"""Demo residents (grid.registry.demo_people): pure, no Flask app, no database."""

import random
import time
from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grid.registry.demo_people import (
    RELATIONS, DemoPerson, PeopleFactory, make_household_members, pick_birth_date,
)
from grid.registry.rules import age_on, parse_id_number, parse_phone

TODAY = date(2026, 3, 1)
HOUSEHOLDS = 10_000

Household = list[tuple[DemoPerson, str]]


@pytest.fixture(scope="module")
def run() -> tuple[list[Household], float]:
    started = time.perf_counter()
    households = PeopleFactory(2026).households(HOUSEHOLDS, TODAY)
    return households, time.perf_counter() - started


@pytest.fixture(scope="module")
def households(run) -> list[Household]:
    return run[0]


@pytest.fixture(scope="module")
def people(households) -> list[DemoPerson]:
    return [person for household in households for person, _ in household]


def ages(people: list[DemoPerson]) -> list[int]:
    return [age_on(person.birth_date, TODAY) for person in people]


def test_ten_thousand_households_take_under_two_seconds(run):
    assert run[1] < 2.0


def test_every_id_validates_and_matches_birth_date_and_gender(people):
    for person in people:
        identity = parse_id_number(person.id_number, today=TODAY)
        assert identity.value == person.id_number
        assert identity.birth_date == person.birth_date
        assert identity.gender == person.gender


def test_no_duplicate_ids_or_phones(people):
    assert len({person.id_number for person in people}) == len(people)
    phones = [person.phone for person in people if person.phone is not None]
    assert len(set(phones)) == len(phones)


def test_household_size(households, people):
    assert 2.2 <= len(people) / len(households) <= 2.8
    sizes = Counter(len(household) for household in households)
    assert min(sizes) >= 1 and max(sizes) <= 6


def test_age_structure(people):
    years = ages(people)
    assert 0.15 <= sum(age >= 60 for age in years) / len(years) <= 0.30
    assert 0.10 <= sum(age < 18 for age in years) / len(years) <= 0.25
    assert max(years) <= 100


def test_shares_of_shapes(households):
    singles = [household[0][0] for household in households if len(household) == 1]
    elderly_alone = sum(age_on(person.birth_date, TODAY) >= 65 for person in singles)
    assert 0.05 <= elderly_alone / len(households) <= 0.11
    elderly_couples = sum(
        len(household) == 2 and household[1][1] == "配偶"
        and min(ages([person for person, _ in household])) >= 60
        for household in households)
    assert 0.07 <= elderly_couples / len(households) <= 0.13


def test_most_ids_are_from_hangzhou_and_some_from_other_provinces(people):
    other_provinces = sum(not person.id_number.startswith("33") for person in people) / len(people)
    hangzhou = sum(person.id_number.startswith("3301") for person in people) / len(people)
    assert 0.10 <= other_provinces <= 0.20
    assert hangzhou >= 0.7


def test_ethnicity(people):
    counts = Counter(person.ethnicity for person in people)
    assert 0.96 <= counts["汉族"] / len(people) <= 0.995
    assert set(counts) <= {"汉族", "回族", "满族", "畲族", "土家族", "苗族"}


def test_names_and_phones(people):
    for person in people:
        assert 2 <= len(person.name) <= 4
        assert all("\u4e00" <= char <= "\u9fff" for char in person.name)
        if person.phone is not None:
            assert parse_phone(person.phone) == person.phone
        if age_on(person.birth_date, TODAY) < 10:
            assert person.phone is None
    adults = [person for person in people if age_on(person.birth_date, TODAY) >= 18]
    assert sum(person.phone is not None for person in adults) / len(adults) >= 0.75


def test_relations_are_consistent(households):
    for household in households:
        relations = [relation for _, relation in household]
        assert relations[0] == "户主" and relations.count("户主") == 1
        assert set(relations) <= set(RELATIONS)
        assert relations.count("配偶") <= 1
        head = household[0][0]
        head_age = age_on(head.birth_date, TODAY)
        for person, relation in household[1:]:
            age = age_on(person.birth_date, TODAY)
            if relation == "子女":
                assert 20 <= head_age - age <= 40, (head, person)
            elif relation == "父母":
                assert 20 <= age - head_age <= 40, (head, person)
            elif relation == "孙子女":
                assert 40 <= head_age - age <= 80, (head, person)
            elif relation == "配偶":
                assert person.gender != head.gender
                assert abs(age - head_age) <= 12


def test_children_are_20_to_40_years_younger_than_both_parents(households):
    for household in households:
        relations = [relation for _, relation in household]
        if "配偶" in relations and "子女" in relations and "孙子女" not in relations:
            parents = [person for person, relation in household if relation in ("户主", "配偶")]
            for child, relation in household:
                if relation == "子女":
                    for parent in parents:
                        gap = age_on(parent.birth_date, TODAY) - age_on(child.birth_date, TODAY)
                        assert 20 <= gap <= 40


def test_deterministic_for_a_seed():
    first = PeopleFactory(7).households(200, TODAY)
    assert first == PeopleFactory(7).households(200, TODAY)
    assert first == PeopleFactory(random.Random(7)).households(200, TODAY)
    assert first != PeopleFactory(8).households(200, TODAY)


def test_make_household_members_with_shared_sets():
    rng = random.Random(1)
    used_ids: set[str] = set()
    people = [person for _ in range(500)
              for person, _ in make_household_members(rng, today=TODAY, used_ids=used_ids)]
    assert len(used_ids) == len(people) == len({person.id_number for person in people})


@given(st.integers(0, 2**32), st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(0, 99))
def test_pick_birth_date_gives_the_requested_age(seed, today, age):
    born = pick_birth_date(random.Random(seed), today, age)
    assert age_on(born, today) == age


def test_pick_birth_date_on_leap_day():
    today = date(2024, 2, 29)
    for seed in range(200):
        for age in (0, 1, 4, 23):
            assert age_on(pick_birth_date(random.Random(seed), today, age), today) == age
