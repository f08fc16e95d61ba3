"""The district-scale fixture: 2,000 grids tiling 50 communities and 10 street
offices, 400,000 households along streets, 1,000,000 residents, 60,000
elderly and 15,000 child records, a year of visits (2.4 M), events (600 k)
and disputes (20 k), and an account for every unit; `--scale` shrinks all of
it in proportion (0.01 builds in seconds).

It lives in its own database, `<GRID_DATABASE_URL's name>_district` (other
scales: `_district_small`), made from scratch by the app's migrations and
loaded with COPY and set-based SQL. A comment on the database records the
scale, the migration head and the fixture version once a build has
finished; a later run reuses the database when all three still match and
rebuilds it otherwise (or with --rebuild). Open items' traffic lights are
set as of the build: reuse shifts them as days pass.

    GRID_DATABASE_URL=... .venv/bin/python -m bench.district [--scale 0.01] [--rebuild]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import flask_migrate
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from bench import fixture_disputes, fixture_events, fixture_places, fixture_registry, fixture_visits
from grid import create_app
from grid.accounts.passwords import hash_password
from grid.config import normalise_database_url
from grid.extensions import db
from tests.conftest import recreate_database

# Bump when the fixture's content changes, so stale databases are rebuilt.
FIXTURE_VERSION = 5
PASSWORD = "bench-district-2026"
SEED = 2026
HISTORY_DAYS = 365


@dataclass(frozen=True)
class Size:
    """How much of everything; `Size.at(1.0)` is the district of issue 8."""

    scale: float
    streets: int
    communities: int
    grids: int
    households: int
    elderly: int
    children: int
    visits: int
    events: int
    disputes: int

    @classmethod
    def at(cls, scale: float) -> Size:
        def part(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))
        # A hierarchy needs at least two of each level to be worth the name.
        streets = part(10, 2)
        communities = max(part(50), 2 * streets)
        return cls(scale=scale, streets=streets, communities=communities, grids=max(part(2_000), 2 * communities),
                   households=part(400_000), elderly=part(60_000), children=part(15_000), visits=part(2_400_000),
                   events=part(600_000), disputes=part(20_000))


def fixture_url(base: str, scale: float) -> URL:
    url = make_url(normalise_database_url(base))
    return url.set(database=url.database + ("_district" if scale == 1.0 else "_district_small"))


def make_app(url: URL, **config):
    return create_app({"DATABASE_URL": url.render_as_string(hide_password=False), **config})


def migration_head(app) -> str:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config).get_current_head()


def read_marker(url: URL) -> dict | None:
    """The finished build's description, or None (no database, or no finished build)."""
    admin = create_engine(url.set(database="postgres"))
    try:
        with admin.connect() as conn:
            comment = conn.scalar(text("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                       "WHERE datname = :name"), {"name": url.database})
    finally:
        admin.dispose()
    try:
        return json.loads(comment) if comment else None
    except ValueError:
        return None


def wanted_marker(size: Size, head: str) -> dict:
    return {"scale": size.scale, "revision": head, "version": FIXTURE_VERSION}


def ensure_district(url: URL, scale: float = 1.0, *, rebuild: bool = False, log=print):
    """The app bound to a finished fixture at `url`, built unless a matching one is there."""
    size = Size.at(scale)
    app = make_app(url)
    wanted = wanted_marker(size, migration_head(app))
    found = read_marker(url)
    if not rebuild and found and {k: found.get(k) for k in wanted} == wanted:
        log(f"reusing {url.database} (built {found.get('built_at', '?')}, scale {scale})")
        return app
    log(f"building {url.database} at scale {scale}: {size.grids:,} grids, {size.households:,} households")
    started = time.perf_counter()
    # Built under another name and renamed when complete: nobody can open a
    # half-built fixture (a dashboard request would, say, roll up months of
    # visits that are not loaded yet and store the zeros).
    building = url.set(database=url.database + "_building")
    recreate_database(building)
    builder, steps = make_app(building), Steps(log)
    with builder.app_context():
        steps("migrations", flask_migrate.upgrade)
        counts = build(size, steps)
        db.session.remove()
        db.engine.dispose()
    marker = {**wanted, "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "counts": counts,
              "steps": steps.seconds}
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'ALTER DATABASE "{building.database}" RENAME TO "{url.database}"'))
        literal = conn.scalar(text("SELECT quote_literal(:m)"), {"m": json.dumps(marker, ensure_ascii=False)})
        conn.execute(text(f'COMMENT ON DATABASE "{url.database}" IS {literal}'))
    admin.dispose()
    log(f"built in {time.perf_counter() - started:.1f} s")
    return app


class Steps:
    """Runs the build's steps, each committed, printing and keeping how long each took."""

    def __init__(self, log):
        self.log, self.seconds = log, {}

    def __call__(self, name: str, action):
        started = time.perf_counter()
        result = action()
        db.session.commit()
        self.seconds[name] = round(time.perf_counter() - started, 1)
        detail = ", ".join(f"{v:,} {k}" for k, v in result.items()) if isinstance(result, dict) else ""
        self.log(f"  {name:<22}{self.seconds[name]:7.1f} s  {detail}")
        return result


def build(size: Size, step: Steps) -> dict:
    now = datetime.now(timezone.utc)
    today = now.astimezone(timezone(timedelta(hours=8))).date()
    rng = random.Random(SEED)
    counts: dict[str, int] = {}
    box = fixture_places.district_box(size.scale)
    units = fixture_places.plan_district(box=box, streets=size.streets, communities=size.communities,
                                         grids=size.grids, rng=rng)
    counts.update(step("units", lambda: units_step(units)))
    counts.update(step("accounts", lambda: {"accounts": fixture_places.write_staff(units,
                                                                                        hash_password(PASSWORD))}))
    grids = [u for u in units if u.level == "grid"]
    candidates = people_step(size, grids, today, step, counts)
    opened = now - timedelta(days=HISTORY_DAYS)
    counts.update(step("care records", lambda: fixture_registry.write_care(
        candidates, elderly=size.elderly, children=size.children, seed=SEED, opened=opened)))
    counts.update(step("visits", lambda: fixture_visits.write_visits(
        total=size.visits, households=size.households, start=opened, days=HISTORY_DAYS)))
    counts["events"] = sum(step("events", lambda: fixture_events.write_events(
        total=size.events, households=size.households, now=now, days=HISTORY_DAYS)).values())
    counts["disputes"] = sum(step("disputes", lambda: fixture_disputes.write_disputes(
        total=size.disputes, households=size.households, now=now, days=HISTORY_DAYS)).values())
    step("periodic jobs", lambda: run_periodic_jobs(now))
    step("vacuum, analyze", vacuum_analyze)
    return counts


def run_periodic_jobs(now: datetime) -> dict:
    """What cron would have done over the year: roll up the closed months'
    visit coverage (the dashboard reads it), as `flask grid rollup-coverage`
    does; an app without that job yet has nothing to run."""
    try:
        from grid.visits.rollup import roll_up
    except ImportError:
        return {}
    return {"months rolled up": len(roll_up(now))}


def vacuum_analyze() -> None:
    """Statistics for the planner, and the visibility map that index-only scans
    need: a freshly loaded table has none until autovacuum comes by, and the
    benchmark must not depend on whether it has yet."""
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))


def units_step(units) -> dict:
    fixture_places.write_units(units)
    return {level: sum(u.level == level for u in units) for level in ("street", "community", "grid")}


def people_step(size: Size, grids, today: date, step: Steps, counts: dict):
    grid_ids, points, addresses = step("household places", lambda: fixture_registry.plan_households(
        grids, size.households, SEED))
    residents, candidates = step("households, residents", lambda: fixture_registry.write_people(
        grid_ids=grid_ids, points=points, addresses=addresses, seed=SEED, today=today))
    counts.update(households=len(addresses), residents=residents)
    return candidates


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full district (default 1.0)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild even if a matching fixture exists")
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 1 or math.isnan(args.scale):
        parser.error("--scale must be in (0, 1]")
    ensure_district(fixture_url(os.environ["GRID_DATABASE_URL"], args.scale), args.scale, rebuild=args.rebuild)
    return 0


if __name__ == "__main__":
    sys.exit(main())
