"""A community with two grids and records on both sides of the line between
them, and the file that moves that line: the grid edge at 120.11 goes east to
120.115, so the strip 120.11..120.115 passes from grid A1b to grid A1a."""
import json
import uuid

import pytest
from shapely import wkt

from grid.disputes import services as disputes
from grid.events import services as events
from tests.disputes.conftest import MONDAY, dispute_input
from tests.disputes.conftest import act as act_on_dispute
from tests.events.conftest import act as act_on_event
from tests.events.conftest import event_input, jpeg
from tests.factories import box, make_district, make_household, make_user

IN_STRIP = (120.1125, 30.21)        # A1b now, A1a after the change
STAYS_IN_A = (120.105, 30.21)
STAYS_IN_B = (120.117, 30.21)


class World(dict):
    __getattr__ = dict.__getitem__


def feature(code, level, parent, geometry_wkt, name=None) -> dict:
    return {"type": "Feature", "geometry": wkt.loads(geometry_wkt).__geo_interface__,
            "properties": {"code": code, "name": name or f"{level} {code}", "level": level, "parent": parent}}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def moved_edge(east_of_a: float = 120.115) -> bytes:
    """Community A1's two grids with the line between them at `east_of_a`."""
    return collection(feature("T010101", "grid", "T0101", box(120.10, 30.20, east_of_a, 30.22)),
                      feature("T010102", "grid", "T0101", box(east_of_a, 30.20, 120.12, 30.22)))


def report_event(world, point, by=None, **changes):
    event, _created = events.report_event(data=event_input(point=point, **changes), by=by or world.worker_b,
                                          now=MONDAY)
    return event


def register_dispute(world, point, **changes):
    data = dispute_input(world, point=point, stability_owner_id=world.worker_b.id, **changes)
    dispute, _created = disputes.register_dispute(data=data, by=world.worker_b, now=MONDAY)
    return dispute


@pytest.fixture
def world(ctx):
    units = make_district()
    return World(units=units, admin=make_user("adm", "admin", full_name="王敏"),
                 worker=make_user("w", "grid_worker", [units["A1a"]]),
                 worker_b=make_user("wb", "grid_worker", [units["A1b"]]),
                 community=make_user("c", "community_staff", [units["A1"]], full_name="刘芳"))


@pytest.fixture
def records(world):
    """What sits where: the strip's records move, the others must not."""
    r = World(
        household=make_household(world.community, *IN_STRIP),
        household_a=make_household(world.community, *STAYS_IN_A),
        household_b=make_household(world.community, *STAYS_IN_B),
        event=report_event(world, IN_STRIP),                       # at the community, to sign for
        event_b=report_event(world, STAYS_IN_B),
        closed_event=report_event(world, IN_STRIP, on_spot=True, resolution="当场清理完毕", photos=[jpeg()]),
        dispute=register_dispute(world, IN_STRIP),
        archived_dispute=register_dispute(world, IN_STRIP, uuid=str(uuid.uuid4())),
    )
    # Returned to the grid to handle: the grid itself holds it.
    r.held_event = report_event(world, IN_STRIP)
    later = MONDAY.replace(hour=10)
    act_on_event(r.held_event, world.community, "return", later, note="请网格核实", reason="incomplete")
    act_on_dispute(r.archived_dispute, world.community, "decline", later, note="不属于调解范围")
    assert r.closed_event.state == "closed" and r.archived_dispute.state == "archived"
    assert r.held_event.holder_unit_id == world.units["A1b"].id
    return r
