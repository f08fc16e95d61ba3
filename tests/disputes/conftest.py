"""A small district with the people a dispute involves: grid workers, two
community staff (a mediator and a committee member), street office staff."""
import uuid
from datetime import date, datetime

import pytest

from grid import workdays
from grid.disputes import services
from grid.disputes.models import MediationAgreement
from grid.extensions import db
from tests.factories import make_district, make_user

# Monday 23 November 2026, 09:00 in Shanghai: a working day.
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=workdays.SHANGHAI)
IN_A1A = (120.105, 30.21)
IN_B1A = (120.125, 30.21)


class World(dict):
    __getattr__ = dict.__getitem__


@pytest.fixture
def world(ctx):
    units = make_district()
    return World(
        units=units,
        worker=make_user("w", "grid_worker", [units["A1a"]], full_name="张伟"),
        worker_b=make_user("wb", "grid_worker", [units["A1b"]]),
        leader=make_user("gl", "grid_leader", [units["A1a"], units["A1b"]]),
        community=make_user("c", "community_staff", [units["A1"]], full_name="刘芳"),
        committee=make_user("c2", "community_staff", [units["A1"]], full_name="黄主任"),
        community_b=make_user("cb", "community_staff", [units["B1"]]),
        street=make_user("s", "street_staff", [units["A"]], full_name="陈刚"),
        street_b=make_user("sb", "street_staff", [units["B"]]),
        director=make_user("cd", "children_director", [units["A1"]]),
        admin=make_user("adm", "admin"),
    )


def dispute_input(world, point=IN_A1A, **changes) -> services.DisputeInput:
    values = {"uuid": str(uuid.uuid4()), "type": "neighbour", "source": "request", "level": "ordinary",
              "lon": point[0], "lat": point[1], "address": "朝晖路8号3单元", "people_involved": 2,
              "facts": "楼上漏水损坏楼下吊顶，双方就维修费用发生争执", "claims": "楼下要求赔偿维修费3000元；楼上认为应由物业负责",
              "parties": [services.PartyInput(role="applicant", name="李梅", phone="13812345678"),
                          services.PartyInput(role="respondent", name="王强")],
              "stability_owner_id": world.worker.id, "mediator_ids": [world.community.id]}
    values.update(changes)
    return services.DisputeInput(**values)


def register(world, by=None, when=MONDAY, **changes):
    dispute, _created = services.register_dispute(data=dispute_input(world, **changes), by=by or world.worker,
                                                  now=when)
    return dispute


def act(dispute, user, action, when, **fields):
    return services.act(dispute=dispute, by=user, now=when,
                        data=services.ActionInput(action=action, version=dispute.version, **fields))


def add_agreement(dispute, user, when, deadline=date(2026, 12, 31)) -> MediationAgreement:
    """An agreement row as the agreement form saves it (the form has its own tests)."""
    agreement = MediationAgreement(
        dispute_id=dispute.id, facts="楼上卫生间防水层老化漏水", matter="维修费用由谁承担",
        terms="王强承担维修费2000元\n物业承担1000元", performance_manner="现金一次性支付",
        performance_place="社区调解室", performance_deadline=deadline, made_on=when.date(),
        mediator_names="刘芳", committee_name="朝晖社区人民调解委员会", copies=3, updated_by_id=user.id,
        updated_at=when, version=1)
    db.session.add(agreement)
    db.session.commit()
    db.session.expire(dispute, ["agreement"])
    return agreement
