"""A small world for the OGC API tests: two street offices side by side, a
few events in each carrying personal details that must never be served, and
a token per user. Used on the rolled-back test database and on the live
server's committed one alike."""
from datetime import timedelta
from types import SimpleNamespace

from grid.accounts import tokens
from grid.accounts.models import Department
from grid.events import services
from grid.extensions import db
from tests.events.conftest import IN_A1A, IN_B1A, MONDAY, event_input
from tests.factories import make_district, make_user

# Details an event's public fields never include.
SECRET_DESCRIPTION = "邻居王秘密家漏水"
SECRET_ADDRESS = "保密路99号"
SECRET_NAME = "王秘密"
SECRET_PHONE = "13912345678"
CHINA = {"lon": (73.0, 135.5), "lat": (18.0, 53.6)}


def report(by, point, when, **changes):
    event, created = services.report_event(
        data=event_input(point=point, description=SECRET_DESCRIPTION, address=SECRET_ADDRESS,
                         requester_name=SECRET_NAME, requester_phone=SECRET_PHONE, **changes),
        by=by, now=when)
    assert created
    return event


def build_world() -> SimpleNamespace:
    """Street A (T01) with three events in grid A1a, street B (T02) with two in B1a."""
    units = make_district()
    department = Department(code="TCG", name="城管")
    db.session.add(department)
    db.session.commit()
    users = SimpleNamespace(
        street_a=make_user("street_a", "street_staff", [units["A"]]),
        street_b=make_user("street_b", "street_staff", [units["B"]]),
        worker_a=make_user("worker_a", "grid_worker", [units["A1a"]]),
        worker_b=make_user("worker_b", "grid_worker", [units["B1a"]]),
        admin=make_user("ogc_admin", "admin"),
        auditor=make_user("ogc_auditor", "auditor"),
        handler=make_user("ogc_handler", "department_handler", department=department),
    )
    events_a = [report(users.worker_a, (IN_A1A[0] + n * 0.001, IN_A1A[1]), MONDAY + timedelta(days=n),
                       priority="urgent" if n == 0 else "normal") for n in range(3)]
    events_b = [report(users.worker_b, (IN_B1A[0] + n * 0.001, IN_B1A[1]), MONDAY + timedelta(days=n))
                for n in range(2)]
    plaintexts = {name: tokens.create_token(user=getattr(users, name), name="QGIS")[1]
                  for name in ("street_a", "street_b", "worker_a", "admin")}
    return SimpleNamespace(units=units, users=users, events_a=events_a, events_b=events_b, tokens=plaintexts)


def in_china(position) -> bool:
    lon, lat = position[:2]
    return CHINA["lon"][0] <= lon <= CHINA["lon"][1] and CHINA["lat"][0] <= lat <= CHINA["lat"][1]


def positions(geometry: dict):
    """Every coordinate pair of a GeoJSON Point / MultiPolygon."""
    if geometry["type"] == "Point":
        return [geometry["coordinates"]]
    return [pair for polygon in geometry["coordinates"] for ring in polygon for pair in ring]
