"""Benchmark: the hot paths over HTTP at district scale (issue 8).

The app runs under gunicorn exactly as docs/operations.md serves it in
production (sync workers, one per core, the access log), on the district
fixture of bench/district.py, with two baseline pages added
(bench/wsgi_bench.py). wrk (bench/load.py) holds 32 connections open on
127.0.0.1 for each path in turn and reports throughput, p50 and p99. Every
figure is compared with a baseline measured in the same run:

- pages: the 20-row indexed page (baseline b): throughput ≥ 0.5 × and
  p99 ≤ 100 ms; the static hello page (baseline a) shows the floor;
- visit submission: a raw psycopg insert of the same rows in one transaction
  per visit, 32 connections for the same time: throughput ≥ 0.5 ×;
- the map layers and the dashboard are listed for their throughput; their
  target (≤ 1.3 × their raw SQL) is measured per response by bench/maps.py.

Then a mixed load: 200 grid workers, each thinking 5–10 s between requests,
for 5 minutes, in the day's mix (task list 40 %, household pages 20 %,
visit submissions 15 %, searches 10 %, their map 15 %): no errors, p95 ≤ 300 ms.
And the bytes a phone downloads: the first page with its CSS and JS ≤ 60 KB
gzip-compressed, later pages ≤ 10 KB of HTML.

Visits submitted here stay in the fixture (a few thousand more of 2.4 M).

    GRID_DATABASE_URL=... .venv/bin/python -m bench.hot_paths [--seconds 10] [--mixed-seconds 300] [--no-docs]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from bench import http_report, http_sessions, load
from bench.district import ensure_district, fixture_url, make_app
from bench.http_report import Row
from bench.http_server import Server
from bench.maps import pick_street, raw_connection, viewport_box, viewport_zoom
from bench.visit_insert import raw_visit_inserts

CONNECTIONS = 32
MIXED_WORKERS = 200
THINK_MS = (5_000, 10_000)
MIX = {"task list": 40, "household page": 20, "visit submission": 15, "search": 10, "map": 15}


def worker_requests(workers: list[http_sessions.Worker]) -> dict[str, list[load.Request]]:
    """Grid workers' requests by kind: the hot paths and the mixed load send the same ones."""
    return {
        "task list": [w.get("/tasks") for w in workers],
        "household list": [w.get("/households") for w in workers],
        "household page": [w.get(f"/households/{h.id}") for w in workers for h in w.households],
        "search": [w.get(w.search_path(n)) for w in workers for n in w.names],
        "visit submission": [w.visit_post(h) for w in workers for h in w.visited],
        "map": [w.get(p) for w in workers for p in w.map_paths],
    }


def page_probes(people: http_sessions.People) -> list[tuple[str, list[load.Request], str]]:
    """(path name, the requests wrk sends, the target kind) for each hot path."""
    mine, staff, street = worker_requests(people.workers[:CONNECTIONS]), people.community_staff, people.street_staff
    return [
        ("login page", [load.Request("GET", "/login")], "page"),
        ("task list (grid worker)", mine["task list"], "page"),
        ("household list (grid worker)", mine["household list"], "page"),
        ("household page", mine["household page"], "page"),
        ("household search by name", mine["search"], "page"),
        ("visit submission", mine["visit submission"], "visit"),
        ("events inbox (community)", [s.get("/events") for s in staff], "page"),
        ("event page (community)", [s.get(f"/events/{e}") for s in staff for e in s.events], "page"),
        ("map: grids by overdue events", [street.get(p) for p in people.map_paths["areas_events"]], "map"),
        ("map: grids by visit coverage", [street.get(p) for p in people.map_paths["areas_coverage"]], "map"),
        ("map: event points", [street.get(p) for p in people.map_paths["points"]], "map"),
        ("dashboard (shell and each card)", [street.get(p) for p in people.map_paths["dashboard"]], "map"),
    ]


def mixed_classes(people: http_sessions.People) -> dict[str, tuple[float, list[load.Request]]]:
    mine = worker_requests(people.workers)
    return {kind: (share, mine[kind]) for kind, share in MIX.items()}


def with_failures(server: Server, run) -> load.Load:
    """A load, its failed answers counted and named from the access log
    (method, path shape, status) instead of wrk's count of 400 and above."""
    offset = server.log_size()
    result = run()
    failed = server.failures_since(offset)
    result.errors += sum(failed.values()) - result.error_detail.pop("status", 0)
    result.error_detail.update(failed)
    return result


def measure(server: Server, name: str, requests: list[load.Request], seconds: float, log) -> load.Load:
    load.check(server.base_url, requests[:10])
    result = with_failures(server, lambda: load.run(server.base_url, {name: (1, requests)}, connections=CONNECTIONS,
                                                    seconds=seconds))
    log(f"  {name:<40}{result.per_second:8.1f} req/s  p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
        + (f"  errors {result.error_detail}" if result.errors else ""))
    return result


def run_benchmark(url, *, seconds: float, mixed_seconds: float, log=print) -> tuple[list[Row], dict]:
    app = make_app(url)
    with raw_connection(app) as conn:
        street = pick_street(conn)
        conn.rollback()
        zoom = viewport_zoom(*street["box"])
        plan = http_sessions.plan(conn, street, workers=MIXED_WORKERS, zoom=zoom,
                                  near=viewport_box(*street["dense"], 17))
    with Server(url) as server:
        base = server.base_url
        log(f"gunicorn: {server.workers} sync workers on {base}; logging in {len(plan.workers)} grid workers, "
            f"{len(plan.community_staff)} community and 1 street office accounts")
        people = http_sessions.log_in_all(base, plan)
        log("hot paths, 32 connections each:")
        hello = measure(server, "hello page (baseline a)", [load.Request("GET", "/bench/hello")], seconds, log)
        rows_page = measure(server, "20-row page (baseline b)",
                            [load.Request("GET", f"/bench/rows?after={n}") for n in people.household_ids],
                            seconds, log)
        measured = [(name, kind, measure(server, name, requests, seconds, log))
                    for name, requests, kind in page_probes(people)]
        log(f"raw visit inserts through psycopg, {CONNECTIONS} connections:")
        raw_visits = raw_visit_inserts(app, people, connections=CONNECTIONS, seconds=seconds)
        log(f"  {raw_visits.per_second:.1f} visits/s, p50 {raw_visits.p50_ms:.1f} ms, p99 {raw_visits.p99_ms:.1f} ms")
        sizes = http_report.page_sizes(base, people)
        mixed = None
        if mixed_seconds:
            log(f"mixed load: {MIXED_WORKERS} workers, think time {THINK_MS[0] // 1000}–{THINK_MS[1] // 1000} s, "
                f"{mixed_seconds:g} s")
            classes = mixed_classes(people)
            load.check(base, [r for _w, requests in classes.values() for r in requests[:5]])
            mixed = with_failures(server, lambda: load.run(base, classes, connections=MIXED_WORKERS,
                                                           seconds=mixed_seconds, think_ms=THINK_MS))
    rows = http_report.rows(hello=hello, rows_page=rows_page, measured=measured, raw_visits=raw_visits,
                            mixed=mixed, sizes=sizes)
    context = {"street": street, "seconds": seconds, "mixed_seconds": mixed_seconds, "workers": server.workers,
               "app": app}
    return rows, context


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Hot paths over HTTP at district scale.")
    parser.add_argument("--scale", type=float, default=1.0, help="fixture scale (default: the full district)")
    parser.add_argument("--seconds", type=float, default=10, help="load per path (default 10 s)")
    parser.add_argument("--mixed-seconds", type=float, default=300, help="mixed load (default 300 s; 0: skip)")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args(argv)
    if not load.wrk_available():
        print("wrk is not installed (Debian package wrk; `make bench` installs it)", file=sys.stderr)
        return 2
    url = fixture_url(os.environ["GRID_DATABASE_URL"], args.scale)
    ensure_district(url, args.scale)
    started = time.perf_counter()
    rows, context = run_benchmark(url, seconds=args.seconds, mixed_seconds=args.mixed_seconds)
    print(http_report.table(rows, context))
    print(f"({time.perf_counter() - started:.0f} s)")
    if not args.no_docs and args.scale == 1.0:
        http_report.update_docs(rows, context)
    return 0 if all(r.passed is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
