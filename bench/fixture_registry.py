"""District fixture, registry: households clustered along two or three streets
in every grid (the demo registry's idea, vectorised), residents made by the
demo's `PeopleFactory` (valid, unique ID numbers, sealed and indexed like the
app does), and elderly and child care records drawn from them with the demo
registry's own record builders."""
from __future__ import annotations

import random
from datetime import date, datetime, timezone

import numpy as np
import shapely
from flask import current_app
from sqlalchemy import text

from bench.fixture_bulk import bulk_load
from grid.extensions import db
from grid.registry import care, rules, vocab
from grid.registry.bulk import copy_rows
from grid.registry.demo import STREET_NAMES, JITTER_DEG, child_record, elderly_record, random_point, write_records
from grid.registry.demo_people import PeopleFactory
from grid.sealing import blind_index, seal

RELATION_CODES = {term.zh: term.code for term in vocab.RELATIONS.values()}


def street_points(polygon, count: int, rng: random.Random,
                  np_rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """`count` points along two or three random streets across the polygon, and
    the street each one is on; points that jitter out of the grid are drawn again."""
    streets = [(random_point(polygon, rng), random_point(polygon, rng)) for _ in range(rng.randint(2, 3))]
    names = rng.sample(STREET_NAMES, len(streets))
    starts = np.array([(a.x, a.y) for a, _b in streets])
    ends = np.array([(b.x, b.y) for _a, b in streets])
    on = np_rng.integers(len(streets), size=count)
    xy = np.empty((count, 2))
    todo = np.arange(count)
    while todo.size:
        t = np_rng.random(todo.size)[:, None]
        k = on[todo]
        # Rounded as stored (7 decimals, about 1 cm) before the test, so the stored point is the tested one.
        xy[todo] = (starts[k] + t * (ends[k] - starts[k])
                    + np_rng.uniform(-JITTER_DEG, JITTER_DEG, size=(todo.size, 2))).round(7)
        # Strictly inside, never on an edge: the grid is then the one the database trigger would pick.
        todo = todo[~shapely.contains_xy(polygon, xy[todo, 0], xy[todo, 1])]
    return xy, [names[k] for k in on]


def plan_households(grids, total: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(grid id per household, lon/lat per household, address per household), grid by grid."""
    rng, np_rng = random.Random(seed), np.random.default_rng(seed)
    per_grid, extra = divmod(total, len(grids))
    grid_ids, points, addresses = [], [], []
    for n, grid in enumerate(grids):
        count = per_grid + (1 if n < extra else 0)
        polygon = grid.shape.geoms[0]
        shapely.prepare(polygon)
        xy, streets = street_points(polygon, count, rng, np_rng)
        numbers: dict[str, int] = {}
        for street in streets:
            numbers[street] = building = numbers.get(street, 0) + 1
            addresses.append(f"{street}{building // 6 + 1}号{building % 6 + 1}幢{rng.randint(1, 3)}单元"
                             f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室")
        grid_ids.append(np.full(count, grid.id))
        points.append(xy)
    return np.concatenate(grid_ids), np.concatenate(points), addresses


class CareCandidates:
    """Residents old or young enough for a care record, kept while the
    residents stream past, in the tuple shape the demo's builders take."""

    def __init__(self, today: date):
        self.today = today
        self.old: list[tuple] = []
        self.young: list[tuple] = []
        self.heads: dict[int, str] = {}

    def add(self, household_id: int, members: list, first_id: int) -> None:
        for n, (person, relation) in enumerate(members):
            age = rules.age_on(person.birth_date, self.today)
            row = (first_id + n, person, relation, len(members), household_id)
            if age >= care.ELDERLY_MIN_AGE:
                self.old.append(row)
            elif age < care.ADULT_AGE:
                self.young.append(row)
                self.heads[household_id] = members[0][0].name


def write_people(*, grid_ids, points, addresses, seed: int, today: date) -> tuple[int, CareCandidates]:
    """COPY residents, then households with their heads; returns the number of
    residents and the care candidates. Ids are 1..n in generation order.

    household.head_id ↔ resident.household_id is a cycle no insert order
    satisfies, so the keys are checked once both tables are loaded. The
    household's grid comes from the polygon its point was drawn strictly
    inside, which is the grid the `household_grid` trigger would find at a
    lookup per row, so the trigger is off during the load."""
    key = current_app.config["DATA_MASTER_KEY"]
    now = datetime.now(timezone.utc)
    factory, candidates = PeopleFactory(seed), CareCandidates(today)
    heads, tags = np.empty(len(addresses), dtype=np.int64), [[] for _ in addresses]

    def residents():
        next_id = 1
        for n in range(len(addresses)):
            members = factory.household(today)
            heads[n] = next_id
            candidates.add(n + 1, members, next_id)
            if len(members) == 1 and members[0][0].birth_date.year < 1960 and n % 4 == 0:
                tags[n] = ["dibao"]  # 低保: some old people living alone
            for person, relation in members:
                yield (next_id, n + 1, person.name, seal(person.id_number, key), blind_index(person.id_number, key),
                       rules.mask_id_number(person.id_number), person.gender, person.birth_date, person.ethnicity,
                       person.phone, RELATION_CODES.get(relation, "other"),
                       "consistent" if person.id_number.startswith("33") else "registered_elsewhere", [], 1, now, now)
                next_id += 1

    with bulk_load("resident", "household", disable_triggers=True):
        copy_rows("resident", ["id", "household_id", "name", "id_number_sealed", "id_number_index",
                               "id_number_masked", "gender", "birth_date", "ethnicity", "phone", "relation", "hukou",
                               "tags", "version", "created_at", "updated_at"], residents())
        copy_rows("household", ["id", "grid_id", "address", "location", "head_id", "tags", "version", "created_at",
                                "updated_at"],
                  ((n + 1, int(grid_id), address, f"SRID=4326;POINT({lon!r} {lat!r})", int(head), tag, 1, now, now)
                   for n, (grid_id, (lon, lat), address, head, tag)
                   in enumerate(zip(grid_ids, points.tolist(), addresses, heads, tags))))
    for table in ("household", "resident"):
        db.session.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    return int(db.session.scalar(text("SELECT max(id) FROM resident"))), candidates


def write_care(candidates: CareCandidates, *, elderly: int, children: int, seed: int, opened) -> dict[str, int]:
    """Care records for a sample of the candidates (demo builders: categories,
    tiers and self-care follow age and household size), open since `opened`."""
    rng = random.Random(seed)
    old = rng.sample(candidates.old, min(elderly, len(candidates.old)))
    young = rng.sample(candidates.young, min(children, len(candidates.young)))
    write_records("elderly_record", "elderly", [elderly_record(r, rng, candidates.today) for r in old], opened)
    write_records("child_record", "child", [child_record(r, rng, candidates.heads) for r in young], opened)
    return {"elderly": len(old), "children": len(young)}
