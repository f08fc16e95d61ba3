"""No map response carries a person's name, ID number, phone or address.

Every map response a street office, a community, a grid leader and an
administrator can ask for in the seeded test world (the page, every measure
at both levels and two zooms, every point layer in every zoom mode, with
and without a view box, the panel of every grid) is scanned for every
personal value the database holds. The same scan runs over the demo district
in tests/browser/test_street_map.py."""
import json

from sqlalchemy import select

from grid.accounts.models import User
from grid.extensions import db
from grid.maps import measures
from grid.places.models import Unit
from tests.factories import log_in
from tests.maps.map_world import PEOPLE, world  # noqa: F401  (the fixture)
from tests.maps.privacy import leaks, personal_values

USERS = ("s", "c", "gl", "adm")     # street A, community A1, grid leader of A1a, administrator


def as_text(response) -> str:
    assert response.status_code == 200, response.request.url
    # Re-encoded without \\u escapes, so Chinese names are found as written.
    return json.dumps(response.get_json(), ensure_ascii=False)


def responses(app, username: str):
    """(url, text) of every map response this user can get."""
    client = app.test_client()
    log_in(client, username)
    start = client.get("/map")
    assert start.status_code == 302, username
    base = start.headers["Location"].split("?")[0]
    yield base, client.get(base).get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == username))
    for measure in measures.available(user):
        for level in ("grid", "community"):
            for zoom in (10, 18):
                url = f"{base}/areas.json?measure={measure.key}&level={level}&zoom={zoom}"
                yield url, as_text(client.get(url))
    for layer in ("events", "disputes", "care"):
        for query in ("zoom=12", "zoom=15", "zoom=19", "zoom=19&bbox=120.0,30.0,120.3,30.4"):
            url = f"{base}/points.json?layer={layer}&{query}"
            yield url, as_text(client.get(url))
    unit = db.session.get(Unit, int(base.split("/")[2]))
    for grid in db.session.scalars(measures.units_at(user, unit, "grid")):
        url = f"{base}/grids/{grid.id}/panel"
        yield url, client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)


def test_the_scan_would_find_what_the_world_holds(app, world):
    personal = personal_values(app)
    for kind in ("names", "phones", "addresses", "ids"):
        assert set(PEOPLE[kind]) <= personal, kind
    assert leaks(personal, '{"name": "李梅"}') == ["李梅"]
    assert leaks(personal, "朝晖路8号3单元402室 13812345678") == ["13812345678", "朝晖路8号3单元402室"]


def test_no_map_response_names_a_person(app, world):
    personal = personal_values(app)
    for username in USERS:
        scanned = 0
        for url, text in responses(app, username):
            assert leaks(personal, text) == [], f"{username}: {url}"
            scanned += 1
        assert scanned > 30, username
