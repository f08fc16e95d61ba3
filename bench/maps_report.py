"""The maps benchmark's figures: each probe's result, the printed table and
the generated part of docs/performance.md's "Maps and dashboard (district
scale)" section (between two marker comments, so notes written around it stay)."""
from __future__ import annotations

import gzip
import math
import statistics
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench import report
from bench.district import read_marker

SECTION = "## Maps and dashboard (district scale)"
BEGIN, END = "<!-- bench/maps.py: begin -->", "<!-- bench/maps.py: end -->"
INTRO = """`make bench` also runs `bench/maps.py`: it builds (or reuses) the district
fixture of `bench/district.py` in its own `<db>_district` database and
requests the map layers and the dashboard in process, through Flask's test
client, as the staff account of the street office with the most households.
Times are the app's own time per request; the baseline is the raw SQL of the
same response run straight through psycopg (hand-written for the map layers,
the page's own recorded statements for the dashboard), and a hello-world
response shows the framework's floor."""


@dataclass(frozen=True)
class Probe:
    name: str
    path: str
    endpoint: str
    target_ms: float | None
    target_kb: float | None          # gzip-compressed
    baseline: object                 # ("areas", sql, params), ("points", layer, params), "replay" or None
    target_ratio: float | None = None    # at most this many times the raw SQL's time


@dataclass
class Result:
    probe: Probe
    times: list[float] = field(default_factory=list)
    body: bytes = b""
    baseline_times: list[float] = field(default_factory=list)
    note: str = ""
    summed: tuple[float, float] | None = None   # (median, p95) of a total row

    @property
    def available(self) -> bool:
        return bool(self.times) or self.summed is not None

    @property
    def median(self) -> float | None:
        return self.summed[0] if self.summed else statistics.median(self.times) if self.times else None

    @property
    def p95(self) -> float | None:
        if self.summed:
            return self.summed[1]
        ordered = sorted(self.times)
        return ordered[math.ceil(0.95 * len(ordered)) - 1] if ordered else None

    @property
    def raw_kb(self) -> float | None:
        return len(self.body) / 1024 if self.times else None

    @property
    def gzip_kb(self) -> float | None:
        return len(gzip.compress(self.body, 6)) / 1024 if self.times else None

    @property
    def baseline(self) -> float | None:
        return statistics.median(self.baseline_times) if self.baseline_times else None

    @property
    def ratio(self) -> float | None:
        return self.median / self.baseline if self.median is not None and self.baseline else None

    @property
    def target(self) -> str:
        parts = [f"≤ {self.probe.target_ms:g} ms" if self.probe.target_ms else "",
                 f"≤ {self.probe.target_kb:g} KB" if self.probe.target_kb else "",
                 f"≤ {self.probe.target_ratio:g} × raw" if self.probe.target_ratio else ""]
        return ", ".join(p for p in parts if p)

    @property
    def passed(self) -> bool | None:
        """None: no target, or nothing measured."""
        if not self.target:
            return None
        if not self.available:
            return False
        fast = self.probe.target_ms is None or self.median <= self.probe.target_ms
        small = self.probe.target_kb is None or self.gzip_kb <= self.probe.target_kb
        ratio = self.probe.target_ratio
        near_raw = ratio is None or (self.ratio is not None and self.ratio <= ratio)
        return fast and small and near_raw


def with_dashboard_total(results: list[Result]) -> list[Result]:
    """Add the dashboard as a browser loads it: the shell plus every card it fetches."""
    parts = [r for r in results if r.probe.endpoint in ("dashboard.unit_dashboard", "dashboard.card")]
    if not parts or not all(r.available for r in parts) or len(parts) < 2:
        return results
    total = Result(Probe("dashboard: shell + every card (sum)", "", "", 300, None, None),
                   summed=(sum(r.median for r in parts), sum(r.p95 for r in parts)))
    total.baseline_times = [sum(r.baseline for r in parts if r.baseline)]
    at = results.index(parts[-1]) + 1
    return results[:at] + [total] + results[at:]


def cells(r: Result) -> list[str]:
    def number(value, digits=1):
        return "" if value is None else f"{value:,.{digits}f}"
    verdict = report.verdict(r.passed)
    if not r.available:
        return [r.probe.name, r.note, "", "", "", "", "", r.target, verdict]
    return [r.probe.name, number(r.median), number(r.p95), number(r.raw_kb), number(r.gzip_kb), number(r.baseline),
            number(r.ratio), r.target, verdict]


HEADERS = ["path", "median ms", "p95 ms", "KB raw", "KB gzip", "baseline ms", "ratio", "target", "result"]


def table(results: list[Result], context: dict) -> str:
    """The figures as aligned text; a row that could not be measured says why across its columns."""
    rows = [HEADERS] + [cells(r) for r in results]
    measured = [row for row, r in zip(rows, [None, *results]) if r is None or r.available]
    widths = [max(len(row[i]) for row in measured) for i in range(len(HEADERS))]
    lines = [f"street office {context['street']['code']}, zoom {context['zoom']}, up to {context['runs']} runs"]
    for row, r in zip(rows, [None, *results]):
        if r is not None and not r.available:
            lines.append(f"{row[0].ljust(widths[0])}  {r.note}")
            continue
        lines.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
    lines += [f"note: {r.probe.name}: {r.note}" for r in results if r.available and r.note]
    return "\n".join(lines)


def markdown_table(results: list[Result]) -> str:
    return report.markdown_table(HEADERS, [cells(r) for r in results])


def fixture_summary(app) -> str:
    from sqlalchemy.engine import make_url
    marker = read_marker(make_url(app.config["SQLALCHEMY_DATABASE_URI"])) or {}
    counts = ", ".join(f"{n:,} {what}" for what, n in marker.get("counts", {}).items())
    steps = "; ".join(f"{what}: {seconds:.0f} s" for what, seconds in marker.get("steps", {}).items())
    return (f"Fixture (scale {marker.get('scale')}, built {marker.get('built_at')}): {counts}.\n"
            f"Build time per step: {steps} (total {sum(marker.get('steps', {}).values()):.0f} s).")


def generated_block(results: list[Result], context: dict, app) -> str:
    street = context["street"]
    return "\n".join([
        BEGIN,
        f"Measured {date.today():%Y-%m-%d} on {report.machine(app)}.",
        "",
        fixture_summary(app),
        "",
        f"Street office {street['code']} (the largest), initial zoom {context['zoom']} (its box fits 1280×800); "
        f"zoomed in: zoom 17 around its grid with the most open events. Up to {context['runs']} runs per path "
        f"after a warm-up.",
        "",
        markdown_table(results),
        END,
    ])


def update_docs(results: list[Result], context: dict, app, path: Path = report.DOCS) -> None:
    """Replace the generated block of the section (adding the section at the end the first time)."""
    report.update_docs(BEGIN, END, generated_block(results, context, app), section=SECTION, intro=INTRO, path=path)
