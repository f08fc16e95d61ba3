"""Administrators edit each dispute level's time limit: validation, optimistic
locking, the audit entry, who may, and which cases the new limit reaches."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from grid import workdays
from grid.audit.models import AuditEntry
from grid.disputes import admin
from grid.disputes.models import DisputeTimeLimit
from grid.errors import Conflict, FieldErrors
from grid.extensions import db
from tests.disputes.conftest import MONDAY, register
from tests.factories import csrf_from, log_in


def limit(level: str) -> DisputeTimeLimit:
    row = db.session.get(DisputeTimeLimit, level)
    db.session.refresh(row)
    return row


def version_on(html: str, level: str) -> str:
    card = html[html.index(f'id="limit-{level}"'):]
    return re.search(r'name="version" value="(\d+)"', card).group(1)


def test_admin_changes_a_limit_from_the_page(world, app):
    client = app.test_client()
    log_in(client, "adm")
    page = client.get("/admin/dispute-limits")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert all(f'id="limit-{level}"' in html for level in ("ordinary", "serious", "major"))
    assert 'data-testid="applies-from"' in html
    row = limit("serious")
    before = (row.amount, row.unit, row.version)
    response = client.post("/admin/dispute-limits", data={
        "csrf_token": csrf_from(html), "level": "serious", "version": version_on(html, "serious"),
        "amount": "20", "unit": "working_days"})
    assert response.status_code == 302 and response.location.endswith("#limit-serious")
    after = limit("serious")
    assert (after.amount, after.unit, after.version) == (20, "working_days", before[2] + 1)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "dispute_limit.update"))
    assert entry.actor_id == world.admin.id and entry.object_id == "serious"
    assert entry.detail["limit"] == {"from": f"{before[0]} {before[1]}", "to": "20 working_days"}


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, app):
    client = app.test_client()
    log_in(client, "adm")
    html = client.get("/admin/dispute-limits").get_data(as_text=True)
    token, seen = csrf_from(html), version_on(html, "ordinary")
    form = {"csrf_token": token, "level": "ordinary", "version": seen, "amount": "25", "unit": "calendar_days"}
    assert client.post("/admin/dispute-limits", data=form).status_code == 302
    stale = client.post("/admin/dispute-limits", data={**form, "amount": "40"})
    assert stale.status_code == 409
    assert 'data-testid="form-error"' in stale.get_data(as_text=True)
    assert limit("ordinary").amount == 25


@pytest.mark.parametrize("amount, unit, field", [(0, "calendar_days", "amount"), (366, "working_days", "amount"),
                                                 (None, "calendar_days", "amount"), (10, "hours", "unit")])
def test_limits_out_of_range_are_refused(world, amount, unit, field):
    row = limit("ordinary")
    seen = (row.amount, row.unit, row.version)
    with pytest.raises(FieldErrors) as error:
        admin.update_limit(limit=row, version=row.version, amount=amount, unit=unit, by=world.admin)
    assert field in error.value.errors
    row = limit("ordinary")
    assert (row.amount, row.unit, row.version) == seen


def test_the_service_refuses_a_stale_version(world):
    row = limit("major")
    seen = row.version
    admin.update_limit(limit=row, version=seen, amount=7, unit="working_days", by=world.admin)
    with pytest.raises(Conflict):
        admin.update_limit(limit=limit("major"), version=seen, amount=9, unit="working_days", by=world.admin)
    assert limit("major").amount == 7


def test_only_administrators_see_the_page(world, app):
    for username in ("c", "s", "w"):
        client = app.test_client()
        log_in(client, username)
        assert client.get("/admin/dispute-limits").status_code == 404
        token = csrf_from(client.get("/", follow_redirects=True).get_data(as_text=True))
        response = client.post("/admin/dispute-limits", data={"csrf_token": token, "level": "ordinary",
                                                               "version": "1", "amount": "3", "unit": "calendar_days"})
        assert response.status_code == 404
    assert limit("ordinary").amount != 3


def test_a_new_case_uses_the_edited_limit_and_old_cases_keep_theirs(world):
    before = register(world)
    assert (before.limit_amount, before.limit_unit) == (30, "calendar_days")
    row = limit("ordinary")
    admin.update_limit(limit=row, version=row.version, amount=10, unit="working_days", by=world.admin)
    after = register(world, when=MONDAY + timedelta(hours=1))
    assert (after.limit_amount, after.limit_unit) == (10, "working_days")
    # Ten working days from Monday 23 November 2026: Monday 7 December, at the end of office hours.
    assert after.time_limit_at == workdays.office_day_end(date(2026, 12, 7))
    db.session.refresh(before)
    assert (before.limit_amount, before.time_limit_at.date()) == (30, date(2026, 12, 23))
