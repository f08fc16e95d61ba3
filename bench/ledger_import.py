"""Benchmark (issue 8): import a ledger of 50,000 households with their members.

Target: the import, grid assignment included, takes at most 3 × raw COPY of
the same rows into the same tables plus the assignment SQL for them, both
measured in the same run. The households stand at points along streets in
the demo grids; their members come from the demo's PeopleFactory (valid ID
numbers, 1 to 6 people a household, about 2.5 on average). The baseline
writes exactly the rows the import writes (ID numbers sealed beforehand,
outside the timing) with COPY; the `household_grid` trigger puts every
household into its grid while it is copied, the same SQL the import
relies on. Runs on its own database (<name>_bench), rebuilt each time.

    GRID_DATABASE_URL=... .venv/bin/python -m bench.ledger_import [--households N] [--no-docs]
"""
import argparse
import io
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone

import flask_migrate
import shapely
from flask import current_app
from openpyxl import Workbook
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bench import report
from grid import create_app
from grid.accounts.models import User
from grid.config import normalise_database_url
from grid.demo import seed_demo
from grid.extensions import db
from grid.places.models import Unit
from grid.registry import rules, vocab
from grid.registry.bulk import copy_rows
from grid.registry.demo import street_places
from grid.registry.demo_people import PeopleFactory
from grid.registry.ledger_import import import_ledger
from grid.registry.ledger_schema import HOUSEHOLDS, RESIDENTS
from grid.sealing import blind_index, seal
from tests.conftest import recreate_database

HOUSEHOLDS_DEFAULT = 50_000
TARGET_RATIO = 3.0
BEGIN, END = "<!-- bench/ledger_import.py: begin -->", "<!-- bench/ledger_import.py: end -->"
SECTION = "## Registry"


@dataclass
class Ledger:
    """The file's rows, cell values in the template's column order."""
    households: list[list]
    residents: list[list]


class Row(report.Timed):
    """The target bounds the ratio to the baseline."""

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.ratio <= self.target


def bench_app(url=None):
    url = url or make_url(normalise_database_url(os.environ["GRID_DATABASE_URL"]))
    url = url.set(database=url.database + "_bench")
    recreate_database(url)
    app = create_app({"DATABASE_URL": url.render_as_string(hide_password=False), "DEMO": True,
                      "MAX_LEDGER_BYTES": 200 * 2**20})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def demo_grids() -> list[tuple[Unit, object, str]]:
    """(grid, its boundary as Shapely, its community's code) for every demo grid."""
    rows = db.session.execute(select(Unit, Unit.boundary.ST_AsBinary()).where(Unit.level == "grid")
                              .order_by(Unit.code))
    return [(unit, shapely.from_wkb(bytes(wkb)), unit.parent.code) for unit, wkb in rows]


def make_ledger(grids, count: int, today: date) -> Ledger:
    rng = random.Random(7)
    places = list(street_places([(unit.id, shape) for unit, shape, _code in grids], count, rng))
    per_grid, extra = divmod(count, len(grids))
    # street_places fills the grids in order: per_grid points each, one more for the first `extra`.
    communities = [code for n, (_unit, _shape, code) in enumerate(grids) for _ in range(per_grid + (n < extra))]
    housing = [t.zh for t in vocab.HOUSING_TYPES.values()]
    households, residents = [], []
    for n, ((address, lon, lat), community, members) in enumerate(
            zip(places, communities, PeopleFactory(7).households(count, today))):
        key = f"H{n + 1:06d}"
        households.append([key, community, address, lon, lat, rng.choice(housing), None,
                           members[0][0].phone, None])
        for person, relation in members:
            residents.append([key, person.name, person.id_number, vocab.GENDERS[person.gender].zh, person.birth_date,
                              person.ethnicity, person.phone, relation, "人户一致", None])
    return Ledger(households, residents)


def to_xlsx(ledger: Ledger) -> bytes:
    book = Workbook(write_only=True)
    for sheet, rows in ((HOUSEHOLDS, ledger.households), (RESIDENTS, ledger.residents)):
        ws = book.create_sheet(sheet.name)
        ws.append([c.header for c in sheet.columns])
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def baseline_rows(ledger: Ledger, created_by: int):
    """The rows the import writes, with ID numbers sealed ahead (not timed)."""
    key = current_app.config["DATA_MASTER_KEY"]
    now = datetime.now(timezone.utc)
    households = [[row[2], f"SRID=4326;POINT({row[3]!r} {row[4]!r})", vocab.code_for(vocab.HOUSING_TYPES, row[5]),
                   [], row[7], None, created_by, 1, now, now] for row in ledger.households]
    keys = {row[0]: n for n, row in enumerate(ledger.households)}
    residents = []
    for key_, name, number, gender, birth, ethnicity, phone, relation, _hukou, _tags in ledger.residents:
        residents.append([keys[key_], name, seal(number, key), blind_index(number, key), rules.mask_id_number(number),
                          vocab.code_for(vocab.GENDERS, gender), birth, ethnicity, phone,
                          vocab.code_for(vocab.RELATIONS, relation), "consistent", [], 1, now, now])
    return households, residents


def baseline_copy(households, residents) -> float:
    """Raw COPY of the same rows into the same tables, grid assignment (the trigger) included; rolled back."""
    start = time.perf_counter()
    copy_rows("household", ["address", "location", "housing_type", "tags", "phone", "notes", "created_by_id",
                            "version", "created_at", "updated_at"], households)
    ids = db.session.scalars(text("SELECT id FROM household ORDER BY id")).all()
    copy_rows("resident", ["household_id", "name", "id_number_sealed", "id_number_index", "id_number_masked",
                           "gender", "birth_date", "ethnicity", "phone", "relation", "hukou", "tags", "version",
                           "created_at", "updated_at"],
              ([ids[row[0]], *row[1:]] for row in residents))
    seconds = time.perf_counter() - start
    db.session.rollback()
    return seconds


def timed_import(data: bytes, filename: str, admin, *, dry_run: bool) -> float:
    start = time.perf_counter()
    result = import_ledger(data=data, filename=filename, by=admin, dry_run=dry_run)
    seconds = time.perf_counter() - start
    # Raised, not asserted (python -O would time a failed import as a fast one).
    if result.problems or result.applied == dry_run:
        raise RuntimeError(f"the import did not do its work: {result.problems[:5]}")
    return seconds


def run_benchmark(app, households: int) -> tuple[list[Row], dict]:
    with app.test_request_context():
        seed_demo(households=0)
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        grids = demo_grids()
        started = time.perf_counter()
        ledger = make_ledger(grids, households, date.today())
        data = to_xlsx(ledger)
        context = {"households": len(ledger.households), "residents": len(ledger.residents), "grids": len(grids),
                   "size": len(data),
                   "written": time.perf_counter() - started}
        baseline = baseline_copy(*baseline_rows(ledger, admin.id))
        rows = [Row("raw COPY of the same rows + grid assignment (baseline)", baseline, baseline)]
        rows.append(Row(".xlsx: check only (dry run)", timed_import(data, "ledger.xlsx", admin, dry_run=True),
                        baseline))
        # Last: it commits, and undoing it (deleting 125,000 residents) would take longer than the run.
        rows.append(Row(".xlsx: check and import", timed_import(data, "ledger.xlsx", admin, dry_run=False),
                        baseline, TARGET_RATIO))
    return rows, context


HEADERS = ["path", "seconds", "ratio to baseline", "target", "result"]


def cells(row: Row) -> list[str]:
    return [row.path, f"{row.seconds:.2f}", f"{row.ratio:.1f}" if row.ratio else "",
            f"≤ {row.target:g} ×" if row.target else "", report.verdict(row.passed)]


def summary(context: dict) -> str:
    return (f"{context['households']:,} households and their {context['residents']:,} residents in "
            f"{context['grids']} demo grids (.xlsx of {context['size'] / 2**20:.1f} MB, made in "
            f"{context['written']:.0f} s)")


def generated_block(rows: list[Row], context: dict, app) -> str:
    return "\n".join([BEGIN, f"Measured {date.today():%Y-%m-%d} on {report.machine(app)}.", "",
                      f"Ledger: {summary(context)}.", "", report.markdown_table(HEADERS, [cells(r) for r in rows]),
                      END])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=HOUSEHOLDS_DEFAULT)
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args(argv)
    app = bench_app()
    rows, context = run_benchmark(app, args.households)
    print(summary(context))
    print(report.text_table(HEADERS, [cells(r) for r in rows]))
    if not args.no_docs:
        report.update_docs(BEGIN, END, generated_block(rows, context, app), section=SECTION)
    with app.app_context():
        db.engine.dispose()
    return 0 if all(r.passed is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
