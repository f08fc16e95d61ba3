"""The street office's major-dispute supervision page: which cases it lists,
the street's quick actions (leader in charge, listing, supervision), scope,
and a case raised to major reaching the street office."""
import re
from datetime import timedelta

from sqlalchemy import select

from grid.disputes import services
from grid.disputes.models import DisputeAction
from grid.extensions import db
from grid.notifications.models import Notification
from tests.disputes.conftest import IN_B1A, act, register
from tests.factories import csrf_from, log_in


def client_for(app, username):
    client = app.test_client()
    log_in(client, username)
    return client


def major_page(client):
    response = client.get("/disputes/major")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card_of(html, dispute):
    match = re.search(rf'<article[^>]*id="major-{dispute.id}".*?</article>', html, re.S)
    assert match, f"no card for {dispute.number}"
    return match.group(0)


def street_post(client, dispute, action, *, token, version=None, **fields):
    """Post one street action with the version the page shows now (unless given)."""
    db.session.refresh(dispute)
    return client.post(f"/disputes/{dispute.id}/street", data={
        "csrf_token": token, "action": action, "version": str(dispute.version if version is None else version),
        **fields})


def recent(days=3):
    return services.now_utc() - timedelta(days=days)


def test_the_page_lists_the_streets_major_cases_only(world, app):
    major = register(world, level="major", when=recent())
    ordinary = register(world, when=recent())
    other_street = register(world, by=world.community_b, point=IN_B1A, level="major", when=recent(),
                            stability_owner_id=world.community_b.id, mediator_ids=[world.community_b.id])
    html = major_page(client_for(app, "s"))
    assert major.number in html
    assert ordinary.number not in html and other_street.number not in html
    card = card_of(html, major)
    assert 'data-testid="no-leader"' in card and world.units["A1"].name in card
    assert 'data-action="assign_leader"' in card and 'data-action="list_supervision"' in card
    assert 'data-action="supervise"' in card and 'data-action="raise_level"' not in card
    # The leader choices are street A's staff, not street B's.
    assert f'value="{world.street.id}"' in card and f'value="{world.street_b.id}"' not in card
    other_html = major_page(client_for(app, "sb"))
    assert other_street.number in other_html and major.number not in other_html
    # Administrators see every street's, without the street's forms.
    admin_html = major_page(client_for(app, "adm"))
    assert major.number in admin_html and other_street.number in admin_html
    assert "data-action=" not in admin_html


def test_only_street_staff_and_administrators_open_it(world, app):
    dispute = register(world, level="major", when=recent())
    for username in ("w", "gl", "c", "cd"):
        client = client_for(app, username)
        assert client.get("/disputes/major").status_code == 404, username
    community = client_for(app, "c")
    token = csrf_from(community.get("/").get_data(as_text=True))
    assert street_post(community, dispute, "supervise", token=token, note="抓紧").status_code == 404
    # Another street's staff cannot act on it either.
    other = client_for(app, "sb")
    token = csrf_from(major_page(other))
    assert street_post(other, dispute, "assign_leader", token=token, leader_id=str(world.street_b.id)).status_code == 404
    db.session.expire_all()
    assert dispute.lead_leader_id is None


def test_assigning_a_leader_listing_and_supervising_from_the_page(world, app):
    dispute = register(world, level="major", when=recent())
    client = client_for(app, "s")
    token = csrf_from(major_page(client))
    response = street_post(client, dispute, "assign_leader", token=token, leader_id=str(world.street.id))
    assert response.status_code == 302 and response.headers["Location"].endswith("/disputes/major")
    db.session.expire_all()
    assert dispute.lead_leader_id == world.street.id
    # Listing for supervision needs a note.
    refused = street_post(client, dispute, "list_supervision", token=token, note="")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="note-error"' in html and '<details class="major-action" data-action="list_supervision" open>' in html
    db.session.expire_all()
    assert dispute.listed_at is None
    assert street_post(client, dispute, "list_supervision", token=token,
                       note="月底前化解，每周报告进展").status_code == 302
    assert street_post(client, dispute, "supervise", token=token, note="已约双方周三面谈").status_code == 302
    db.session.expire_all()
    assert dispute.listed_at is not None and dispute.listing_note == "月底前化解，每周报告进展"
    actions = [a.action for a in db.session.scalars(select(DisputeAction).where(
        DisputeAction.dispute_id == dispute.id).order_by(DisputeAction.id))]
    assert actions[-3:] == ["assign_leader", "list_supervision", "supervise"]
    card = card_of(major_page(client), dispute)
    assert 'data-testid="no-leader"' not in card and "陈刚" in card
    assert 'data-testid="listed"' in card and "月底前化解" in card
    assert "已约双方周三面谈" in re.search(r'data-testid="last-supervision">.*?</dd>', card, re.S).group(0)
    # The leader was told.
    assert db.session.scalar(select(Notification).where(Notification.user_id == world.street.id,
                                                        Notification.kind == "dispute_leader")) is not None


def test_a_stale_form_is_a_conflict(world, app):
    dispute = register(world, level="major", when=recent())
    client = client_for(app, "s")
    token = csrf_from(major_page(client))
    seen = dispute.version
    assert street_post(client, dispute, "supervise", token=token, note="第一次督办").status_code == 302
    stale = street_post(client, dispute, "assign_leader", token=token, version=seen, leader_id=str(world.street.id))
    assert stale.status_code == 409
    assert 'data-testid="conflict"' in stale.get_data(as_text=True)
    db.session.expire_all()
    assert dispute.lead_leader_id is None
    # And every post needs the CSRF token.
    assert street_post(client, dispute, "supervise", token="", note="x").status_code == 400


def test_archived_major_cases_of_the_last_90_days_are_listed_below(world, app):
    now = services.now_utc()
    fresh = register(world, level="major", when=now - timedelta(days=10))
    act(fresh, world.community, "decline", now - timedelta(days=9), note="不属于人民调解范围")
    old = register(world, level="major", when=now - timedelta(days=200))
    act(old, world.community, "decline", now - timedelta(days=150), note="不属于人民调解范围")
    html = major_page(client_for(app, "s"))
    archived = re.search(r'data-testid="major-archived">.*?</ul>', html, re.S).group(0)
    assert fresh.number in archived and old.number not in html
    assert f'id="major-{fresh.id}"' not in html   # not among the open cases


def test_a_case_raised_to_major_reaches_the_street_office(world, app):
    dispute = register(world, when=recent())
    assert dispute.state == "registered"
    act(dispute, world.community, "accept", recent(2))
    act(dispute, world.community, "raise_level", recent(1), level="major", note="涉及二十余户，情绪激烈")
    told = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "dispute_major", Notification.object_id == dispute.id)))
    assert told == {world.street.id}
    note = db.session.scalar(select(Notification).where(Notification.kind == "dispute_major"))
    assert note.params == {"number": dispute.number}   # no personal data in the notification
    assert dispute.supervising_unit_id == world.units["A"].id
    card = card_of(major_page(client_for(app, "s")), dispute)
    assert 'data-testid="no-leader"' in card and 'data-action="assign_leader"' in card
