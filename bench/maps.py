"""Benchmark: the map layers and the dashboard at district scale (issue 7).

On the district fixture (bench/district.py), as the staff account of the
largest street office, every response is requested in process through
Flask's test client, several times; the figures are the app's own time per
request (median and p95) and the response's size, raw and gzip-compressed.
Baselines measured in the same run: a hello-world response through the same
client (the framework's floor), and the raw SQL of each response run straight
through psycopg (bench/maps_sql.py for the map layers; the dashboard's own
statements, recorded during one request and replayed, for its pages).
Targets: boundary layer ≤ 100 ms and ≤ 300 KB gzip at the zoom that fits the
street office in a 1280×800 viewport; point layers ≤ 100 ms and ≤ 200 KB;
every map layer ≤ 1.3 × the time of its raw SQL (issue 8);
the dashboard ≤ 300 ms of server time. An endpoint the app does not have
yet (or that fails) is reported as not available.

    GRID_DATABASE_URL=... .venv/bin/python -m bench.maps [--scale 1.0] [--runs 20] [--no-docs]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from urllib.parse import urlencode

import psycopg
from sqlalchemy import event

from bench import maps_report, maps_sql
from bench.district import PASSWORD, ensure_district, fixture_url, make_app
from bench.maps_report import Probe, Result
from grid.config import FIXED
from grid.extensions import db
from tests.factories import log_in

VIEWPORT = (1280, 800)
PLURAL = {"grid": "grids", "community": "communities"}
TIME_BUDGET_S = 10.0     # per probe: fewer runs for a slow response
SLOW_S = 2.0
# Issue 8: a map layer takes at most this many times its raw SQL.
RAW_RATIO = 1.3
# A pathological query must not hold the benchmark for minutes: it fails the request instead.
STATEMENT_TIMEOUT_MS = 60_000


def viewport_zoom(west: float, south: float, east: float, north: float) -> int:
    """The largest zoom at which the box fits the viewport (Web Mercator, 256-pixel tiles)."""
    def mercator_y(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    width, height = VIEWPORT
    zoom_x = math.log2(width * 360 / (256 * (east - west)))
    zoom_y = math.log2(height * 2 * math.pi / (256 * (mercator_y(north) - mercator_y(south))))
    return int(math.floor(min(zoom_x, zoom_y)))


def viewport_box(lon: float, lat: float, zoom: int) -> tuple[float, float, float, float]:
    """The 1280×800 view centred on (lon, lat) at `zoom`."""
    width, height = VIEWPORT
    world = 256 * 2 ** zoom
    x = (lon + 180) / 360 * world
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * world

    def lonlat(px, py):
        lat = math.degrees(2 * math.atan(math.exp(math.pi * (1 - 2 * py / world))) - math.pi / 2)
        return px / world * 360 - 180, lat
    west, north = lonlat(x - width / 2, y - height / 2)
    east, south = lonlat(x + width / 2, y + height / 2)
    return west, south, east, north


def bench_app(url):
    """The app on the fixture, its statements cut off after STATEMENT_TIMEOUT_MS."""
    engine = FIXED["SQLALCHEMY_ENGINE_OPTIONS"]
    options = f"{engine['connect_args']['options']} -c statement_timeout={STATEMENT_TIMEOUT_MS}"
    return make_app(url, SQLALCHEMY_ENGINE_OPTIONS={**engine, "connect_args": {"options": options}})


def raw_connection(app) -> psycopg.Connection:
    """A psycopg connection to the fixture, with the app's session settings (JIT off)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, options="-c jit=off")


def pick_street(conn) -> dict:
    """The street office with the most households, its box, and the densest spot of open events in it."""
    street_id, code, path, west, south, east, north = conn.execute("""
        SELECT s.id, s.code, s.path::text, ST_XMin(s.boundary), ST_YMin(s.boundary), ST_XMax(s.boundary),
               ST_YMax(s.boundary)
          FROM unit s JOIN unit g ON g.level = 'grid' AND g.path <@ s.path JOIN household h ON h.grid_id = g.id
         WHERE s.level = 'street' GROUP BY s.id ORDER BY count(*) DESC, s.code LIMIT 1""").fetchone()
    lon, lat = conn.execute("""
        SELECT ST_X(ST_Centroid(ST_Collect(e.location))), ST_Y(ST_Centroid(ST_Collect(e.location)))
          FROM event e WHERE e.state <> 'closed' AND e.grid_id = (
              SELECT e2.grid_id FROM event e2 JOIN unit g ON g.id = e2.grid_id
               WHERE g.path <@ CAST(%s AS ltree) AND e2.state <> 'closed'
               GROUP BY e2.grid_id ORDER BY count(*) DESC LIMIT 1)""", (path,)).fetchone()
    return {"id": street_id, "code": code, "path": path, "box": (west, south, east, north), "dense": (lon, lat)}


def probes(street: dict, cap: int) -> list[Probe]:
    """What is requested: the hello-world floor, the boundary layers and point
    layers at the street office's initial zoom (and the point layers zoomed
    in), and the dashboard (its cards are added once the page names them)."""
    sid, path, box = street["id"], street["path"], street["box"]
    zoom = viewport_zoom(*box)
    near = viewport_box(*street["dense"], 17)
    found = [Probe("hello world (framework floor)", "/bench-hello", "bench_hello", None, None, None)]
    for level, measure in (("grid", "overdue_events"), ("grid", "visit_coverage"), ("community", "overdue_events")):
        query = urlencode({"level": level, "measure": measure, "zoom": zoom})
        raw = ("areas", maps_sql.areas_sql(measure), maps_sql.area_params(path, level, zoom))
        found.append(Probe(f"boundary layer: {PLURAL[level]}, {measure}, z{zoom}",
                           f"/units/{sid}/map/areas.json?{query}", "maps.areas", 100, 300, raw, RAW_RATIO))
    for layer in ("events", "disputes", "care"):
        for z, view, where in ((zoom, box, "street"), (17, near, "dense spot")):
            query = urlencode({"layer": layer, "zoom": z, "bbox": ",".join(f"{v:.6f}" for v in view)})
            raw = ("points", layer, maps_sql.point_params(path, z, view, cap))
            found.append(Probe(f"points: {layer}, z{z}, {where}", f"/units/{sid}/map/points.json?{query}",
                               "maps.points", 100, 200, raw, RAW_RATIO))
    found.append(Probe("dashboard page (shell)", f"/units/{sid}/dashboard", "dashboard.unit_dashboard", None, None,
                       "replay"))
    found.append(Probe("dashboard, every card in one page (print)", f"/units/{sid}/dashboard/print",
                       "dashboard.printable", 300, None, "replay"))
    return found


class StatementLog:
    """The SQL statements the app runs, recorded while `recording` is on."""

    def __init__(self, engine):
        self.recording, self.statements = False, []
        event.listen(engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany):
        if self.recording:
            self.statements.append((statement, parameters))


def timed_runs(action, runs: int) -> list[float]:
    """Milliseconds of `action` over up to `runs` runs after a warm-up, within
    TIME_BUDGET_S (a response slower than SLOW_S is its own warm-up)."""
    def clock() -> float:
        started = time.perf_counter()
        action()
        return time.perf_counter() - started
    first = clock()
    times, spent = ([first] if first > SLOW_S else []), first
    while len(times) < runs and spent < TIME_BUDGET_S:
        times.append(clock())
        spent += times[-1]
    return [t * 1000 for t in times]


def measure(app, client, conn, probe: Probe, runs: int, log: StatementLog) -> Result:
    """One probe: the response (its statements recorded), the app's times, then the baseline's."""
    if probe.endpoint not in app.view_functions:
        return Result(probe, note="not available (no such endpoint yet)")
    log.recording, log.statements = True, []
    response = client.get(probe.path)
    log.recording = False
    if response.status_code != 200:
        return Result(probe, note=f"not available (HTTP {response.status_code})")
    body = response.get_data()
    result = Result(probe, times=timed_runs(lambda: client.get(probe.path).close(), runs), body=body)
    baseline = baseline_action(probe, conn, body, log.statements)
    if baseline is not None:
        result.baseline_times = timed_runs(baseline, runs)
        result.note = compare_features(body, baseline()) if probe.baseline != "replay" else ""
    return result


def compare_features(body: bytes, rows) -> str:
    """A warning when the hand-written SQL no longer answers what the app does."""
    app_count = len(json.loads(body)["features"])
    raw_count = len(json.loads(rows[-1][0][0]))
    return "" if app_count == raw_count else f"baseline has {raw_count} features, the app {app_count}"


def baseline_action(probe: Probe, conn, body: bytes, statements):
    """The raw SQL of this response as a callable returning each statement's
    rows, or None (the hello-world row)."""
    def run(pairs):
        with conn.cursor() as cursor:
            fetched = []
            for sql, params in pairs:
                cursor.execute(sql, params)
                fetched.append(cursor.fetchall() if cursor.description else [])
        conn.rollback()
        return fetched
    if probe.baseline == "replay":
        return lambda: run(statements)
    if probe.baseline is None:
        return None
    if probe.baseline[0] == "areas":
        _kind, sql, params = probe.baseline
        return lambda: run([(sql, params)])
    _kind, layer, params = probe.baseline
    # The SQL of what the app answered: counts per grid, clusters, or the points.
    mode = re.search(rb'"mode":\s*"(\w+)"', body)
    sql = maps_sql.points_sql(layer, mode.group(1).decode() if mode else "points")
    return lambda: run([(sql, params)])


def card_paths(html: str) -> list[str]:
    """The card addresses the dashboard page loads with htmx."""
    return [path.replace("&amp;", "&") for path in re.findall(r'hx-get="([^"]+)"\s+hx-trigger="load"', html)]


def dashboard_cards(client, shell_path: str) -> list[Probe]:
    """The cards the dashboard page loads with htmx, each a probe of its own."""
    return [Probe(f"dashboard card: {path.split('/')[-1].split('?')[0]}", path, "dashboard.card", None, None, "replay")
            for path in card_paths(client.get(shell_path).get_data(as_text=True))]


def run_benchmark(app, *, runs: int) -> tuple[list[Result], dict]:
    """Measure every probe on the fixture bound to `app`; returns the results and the context."""
    app.add_url_rule("/bench-hello", "bench_hello", lambda: "hello")
    # No app context is held around the requests: each request then has its
    # own, and its database session ends with it, as under gunicorn.
    with app.app_context():
        log = StatementLog(db.engine)
    client = app.test_client()
    with raw_connection(app) as conn:
        street = pick_street(conn)
        conn.rollback()
        username = conn.execute("SELECT u.username FROM app_user u JOIN user_scope s ON s.user_id = u.id "
                                "WHERE s.unit_id = %s AND u.role = 'street_staff' ORDER BY u.id LIMIT 1",
                                (street["id"],)).fetchone()[0]
        conn.rollback()
        if log_in(client, username, PASSWORD).status_code not in (302, 303):
            raise RuntimeError(f"could not log in as {username}")
        found = probes(street, int(app.config.get("MAP_POINT_CAP", 2000)))
        shell = next(p for p in found if p.endpoint == "dashboard.unit_dashboard")
        if shell.endpoint in app.view_functions and "dashboard.card" in app.view_functions:
            found[found.index(shell) + 1:found.index(shell) + 1] = dashboard_cards(client, shell.path)
        results = [measure(app, client, conn, probe, runs, log) for probe in found]
    return results, {"street": street, "zoom": viewport_zoom(*street["box"]), "runs": runs}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Maps and dashboard benchmark at district scale.")
    parser.add_argument("--scale", type=float, default=1.0, help="fixture scale (default: the full district)")
    parser.add_argument("--runs", type=int, default=20, help="requests per path after a warm-up")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args(argv)
    url = fixture_url(os.environ["GRID_DATABASE_URL"], args.scale)
    ensure_district(url, args.scale)
    app = bench_app(url)
    results, context = run_benchmark(app, runs=args.runs)
    results = maps_report.with_dashboard_total(results)
    print(maps_report.table(results, context))
    if not args.no_docs and args.scale == 1.0:
        maps_report.update_docs(results, context, app)
    return 0 if all(r.passed is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
