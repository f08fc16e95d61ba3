"""Realistic, deterministic demo residents for the Hangzhou demo district.

`PeopleFactory(seed).household(today)` returns one household as a list of
(DemoPerson, relation to the head).  The factory remembers every ID and
phone number it issued, so a whole run never repeats one; 10,000 households
(about 25,000 people) take a fraction of a second.  Same seed and same days
→ same people.  Pure module: no Flask, no database.

Household shapes and their shares are tuned so that, like an urban
Hangzhou district, a household averages about 2.5 persons, about a fifth of
the residents are 60 or older, about 15 % are under 18, and about 15 % hold
an ID from another province (migrants, 人在户不在).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from grid.registry.rules import compute_check_digit

__all__ = ["RELATIONS", "DemoPerson", "PeopleFactory", "make_household_members"]

RELATIONS = ("户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他")
HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD, SIBLING, OTHER = RELATIONS

MALE, FEMALE = "male", "female"

# Surnames with rough frequencies (per mille of the population, rounded).
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 72), ("李", 72), ("张", 68), ("刘", 54), ("陈", 46), ("杨", 32), ("黄", 24),
    ("赵", 22), ("吴", 21), ("周", 21), ("徐", 17), ("孙", 15), ("马", 15), ("朱", 14),
    ("胡", 13), ("郭", 12), ("何", 12), ("林", 11), ("高", 11), ("罗", 11), ("郑", 10),
    ("梁", 9), ("谢", 8), ("宋", 8), ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7),
    ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 6), ("董", 6), ("潘", 5), ("袁", 5),
    ("蔡", 5), ("蒋", 5), ("余", 5), ("于", 5), ("杜", 5), ("叶", 5), ("程", 5), ("魏", 4),
    ("苏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("钟", 3),
    ("姜", 3), ("崔", 3), ("谭", 3), ("陆", 3), ("范", 3), ("汪", 3), ("廖", 3), ("石", 3),
    ("金", 3), ("韦", 3), ("贾", 3), ("夏", 3), ("付", 3), ("方", 3), ("邹", 2), ("熊", 2),
    ("白", 2), ("孟", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2),
    ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2),
    ("覃", 1), ("武", 1), ("戴", 2), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("俞", 1),
    ("楼", 1), ("应", 1), ("童", 1), ("欧阳", 0.3), ("诸葛", 0.1), ("司马", 0.1),
)
_SURNAME_LIST = tuple(name for name, _ in SURNAMES)
_SURNAME_CUM = tuple(accumulate(weight for _, weight in SURNAMES))

# Given-name characters by gender and birth era, because names follow fashions
# (建国 and 秀英 are grandparents, 梓轩 and 欣怡 are schoolchildren).
_GIVEN_CHARS: dict[tuple[str, str], str] = {
    (MALE, "old"): "建国华明德福荣兴忠文志强海庆军林生根宝金祥伟平民新永正",
    (MALE, "mid"): "伟强磊军勇杰涛明超刚平辉鹏华飞斌波峰俊健宇斌晓东亮剑锋春",
    (MALE, "young"): "浩宇轩子梓涵睿泽博文一晨皓然俊熙铭哲奕诚辰逸航宸嘉乐阳昊",
    (FEMALE, "old"): "秀英兰珍桂芳凤玉华梅翠琴淑云菊美荣花娣彩月金素爱红",
    (FEMALE, "mid"): "丽娟敏静燕艳霞红玲芳婷雪琳颖萍慧洁莉琴晓丹佳蕾倩娜",
    (FEMALE, "young"): "欣怡涵梓萱诗雨可馨子琪一诺紫语思佳悦雅若依安然瑶晗语",
}

ETHNIC_MINORITIES = ("回族", "满族", "畲族", "土家族", "苗族")
MINORITY_SHARE = 0.02

# Hangzhou districts that existed for every birth year we generate.
HANGZHOU_REGIONS = ("330102", "330105", "330106", "330108", "330109", "330110")
# 下城/江干 were merged away in April 2021 and 临平/钱塘 created then; IDs keep
# the code in force at registration, so the choice depends on the birth date.
HANGZHOU_BEFORE_2021 = ("330103", "330104")
HANGZHOU_FROM_2021 = ("330113", "330114")
REGION_REFORM = date(2021, 4, 9)
OTHER_ZHEJIANG = ("330203", "330302", "330402", "330502", "330602", "330702", "331002")
OTHER_PROVINCES = (
    "340102", "341221", "341222", "341623",  # Anhui: Hefei, Fuyang, Bozhou
    "360102", "361128",                      # Jiangxi: Nanchang, Poyang
    "410102", "411381", "411524",            # Henan
    "420102", "430102", "510104", "511321",  # Hubei, Hunan, Sichuan
    "520102", "500101", "320106", "370102", "620102",
)

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "191", "195", "198", "199",
)

# (shape, weight, share of such households that are migrants).
HOUSEHOLD_SHAPES: tuple[tuple[str, float, float], ...] = (
    ("elderly_alone", 0.08, 0.02),
    ("elderly_couple", 0.10, 0.02),
    ("young_single", 0.18, 0.50),
    ("young_couple", 0.09, 0.40),
    ("nuclear", 0.27, 0.15),
    ("three_generations", 0.12, 0.06),
    ("single_parent", 0.05, 0.10),
    ("adult_with_parent", 0.05, 0.03),
    ("siblings", 0.03, 0.30),
    ("flatmates", 0.03, 0.70),
)
_SHAPE_NAMES = tuple(name for name, _, _ in HOUSEHOLD_SHAPES)
_SHAPE_CUM = tuple(accumulate(weight for _, weight, _ in HOUSEHOLD_SHAPES))
_SHAPE_MIGRANT = {name: share for name, _, share in HOUSEHOLD_SHAPES}

PARENT_GAP = (20, 40)  # years between a parent and a child, inclusive
MAX_AGE = 98


@dataclass(frozen=True)
class DemoPerson:
    """One made-up resident; gender and birth date agree with the ID number."""

    name: str
    id_number: str
    gender: str  # "male" / "female"
    birth_date: date
    ethnicity: str
    phone: str | None  # None for young children


def make_household_members(rng: random.Random, *, today: date,
                           used_ids: set[str] | None = None,
                           used_phones: set[str] | None = None) -> list[tuple[DemoPerson, str]]:
    """One household as (person, relation to the head), the head first.

    IDs and phones are unique within the household and, when the sets are
    given, across everything already in them (new ones are added).  For a
    whole run use `PeopleFactory`, which keeps those sets for you.
    """
    builder = _HouseholdBuilder(rng, today, set() if used_ids is None else used_ids,
                                set() if used_phones is None else used_phones)
    return builder.build()


class PeopleFactory:
    """Deterministic source of households with no ID or phone repeated in a run."""

    def __init__(self, seed: int | random.Random = 2026) -> None:
        self.rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()

    def household(self, today: date) -> list[tuple[DemoPerson, str]]:
        """The next household, head first; ages are as of `today`."""
        return make_household_members(self.rng, today=today, used_ids=self.used_ids,
                                      used_phones=self.used_phones)

    def households(self, count: int, today: date) -> list[list[tuple[DemoPerson, str]]]:
        """The next `count` households."""
        return [self.household(today) for _ in range(count)]


def pick_birth_date(rng: random.Random, today: date, age: int) -> date:
    """A uniformly random birth date of someone exactly `age` (completed years) on `today`."""
    latest = _years_before(today, age)
    earliest = _years_before(today, age + 1) + timedelta(days=1)
    return date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))


def _years_before(day: date, years: int) -> date:
    # 29 February has no counterpart in a non-leap year; 28 February is the
    # last day on which someone born then has completed the years.
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class _HouseholdBuilder:
    """Builds one household; holds the run-wide sets of issued IDs and phones."""

    def __init__(self, rng: random.Random, today: date, used_ids: set[str],
                 used_phones: set[str]) -> None:
        self.rng = rng
        self.today = today
        self.used_ids = used_ids
        self.used_phones = used_phones
        self.migrant = False

    # -- shapes -------------------------------------------------------------

    def build(self) -> list[tuple[DemoPerson, str]]:
        rng = self.rng
        shape = rng.choices(_SHAPE_NAMES, cum_weights=_SHAPE_CUM)[0]
        self.migrant = rng.random() < _SHAPE_MIGRANT[shape]
        self.ethnicity = self._draw_ethnicity()
        return getattr(self, f"_make_{shape}")()

    def _make_elderly_alone(self) -> list[tuple[DemoPerson, str]]:
        # Women outlive men, so most people living alone in old age are women.
        gender = FEMALE if self.rng.random() < 0.68 else MALE
        age = self._age_between(65, 94, mode=78)
        return [(self._person(gender, age), HEAD)]

    def _make_elderly_couple(self) -> list[tuple[DemoPerson, str]]:
        husband_age = self._age_between(62, 90, mode=72)
        head, spouse = self._couple(husband_age)
        return [(head, HEAD), (spouse, SPOUSE)]

    def _make_young_single(self) -> list[tuple[DemoPerson, str]]:
        gender = self.rng.choice((MALE, FEMALE))
        return [(self._person(gender, self._age_between(19, 36, mode=26)), HEAD)]

    def _make_young_couple(self) -> list[tuple[DemoPerson, str]]:
        head, spouse = self._couple(self._age_between(24, 40, mode=29))
        return [(head, HEAD), (spouse, SPOUSE)]

    def _make_nuclear(self) -> list[tuple[DemoPerson, str]]:
        head, spouse = self._couple(self._age_between(27, 58, mode=42))
        members = [(head, HEAD), (spouse, SPOUSE)]
        father, mother = (head, spouse) if head.gender == MALE else (spouse, head)
        for child in self._children((father, mother), max_count=2, max_age=26):
            members.append((child, CHILD))
        return members

    def _make_three_generations(self) -> list[tuple[DemoPerson, str]]:
        rng = self.rng
        # The middle generation: a couple with young children.
        middle_a, middle_b = self._couple(self._age_between(28, 48, mode=36))
        father, mother = (middle_a, middle_b) if middle_a.gender == MALE else (middle_b, middle_a)
        kids = self._children((father, mother), max_count=2, max_age=17)
        # Grandparents are the parents of one of the middle couple.
        child_of_elders = father if rng.random() < 0.7 else mother
        elders = self._parents_of(child_of_elders, both=rng.random() < 0.55)
        in_law = mother if child_of_elders is father else father
        if rng.random() < 0.6:
            # Head is the middle generation.
            head = child_of_elders
            members = [(head, HEAD), (in_law, SPOUSE)]
            members += [(kid, CHILD) for kid in kids]
            members += [(elder, PARENT) for elder in elders]
            return members
        # Head is the oldest generation (often the owner of the flat).
        head, *rest = elders
        members = [(head, HEAD)] + [(elder, SPOUSE) for elder in rest]
        members += [(child_of_elders, CHILD), (in_law, OTHER)]
        members += [(kid, GRANDCHILD) for kid in kids]
        return members

    def _make_single_parent(self) -> list[tuple[DemoPerson, str]]:
        gender = FEMALE if self.rng.random() < 0.75 else MALE
        parent = self._person(gender, self._age_between(28, 52, mode=40))
        kids = self._children((parent,), max_count=2, max_age=22)
        return [(parent, HEAD)] + [(kid, CHILD) for kid in kids]

    def _make_adult_with_parent(self) -> list[tuple[DemoPerson, str]]:
        rng = self.rng
        head = self._person(rng.choice((MALE, FEMALE)), self._age_between(32, 62, mode=48))
        members = [(head, HEAD)]
        members += [(parent, PARENT) for parent in self._parents_of(head, both=rng.random() < 0.3)]
        return members

    def _make_siblings(self) -> list[tuple[DemoPerson, str]]:
        rng = self.rng
        head = self._person(rng.choice((MALE, FEMALE)), self._age_between(19, 40, mode=25))
        gap = rng.randint(1, 8) * rng.choice((-1, 1))
        sibling_age = min(max(self._age(head) + gap, 16), MAX_AGE)
        surname = self._surname_of(head)
        sibling = self._person(rng.choice((MALE, FEMALE)), sibling_age, surname=surname)
        return [(head, HEAD), (sibling, SIBLING)]

    def _make_flatmates(self) -> list[tuple[DemoPerson, str]]:
        rng = self.rng
        gender = rng.choice((MALE, FEMALE))
        count = 2 if rng.random() < 0.7 else 3
        people = [self._person(gender, self._age_between(19, 35, mode=24)) for _ in range(count)]
        return [(people[0], HEAD)] + [(person, OTHER) for person in people[1:]]

    # -- relatives ------------------------------------------------------------

    def _couple(self, husband_age: int) -> tuple[DemoPerson, DemoPerson]:
        """(head, spouse); husbands are usually a little older and usually the head."""
        rng = self.rng
        wife_age = max(20, husband_age - rng.choice((-2, -1, 0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8)))
        husband = self._person(MALE, husband_age)
        wife = self._person(FEMALE, min(wife_age, MAX_AGE))
        return (husband, wife) if rng.random() < 0.75 else (wife, husband)

    def _children(self, parents: tuple[DemoPerson, ...], *, max_count: int,
                  max_age: int) -> list[DemoPerson]:
        """Up to `max_count` children, each 20–40 years younger than every parent."""
        rng = self.rng
        parent_ages = [self._age(parent) for parent in parents]
        low = max(0, max(parent_ages) - PARENT_GAP[1])
        high = min(max_age, min(parent_ages) - PARENT_GAP[0])
        if low > high:
            return []
        count = 1 if max_count == 1 or rng.random() < 0.62 else 2
        first = rng.randint(low, high)
        ages = [first]
        if count == 2:
            # Siblings at least a year apart, but not twins of different ages.
            options = [age for age in range(low, high + 1) if 1 <= abs(age - first) <= 9]
            if options:
                ages.append(rng.choice(options))
        father = next((p for p in parents if p.gender == MALE), parents[0])
        surname = self._surname_of(father)
        if len(parents) == 2 and rng.random() < 0.08:
            surname = self._surname_of(parents[1])
        return [self._person(rng.choice((MALE, FEMALE)), age, surname=surname,
                             ethnicity=rng.choice(parents).ethnicity)
                for age in sorted(ages, reverse=True)]

    def _parents_of(self, person: DemoPerson, *, both: bool) -> list[DemoPerson]:
        """The person's father and/or mother, 20–40 years older (mother alone more often)."""
        rng = self.rng
        age = self._age(person)
        surname = self._surname_of(person)
        father_age = min(MAX_AGE, age + rng.randint(22, 36))
        mother_age = min(MAX_AGE, max(age + PARENT_GAP[0], father_age - rng.randint(0, 5)))
        mother_age = min(mother_age, age + PARENT_GAP[1], MAX_AGE)
        # Decide who lives here before making anyone: every person made takes an ID.
        genders = (MALE, FEMALE) if both else (FEMALE,) if rng.random() < 0.65 else (MALE,)
        parents = []
        if MALE in genders:
            parents.append(self._person(MALE, father_age, surname=surname, ethnicity=person.ethnicity))
        if FEMALE in genders:
            parents.append(self._person(FEMALE, mother_age, ethnicity=person.ethnicity))
        return parents

    # -- people ---------------------------------------------------------------

    def _person(self, gender: str, age: int, *, surname: str | None = None,
                ethnicity: str | None = None) -> DemoPerson:
        rng = self.rng
        birth_date = pick_birth_date(rng, self.today, age)
        surname = surname or rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM)[0]
        name = surname + self._given_name(gender, birth_date.year)
        region = self._region(birth_date)
        id_number = self._issue_id(region, birth_date, gender)
        return DemoPerson(name=name, id_number=id_number, gender=gender, birth_date=birth_date,
                          ethnicity=ethnicity or self.ethnicity, phone=self._phone(age))

    def _given_name(self, gender: str, birth_year: int) -> str:
        rng = self.rng
        era = "old" if birth_year < 1960 else "mid" if birth_year < 1995 else "young"
        chars = _GIVEN_CHARS[(gender, era)]
        # Single-character given names were common before the 2000s.
        if rng.random() < (0.3 if era != "young" else 0.12):
            return rng.choice(chars)
        first, second = rng.choice(chars), rng.choice(chars)
        return first + second

    def _region(self, birth_date: date) -> str:
        rng = self.rng
        # Migrant households mostly hold IDs from elsewhere; a few of their
        # members (and locals) come from other Zhejiang cities.
        roll = rng.random()
        if self.migrant and roll < 0.9:
            return rng.choice(OTHER_PROVINCES)
        if roll > 0.93:
            return rng.choice(OTHER_ZHEJIANG)
        extra = HANGZHOU_BEFORE_2021 if birth_date < REGION_REFORM else HANGZHOU_FROM_2021
        return rng.choice(HANGZHOU_REGIONS + extra)

    def _issue_id(self, region: str, birth_date: date, gender: str) -> str:
        """A new ID: the 3-digit sequence is random with its parity set by gender."""
        rng = self.rng
        stem = f"{region}{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
        parity = 1 if gender == MALE else 0
        for _ in range(20):
            # 001–999: odd for men, even (never 000) for women.
            sequence = rng.randrange(1 - parity, 500) * 2 + parity
            id_number = self._finish_id(stem, sequence)
            if id_number not in self.used_ids:
                self.used_ids.add(id_number)
                return id_number
        # Crowded (region, birth date, gender): take the first free sequence.
        for sequence in range(2 - parity, 1000, 2):
            id_number = self._finish_id(stem, sequence)
            if id_number not in self.used_ids:
                self.used_ids.add(id_number)
                return id_number
        raise RuntimeError(f"no free ID sequence left for {stem} {gender}")

    @staticmethod
    def _finish_id(stem: str, sequence: int) -> str:
        first17 = f"{stem}{sequence:03d}"
        return first17 + compute_check_digit(first17)

    def _phone(self, age: int) -> str | None:
        rng = self.rng
        # Share of people with their own mobile, by age.
        share = 0.0 if age < 10 else 0.5 if age < 14 else 0.9 if age < 70 else 0.75 if age < 80 else 0.5
        if rng.random() >= share:
            return None
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    # -- helpers ----------------------------------------------------------------

    def _age(self, person: DemoPerson) -> int:
        today, born = self.today, person.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def _age_between(self, low: int, high: int, *, mode: int) -> int:
        return round(self.rng.triangular(low, high, mode))

    def _draw_ethnicity(self) -> str:
        rng = self.rng
        return rng.choice(ETHNIC_MINORITIES) if rng.random() < MINORITY_SHARE else "汉族"

    @staticmethod
    def _surname_of(person: DemoPerson) -> str:
        # Compound surnames are the only two-character ones we generate.
        return person.name[:2] if person.name[:2] in _COMPOUND_SURNAMES else person.name[0]


_COMPOUND_SURNAMES = frozenset(name for name in _SURNAME_LIST if len(name) == 2)
