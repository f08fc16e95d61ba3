"""A smoke run of the benchmark fixture (bench/district.py) at a tiny scale and
of the maps benchmark's table and the re-gridding benchmark's checks on it, so
none of them rots between `make bench` runs.
Its own database: the test database's name + `_bench_smoke`."""
import pytest
from sqlalchemy import create_engine, text

from bench import maps, maps_report, regrid, report
from bench.district import Size, ensure_district, read_marker
from grid.extensions import db
from tests.conftest import database_url, drop_database

pytestmark = pytest.mark.own_database
SCALE = 0.005


@pytest.fixture(scope="module")
def smoke_url():
    url = database_url("_bench_smoke")
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def district(smoke_url):
    app = ensure_district(smoke_url, SCALE, rebuild=True, log=lambda line: None)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def sql(district, smoke_url):
    engine = create_engine(smoke_url)
    with engine.connect() as conn:
        yield lambda query: conn.execute(text(query)).all()
    engine.dispose()


def one(sql, query):
    return sql(query)[0][0]


def test_counts_are_in_proportion_to_the_scale(smoke_url, district, sql):
    size = Size.at(SCALE)
    counts = read_marker(smoke_url)["counts"]
    assert (counts["street"], counts["community"], counts["grid"]) == (size.streets, size.communities, size.grids)
    assert one(sql, "SELECT count(*) FROM household") == counts["households"] == size.households
    assert 2.2 < counts["residents"] / size.households < 2.8
    assert one(sql, "SELECT count(*) FROM elderly_record") == size.elderly
    assert one(sql, "SELECT count(*) FROM child_record") == size.children
    assert abs(one(sql, "SELECT count(*) FROM visit") / size.visits - 1) < 0.1
    assert one(sql, "SELECT count(*) FROM event") == size.events
    assert one(sql, "SELECT count(*) FROM dispute") == size.disputes
    # One account per unit below the district, plus the administrator and a handler per department.
    assert one(sql, "SELECT count(*) FROM app_user") == size.streets + size.communities + size.grids + 1 + 3


def test_units_tile_their_parents_exactly(district, sql):
    assert one(sql, "SELECT count(*) FROM unit WHERE NOT ST_IsValid(boundary) "
                    "OR GeometryType(boundary) <> 'MULTIPOLYGON' OR ST_SRID(boundary) <> 4326") == 0
    assert one(sql, "SELECT count(*) FROM unit c JOIN unit p ON p.id = c.parent_id "
                    "WHERE NOT ST_Covers(p.boundary, c.boundary) OR c.path <> p.path || c.id::text") == 0
    # Each parent is the union of its children: no gap, no overlap.
    assert one(sql, """SELECT count(*) FROM unit p JOIN LATERAL (
                           SELECT ST_Union(boundary) AS joined, sum(ST_Area(boundary)) AS area
                             FROM unit WHERE parent_id = p.id) c ON true
                        WHERE NOT ST_Equals(p.boundary, c.joined)
                           OR abs(c.area - ST_Area(p.boundary)) > 1e-12""") == 0
    codes = sql("SELECT level, code FROM unit")
    assert {code for level, code in codes if level == "district"} == {"330199"}
    assert all(len(code) == {"street": 9, "community": 12, "grid": 15}.get(level, 6) for level, code in codes)


def test_every_household_is_in_the_grid_the_trigger_would_pick(district, sql):
    assert one(sql, "SELECT count(*) FROM household WHERE grid_id IS DISTINCT FROM grid_for_point(location)") == 0
    assert one(sql, "SELECT count(*) FROM household h LEFT JOIN resident r ON r.id = h.head_id "
                    "WHERE r.household_id IS DISTINCT FROM h.id") == 0


def test_the_schema_is_the_migrated_one(app, district, sql):
    """The bulk load drops and re-creates indexes, keys and triggers: all must be back."""
    schema = """SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public'
                UNION ALL SELECT 'key', conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
                            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                UNION ALL SELECT 'trigger', tgname || ' ' || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal"""
    migrated = create_engine(database_url(""))
    with migrated.connect() as conn:
        expected = sorted(map(tuple, conn.execute(text(schema)).all()))
    migrated.dispose()
    assert sorted(map(tuple, sql(schema))) == expected


def test_work_items_have_a_realistic_mix(district, sql):
    states = dict(sql("SELECT state, count(*) FROM event GROUP BY state"))
    assert states["closed"] > 0.9 * sum(states.values())
    assert {"to_sign", "handling", "to_verify"} <= set(states)
    lights = dict(sql("""SELECT CASE WHEN due_at <= now() THEN 'red' WHEN yellow_at <= now() THEN 'yellow'
                                     ELSE 'green' END, count(*)
                           FROM event WHERE state NOT IN ('closed', 'standing') GROUP BY 1"""))
    assert set(lights) == {"red", "yellow", "green"}
    assert one(sql, "SELECT count(*) FROM event e LEFT JOIN event_action a ON a.event_id = e.id "
                    "AND a.action IN ('report', 'report_resolved') WHERE a.id IS NULL") == 0
    assert {"archived", "mediating"} <= {state for state, in sql("SELECT DISTINCT state FROM dispute")}
    assert one(sql, "SELECT count(*) FROM visit_record") > 0
    assert one(sql, "SELECT count(*) FROM elderly_record WHERE last_visit_at IS NULL") < Size.at(SCALE).elderly / 10


def test_a_second_run_reuses_the_fixture(smoke_url, district):
    lines = []
    ensure_district(smoke_url, SCALE, log=lines.append)
    assert len(lines) == 1 and lines[0].startswith("reusing")


def test_the_maps_benchmark_table_runs_on_it(district, tmp_path):
    results, context = maps.run_benchmark(district, runs=1)
    results = maps_report.with_dashboard_total(results)
    printed = maps_report.table(results, context)
    for result in results:
        assert result.probe.name in printed
        # A missing endpoint is reported, not a crash.
        assert result.available or result.note.startswith("not available")
    hello = results[0]
    assert hello.available and hello.baseline is None
    docs = tmp_path / "performance.md"
    docs.write_text("# Performance\n\n## Setup\n\nkept\n", encoding="utf-8")
    for _ in range(2):
        maps_report.update_docs(results, context, district, path=docs)
    text_ = docs.read_text(encoding="utf-8")
    assert text_.startswith("# Performance\n\n## Setup\n\nkept\n")
    assert text_.count(maps_report.SECTION) == 1 and text_.count(maps_report.BEGIN) == 1


def test_the_regrid_benchmark_moves_only_the_changed_area_and_undoes_it(smoke_url, district, sql, tmp_path):
    """Its checks, not its times: the households that changed grid are those in
    the changed area, no other row was written, records followed, and the undo
    left every boundary and assignment as it was."""
    rows = regrid.run(smoke_url, grids=4, log=lambda line: None)
    assert [c.line() for row in rows for c in row.checks if not c.ok] == []
    baseline, forward, undo = rows
    assert len(forward.checks) >= 8 and undo.checks and baseline.checks
    assert forward.path.startswith("re-grid 4 grids (") and forward.ratio == forward.seconds / baseline.seconds
    moved = one(sql, "SELECT count(*) FROM household_move WHERE reason = 'regrid'")
    assert moved > 0 and moved % 2 == 0  # there and back
    assert one(sql, "SELECT count(*) FROM household WHERE grid_id IS DISTINCT FROM grid_for_point(location)") == 0
    # A run finds nothing left to undo: the forward import has its undo.
    assert one(sql, "SELECT count(*) FROM boundary_import WHERE filename LIKE 'bench-regrid-undo-%'") == 1
    docs = tmp_path / "performance.md"
    docs.write_text("# Performance\n\nkept\n", encoding="utf-8")
    for _ in range(2):
        report.update_docs(regrid.BEGIN, regrid.END, regrid.generated_block(rows, district, smoke_url),
                           section=regrid.SECTION, intro=regrid.INTRO, path=docs)
    written = docs.read_text(encoding="utf-8")
    assert written.startswith("# Performance\n\nkept\n") and written.count(regrid.BEGIN) == 1
    assert forward.path in written and "FAILED" not in written
