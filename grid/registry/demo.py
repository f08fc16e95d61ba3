"""Demo registry: households along streets in every demo grid, people with
valid ID numbers and Chinese names, and elderly and child records drawn from
them. Written with COPY: 10,000 households take a few seconds."""
import random
from datetime import date, datetime, timezone

import shapely
from flask import current_app
from psycopg.types.json import Jsonb
from shapely import Point
from sqlalchemy import func, select, text

from grid.extensions import db
from grid.places.models import Unit
from grid.registry import care, rules, vocab
from grid.registry.bulk import allocate_ids, copy_rows
from grid.registry.demo_people import PeopleFactory
from grid.registry.models import Household
from grid.sealing import blind_index, seal

STREET_NAMES = ("朝晖路", "潮王路", "文晖路", "中山北路", "上塘路", "香积寺路", "湖墅南路", "德胜路", "大关路",
                "石祥路", "东新路", "沈半路", "登云路", "和睦路", "长浜路", "小河路", "建国北路", "新市街")
JITTER_DEG = 0.00008  # about 8 m either side of the street's centre line


def seed_registry(*, households: int = 10_000, elderly: int = 1_500, children: int = 300, seed: int = 2026,
                  today: date | None = None) -> dict[str, int]:
    """Add demo households, residents and care records unless there are households already (commits)."""
    if db.session.scalar(select(func.count()).select_from(Household)):
        return {}
    today = today or date.today()
    rng = random.Random(seed)
    grids = [(unit.id, shapely.from_wkb(bytes(wkb))) for unit, wkb in db.session.execute(
        select(Unit, func.ST_AsBinary(Unit.boundary)).where(Unit.level == "grid").order_by(Unit.code))]
    places = list(street_places(grids, households, rng))
    people = PeopleFactory(seed).households(len(places), today)
    resident_ids = write_people(places, people)
    counts = {"households": len(places), "residents": len(resident_ids)}
    counts.update(write_care(resident_ids, rng, today, elderly=elderly, children=children))
    # Fresh statistics for what was just bulk-loaded: with the tables last
    # analysed empty, the planner expects one household and one resident and
    # picks nested loops over them, so the visits, events and disputes seeded
    # next (scoped lookups per record) would crawl for minutes.
    db.session.execute(text("ANALYZE household, resident, elderly_record, child_record"))
    db.session.commit()
    return counts


def street_places(grids, total: int, rng: random.Random):
    """(address, lon, lat) clustered along two or three streets per grid."""
    per_grid, extra = divmod(total, len(grids))
    numbers: dict[str, int] = {}
    for n, (_grid_id, polygon) in enumerate(grids):
        streets = [random_segment(polygon, rng) for _ in range(rng.randint(2, 3))]
        names = rng.sample(STREET_NAMES, len(streets))
        for _ in range(per_grid + (1 if n < extra else 0)):
            k = rng.randrange(len(streets))
            lon, lat = point_along(streets[k], polygon, rng)
            numbers[names[k]] = numbers.get(names[k], 0) + 1
            building = numbers[names[k]]
            yield (f"{names[k]}{building // 6 + 1}号{building % 6 + 1}幢{rng.randint(1, 3)}单元"
                   f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室", lon, lat)


def random_point(polygon, rng: random.Random) -> Point:
    minx, miny, maxx, maxy = polygon.bounds
    while True:
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if polygon.contains(point):
            return point


def random_segment(polygon, rng: random.Random):
    return random_point(polygon, rng), random_point(polygon, rng)


def point_along(segment, polygon, rng: random.Random) -> tuple[float, float]:
    start, end = segment
    for _ in range(20):
        t = rng.random()
        point = Point(start.x + t * (end.x - start.x) + rng.uniform(-JITTER_DEG, JITTER_DEG),
                      start.y + t * (end.y - start.y) + rng.uniform(-JITTER_DEG, JITTER_DEG))
        if polygon.contains(point):
            return round(point.x, 7), round(point.y, 7)
    point = random_point(polygon, rng)
    return round(point.x, 7), round(point.y, 7)


def write_people(places: list, people: list) -> list[tuple]:
    """COPY households and residents; returns (resident id, person, relation, household size, household id)."""
    key = current_app.config["DATA_MASTER_KEY"]
    now = datetime.now(timezone.utc)
    household_ids = allocate_ids("household_id_seq", len(places))
    copy_rows("household", ["id", "address", "location", "tags", "version", "created_at", "updated_at"],
              ([hid, address, f"SRID=4326;POINT({lon!r} {lat!r})", household_tags(members), 1, now, now]
               for hid, (address, lon, lat), members in zip(household_ids, places, people)))
    flat = [(hid, person, relation, len(members))
            for hid, members in zip(household_ids, people) for person, relation in members]
    resident_ids = allocate_ids("resident_id_seq", len(flat))
    copy_rows("resident", ["id", "household_id", "name", "id_number_sealed", "id_number_index", "id_number_masked",
                           "gender", "birth_date", "ethnicity", "phone", "relation", "hukou", "tags", "version",
                           "created_at", "updated_at"],
              ([rid, hid, p.name, seal(p.id_number, key), blind_index(p.id_number, key),
                rules.mask_id_number(p.id_number), p.gender, p.birth_date, p.ethnicity, p.phone,
                vocab.code_for(vocab.RELATIONS, relation) or "other",
                "consistent" if p.id_number.startswith("33") else "registered_elsewhere", [], 1, now, now]
               for rid, (hid, p, relation, _size) in zip(resident_ids, flat)))
    db.session.execute(text("""UPDATE household h SET head_id = r.id FROM resident r
                               WHERE r.household_id = h.id AND r.relation = 'head' AND h.id = ANY(:ids)"""),
                       {"ids": household_ids})
    return [(rid, p, relation, size, hid) for rid, (hid, p, relation, size) in zip(resident_ids, flat)]


def household_tags(members) -> list[str]:
    ages = [m.birth_date.year for m, _r in members]
    if len(members) == 1 and min(ages) < 1960 and hash(members[0][0].id_number) % 4 == 0:
        return ["dibao"]
    return []


def write_care(residents: list, rng: random.Random, today: date, *, elderly: int, children: int) -> dict[str, int]:
    old = [r for r in residents if rules.age_on(r[1].birth_date, today) >= care.ELDERLY_MIN_AGE]
    young = [r for r in residents if rules.age_on(r[1].birth_date, today) < care.ADULT_AGE]
    old = rng.sample(old, min(elderly, len(old)))
    young = rng.sample(young, min(children, len(young)))
    heads = {hid: p.name for _rid, p, relation, _s, hid in residents if relation == "户主"}
    now = datetime.now(timezone.utc)
    write_records("elderly_record", "elderly", [elderly_record(r, rng, today) for r in old], now)
    write_records("child_record", "child", [child_record(r, rng, heads) for r in young], now)
    return {"elderly": len(old), "children": len(young)}


def elderly_record(resident, rng: random.Random, today: date) -> tuple[int, dict]:
    rid, person, _relation, size, _hid = resident
    age = rules.age_on(person.birth_date, today)
    worse = min(0.6, max(0.0, (age - 65) / 40))
    self_care = {item: rng.choices(("able", "needs_help", "unable"), (1 - worse, worse * 0.6, worse * 0.4))[0]
                 for item in vocab.SELF_CARE_ITEMS}
    result = rules.assess_self_care(self_care)
    categories = ["living_alone"] if size == 1 else (["empty_nest"] if size == 2 else [])
    if age >= 80:
        categories.append("oldest_old")
    if result != "independent":
        categories.append("disabled" if result == "fully_dependent" else "semi_disabled")
    categories = categories or ["empty_nest"]
    tier = ("high" if result == "fully_dependent" or (size == 1 and age >= 80)
            else "key" if result == "partially_dependent" or size == 1 else "general")
    data = care.ElderlyInput(categories=tuple(categories), risk_tier=tier, self_care=self_care,
                             living_arrangement="alone" if size == 1 else "with_spouse" if size == 2 else "with_children",
                             children_count=rng.randint(0, 4))
    values = care.elderly_values(data, result)
    values["self_care"] = Jsonb(values["self_care"])
    return rid, values


def child_record(resident, rng: random.Random, heads: dict) -> tuple[int, dict]:
    rid, _person, relation, _size, hid = resident
    category = rng.choices(("left_behind", "poverty", "guardianship", "disability", "orphan", "de_facto_unsupported"),
                           (50, 20, 10, 10, 5, 5))[0]
    data = care.ChildInput(category=category, risk_tier=rng.choices(("general", "key", "high"), (70, 25, 5))[0],
                           guardian_name=heads.get(hid, "王秀英"),
                           guardian_relation="祖父母" if relation == "孙子女" else "父母",
                           father_situation="working_away" if category == "left_behind" else "at_home",
                           mother_situation="working_away" if category == "left_behind" else "at_home")
    return rid, care.child_values(data)


def write_records(table: str, kind: str, records: list, now) -> None:
    if not records:
        return
    ids = allocate_ids(f"{table}_id_seq", len(records))
    columns = list(records[0][1])
    copy_rows(table, ["id", "resident_id", "status", "version", "created_at", "updated_at", *columns],
              ([rid, resident_id, "open", 1, now, now, *[values[c] for c in columns]]
               for rid, (resident_id, values) in zip(ids, records)))
    copy_rows("care_record_change", ["kind", "record_id", "action", "changes"],
              ([kind, rid, "imported", Jsonb({})] for rid in ids))
