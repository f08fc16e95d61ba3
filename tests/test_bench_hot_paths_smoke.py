"""A smoke run of the HTTP benchmark (bench/hot_paths.py) on a tiny district:
gunicorn behind nginx, the logins, wrk on every path for a second, the raw insert
baseline, a short mixed load and the page sizes, so the harness cannot rot
between `make bench` runs. Its figures are not checked: a test must not time."""
import pytest

from bench import http_report, load
from bench.district import ensure_district
from bench.hot_paths import run_benchmark
from grid.extensions import db
from tests.conftest import database_url, drop_database

pytestmark = pytest.mark.own_database
SCALE = 0.005


@pytest.fixture(scope="module")
def url():
    url = database_url("_bench_http_smoke")
    app = ensure_district(url, SCALE, rebuild=True, log=lambda line: None)
    with app.app_context():
        db.engine.dispose()
    yield url
    drop_database(url)


def test_every_path_is_loaded_without_errors_and_reported(url, tmp_path):
    assert load.wrk_available(), "wrk is missing: `make test` installs it (scripts/sysdeps.sh)"
    rows, context = run_benchmark(url, seconds=1, mixed_seconds=6, log=lambda line: None)
    loaded = [r for r in rows if r.load is not None]
    # Baselines, every hot path and the mixed load: each answered, none failed.
    assert len(loaded) == 3 + 12 + 1
    assert [(r.path, r.load.error_detail) for r in loaded if r.load.errors] == []
    assert all(r.load.requests > 0 for r in loaded[:-1])
    assert rows[-6].path.startswith("first page load") and all(r.value for r in rows[-6:])
    printed = http_report.table(rows, context)
    assert all(r.path in printed for r in rows)
    docs = tmp_path / "performance.md"
    docs.write_text("# Performance\n\nkept\n", encoding="utf-8")
    for _ in range(2):
        http_report.update_docs(rows, context, path=docs)
    written = docs.read_text(encoding="utf-8")
    assert written.startswith("# Performance\n\nkept\n") and written.count(http_report.BEGIN) == 1
    with context["app"].app_context():
        db.engine.dispose()
