"""The HTTP benchmark's figures: a row per path (throughput, p50, p99, the
ratio to its baseline, the target, pass or miss), the bytes a phone
downloads, the printed table and the generated block of docs/performance.md."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bench import load, report
from bench.load import Load

SECTION = "## Hot paths over HTTP (district scale)"
BEGIN, END = "<!-- bench/hot_paths.py: begin -->", "<!-- bench/hot_paths.py: end -->"
INTRO = """`make bench` runs `bench/hot_paths.py` on the district fixture: gunicorn
serves the app as in production (docs/operations.md: sync workers, one per
core, access log), wrk holds 32 connections on 127.0.0.1 for each path in
turn, then 200 simulated grid workers with 5–10 s of think time run the
day's mix. Baselines in the same run: a static hello page (a), a page of one
indexed 20-row query rendered by a template (b), and for visit submission
the same rows inserted by psycopg in one transaction per visit."""
PAGE_RATIO, PAGE_P99_MS, VISIT_RATIO, MIXED_P95_MS = 0.5, 100, 0.5, 300
FIRST_LOAD_KB, LATER_PAGE_KB = 60, 10
HEADERS = ["path", "req/s", "p50 ms", "p99 ms", "baseline", "ratio", "target", "result"]


@dataclass
class Row:
    path: str
    load: Load | None = None
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None
    note: str = ""
    value: str = ""                  # a row without a load (sizes): its figure


def verdict(ok: bool, result: Load) -> tuple[bool, str]:
    if result.errors:
        return False, f"{result.errors} errors: {result.error_detail}"
    return ok, ""


def rows(*, hello: Load, rows_page: Load, measured, raw_visits: Load, mixed: Load | None, sizes: dict) -> list[Row]:
    found = [Row("hello page (baseline a)", hello, note=verdict(True, hello)[1]),
             Row("20-row page (baseline b)", rows_page, note=verdict(True, rows_page)[1]),
             Row("raw psycopg visit insert (baseline)", raw_visits, note=verdict(True, raw_visits)[1])]
    for name, kind, result in measured:
        if kind == "visit":
            ratio = result.per_second / raw_visits.per_second if raw_visits.per_second else None
            passed, note = verdict(ratio is not None and ratio >= VISIT_RATIO and not raw_visits.errors, result)
            found.append(Row(name, result, "raw insert", ratio, f"≥ {VISIT_RATIO} ×", passed, note))
            continue
        ratio = result.per_second / rows_page.per_second if rows_page.per_second else None
        if rows_page.errors:
            ratio = None           # a failing baseline compares with nothing: no pass
        if kind == "map":
            passed, note = verdict(True, result)
            found.append(Row(name, result, "b", ratio, "≤ 1.3 × raw SQL: maps table", None if not note else False,
                             note))
            continue
        passed, note = verdict(ratio is not None and ratio >= PAGE_RATIO and result.p99_ms <= PAGE_P99_MS, result)
        found.append(Row(name, result, "b", ratio, f"≥ {PAGE_RATIO} ×, p99 ≤ {PAGE_P99_MS} ms", passed, note))
    if mixed is not None:
        passed, note = verdict(mixed.p95_ms <= MIXED_P95_MS, mixed)
        found.append(Row("mixed load, 200 workers (p95 " + f"{mixed.p95_ms:.0f} ms)", mixed,
                         target=f"0 errors, p95 ≤ {MIXED_P95_MS} ms", passed=passed, note=note))
    first = sizes["first"]
    found.append(Row(f"first page load: {first['page']} + CSS + JS, sent gzip", value=f"{first['gzip_kb']:.1f} KB",
                     target=f"≤ {FIRST_LOAD_KB} KB", passed=first["gzip_kb"] <= FIRST_LOAD_KB,
                     note=", ".join(f"{name} {kb:.1f}" for name, kb in first["parts"])))
    for page, kb, gz in sizes["later"]:
        found.append(Row(f"later page: {page}, HTML sent (as generated)", value=f"{gz:.1f} KB ({kb:.1f} KB)",
                         target=f"≤ {LATER_PAGE_KB} KB", passed=gz <= LATER_PAGE_KB))
    return found


def page_sizes(base: str, people) -> dict:
    """What a grid worker's phone downloads, as the proxy sends it (gzip): the
    first page with every stylesheet and script it names, and the HTML of the
    pages opened after it (the assets are cached by then)."""
    worker = people.workers[0]

    def body(path: str, **headers) -> bytes:
        status, _headers, data = load.fetch(base, worker.get(path), headers=headers)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        return data

    def sizes(path: str) -> tuple[float, float]:
        """KB as generated, and as sent to a browser that accepts gzip (compressed by the proxy)."""
        return len(body(path)) / 1024, len(body(path, **{"Accept-Encoding": "gzip"})) / 1024
    html = body("/tasks").decode()
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', html)
    parts = [("HTML", sizes("/tasks")[1])] + [(path.split("/")[-1].split("?")[0], sizes(path)[1]) for path in assets]
    home = worker.visited[0]
    later = [("household list", "/households"), ("household page", f"/households/{home.id}"),
             ("visit form", f"/households/{home.id}/visits/new"), ("search", worker.search_path(worker.names[0])),
             ("task list", "/tasks")]
    return {"first": {"page": "task list", "gzip_kb": sum(kb for _n, kb in parts), "parts": parts},
            "later": [(name, *sizes(path)) for name, path in later]}


def cells(row: Row) -> list[str]:
    result = report.verdict(row.passed)
    ratio = f"{row.ratio:.2f}" if row.ratio is not None else ""
    if row.load is None:
        return [row.path, row.value, "", "", "", "", row.target, result]
    return [row.path, f"{row.load.per_second:,.1f}", f"{row.load.p50_ms:.1f}", f"{row.load.p99_ms:.1f}",
            row.baseline, ratio, row.target, result]


def table(found: list[Row], context: dict) -> str:
    lines = [f"{context['workers']} gunicorn sync workers, 32 connections for {context['seconds']:g} s per path"]
    lines.append(report.text_table(HEADERS, [cells(r) for r in found]))
    lines += [f"note: {r.path}: {r.note}" for r in found if r.note]
    return "\n".join(lines)


def update_docs(found: list[Row], context: dict, path=report.DOCS) -> None:
    block = "\n".join([
        BEGIN,
        f"Measured {date.today():%Y-%m-%d} on {report.machine(context['app'])}; {context['workers']} gunicorn "
        f"sync workers; wrk with 2 threads; {context['seconds']:g} s per path; mixed load "
        f"{context['mixed_seconds']:g} s. Street office {context['street']['code']}.",
        "",
        report.markdown_table(HEADERS, [cells(r) for r in found]),
        "",
        *[f"- {r.path}: {r.note}" for r in found if r.note],
        END,
    ])
    report.update_docs(BEGIN, END, block, section=SECTION, intro=INTRO, path=path)
