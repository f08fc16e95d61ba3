"""Administrators correct the working calendar and confirm a provisional year."""
from datetime import date

from sqlalchemy import select

from grid import workdays
from grid.audit.models import AuditEntry
from grid.extensions import db
from tests.factories import csrf_from, log_in, make_user


def test_a_provisional_year_is_shown_as_such_and_can_be_corrected_and_confirmed(client):
    make_user("boss", "admin")
    log_in(client, "boss")
    page = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert 'data-testid="provisional"' in page and "2月5日" in page   # Spring Festival eve, computed
    token = csrf_from(page)
    client.post("/admin/calendar", data={"csrf_token": token, "year": "2027", "day": "2027-02-20",
                                         "is_working": "y", "name": "春节调休", "action": "set"})
    assert workdays.is_working_day(date(2027, 2, 20))
    assert workdays.add_working_days(date(2027, 2, 19), 1) == date(2027, 2, 20)
    client.post("/admin/calendar", data={"csrf_token": token, "year": "2027", "action": "confirm"})
    assert not workdays.is_provisional(date(2027, 3, 1))
    assert 'data-testid="provisional"' not in client.get("/admin/calendar?year=2027").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("calendar.%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["calendar.day", "calendar.confirm"]
    client.post("/admin/calendar", data={"csrf_token": token, "day": "2027-02-20", "action": "remove"})
    assert not workdays.is_working_day(date(2027, 2, 20))


def test_only_administrators_edit_the_calendar(client):
    make_user("s", "street_staff", [])
    log_in(client, "s")
    assert client.get("/admin/calendar").status_code == 404
