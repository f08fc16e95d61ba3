"""Boundary import against the database: all or nothing, re-import by code with
history, dry runs, the upload page and the CLI."""
import json

from geoalchemy2.shape import to_shape
from shapely import wkt
from sqlalchemy import func, select

from grid.audit.models import AuditEntry
from grid.extensions import db
from grid.places.models import BoundaryImport, Unit, UnitChange
from grid.places.services import import_boundaries
from tests.factories import box, csrf_from, log_in, make_user


def feature(code, level, parent, geometry_wkt, name=None):
    geometry = wkt.loads(geometry_wkt).__geo_interface__
    return {"type": "Feature", "geometry": geometry,
            "properties": {"code": code, "name": name or f"单元{code}", "level": level, "parent": parent}}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


DISTRICT = [
    feature("D", "district", None, box(120.10, 30.20, 120.14, 30.22)),
    feature("S1", "street", "D", box(120.10, 30.20, 120.12, 30.22)),
    feature("S2", "street", "D", box(120.12, 30.20, 120.14, 30.22)),
    feature("C1", "community", "S1", box(120.10, 30.20, 120.12, 30.22)),
    feature("C2", "community", "S2", box(120.12, 30.20, 120.14, 30.22)),
    feature("G1", "grid", "C1", box(120.10, 30.20, 120.11, 30.22)),
    feature("G2", "grid", "C1", box(120.11, 30.20, 120.12, 30.22)),
]


def unit(code) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def count_units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def test_import_creates_the_hierarchy_with_paths(ctx):
    report = import_boundaries(data=collection(*DISTRICT), filename="d.geojson")
    assert report.applied and not report.errors
    assert len(report.created) == 7
    assert unit("G1").path == f"{unit('D').id}.{unit('S1').id}.{unit('C1').id}.{unit('G1').id}"
    assert to_shape(unit("G1").boundary).equals(wkt.loads(box(120.10, 30.20, 120.11, 30.22)))
    assert not report.warnings  # C2 is not divided into grids yet: nothing to compare


def test_gap_between_grids_is_a_warning_and_still_imports(ctx):
    half = feature("G3", "grid", "C2", box(120.12, 30.20, 120.13, 30.22))
    report = import_boundaries(data=collection(*DISTRICT, half), filename="d.geojson")
    assert report.applied
    [gap] = report.warnings
    assert (gap.code, gap.kind) == ("C2", "gap")
    assert 0.95 < gap.params["area_m2"] / 2_139_000 < 1.05  # 0.01° x 0.02° at 30.2°N


def test_one_bad_feature_means_nothing_is_saved(ctx):
    bowtie = "POLYGON((120.12 30.20, 120.13 30.22, 120.13 30.20, 120.12 30.22, 120.12 30.20))"
    report = import_boundaries(data=collection(*DISTRICT, feature("G3", "grid", "C2", bowtie)), filename="bad.geojson")
    assert not report.applied
    assert [(p.code, p.kind) for p in report.errors] == [("G3", "invalid")]
    assert count_units() == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "boundary.import"))
    assert entry.result == "failure" and entry.detail["errors"] == 1


def test_dry_run_reports_and_changes_nothing(ctx):
    report = import_boundaries(data=collection(*DISTRICT), filename="d.geojson", dry_run=True)
    assert len(report.created) == 7 and not report.applied
    assert count_units() == 0
    assert db.session.scalar(select(func.count()).select_from(BoundaryImport)) == 0


def test_reimport_updates_by_code_and_keeps_the_old_boundary(ctx):
    import_boundaries(data=collection(*DISTRICT), filename="v1.geojson")
    g1_id = unit("G1").id
    # Re-gridding: the line between G1 and G2 moves east.
    moved = [f for f in DISTRICT if f["properties"]["code"] not in ("G1", "G2")] + [
        feature("G1", "grid", "C1", box(120.10, 30.20, 120.115, 30.22), name="新网格一"),
        feature("G2", "grid", "C1", box(120.115, 30.20, 120.12, 30.22)),
    ]
    report = import_boundaries(data=collection(*moved), filename="v2.geojson")
    assert sorted(report.updated) == ["G1", "G2"] and len(report.unchanged) == 5 and not report.created
    assert unit("G1").id == g1_id and unit("G1").name == "新网格一"
    change = db.session.scalar(select(UnitChange).where(UnitChange.unit_id == g1_id, UnitChange.kind == "updated"))
    assert set(change.fields) == {"name", "boundary"}
    assert change.old_name == "单元G1"
    assert to_shape(change.old_boundary).equals(wkt.loads(box(120.10, 30.20, 120.11, 30.22)))


def test_moving_a_community_to_another_street_moves_its_grids(ctx):
    import_boundaries(data=collection(*DISTRICT), filename="v1.geojson")
    # S1 and S2 swap their eastern/western halves: C1 now belongs to S2.
    swapped = [
        feature("S1", "street", "D", box(120.12, 30.20, 120.14, 30.22)),
        feature("S2", "street", "D", box(120.10, 30.20, 120.12, 30.22)),
        feature("C1", "community", "S2", box(120.10, 30.20, 120.12, 30.22)),
        feature("C2", "community", "S1", box(120.12, 30.20, 120.14, 30.22)),
    ]
    report = import_boundaries(data=collection(*swapped), filename="v2.geojson")
    assert report.applied, report.errors
    db.session.expire_all()
    assert unit("G1").path.startswith(f"{unit('D').id}.{unit('S2').id}.{unit('C1').id}.")
    change = db.session.scalar(select(UnitChange).where(UnitChange.unit_id == unit("C1").id, UnitChange.kind == "updated"))
    assert change.old_parent_code == "S1"


def test_new_grid_overlapping_an_existing_one_is_refused(ctx):
    import_boundaries(data=collection(*DISTRICT), filename="v1.geojson")
    report = import_boundaries(
        data=collection(feature("G9", "grid", "C1", box(120.105, 30.20, 120.11, 30.21))), filename="g9.geojson")
    kinds = {(p.code, p.kind, p.params.get("other")) for p in report.errors}
    assert ("G9", "overlap", "G1") in kinds
    assert unit("G9") is None


def test_upload_page_checks_then_imports(client):
    make_user("boss", "admin")
    log_in(client, "boss")
    token = csrf_from(client.get("/admin/boundaries").get_data(as_text=True))
    data = collection(*DISTRICT)

    def upload(action, payload=data, name="district.geojson"):
        import io

        return client.post("/admin/boundaries", headers={"HX-Request": "true"}, content_type="multipart/form-data",
                           data={"csrf_token": token, "action": action, "file": (io.BytesIO(payload), name)})

    checked = upload("check").get_data(as_text=True)
    assert "<html" not in checked and "7" in checked and count_units() == 0
    imported = upload("import").get_data(as_text=True)
    assert "已导入" in imported or "导入" in imported
    assert count_units() == 7
    broken = upload("import", b'{"type": "FeatureCollection", "features": [', "broken.geojson").get_data(as_text=True)
    assert "第 1 行" in broken or "1" in broken


def test_oversized_upload_is_refused_with_a_clear_message(app, client):
    make_user("boss", "admin")
    log_in(client, "boss")
    token = csrf_from(client.get("/admin/boundaries").get_data(as_text=True))
    # A hand-made multipart body: the test client would spool a large one to an unclosed temp file.
    boundary = "x-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.geojson\"\r\n"
            "Content-Type: application/geo+json\r\n\r\n").encode() + b" " * app.config["MAX_CONTENT_LENGTH"] + (
            f"\r\n--{boundary}--\r\n").encode()
    response = client.post("/admin/boundaries", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "MB" in response.get_data(as_text=True)


def test_file_over_the_import_limit_is_reported(app, ctx):
    app.config["MAX_IMPORT_BYTES"] = 1000
    try:
        report = import_boundaries(data=collection(*DISTRICT), filename="d.geojson")
    finally:
        app.config["MAX_IMPORT_BYTES"] = 20 * 1024 * 1024
    assert [p.kind for p in report.errors] == ["too_large"]


def test_cli_dry_run_prints_problems_by_feature(app, tmp_path):
    path = tmp_path / "bad.geojson"
    swapped = "POLYGON((30.20 120.10, 30.20 120.11, 30.22 120.11, 30.22 120.10, 30.20 120.10))"
    path.write_bytes(collection(*DISTRICT[:1], feature("S1", "street", "D", swapped)))
    result = app.test_cli_runner().invoke(args=["grid", "import-boundaries", "--dry-run", str(path)])
    assert result.exit_code == 1
    assert "S1" in result.output and "ERROR" in result.output
    good = tmp_path / "good.geojson"
    good.write_bytes(collection(*DISTRICT))
    result = app.test_cli_runner().invoke(args=["grid", "import-boundaries", "--dry-run", str(good)])
    assert result.exit_code == 0 and "dry run" in result.output
    assert count_units() == 0


def test_unit_page_shows_its_boundary_history(client):
    with client.application.test_request_context():
        import_boundaries(data=collection(*DISTRICT), filename="v1.geojson")
        moved = [feature("G1", "grid", "C1", box(120.10, 30.20, 120.115, 30.22)),
                 feature("G2", "grid", "C1", box(120.115, 30.20, 120.12, 30.22))]
        import_boundaries(data=collection(*moved), filename="regrid.geojson")
    make_user("boss", "admin")
    log_in(client, "boss")
    page = client.get(f"/units/{unit('G1').id}").get_data(as_text=True)
    assert "regrid.geojson" in page and "v1.geojson" in page and "边界" in page


def test_export_then_reimport_changes_nothing(client):
    with client.application.test_request_context():
        import_boundaries(data=collection(*DISTRICT), filename="v1.geojson")
    make_user("boss", "admin")
    log_in(client, "boss")
    response = client.get("/admin/boundaries/export.geojson")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    exported = response.get_data()
    assert {f["properties"]["parent"] for f in json.loads(exported)["features"]} == {None, "D", "S1", "S2", "C1"}
    with client.application.test_request_context():
        report = import_boundaries(data=exported, filename="roundtrip.geojson")
    assert report.applied and not report.created and not report.updated and len(report.unchanged) == 7


def test_only_administrators_may_export(client):
    make_user("s", "street_staff", [])
    log_in(client, "s")
    assert client.get("/admin/boundaries/export.geojson").status_code == 404
