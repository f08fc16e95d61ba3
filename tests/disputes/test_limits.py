"""Time limits per level and step clocks on the working calendar, and scope."""
from datetime import date, datetime, timedelta

import pytest

from grid import workdays
from grid.disputes import limits
from grid.disputes.models import DisputeTimeLimit
from grid.disputes.scope import dispute_in_scope
from grid.extensions import db
from tests.disputes.conftest import MONDAY, act, register


def sh(*args):
    return datetime(*args, tzinfo=workdays.SHANGHAI)


def test_ordinary_case_gets_one_month_from_registration(world):
    dispute = register(world)
    assert (dispute.limit_amount, dispute.limit_unit) == (30, "calendar_days")
    assert dispute.time_limit_at == sh(2026, 12, 23, 17, 30)
    # Accepting is due in 3 working days; yellow at three quarters of the working time.
    assert dispute.due_at == sh(2026, 11, 26, 17, 30)
    # 27.5 office hours from Monday 09:00 to Thursday 17:30; three quarters is Thursday 08:37:30.
    assert dispute.yellow_at == sh(2026, 11, 26, 8, 37, 30)


def test_working_day_limits_skip_national_day(world):
    row = db.session.get(DisputeTimeLimit, "serious")
    row.amount, row.unit = 5, "working_days"
    db.session.commit()
    dispute = register(world, level="serious", when=sh(2026, 9, 30, 10, 0))
    # 1–7 October are off, the 8th is the first working day; then 9, 10 (a 调休 Saturday), 12, 13.
    assert dispute.time_limit_at == sh(2026, 10, 13, 17, 30)


def test_raising_the_level_brings_its_limit(world):
    row = db.session.get(DisputeTimeLimit, "major")
    row.amount, row.unit = 10, "calendar_days"
    db.session.commit()
    dispute = register(world)
    act(dispute, world.community, "accept", MONDAY + timedelta(hours=1))
    act(dispute, world.community, "raise_level", MONDAY + timedelta(hours=2), level="major", note="群体性")
    assert dispute.time_limit_at == sh(2026, 12, 3, 17, 30) == dispute.due_at


@pytest.mark.parametrize("now,light", [(sh(2026, 11, 30, 9, 0), "green"), (sh(2026, 12, 17, 9, 0), "yellow"),
                                       (sh(2026, 12, 24, 9, 0), "red")])
def test_lights_of_the_mediation_clock(world, now, light):
    dispute = register(world)
    act(dispute, world.community, "accept", MONDAY + timedelta(hours=1))
    assert limits.light(dispute.due_at, dispute.yellow_at, now) == light


def test_days_left():
    due = sh(2026, 12, 23, 17, 30)
    assert limits.days_left(due, sh(2026, 12, 20, 9, 0), "calendar_days") == 3
    assert limits.days_left(due, sh(2026, 12, 25, 9, 0), "calendar_days") == -2
    assert limits.days_left(sh(2026, 10, 8, 17, 30), sh(2026, 9, 30, 9, 0), "working_days") == 1


def test_step_is_late_in_history(world):
    dispute = register(world)
    act(dispute, world.community, "accept", MONDAY + timedelta(days=7))
    accept = dispute.actions[-1]
    assert (accept.ended_step, accept.ended_late) == ("accept", True)


def test_scope(world):
    dispute = register(world)
    for name in ("worker", "leader", "community", "committee", "street", "admin"):
        assert dispute_in_scope(world[name], dispute.id) is not None, name
    for name in ("worker_b", "community_b", "street_b", "director"):
        assert dispute_in_scope(world[name], dispute.id) is None, name


def test_registered_on_is_the_shanghai_day(world):
    dispute = register(world, when=sh(2026, 11, 24, 0, 30))   # 16:30 UTC the day before
    assert dispute.registered_on == date(2026, 11, 24) and dispute.number.startswith("JF20261124-")
