"""`flask grid seed-demo`: the demo district and one user per role, idempotent."""
from datetime import date

from sqlalchemy import func, select

from grid.accounts.models import User
from grid.accounts.roles import Role
from grid.demo import DEMO_USERS
from grid.events.models import Event
from grid.extensions import db
from grid.places.models import Unit
from grid.registry import rules
from grid.registry.care_models import ChildRecord, ElderlyRecord
from grid.registry.models import Household, Resident


def test_seed_demo_builds_the_district_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["grid", "seed-demo"])
    assert first.exit_code == 0, first.output
    levels = dict(db.session.execute(select(Unit.level, func.count()).group_by(Unit.level)).all())
    assert levels["district"] == 1 and levels["street"] == 2 and levels["community"] == 6
    assert 38 <= levels["grid"] <= 42
    assert {u.role for u in db.session.scalars(select(User))} == {r.value for r in Role}
    households = db.session.scalar(select(func.count()).select_from(Household))
    residents = db.session.scalar(select(func.count()).select_from(Resident))
    assert households == 10_000 and 22_000 < residents < 28_000
    assert db.session.scalar(select(func.count()).select_from(ElderlyRecord)) == 1_500
    assert db.session.scalar(select(func.count()).select_from(ChildRecord)) == 300
    events = db.session.scalar(select(func.count()).select_from(Event))
    assert events and f"{events} events" in first.output
    # Every household sits in a grid and every ID number is valid.
    assert db.session.scalar(select(func.count(func.distinct(Household.grid_id)))) == levels["grid"]
    sample = db.session.scalars(select(Resident).limit(200)).all()
    key = app.config["DATA_MASTER_KEY"]
    assert all(rules.parse_id_number(r.id_number(key), today=date.today()).birth_date == r.birth_date for r in sample)
    second = runner.invoke(args=["grid", "seed-demo"])
    assert "already in place" in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS)
    assert db.session.scalar(select(func.count()).select_from(Event)) == events


def test_demo_accounts_are_printed(app):
    output = app.test_cli_runner().invoke(args=["grid", "demo-accounts"]).output
    assert all(username in output for username, *_ in DEMO_USERS)
