"""Benchmark (issue 8): re-gridding 50 grids at district scale, in at most 10 s,
touching only the households inside the changed area.

On the district fixture (bench/district.py) the administrator downloads every
boundary (the app's export), moves the shared edge of 25 pairs of neighbouring
grids in a few communities (bench/regrid_edit.py: a triangle of one grid goes
to the other, the tiling stays exact) and imports the whole file with the
app's boundary import, the service behind the 边界 page; households, their
care records (triggers), open events and open disputes follow. The import is
timed as the administrator waits for it, commit included. Then the database
is checked against a snapshot taken before (bench/regrid_checks.py): the
households that changed grid are exactly those whose point lies in the
symmetric difference of the old and new shapes, no other household row was
written, care records, events and disputes followed, the report agrees.

The change is then undone the same way: a file of the changed grids' old
shapes, read from the app's own record of the import (unit_change), imported
and timed too; every boundary (byte for byte) and every grid assignment is
checked to be as before. What stays is the history: the two imports, the
moves and the events' and disputes' steps. A run interrupted between the two
imports leaves its change in place; the next run undoes it first.

The baseline, measured in the same run and rolled back: the raw set-based SQL
of the same re-assignment, the 50 boundaries updated and one UPDATE household
... FROM the new polygons, its triggers firing (checked to write the same rows).

    GRID_DATABASE_URL=... .venv/bin/python -m bench.regrid [--scale 1.0] [--grids 50] [--no-docs]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date

import shapely
from sqlalchemy import select

from bench import report
from bench.district import ensure_district, fixture_url, read_marker
from bench.maps import bench_app, raw_connection
from bench.regrid_checks import Check, check_change, check_restored, take_snapshot
from bench.regrid_edit import edit_export
from grid.accounts.models import User
from grid.extensions import db
from grid.places import queries, services

GRIDS = 50
TARGET_S = 10.0
BASELINE_RUNS = 3
FORWARD_FILE = "bench-regrid.geojson"
BEGIN, END = "<!-- bench/regrid.py: begin -->", "<!-- bench/regrid.py: end -->"
SECTION = "## Re-gridding (district scale)"
INTRO = """`bench/regrid.py` (issue 8) works on the district fixture: the
administrator exports every boundary, moves the shared edge of 25 pairs of
neighbouring grids in a few communities and imports the file; the import is
timed, checked against a snapshot of the database, and undone by importing
the old shapes back (timed and checked too). The baseline is the raw SQL of
the same re-assignment (boundaries, then one `UPDATE household ... FROM` the
new polygons), rolled back."""

# The changed units' old shapes, names and parents as the import recorded them:
# the file that undoes import %s.
UNDO_FILE_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
           'type', 'Feature', 'geometry', ST_AsGeoJSON(c.old_boundary, 15)::json,
           'properties', json_build_object('code', u.code, 'name', c.old_name, 'level', u.level,
                                           'parent', c.old_parent_code)) ORDER BY u.code), '[]'))::text
  FROM unit_change c JOIN unit u ON u.id = c.unit_id WHERE c.import_id = %s AND c.kind = 'updated'
"""

# Forward imports of this benchmark not undone yet (a run stopped half way).
LEFT_OVER_SQL = """
SELECT b.id FROM boundary_import b
 WHERE b.filename = %s AND NOT EXISTS (
       SELECT 1 FROM boundary_import r WHERE r.filename = 'bench-regrid-undo-' || b.id || '.geojson')
 ORDER BY b.id DESC
"""

# Households in each of the polygons given as WKB (hex), in their order.
HOUSEHOLDS_IN_SQL = """
SELECT count(h.id) FROM unnest(%s::text[]) WITH ORDINALITY AS t(wkb, n)
  LEFT JOIN household h ON ST_Intersects(ST_GeomFromWKB(decode(t.wkb, 'hex'), 4326), h.location)
 GROUP BY t.n ORDER BY t.n
"""

BASELINE_SQL = """
UPDATE unit u SET boundary = n.boundary FROM new_unit n WHERE u.id = n.id;
"""
BASELINE_HOUSEHOLDS_SQL = """
UPDATE household h SET grid_id = n.id FROM new_unit n
 WHERE ST_Intersects(n.boundary, h.location) AND h.grid_id <> n.id RETURNING h.id
"""


@dataclass
class Row(report.Timed):
    """The target bounds the seconds; the checks must hold."""
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool | None:
        """Fast enough and right; None for a row without a target whose checks hold."""
        right = all(c.ok for c in self.checks)
        if self.target is None:
            return None if right else False
        return right and self.seconds <= self.target


def households_in(conn, polygons: list) -> list[int]:
    wkbs = [shapely.to_wkb(p, hex=True) for p in polygons]
    return [n for n, in conn.execute(HOUSEHOLDS_IN_SQL, (wkbs,)).fetchall()]


def undo_file(conn, import_id: int) -> bytes:
    return conn.execute(UNDO_FILE_SQL, (import_id,)).fetchone()[0].encode()


def undo_name(import_id: int) -> str:
    return f"bench-regrid-undo-{import_id}.geojson"


def timed_import(app, data: bytes, filename: str) -> tuple[float, services.ImportReport]:
    """Import the file as the administrator: (seconds, report). Raises unless it was applied."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        started = time.perf_counter()
        result = services.import_boundaries(data=data, filename=filename, by=admin)
        seconds = time.perf_counter() - started
        db.session.remove()
    if not result.applied:
        raise RuntimeError(f"{filename} was not imported: {[(p.kind, p.code) for p in result.errors][:5]}")
    return seconds, result


def undo_left_overs(app, conn, log) -> None:
    for import_id, in conn.execute(LEFT_OVER_SQL, (FORWARD_FILE,)).fetchall():
        log(f"undoing boundary import {import_id}, left by an interrupted run")
        timed_import(app, undo_file(conn, import_id), undo_name(import_id))


def baseline(conn, moved_ids: set[int], runs: int) -> tuple[float, Check]:
    """Median seconds of the raw SQL (rolled back each time), and whether it wrote the moved households' rows."""
    times, written = [], set()
    for _ in range(runs):
        with conn.transaction(force_rollback=True):
            started = time.perf_counter()
            conn.execute(BASELINE_SQL)
            written = {id_ for id_, in conn.execute(BASELINE_HOUSEHOLDS_SQL).fetchall()}
            times.append(time.perf_counter() - started)
    return statistics.median(times), Check("the baseline writes the same household rows", written == moved_ids,
                                           f"{len(written):,} rows, {len(written ^ moved_ids)} differ")


def run(url, *, grids: int = GRIDS, log=print) -> list[Row]:
    """Re-grid `grids` grids of the fixture at `url` and undo it; the rows of the table."""
    app = bench_app(url)
    try:
        with raw_connection(app) as conn:
            conn.autocommit = True
            undo_left_overs(app, conn, log)
            with app.app_context():
                edited, pairs = edit_export(queries.boundaries_export(), grids,
                                            weigh=lambda polygons: households_in(conn, polygons))
                db.session.remove()
            communities = sorted({p.community for p in pairs})
            log(f"moving the edges of {len(pairs)} pairs of grids in {len(communities)} communities")
            take_snapshot(conn)
            seconds, forward = timed_import(app, json.dumps(edited).encode(), FORWARD_FILE)
            try:
                codes = {p.gainer for p in pairs} | {p.giver for p in pairs}
                checks = check_change(conn, codes=codes, followups=forward.followups)
                moved_ids = {id_ for id_, in conn.execute("SELECT id FROM moved").fetchall()}
            finally:
                undo_seconds, undo = timed_import(app, undo_file(conn, forward.import_id),
                                                  undo_name(forward.import_id))
            undone = check_restored(conn)
            undone.append(Check("the undo's report moves the same households back",
                                undo.followups.get("households_moved") == len(moved_ids),
                                f"{undo.followups.get('households_moved', 0):,} households"))
            raw, same_rows = baseline(conn, moved_ids, BASELINE_RUNS)
    finally:
        with app.app_context():
            db.engine.dispose()
    n = len(moved_ids)
    return [
        Row(f"raw SQL: {len(codes)} boundaries + UPDATE household ... FROM the new polygons ({n:,} rows; baseline)",
            raw, raw, checks=[same_rows]),
        Row(f"re-grid {len(codes)} grids ({n:,} households moved)", seconds, raw, TARGET_S, checks),
        Row(f"undo: re-grid them back ({undo.followups.get('households_moved', 0):,} households moved)",
            undo_seconds, raw, TARGET_S, undone),
    ]


HEADERS = ["path", "seconds", "ratio to baseline", "target", "result"]


def cells(row: Row) -> list[str]:
    return [row.path, f"{row.seconds:.2f}", f"{row.ratio:.1f}" if row.ratio else "",
            f"≤ {row.target:g} s" if row.target else "", report.verdict(row.passed)]


def check_lines(rows: list[Row]) -> list[str]:
    return [check.line() for row in rows for check in row.checks]


def generated_block(rows: list[Row], app, url) -> str:
    marker = read_marker(url) or {}
    counts = marker.get("counts", {})
    fixture = (f"Fixture: scale {marker.get('scale')}, built {marker.get('built_at')}: {counts.get('grid', 0):,} "
               f"grids, {counts.get('households', 0):,} households, {counts.get('events', 0):,} events, "
               f"{counts.get('disputes', 0):,} disputes.")
    return "\n".join([BEGIN, f"Measured {date.today():%Y-%m-%d} on {report.machine(app)}.", "", fixture, "",
                      report.markdown_table(HEADERS, [cells(r) for r in rows]), "", "Checks:", "",
                      *[f"- {line}" for line in check_lines(rows)], END])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fixture scale (default: the full district)")
    parser.add_argument("--grids", type=int, default=GRIDS, help="grids to change (an even number)")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args(argv)
    url = fixture_url(os.environ["GRID_DATABASE_URL"], args.scale)
    ensure_district(url, args.scale)
    rows = run(url, grids=args.grids)
    print(report.text_table(HEADERS, [cells(r) for r in rows]))
    print("\n".join(check_lines(rows)))
    if not args.no_docs and args.scale == 1.0:
        app = bench_app(url)
        report.update_docs(BEGIN, END, generated_block(rows, app, url), section=SECTION, intro=INTRO)
        with app.app_context():
            db.engine.dispose()
    return 0 if all(r.passed is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
