"""Small named builders for test data, with readable WKT, and the statement
counter the query-count tests share."""
from collections.abc import Iterator
from contextlib import contextmanager

from geoalchemy2.shape import from_shape
from shapely import wkt
from sqlalchemy import event as sa_event
from sqlalchemy import select

from grid.accounts import passwords
from grid.accounts.models import Department, User
from grid.extensions import db
from grid.geo import SRID, to_multipolygon
from grid.places.models import Unit

PASSWORD = "correct-horse-42"

# A little district near Hangzhou, in degrees: two streets side by side,
# each with one community split into two grids.
#   street A: 120.10..120.12, community A1 = the same, grids A1a (west) / A1b (east)
#   street B: 120.12..120.14, community B1 = the same, grids B1a / B1b
def box(x0, y0, x1, y1) -> str:
    return f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def make_unit(code: str, level: str, boundary: str, parent: Unit | None = None, name: str | None = None) -> Unit:
    unit = Unit(code=code, name=name or f"{level} {code}", level=level, parent=parent, path="0",
                boundary=from_shape(to_multipolygon(wkt.loads(boundary)), srid=SRID))
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path}.{unit.id}" if parent else str(unit.id)
    db.session.flush()
    return unit


def make_district() -> dict[str, Unit]:
    """Units by short name: D, A, B, A1, B1, A1a, A1b, B1a, B1b."""
    u = {}
    u["D"] = make_unit("T00", "district", box(120.10, 30.20, 120.14, 30.22))
    u["A"] = make_unit("T01", "street", box(120.10, 30.20, 120.12, 30.22), u["D"])
    u["B"] = make_unit("T02", "street", box(120.12, 30.20, 120.14, 30.22), u["D"])
    u["A1"] = make_unit("T0101", "community", box(120.10, 30.20, 120.12, 30.22), u["A"])
    u["B1"] = make_unit("T0201", "community", box(120.12, 30.20, 120.14, 30.22), u["B"])
    u["A1a"] = make_unit("T010101", "grid", box(120.10, 30.20, 120.11, 30.22), u["A1"])
    u["A1b"] = make_unit("T010102", "grid", box(120.11, 30.20, 120.12, 30.22), u["A1"])
    u["B1a"] = make_unit("T020101", "grid", box(120.12, 30.20, 120.13, 30.22), u["B1"])
    u["B1b"] = make_unit("T020102", "grid", box(120.13, 30.20, 120.14, 30.22), u["B1"])
    db.session.commit()
    return u


def make_user(username: str, role: str, units: list[Unit] = (), *, password: str = PASSWORD,
              must_change_password: bool = False, department: Department | None = None, **fields) -> User:
    user = User(username=username, full_name=fields.pop("full_name", username), role=role,
                password_hash=passwords.hash_password(password), scope_units=list(units),
                must_change_password=must_change_password, department=department, **fields)
    db.session.add(user)
    db.session.commit()
    return user


def get_user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def log_in(client, username: str, password: str = PASSWORD, *, address: str = "127.0.0.1"):
    """Log in through the real form (CSRF token and all) from `address`; returns the response."""
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_overrides=environ)
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_overrides=environ)


def csrf_from(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def make_household(user, lon: float, lat: float, address: str = "测试路1号", **fields):
    """A household through the real service (grid from the point, scope-checked)."""
    from grid.registry import services

    return services.create_household(data=services.HouseholdInput(address=address, lon=lon, lat=lat, **fields), by=user)


def make_resident(user, household, name: str = "张三", id_number: str = "", relation: str = "other", **fields):
    from grid.registry import services

    return services.add_resident(household=household, data=services.ResidentInput(
        name=name, id_number=id_number, relation=relation, **fields), by=user)


def valid_id(birth: str = "19450312", serial: str = "123", region: str = "330106") -> str:
    """A valid 18-digit ID number for a birth date (YYYYMMDD); odd serial = male."""
    from grid.registry.rules import compute_check_digit

    first17 = region + birth + serial
    return first17 + compute_check_digit(first17)


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    """The SQL statements sent to the database while the block runs, in order
    (an executemany counts once: it is one round trip)."""
    sent: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        sent.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield sent
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
