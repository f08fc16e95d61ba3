"""A smoke run of the ledger import benchmark (bench/ledger_import.py) at a
tiny scale, so that it does not rot between `make bench` runs. Its own
database: the test database's name + `_ledger_bench`."""
import pytest
from sqlalchemy import func, select, text

from bench import ledger_import, report
from grid.extensions import db
from grid.registry.models import Household, Resident
from tests.conftest import database_url, drop_database

pytestmark = pytest.mark.own_database


@pytest.fixture(scope="module")
def bench_app():
    url = database_url("_ledger")
    app = ledger_import.bench_app(url)
    yield app
    with app.app_context():
        db.engine.dispose()
    drop_database(url.set(database=url.database + "_bench"))


def test_the_ledger_benchmark_imports_households_with_their_members(bench_app, tmp_path):
    rows, context = ledger_import.run_benchmark(bench_app, 120)
    assert [r.path for r in rows] == ["raw COPY of the same rows + grid assignment (baseline)",
                                      ".xlsx: check only (dry run)", ".xlsx: check and import"]
    assert all(r.seconds > 0 for r in rows) and rows[-1].target == ledger_import.TARGET_RATIO
    with bench_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Household)) == context["households"] == 120
        assert db.session.scalar(select(func.count()).select_from(Resident)) == context["residents"]
        # Every household has its head, and its grid from the trigger.
        assert db.session.scalar(select(func.count()).where(Household.head_id.is_(None))) == 0
        assert db.session.scalar(text("SELECT count(*) FROM household "
                                      "WHERE grid_id IS DISTINCT FROM grid_for_point(location)")) == 0
    assert 1.5 < context["residents"] / context["households"] < 4
    printed = report.text_table(ledger_import.HEADERS, [ledger_import.cells(r) for r in rows])
    assert ".xlsx: check and import" in printed
    docs = tmp_path / "performance.md"
    docs.write_text("# Performance\n\n## Registry\n\nkept\n\n<!-- bench/ledger_import.py: begin -->\nstale figures\n"
                    "<!-- bench/ledger_import.py: end -->\n\nafter\n", encoding="utf-8")
    for _ in range(2):
        report.update_docs(ledger_import.BEGIN, ledger_import.END,
                           ledger_import.generated_block(rows, context, bench_app),
                           section=ledger_import.SECTION, path=docs)
    written = docs.read_text(encoding="utf-8")
    assert written.startswith("# Performance\n\n## Registry\n\nkept\n\n<!-- bench/ledger_import.py: begin -->")
    assert written.endswith("<!-- bench/ledger_import.py: end -->\n\nafter\n")
    assert written.count(ledger_import.BEGIN) == 1 and "stale figures" not in written
