"""`flask grid seed-demo`: the demo district and one user per role, idempotent."""
from sqlalchemy import func, select

from grid.accounts.models import User
from grid.accounts.roles import Role
from grid.demo import DEMO_USERS
from grid.extensions import db
from grid.places.models import Unit


def test_seed_demo_builds_the_district_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["grid", "seed-demo"])
    assert first.exit_code == 0, first.output
    levels = dict(db.session.execute(select(Unit.level, func.count()).group_by(Unit.level)).all())
    assert levels["district"] == 1 and levels["street"] == 2 and levels["community"] == 6
    assert 38 <= levels["grid"] <= 42
    assert {u.role for u in db.session.scalars(select(User))} == {r.value for r in Role}
    second = runner.invoke(args=["grid", "seed-demo"])
    assert "already in place" in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS)


def test_demo_accounts_are_printed(app):
    output = app.test_cli_runner().invoke(args=["grid", "demo-accounts"]).output
    assert all(username in output for username, *_ in DEMO_USERS)
