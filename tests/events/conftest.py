"""A small district with a worker, the units above them and two departments."""
import io
import uuid
from datetime import datetime

import pytest
from PIL import Image
from sqlalchemy import select

from grid import workdays
from grid.accounts.models import Department
from grid.events import services
from grid.events.models import EventCategory
from grid.extensions import db
from tests.factories import make_district, make_user

# Monday 23 November 2026, 09:00 in Shanghai: a working day.
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=workdays.SHANGHAI)
IN_A1A = (120.105, 30.21)
IN_B1A = (120.125, 30.21)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 30)).save(out, "JPEG")
    return out.getvalue()


def category(code: str) -> EventCategory:
    return db.session.scalar(select(EventCategory).where(EventCategory.code == code))


def event_input(point=IN_A1A, **changes) -> services.EventInput:
    values = {"uuid": str(uuid.uuid4()), "category_id": category("fire_escape").id, "source": "patrol",
              "priority": "normal", "description": "楼道堆放杂物堵塞消防通道", "address": "朝晖路8号3单元",
              "lon": point[0], "lat": point[1]}
    values.update(changes)
    return services.EventInput(**values)


class World(dict):
    __getattr__ = dict.__getitem__


@pytest.fixture
def world(ctx):
    units = make_district()
    cg = Department(code="TCG", name="城管")
    pcs = Department(code="TPCS", name="派出所")
    db.session.add_all([cg, pcs])
    db.session.commit()
    return World(
        units=units, cg=cg, pcs=pcs,
        worker=make_user("w", "grid_worker", [units["A1a"]], full_name="张伟"),
        worker_b=make_user("wb", "grid_worker", [units["A1b"]]),
        leader=make_user("gl", "grid_leader", [units["A1a"], units["A1b"]]),
        community=make_user("c", "community_staff", [units["A1"]], full_name="刘芳"),
        community_b=make_user("cb", "community_staff", [units["B1"]]),
        street=make_user("s", "street_staff", [units["A"]], full_name="陈刚"),
        street_b=make_user("sb", "street_staff", [units["B"]]),
        handler=make_user("h", "department_handler", department=cg, full_name="吴涛"),
        handler_pcs=make_user("hp", "department_handler", department=pcs),
        admin=make_user("adm", "admin"),
    )


def act(event, user, action, when, **fields):
    return services.act(event=event, by=user, now=when,
                        data=services.ActionInput(action=action, version=event.version, **fields))
