"""The dispute board and case page through the real app: scope, sorting and
filters, actions with CSRF and versions, audited reveals, mediation sessions."""
import io
import re
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from grid.audit.models import AuditEntry
from grid.disputes import services
from grid.disputes.models import Dispute, DisputeAction, MediationSession, SessionAttachment
from grid.extensions import db
from grid.notifications.models import Notification
from tests.disputes.conftest import IN_B1A, act, add_agreement, register
from tests.factories import csrf_from, log_in, valid_id


def now():
    return services.now_utc()


def client_for(app, username):
    client = app.test_client()
    log_in(client, username)
    return client


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 80, 200)).save(out, "JPEG")
    return out.getvalue()


def numbers_on(html: str) -> list[str]:
    return re.findall(r'data-testid="dispute-row" data-number="([^"]+)"', html)


def register_in_b(world, **changes):
    return register(world, by=world.community_b, when=changes.pop("when", now()), point=IN_B1A,
                    stability_owner_id=world.community_b.id, mediator_ids=[], **changes)


def test_board_lists_own_community_only_and_opening_reads_the_notification(world, app):
    ours = register(world, when=now())
    theirs = register_in_b(world)
    c = client_for(app, "c")
    board = c.get("/disputes")
    assert board.status_code == 200
    assert numbers_on(board.get_data(as_text=True)) == [ours.number]
    assert numbers_on(client_for(app, "cb").get("/disputes").get_data(as_text=True)) == [theirs.number]
    # The other street office sees only its own.
    assert numbers_on(client_for(app, "sb").get("/disputes").get_data(as_text=True)) == [theirs.number]
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.community.id,
                                                        Notification.object_type == "dispute"))
    assert note.kind == "dispute_registered" and note.read_at is None
    assert c.get(f"/disputes/{ours.id}").status_code == 200
    db.session.refresh(note)
    assert note.read_at is not None


def test_another_communitys_case_is_404_and_children_directors_have_no_disputes(world, app):
    ours = register(world, when=now())
    assert client_for(app, "cb").get(f"/disputes/{ours.id}").status_code == 404
    assert client_for(app, "wb").get(f"/disputes/{ours.id}").status_code == 404
    director = client_for(app, "cd")
    assert director.get(f"/disputes/{ours.id}").status_code == 404
    assert director.get("/disputes").status_code == 404
    assert client_for(app, "w").get(f"/disputes/{ours.id}").status_code == 200


def test_board_sorts_red_first_and_filters(world, app):
    late = register(world, when=now() - timedelta(days=30), type="wages")      # accept step long overdue
    fresh = register(world, when=now(), level="major")
    other_grid = register(world, by=world.community, when=now(), point=(120.115, 30.21),  # A1b, accepted at once
                          stability_owner_id=world.community.id)
    c = client_for(app, "c")
    html = c.get("/disputes").get_data(as_text=True)
    order = numbers_on(html)
    assert set(order) == {late.number, fresh.number, other_grid.number}
    assert order[0] == late.number      # registered first, yet on top: red before green
    assert f'data-number="{late.number}"' in html and 'light-edge-red' in html
    assert numbers_on(c.get("/disputes?light=red").get_data(as_text=True)) == [late.number]
    assert numbers_on(c.get("/disputes?light=green").get_data(as_text=True)) == sorted(
        [fresh.number, other_grid.number], key=lambda n: order.index(n))
    assert numbers_on(c.get("/disputes?level=major").get_data(as_text=True)) == [fresh.number]
    assert numbers_on(c.get("/disputes?type=wages").get_data(as_text=True)) == [late.number]
    assert numbers_on(c.get(f"/disputes?unit={world.units['A1b'].id}").get_data(as_text=True)) == [other_grid.number]
    # A unit outside the user's scope narrows to nothing rather than widening.
    assert numbers_on(c.get(f"/disputes?unit={world.units['B1'].id}").get_data(as_text=True)) == []
    # Tabs by state: the one accepted at once is mediating.
    assert numbers_on(c.get("/disputes?tab=mediating").get_data(as_text=True)) == [other_grid.number]
    assert sorted(numbers_on(c.get("/disputes?tab=registered").get_data(as_text=True))) == sorted(
        [late.number, fresh.number])
    # A filter change from htmx gets the rows only.
    fragment = c.get("/disputes?level=major", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="dispute-rows">') and "<html" not in fragment
    # The board names no parties.
    assert "李梅" not in html and "王强" not in html


def test_the_board_lists_what_one_screening_found_in_every_state_within_scope(world, app):
    when = now()
    found = register(world, source="screening", when=when)
    declined = register(world, source="screening", when=when)                 # same grid and period
    act(declined, world.community, "decline", when + timedelta(minutes=1), note="不属于人民调解范围")
    register(world, when=when)                                                  # a resident's request
    theirs = register_in_b(world, source="screening", when=when)
    assert found.screening_id and declined.screening_id == found.screening_id and theirs.screening_id
    c = client_for(app, "c")
    html = c.get(f"/disputes?screening={found.screening_id}").get_data(as_text=True)
    # Archived (declined) too, as the screening's count has it; the plain board still hides it.
    assert sorted(numbers_on(html)) == sorted([found.number, declined.number])
    assert 'data-testid="board-narrowed"' in html and f'name="screening" value="{found.screening_id}"' in html
    assert declined.number not in numbers_on(c.get("/disputes").get_data(as_text=True))
    # Another community's screening shows nothing here, and ours nothing there.
    assert numbers_on(c.get(f"/disputes?screening={theirs.screening_id}").get_data(as_text=True)) == []
    cb = client_for(app, "cb")
    assert numbers_on(cb.get(f"/disputes?screening={found.screening_id}").get_data(as_text=True)) == []
    assert numbers_on(cb.get(f"/disputes?screening={theirs.screening_id}").get_data(as_text=True)) == [theirs.number]


def test_the_board_lists_open_cases_past_their_time_limit(world, app):
    long_ago = now() - timedelta(days=60)
    waiting = register(world, when=long_ago)                                    # never accepted
    mediating = register(world, by=world.community, when=long_ago, stability_owner_id=world.community.id)
    reviewed = register(world, by=world.community, when=long_ago, stability_owner_id=world.community.id)
    act(reviewed, world.community, "record_outcome", long_ago + timedelta(days=1), outcome="failed", note="调解不成")
    register(world, when=now())                                                 # within its limit
    register_in_b(world, when=long_ago)                                         # late, but not ours
    assert (waiting.state, mediating.state, reviewed.state) == ("registered", "mediating", "under_review")
    c = client_for(app, "c")
    html = c.get("/disputes?overdue=1").get_data(as_text=True)
    assert sorted(numbers_on(html)) == sorted([waiting.number, mediating.number])
    assert 'name="overdue" value="1"' in html
    assert numbers_on(c.get("/disputes?overdue=1&level=major").get_data(as_text=True)) == []


def test_the_board_offers_the_ledger_export_with_its_filters(world, app):
    html = client_for(app, "c").get("/disputes").get_data(as_text=True)
    start = html.index('data-testid="ledger-export"')
    export = html[start:html.index("</details>", start)]
    assert 'method="get" action="/disputes/ledger.xlsx"' in export
    assert 'name="from"' in export and 'name="to"' in export
    assert all(f'<option value="{code}">' in export for code in
               ("registered", "mediating", "under_review", "follow_up", "archived"))


def test_accept_over_http_needs_csrf(world, app):
    dispute = register(world, when=now())
    c = client_for(app, "c")
    page = c.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert 'data-action="accept"' in page
    form = {"action": "accept", "version": str(dispute.version), "people": "y",
            "mediator_ids": [str(world.community.id), str(world.committee.id)],
            "stability_owner_id": str(world.worker.id)}
    assert c.post(f"/disputes/{dispute.id}/act", data=form).status_code == 400
    db.session.refresh(dispute)
    assert dispute.state == "registered"
    done = c.post(f"/disputes/{dispute.id}/act", data=form | {"csrf_token": csrf_from(page)})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/disputes/{dispute.id}")
    db.session.refresh(dispute)
    assert dispute.state == "mediating"
    assert sorted(m.id for m in dispute.mediators) == sorted([world.community.id, world.committee.id])


def test_a_stale_version_is_409_naming_who_acted_and_changes_nothing(world, app):
    dispute = register(world, when=now())
    committee = client_for(app, "c2")
    page = committee.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    seen = dispute.version
    act(dispute, world.community, "accept", now())          # 刘芳 accepts in the meantime
    actions_before = db.session.scalar(select(func.count()).select_from(DisputeAction)
                                       .where(DisputeAction.dispute_id == dispute.id))
    stale = committee.post(f"/disputes/{dispute.id}/act", data={
        "action": "decline", "version": str(seen), "note": "不属于调解范围", "csrf_token": csrf_from(page)})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert 'data-testid="conflict"' in html and "刘芳" in html
    db.session.expire_all()
    assert db.session.get(Dispute, dispute.id).state == "mediating"
    assert db.session.scalar(select(func.count()).select_from(DisputeAction)
                             .where(DisputeAction.dispute_id == dispute.id)) == actions_before


def test_missing_input_re_renders_422_with_the_form_open_and_values_kept(world, app):
    dispute = register(world, when=now())
    act(dispute, world.community, "accept", now())
    c = client_for(app, "c")
    page = c.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    response = c.post(f"/disputes/{dispute.id}/act", data={
        "action": "record_outcome", "version": str(dispute.version), "outcome": "agreement",
        "note": "双方同意分担维修费", "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="outcome-error"' in html and "双方同意分担维修费" in html
    assert re.search(r'<details class="card action" open data-action="record_outcome">', html)
    assert '<option value="agreement" selected>' in html
    db.session.refresh(dispute)
    assert dispute.state == "mediating" and dispute.outcome is None


def test_revealing_an_id_number_is_audited_and_the_page_never_shows_it_before(world, app):
    id_number = valid_id("19800512")
    dispute = register(world, when=now(), parties=[
        services.PartyInput(role="applicant", name="李梅", id_number=id_number, phone="13812345678"),
        services.PartyInput(role="respondent", name="王强")])
    party = dispute.parties[0]
    c = client_for(app, "c")
    page = c.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert id_number not in page and "13812345678" not in page
    assert party.id_number_masked in page and "138****5678" in page
    url = f"/disputes/{dispute.id}/parties/{party.id}/reveal/id_number"
    assert c.post(url).status_code == 400             # no CSRF token
    revealed = c.post(url, headers={"X-CSRFToken": csrf_from(page), "HX-Request": "true"})
    assert revealed.status_code == 200 and id_number in revealed.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "dispute.reveal_id"))
    assert (entry.actor_id, entry.object_type, entry.object_id) == (world.community.id, "dispute_party", str(party.id))
    phone = c.post(f"/disputes/{dispute.id}/parties/{party.id}/reveal/phone", headers={"X-CSRFToken": csrf_from(page)})
    assert "13812345678" in phone.get_data(as_text=True)
    # Another community's staff cannot reveal anything of this case.
    other = client_for(app, "cb")
    token = csrf_from(other.get("/disputes").get_data(as_text=True))
    assert other.post(url, headers={"X-CSRFToken": token}).status_code == 404


def session_form(client, dispute):
    page = client.get(f"/disputes/{dispute.id}/sessions/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    field = lambda name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)  # noqa: E731
    return {"csrf_token": csrf_from(html), "uuid": field("uuid"), "held_on": field("held_on"),
            "held_time": field("held_time"), "place": "社区调解室", "attendees": "李梅、王强、刘芳",
            "record": "李梅：楼上漏水已三个月。\n王强：愿意承担部分费用。"}


def test_session_form_saves_a_session_with_a_photo_once(world, app):
    dispute = register(world, when=now())
    act(dispute, world.community, "accept", now())
    c = client_for(app, "c")
    assert 'data-testid="log-session"' in c.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    data = session_form(c, dispute)
    missing = c.post(f"/disputes/{dispute.id}/sessions/new", data=data | {"record": ""})
    assert missing.status_code == 422 and 'id="record-error"' in missing.get_data(as_text=True)
    for _attempt in range(2):   # the second is a resubmission of the same form
        saved = c.post(f"/disputes/{dispute.id}/sessions/new", content_type="multipart/form-data",
                       data=data | {"photos": (io.BytesIO(jpeg()), "page1.jpg")})
        assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/disputes/{dispute.id}")
    sessions = db.session.scalars(select(MediationSession).where(MediationSession.dispute_id == dispute.id)).all()
    assert len(sessions) == 1 and sessions[0].place == "社区调解室"
    photo = db.session.scalar(select(SessionAttachment).where(SessionAttachment.session_id == sessions[0].id))
    url = f"/disputes/{dispute.id}/sessions/{sessions[0].id}/photos/{photo.id}.jpg"
    page = c.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert url in page and "愿意承担部分费用" in page
    picture = c.get(url)
    assert picture.status_code == 200 and picture.mimetype == "image/jpeg"
    assert client_for(app, "cb").get(url).status_code == 404
    # The same form with other content is a conflict, and a fresh form id comes back.
    changed = c.post(f"/disputes/{dispute.id}/sessions/new", data=data | {"place": "楼道"})
    assert changed.status_code == 409 and f'value="{data["uuid"]}"' not in changed.get_data(as_text=True)


def test_page_shows_only_the_actions_open_to_the_user(world, app):
    dispute = register(world, when=now())
    worker_page = client_for(app, "w").get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert 'data-action="accept"' not in worker_page and 'data-testid="log-session"' not in worker_page
    assert 'data-action="accept"' in client_for(app, "c").get(f"/disputes/{dispute.id}").get_data(as_text=True)
    act(dispute, world.community, "accept", now())
    add_agreement(dispute, world.community, now())
    act(dispute, world.community, "record_outcome", now(), outcome="agreement")
    recorder = client_for(app, "c").get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert 'data-action="approve"' not in recorder and 'data-action="return_case"' not in recorder
    committee = client_for(app, "c2").get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert 'data-action="approve"' in committee and 'data-action="return_case"' in committee
    # The street office of another street sees nothing; this one supervises but does not review.
    street = client_for(app, "s").get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert 'data-action="supervise"' in street and 'data-action="approve"' not in street


def actions_on(html: str) -> set[str]:
    return set(re.findall(r'<details class="card action"[^>]*data-action="([a-z_]+)"', html))


def test_every_action_form_renders_and_follow_up_works_over_http(world, app):
    dispute = register(world, when=now())
    assert actions_on(client_for(app, "c").get(f"/disputes/{dispute.id}").get_data(as_text=True)) == {
        "accept", "decline", "assign", "raise_level"}
    street = client_for(app, "s")
    assert actions_on(street.get(f"/disputes/{dispute.id}").get_data(as_text=True)) == {
        "assign", "raise_level", "supervise"}
    act(dispute, world.street, "raise_level", now(), level="major", note="涉及人数多")
    page = street.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert {"assign_leader", "list_supervision"} <= actions_on(page)
    assert '<option value="%s"' % world.street.id in page and '<option value="%s"' % world.street_b.id not in page
    leader = street.post(f"/disputes/{dispute.id}/act", data={
        "action": "assign_leader", "version": str(dispute.version), "leader_id": str(world.street.id),
        "csrf_token": csrf_from(page)})
    assert leader.status_code == 302
    db.session.refresh(dispute)
    assert dispute.lead_leader_id == world.street.id
    act(dispute, world.community, "accept", now())
    add_agreement(dispute, world.community, now())
    act(dispute, world.community, "record_outcome", now(), outcome="agreement")
    act(dispute, world.committee, "approve", now())
    assert dispute.state == "follow_up"
    worker = client_for(app, "w")
    page = worker.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert actions_on(page) == {"follow_up"}
    form = {"action": "follow_up", "version": str(dispute.version), "performance": "unfulfilled",
            "next_step": "again", "note": "尚未支付", "csrf_token": csrf_from(page)}
    missing = worker.post(f"/disputes/{dispute.id}/act", data=form)
    assert missing.status_code == 422 and 'id="follow_up_on-error"' in missing.get_data(as_text=True)
    next_date = (services.today() + timedelta(days=10)).isoformat()
    assert worker.post(f"/disputes/{dispute.id}/act", data=form | {"follow_up_on": next_date}).status_code == 302
    db.session.refresh(dispute)
    assert (dispute.state, dispute.follow_up_on.isoformat(), dispute.performance) == (
        "follow_up", next_date, "unfulfilled")
    history = worker.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert 'data-testid="history-follow_up"' in history and next_date in history
