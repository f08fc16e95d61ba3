"""Benchmark: import a 50,000-row ledger (25,000 households + 25,000 residents).

Prints the time to check the file (dry run) and to import it, and the ratio to
a baseline measured in the same run: raw COPY of the same rows into the same
tables (no validation, no app). Runs on its own database (<name>_bench),
rebuilt each time.

    GRID_DATABASE_URL=... .venv/bin/python -m bench.ledger_import
"""
import io
import os
import random
import sys
import time
from datetime import date

import flask_migrate
import shapely
from openpyxl import Workbook
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from grid import create_app
from grid.accounts.models import User
from grid.config import normalise_database_url
from grid.demo import seed_demo
from grid.extensions import db
from grid.places.models import Unit
from grid.registry.demo import street_places
from grid.registry.demo_people import PeopleFactory
from grid.registry.ledger_import import import_ledger
from grid.registry.ledger_schema import HOUSEHOLDS, RESIDENTS
from grid.registry.bulk import copy_rows
from tests.conftest import recreate_database

HOUSEHOLD_ROWS = 25_000


def bench_app():
    url = make_url(normalise_database_url(os.environ["GRID_DATABASE_URL"]))
    url = url.set(database=url.database + "_bench")
    recreate_database(url)
    app = create_app({"DATABASE_URL": url.render_as_string(hide_password=False), "DEMO": True,
                      "MAX_LEDGER_BYTES": 200 * 2**20})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def make_file(grids) -> tuple[bytes, list, list]:
    rng = random.Random(7)
    places = list(street_places([(g.id, g.shape) for g in grids], HOUSEHOLD_ROWS, rng))
    per_grid = HOUSEHOLD_ROWS // len(grids)
    communities = [grids[min(n // per_grid, len(grids) - 1)].community for n in range(len(places))]
    people = [members[0][0] for members in PeopleFactory(7).households(len(places), date.today())]
    book = Workbook(write_only=True)
    homes = book.create_sheet(HOUSEHOLDS.name)
    homes.append([c.header for c in HOUSEHOLDS.columns])
    for n, ((address, lon, lat), community) in enumerate(zip(places, communities)):
        homes.append([f"H{n}", community, address, lon, lat, None, None, None, None])
    residents = book.create_sheet(RESIDENTS.name)
    residents.append([c.header for c in RESIDENTS.columns])
    for n, person in enumerate(people):
        residents.append([f"H{n}", person.name, person.id_number, None, None, person.ethnicity, person.phone,
                          "户主", None, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), places, people


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def baseline_copy(places, people) -> float:
    """Raw COPY of the same rows: no reading of the file, no checks, no sealing."""
    def run():
        copy_rows("household", ["address", "location", "tags", "version"],
                  ([address, f"SRID=4326;POINT({lon!r} {lat!r})", [], 1] for address, lon, lat in places))
        ids = db.session.scalars(text("SELECT id FROM household ORDER BY id")).all()
        copy_rows("resident", ["household_id", "name", "relation", "hukou", "tags", "version"],
                  ([hid, p.name, "head", "consistent", [], 1] for hid, p in zip(ids, people)))
    seconds = timed(run)
    db.session.rollback()
    return seconds


def main() -> int:
    app = bench_app()
    with app.test_request_context():
        seed_demo(households=0)
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        grids = []
        for unit, wkb in db.session.execute(select(Unit, Unit.boundary.ST_AsBinary()).where(Unit.level == "grid")
                                            .order_by(Unit.code)):
            unit.shape, unit.community = shapely.from_wkb(bytes(wkb)), unit.parent.code
            grids.append(unit)
        made = time.perf_counter()
        data, places, people = make_file(grids)
        print(f"file: {HOUSEHOLD_ROWS * 2:,} rows, {len(data) / 2**20:.1f} MB, written in {time.perf_counter() - made:.1f} s")
        baseline = baseline_copy(places, people)
        report = {}
        check = timed(lambda: report.setdefault("dry", import_ledger(data=data, filename="b.xlsx", by=admin, dry_run=True)))
        assert not report["dry"].problems, report["dry"].problems[:5]
        full = timed(lambda: report.setdefault("real", import_ledger(data=data, filename="b.xlsx", by=admin)))
        assert report["real"].applied
    print(f"{'path':<34}{'seconds':>9}{'ratio to raw COPY':>20}{'target':>12}")
    print(f"{'raw COPY of the same rows':<34}{baseline:>9.2f}{1:>20.1f}")
    print(f"{'check only (dry run)':<34}{check:>9.2f}{check / baseline:>20.1f}")
    print(f"{'check and import':<34}{full:>9.2f}{full / baseline:>20.1f}{'< 60 s':>12}")
    return 0 if full < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
