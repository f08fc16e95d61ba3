"""The committee's review queue through the real app: what it lists, approve and
return via htmx and plain posts, the four-eyes rule, versions and CSRF."""
import re
import uuid
from datetime import timedelta

from sqlalchemy import select

from grid.disputes import review, services
from grid.disputes.models import DisputeAction
from grid.extensions import db
from tests.disputes.conftest import IN_B1A, act, add_agreement, register
from tests.factories import csrf_from, log_in, valid_id

HTMX = {"HX-Request": "true"}


def under_review(world, *, outcome="agreement", start=None, outcome_after=timedelta(days=2), **changes):
    """A case of community A1 waiting for review: registered by the grid worker,
    mediated by 刘芳 (world.community), who records the outcome."""
    start = start or services.now_utc() - timedelta(days=5)
    dispute = register(world, when=start, **changes)
    act(dispute, world.community, "accept", start + timedelta(hours=1))
    services.log_session(dispute=dispute, by=world.community, now=start + timedelta(days=1),
                         data=services.SessionInput(
                             uuid=str(uuid.uuid4()), held_at=start + timedelta(days=1),
                             place="社区调解室", attendees="李梅、王强、刘芳",
                             record="李梅称吊顶损坏严重。" * 40 + "王强同意承担部分费用。"))
    when = start + outcome_after
    if outcome in ("agreement", "partial"):
        add_agreement(dispute, world.community, when)
        act(dispute, world.community, "record_outcome", when, outcome=outcome)
    else:
        act(dispute, world.community, "record_outcome", when, outcome=outcome, note="双方分歧太大")
    assert dispute.state == "under_review"
    return dispute


def committee(app, username="c2"):
    client = app.test_client()
    log_in(client, username)
    return client


def queue_page(client):
    response = client.get("/disputes/review")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card_of(html, dispute):
    """The HTML of one case's card on the queue page."""
    match = re.search(rf'<article[^>]*id="review-{dispute.id}".*?</article>', html, re.S)
    assert match, f"no card for {dispute.number}"
    return match.group(0)


def decide(client, dispute, action, *, token, version=None, note="", htmx=True):
    return client.post(f"/disputes/{dispute.id}/review", headers=HTMX if htmx else {},
                       data={"csrf_token": token, "action": action, "note": note,
                             "version": str(dispute.version if version is None else version)})


def history(dispute):
    return list(db.session.scalars(select(DisputeAction).where(DisputeAction.dispute_id == dispute.id)
                                   .order_by(DisputeAction.id)))


def test_the_queue_lists_the_communitys_cases_under_review_with_what_is_needed_to_decide(world, app):
    parties = [services.PartyInput(role="applicant", name="李梅", id_number=valid_id("19800101")),
               services.PartyInput(role="respondent", name="王强")]
    waiting = under_review(world, parties=parties)
    mediating = register(world)
    act(mediating, world.community, "accept", services.now_utc() - timedelta(days=1))
    # Community B1's own case under review: not for A1's committee.
    other = register(world, by=world.community_b, point=IN_B1A, stability_owner_id=world.community_b.id,
                     mediator_ids=[world.community_b.id], when=services.now_utc() - timedelta(days=3))
    add_agreement(other, world.community_b, services.now_utc() - timedelta(days=2))
    act(other, world.community_b, "record_outcome", services.now_utc() - timedelta(days=2), outcome="agreement")
    html = queue_page(committee(app))
    assert waiting.number in html
    assert mediating.number not in html and other.number not in html
    assert re.search(r'id="review-count"[^>]*>1 ', html)
    card = card_of(html, waiting)
    # Parties with masked ID numbers only, and no reveal button.
    masked = waiting.parties[0].id_number_masked
    assert masked and masked in card and valid_id("19800101") not in card and "reveal" not in card
    # Facts, claims, the session (its long record folded), the agreement's fields and print link, the outcome.
    assert waiting.facts in card and waiting.claims in card
    assert "社区调解室" in card and "<details class=\"review-record\">" in card
    assert "<li>王强承担维修费2000元</li>" in card and "<li>物业承担1000元</li>" in card
    assert "现金一次性支付" in card and "2026-12-31" in card
    assert f"/disputes/{waiting.id}/agreement/print" in card
    assert 'data-testid="outcome"' in card and "刘芳" in card
    assert 'data-testid="in-time"' in card
    assert 'data-testid="approve"' in card and 'data-testid="return"' in card


def test_an_outcome_after_the_time_limit_is_shown_late(world, app):
    dispute = under_review(world, start=services.now_utc() - timedelta(days=60), outcome_after=timedelta(days=59))
    card = card_of(queue_page(committee(app)), dispute)
    assert 'data-testid="late"' in card and 'data-testid="in-time"' not in card


def test_only_community_staff_open_the_queue(world, app):
    for username in ("w", "gl", "s", "adm"):
        client = app.test_client()
        log_in(client, username)
        assert client.get("/disputes/review").status_code == 404, username


def test_approving_an_agreement_moves_it_to_follow_up_and_replaces_the_card(world, app):
    dispute = under_review(world)
    client = committee(app)
    token = csrf_from(queue_page(client))
    response = decide(client, dispute, "approve", token=token)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="review-done"' in html and dispute.number in html and 'data-testid="approve"' not in html
    assert re.search(r'id="review-count"[^>]*hx-swap-oob="true">0 ', html)
    db.session.expire_all()
    assert dispute.state == "follow_up" and dispute.approved_at is not None
    last = history(dispute)[-1]
    assert (last.action, last.actor_id, last.from_state, last.to_state) == (
        "approve", world.committee.id, "under_review", "follow_up")
    assert dispute.number not in queue_page(client)


def test_approving_a_failed_mediation_archives_it_and_a_plain_post_redirects(world, app):
    dispute = under_review(world, outcome="failed")
    client = committee(app)
    token = csrf_from(queue_page(client))
    response = decide(client, dispute, "approve", token=token, htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/disputes/review")
    db.session.expire_all()
    assert dispute.state == "archived" and dispute.archived_at is not None
    assert history(dispute)[-1].action == "approve"
    page = client.get("/disputes/review").get_data(as_text=True)
    assert "flash-success" in page and dispute.number in page  # the flash names the case; the queue is empty
    assert 'data-testid="review-empty"' in page


def test_returning_needs_a_note_and_sends_the_case_back_to_mediation(world, app):
    dispute = under_review(world)
    client = committee(app)
    token = csrf_from(queue_page(client))
    response = decide(client, dispute, "return_case", token=token, note="  ")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="review-{dispute.id}"' in html and 'id="note-error"' in html and 'data-testid="return"' in html
    db.session.expire_all()
    assert dispute.state == "under_review" and history(dispute)[-1].action == "record_outcome"
    # Without htmx the whole queue comes back with the card's error.
    plain = decide(client, dispute, "return_case", token=token, note="", htmx=False)
    assert plain.status_code == 422 and 'id="note-error"' in plain.get_data(as_text=True)
    ok = decide(client, dispute, "return_case", token=token, note="请补充物业的意见")
    assert ok.status_code == 200 and 'data-testid="review-done"' in ok.get_data(as_text=True)
    db.session.expire_all()
    assert dispute.state == "mediating" and dispute.outcome is None
    last = history(dispute)[-1]
    assert (last.action, last.note, last.to_state) == ("return_case", "请补充物业的意见", "mediating")


def test_whoever_recorded_the_outcome_cannot_approve_it(world, app):
    dispute = under_review(world)
    recorder = committee(app, "c")   # 刘芳 recorded the outcome
    html = queue_page(recorder)
    card = card_of(html, dispute)
    assert 'data-testid="four-eyes"' in card
    assert 'data-testid="approve"' not in card and 'data-testid="return"' not in card
    version = dispute.version
    response = decide(recorder, dispute, "approve", token=csrf_from(html))
    assert response.status_code == 422
    assert 'data-testid="conflict"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert (dispute.state, dispute.version, dispute.approved_at) == ("under_review", version, None)
    assert history(dispute)[-1].action == "record_outcome"
    # The other committee member's home page counts it; the recorder's does not.
    other_home = committee(app).get("/").get_data(as_text=True)
    assert re.search(r'data-testid="review-todo"><strong>[^<]*1</strong>', other_home)
    assert re.search(r'data-testid="review-todo"><strong>[^<]*0</strong>', recorder.get("/").get_data(as_text=True))


def test_whoever_wrote_the_agreement_does_not_approve_it_either(world, app):
    """黄主任 (c2) wrote the agreement, 刘芳 (c) recorded the outcome: neither may decide, nobody is counted."""
    start = services.now_utc() - timedelta(days=5)
    dispute = register(world, when=start)
    act(dispute, world.community, "accept", start + timedelta(hours=1))
    add_agreement(dispute, world.committee, start + timedelta(days=1))
    act(dispute, world.community, "record_outcome", start + timedelta(days=2), outcome="agreement")
    card = card_of(queue_page(committee(app, "c2")), dispute)
    assert 'data-testid="approve"' not in card and 'data-testid="return"' not in card
    assert 'data-testid="four-eyes"' in card
    for user in (world.committee, world.community):
        assert review.review_waiting(user) == 0
    assert review.review_count(world.committee) == 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, app):
    dispute = under_review(world)
    client = committee(app)
    token = csrf_from(queue_page(client))
    response = decide(client, dispute, "approve", token=token, version=dispute.version - 1)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'data-testid="conflict"' in html and f'id="review-{dispute.id}"' in html
    db.session.expire_all()
    assert dispute.state == "under_review" and history(dispute)[-1].action == "record_outcome"


def test_deciding_needs_the_csrf_token(world, app):
    dispute = under_review(world)
    client = committee(app)
    queue_page(client)
    response = decide(client, dispute, "approve", token="")
    assert response.status_code == 400
    db.session.expire_all()
    assert dispute.state == "under_review"


def test_another_communitys_case_cannot_be_decided(world, app):
    dispute = under_review(world)
    client = committee(app, "cb")
    token = csrf_from(queue_page(client))
    assert decide(client, dispute, "approve", token=token).status_code == 404
    db.session.expire_all()
    assert dispute.state == "under_review"
