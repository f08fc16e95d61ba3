"""GDAL's own OGC API - Features client (ogrinfo, OAPIF driver) against a live
server: it lists the collections, reads the units with a token sent as GDAL
sends it (Bearer header or HTTP Basic), filters on the server, and is turned
away without one. Runs on its own committed database."""
import os
import shutil
import subprocess
import threading

import pytest
from werkzeug.serving import make_server

from grid.extensions import db
from tests.conftest import database_url, make_migrated_app
from tests.maps.ogc_support import SECRET_DESCRIPTION, build_world

pytestmark = pytest.mark.own_database

OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"


@pytest.fixture(scope="module")
def server():
    if not os.path.exists(OGRINFO):
        pytest.fail("ogrinfo is missing: `make test` installs gdal-bin (scripts/sysdeps.sh)")
    app = make_migrated_app(database_url("_ogc"), TESTING=False)
    with app.test_request_context():
        world = build_world()
        facts = {"token": world.tokens["street_a"], "username": world.users.street_a.username,
                 "events": sorted(e.number for e in world.events_a),
                 "other_events": sorted(e.number for e in world.events_b)}
        db.session.remove()
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"OAPIF:http://127.0.0.1:{live.server_port}/ogc", **facts}
    live.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


def ogrinfo(*args: str) -> subprocess.CompletedProcess:
    # A proxy from the environment must not intercept calls to our own server.
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
           "CPL_DEBUG": "OFF", "GDAL_HTTP_TIMEOUT": "30"}
    result = subprocess.run([OGRINFO, *args], capture_output=True, text=True, timeout=120, env=env)
    return result


def bearer(server) -> list[str]:
    return ["--config", "GDAL_HTTP_HEADERS", f"Authorization: Bearer {server['token']}"]


def basic(server) -> list[str]:
    return ["--config", "GDAL_HTTP_AUTH", "BASIC", "--config", "GDAL_HTTP_USERPWD",
            f"{server['username']}:{server['token']}"]


def clean(result: subprocess.CompletedProcess) -> str:
    """ogrinfo's output after checking it succeeded without errors or warnings."""
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr and "Warning" not in result.stderr, result.stderr
    return result.stdout


def feature_codes(output: str) -> list[str]:
    return [line.split("=", 1)[1].strip() for line in output.splitlines() if line.strip().startswith("code (String)")]


def test_ogrinfo_lists_the_collections_with_a_bearer_token(server):
    output = clean(ogrinfo("-ro", "-so", server["url"], *bearer(server)))
    assert "1: units" in output and "(Multi Polygon)" in output
    assert "2: events" in output and "(Point)" in output


def test_ogrinfo_summarises_the_units_layer_with_its_count_and_extent(server):
    output = clean(ogrinfo("-ro", "-so", server["url"], "units", *basic(server)))
    assert "Feature Count: 4" in output
    assert "Extent: (120.100000, 30.200000) - (120.120000, 30.220000)" in output
    for field in ("code: String", "name: String", "level: String", "parent_code: String"):
        assert field in output


def test_ogrinfo_reads_the_units_with_http_basic(server):
    output = clean(ogrinfo("-ro", "-al", "-q", server["url"], "units", *basic(server)))
    assert output.count("OGRFeature(units):") == 4
    assert feature_codes(output) == ["T01", "T0101", "T010101", "T010102"]
    assert "MULTIPOLYGON (((120.1 30.2," in output  # longitude first, as GIS tools expect


def test_ogrinfo_filters_on_the_server_by_attribute_and_box(server):
    grids = clean(ogrinfo("-ro", "-al", "-q", server["url"], "units", "-where", "level='grid'", *bearer(server)))
    assert feature_codes(grids) == ["T010101", "T010102"]
    west = clean(ogrinfo("-ro", "-al", "-q", server["url"], "units", "-spat", "120.101", "30.201", "120.105",
                         "30.205", *bearer(server)))
    assert feature_codes(west) == ["T01", "T0101", "T010101"]


def test_ogrinfo_pages_through_the_events_and_sees_only_public_fields(server):
    output = clean(ogrinfo("-ro", "-al", "-q", server["url"], "events", "-oo", "PAGE_SIZE=2", *bearer(server)))
    numbers = sorted(line.split("=", 1)[1].strip() for line in output.splitlines()
                     if line.strip().startswith("number (String)"))
    assert numbers == server["events"]
    assert not set(server["other_events"]) & set(numbers)
    assert "reported_at (DateTime)" in output and SECRET_DESCRIPTION not in output


def test_ogrinfo_without_a_token_is_turned_away(server):
    result = ogrinfo("-ro", "-so", server["url"])
    assert result.returncode != 0
    assert "401" in result.stderr and "Unauthorized" in result.stderr
    wrong = ogrinfo("-ro", "-so", server["url"], "--config", "GDAL_HTTP_HEADERS", "Authorization: Bearer grid_wrong")
    assert wrong.returncode != 0 and "401" in wrong.stderr
