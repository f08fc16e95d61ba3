"""Every page and query follows the hierarchy: outside scope is a 404."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from grid.accounts.access import units_in_scope
from grid.extensions import db
from grid.places.models import Unit
from tests.factories import csrf_from, log_in, make_district, make_user


@pytest.fixture
def units():
    return make_district()


def visible_codes(user) -> set[str]:
    return set(db.session.scalars(units_in_scope(user).with_only_columns(Unit.code)))


def test_scope_is_the_units_and_everything_below(units):
    worker = make_user("w", "grid_worker", [units["A1a"]])
    two_grids = make_user("w2", "grid_worker", [units["A1b"], units["B1a"]])
    community = make_user("c", "community_staff", [units["A1"]])
    street = make_user("s", "street_staff", [units["A"]])
    admin = make_user("a", "admin")
    nobody = make_user("n", "grid_worker")
    assert visible_codes(worker) == {"T010101"}
    assert visible_codes(two_grids) == {"T010102", "T020101"}
    assert visible_codes(community) == {"T0101", "T010101", "T010102"}
    assert visible_codes(street) == {"T01", "T0101", "T010101", "T010102"}
    assert len(visible_codes(admin)) == 9
    assert visible_codes(nobody) == set()


def test_scope_predicate_uses_the_path_index(units):
    street = make_user("s", "street_staff", [units["A"]])
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    compiled = units_in_scope(street).compile(dialect=postgresql.psycopg.dialect())
    cursor = db.session.connection().connection.cursor()
    cursor.execute("EXPLAIN " + str(compiled), compiled.params)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ix_unit_path" in plan


def test_grid_worker_gets_404_for_another_grid(client, units):
    make_user("w", "grid_worker", [units["A1a"]])
    log_in(client, "w")
    assert client.get(f"/units/{units['A1a'].id}").status_code == 200
    for other in ("A1b", "B1a", "A1", "A", "D"):
        assert client.get(f"/units/{units[other].id}").status_code == 404, other
        assert client.get(f"/units/{units[other].id}/boundaries.geojson").status_code == 404, other
    assert client.get("/units/999999").status_code == 404


def test_out_of_scope_and_missing_look_the_same(client, units):
    make_user("w", "grid_worker", [units["A1a"]])
    log_in(client, "w")
    hidden = client.get(f"/units/{units['B1a'].id}")
    missing = client.get("/units/999999")
    assert hidden.status_code == missing.status_code == 404
    # Identical but for the URL itself (kept in the language switch's return path)
    # and the CSRF token, which is signed with the second it was made in.
    def page(response, path):
        html = response.get_data(as_text=True).replace(path, "/units/X")
        return html.replace(csrf_from(html), "TOKEN")

    assert page(hidden, f"/units/{units['B1a'].id}") == page(missing, "/units/999999")


def test_community_user_sees_only_their_community(client, units):
    make_user("c", "community_staff", [units["A1"]])
    log_in(client, "c")
    home = client.get("/").get_data(as_text=True)
    assert units["A1a"].name in home and units["A1b"].name in home
    assert units["B1a"].name not in home and units["B1"].name not in home
    for code in ("A1", "A1a", "A1b"):
        assert client.get(f"/units/{units[code].id}").status_code == 200
    for code in ("B1", "B1a", "B", "A"):
        assert client.get(f"/units/{units[code].id}").status_code == 404


def test_street_map_geojson_holds_only_its_units_and_no_more_than_ids_and_names(client, units):
    make_user("s", "street_staff", [units["A"]])
    log_in(client, "s")
    response = client.get(f"/units/{units['A'].id}/boundaries.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    data = response.get_json()
    assert {f["properties"]["code"] for f in data["features"]} == {"T01", "T0101", "T010101", "T010102"}
    assert all(set(f["properties"]) == {"code", "name", "level"} for f in data["features"])
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in data["features"])


def test_role_pages_are_404_for_other_roles(client, units):
    make_user("w", "grid_worker", [units["A1a"]])
    log_in(client, "w")
    for url in ("/admin/users", "/admin/users/new", "/admin/boundaries", "/audit"):
        assert client.get(url).status_code == 404, url


def test_auditor_and_handler_see_no_places(client, units):
    make_user("aud", "auditor")
    log_in(client, "aud")
    assert client.get(f"/units/{units['A1a'].id}").status_code == 404
    assert client.get("/").status_code == 302  # straight to the audit log


def test_admin_sees_everything(client, units):
    make_user("a", "admin")
    log_in(client, "a")
    for code in ("D", "A", "B1", "B1b"):
        assert client.get(f"/units/{units[code].id}").status_code == 200
    assert db.session.scalar(select(Unit).where(Unit.code == "T020102")) is not None


def test_unscoped_roles_never_hold_units(ctx, units):
    from grid.accounts import services
    from grid.accounts.roles import Role

    admin = make_user("boss", "admin")
    auditor = services.create_user(username="aud2", full_name="审计", role=Role.AUDITOR, password="audit-pass-2026",
                                   units=[units["A"]], by=admin)
    assert auditor.scope_units == [] and visible_codes(auditor) == set()
