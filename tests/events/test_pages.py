"""The event pages through the real app: report from the form, inbox, detail,
actions with CSRF and versions, notifications."""
import io
import re
import uuid

from sqlalchemy import func, select

from grid.events.models import Event, EventAction
from grid.extensions import db
from grid.notifications.models import Notification
from tests.events.conftest import IN_A1A, IN_B1A, MONDAY, category, jpeg
from tests.events.conftest import act as act_as
from tests.factories import csrf_from, log_in
from grid.events import services
from tests.events.conftest import event_input


def report_form(client, **changes):
    page = client.get("/events/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), "uuid": re.search(r'name="uuid" value="([^"]+)"', html).group(1),
            "category_id": str(category("fire").id), "subcategory_id": str(category("fire_escape").id),
            "priority": "normal", "description": "消防通道被电动车堵塞", "lon": str(IN_A1A[0]), "lat": str(IN_A1A[1]),
            "address": "", "source": "patrol"}
    data.update(changes)
    return client.post("/events/new", data=data)


def test_worker_reports_and_community_sees_it_in_its_inbox(world, app):
    worker = app.test_client()
    log_in(worker, "w")
    response = report_form(worker)
    assert response.status_code == 302
    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    # The subcategory wins over the chip; no address typed: the grid's name stands in.
    assert event.category.code == "fire_escape" and event.grid.name in event.address
    community = app.test_client()
    log_in(community, "c")
    inbox = community.get("/events").get_data(as_text=True)
    assert event.number in inbox and 'data-light="green"' in inbox
    page = community.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'data-action="sign"' in page and 'data-action="dispatch"' not in page
    # The community was notified, and opening the event read the notification.
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.community.id))
    assert note.kind == "assigned" and note.read_at is not None


def test_report_form_shows_every_error_at_once_and_saves_nothing(world, app):
    client = app.test_client()
    log_in(client, "w")
    response = report_form(client, category_id="", subcategory_id="", description="", lon="", lat="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="category_id-error"' in html and 'id="description-error"' in html and 'id="location-error"' in html
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_a_point_outside_the_workers_grids_is_refused(world, app):
    client = app.test_client()
    log_in(client, "w")
    response = report_form(client, lon=str(IN_B1A[0]), lat=str(IN_B1A[1]))
    assert response.status_code == 422 and "location-error" in response.get_data(as_text=True)


def test_acting_needs_csrf_and_the_seen_version(world, app):
    event, _ = services.report_event(data=event_input(), by=world.worker, now=MONDAY)
    client = app.test_client()
    log_in(client, "c")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    token = csrf_from(page)
    assert client.post(f"/events/{event.id}/act", data={"action": "sign", "version": "1"}).status_code == 400
    ok = client.post(f"/events/{event.id}/act", data={"action": "sign", "version": "1", "csrf_token": token})
    assert ok.status_code == 302
    # A second tab still showing version 1 gets the "what happened" message, and nothing more is saved.
    stale = client.post(f"/events/{event.id}/act", data={"action": "escalate", "version": "1", "csrf_token": token,
                                                          "note": "上报街道"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert 'data-testid="conflict"' in html and "刘芳" in html
    assert db.session.scalar(select(func.count()).select_from(EventAction).where(EventAction.event_id == event.id)) == 2


def test_other_community_and_other_department_get_404(world, app):
    event, _ = services.report_event(data=event_input(), by=world.worker, now=MONDAY)
    for username in ("cb", "sb", "hp", "h"):
        client = app.test_client()
        log_in(client, username)
        assert client.get(f"/events/{event.id}").status_code == 404, username
    act_as(event, world.community, "sign", MONDAY)
    act_as(event, world.community, "escalate", MONDAY, note="请街道协调")
    act_as(event, world.street, "sign", MONDAY)
    act_as(event, world.street, "dispatch", MONDAY, department_id=world.cg.id)
    cg = app.test_client()
    log_in(cg, "h")
    assert cg.get(f"/events/{event.id}").status_code == 200
    assert event.number in cg.get("/events").get_data(as_text=True)
    pcs = app.test_client()
    log_in(pcs, "hp")
    assert pcs.get(f"/events/{event.id}").status_code == 404
    assert event.number not in pcs.get("/events?tab=open").get_data(as_text=True)


def test_bell_counts_unread_and_opening_marks_read(world, app):
    event, _ = services.report_event(data=event_input(), by=world.worker, now=MONDAY)
    client = app.test_client()
    log_in(client, "c")
    home = client.get("/events").get_data(as_text=True)
    assert 'data-testid="unread">1<' in home
    listing = client.get("/notifications").get_data(as_text=True)
    assert event.number in listing
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.community.id))
    opened = client.post(f"/notifications/{note.id}/open", data={"csrf_token": csrf_from(listing)})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/events/{event.id}")
    assert 'data-testid="unread"' not in client.get("/events").get_data(as_text=True)
    # Someone else's notification is a 404.
    other = app.test_client()
    log_in(other, "cb")
    token = csrf_from(other.get("/notifications").get_data(as_text=True))
    assert other.post(f"/notifications/{note.id}/open", data={"csrf_token": token}).status_code == 404


def test_on_the_spot_resolution_from_the_form_needs_a_photo(world, app):
    client = app.test_client()
    log_in(client, "w")
    missing = report_form(client, on_spot="y", resolution="已清理")
    assert missing.status_code == 422 and "photos-error" in missing.get_data(as_text=True)
    page = client.get("/events/new").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "uuid": str(uuid.uuid4()), "category_id": str(category("sanitation").id),
            "priority": "normal", "description": "垃圾堆放", "lon": str(IN_A1A[0]), "lat": str(IN_A1A[1]),
            "on_spot": "y", "resolution": "已清理", "source": "patrol",
            "photos": (io.BytesIO(jpeg()), "fix.jpg")}
    done = client.post("/events/new", data=data, content_type="multipart/form-data")
    assert done.status_code == 302
    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    assert event.state == "closed" and event.closure == "on_spot" and len(event.photos) == 1
    assert client.get(f"/events/{event.id}/photos/{event.photos[0].id}.jpg").status_code == 200
