"""The demo disputes: made through the real services by the demo accounts,
every state, the three lights, a major case under supervision, cases waiting
for the committee and due follow-ups, as of now whatever day now is."""
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from grid import workdays
from grid.accounts.models import User
from grid.demo import seed_demo
from grid.disputes import demo, limits, services, tasks
from grid.disputes.demo import seed_disputes
from grid.disputes.models import Dispute, DisputeAction, MediationSession, Screening, SessionAttachment
from grid.disputes.screening import period_of
from grid.disputes.workflow import STATES
from grid.extensions import db
from grid.places.models import Unit
from grid.registry import rules

HOUSEHOLDS = 300


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


@pytest.fixture
def district(ctx, monkeypatch):
    """The demo district, accounts and a small registry; no visits or events
    (they have their own tests), and the disputes left to the test."""
    monkeypatch.setattr("grid.demo.seed_visits", lambda: 0)
    monkeypatch.setattr("grid.demo.seed_events", lambda: 0)
    monkeypatch.setattr("grid.demo.seed_disputes", lambda: 0)
    seed_demo(households=HOUSEHOLDS)


def check_mix(now: datetime) -> list[Dispute]:
    disputes = db.session.scalars(select(Dispute).order_by(Dispute.id)).all()
    assert 18 <= len(disputes) <= 25
    states = Counter(d.state for d in disputes)
    assert set(states) == set(STATES), states
    mediating = [d for d in disputes if d.state == "mediating"]
    lights = Counter(limits.light(d.due_at, d.yellow_at, now) for d in mediating)
    assert all(lights[c] >= 1 for c in ("green", "yellow", "red")), lights
    # Waiting to be accepted: one in time, one overdue.
    assert {limits.light(d.due_at, d.yellow_at, now) for d in disputes if d.state == "registered"} >= {"green", "red"}
    # The major case: the street office's leader in charge, listed and supervised, still mediating.
    jiedao, shequ, juweihui, wanggeyuan = user("jiedao"), user("shequ"), user("juweihui"), user("wanggeyuan")
    major = [d for d in mediating if d.level == "major"]
    assert len(major) == 1
    assert major[0].lead_leader_id == jiedao.id and major[0].listed_at is not None and major[0].listing_note
    assert major[0].supervising_unit_id == major[0].street_id
    assert {"raise_level", "assign_leader", "list_supervision", "supervise"} <= {a.action for a in major[0].actions}
    # Returned by the committee with comments, back in mediation.
    assert any(a.action == "return_case" and a.actor_id == juweihui.id and a.note
               for d in mediating for a in d.actions)
    # Waiting for the committee: juweihui may approve what shequ recorded, shequ may not.
    review = [d for d in disputes if d.state == "under_review"]
    assert len(review) >= 2
    for d in review:
        assert d.outcome_by_id == shequ.id
        assert "approve" in services.allowed_actions(juweihui, d)
        assert "approve" not in services.allowed_actions(shequ, d)
    # Follow-ups on wanggeyuan: one due within days, one overdue; both on his task list.
    today = services.today(now)
    follow_ups = [d for d in disputes if d.state == "follow_up" and d.stability_owner_id == wanggeyuan.id]
    assert any(today <= d.follow_up_on <= today + timedelta(days=3) for d in follow_ups)
    assert any(d.follow_up_on < today and limits.light(d.due_at, d.yellow_at, now) == "red" for d in follow_ups)
    on_list = {t.dispute.id for t in tasks.for_user(wanggeyuan, now) if t.reason == "follow_up"}
    assert {d.id for d in follow_ups} <= on_list and len(on_list) >= 2
    # Archived every way a case ends.
    archived = [d for d in disputes if d.state == "archived"]
    assert {d.outcome for d in archived} >= {"agreement", "referred", "failed", "withdrawn", "declined"}
    assert any(d.performance == "fulfilled" for d in archived)
    assert any(d.referral_body and "法院" in d.referral_body for d in archived)
    # Approvals are the committee member's, outcomes the community's: four eyes everywhere.
    approvals = db.session.scalars(select(DisputeAction).where(DisputeAction.action == "approve")).all()
    assert approvals and {a.actor_id for a in approvals} == {juweihui.id}
    # Back-dated, never after now, registered in time order.
    moments = db.session.scalars(select(DisputeAction.at)).all()
    assert max(moments) <= now and (now - min(moments)).days <= demo.HISTORY_DAYS
    by_number = sorted(disputes, key=lambda d: d.number)
    assert [d.registered_at for d in by_number] == sorted(d.registered_at for d in disputes)
    return disputes


def test_demo_disputes_in_every_state_and_light(district, app, monkeypatch):
    now = services.now_utc()
    monkeypatch.setattr("grid.demo.seed_disputes", lambda: seed_disputes(now=now))
    done = seed_demo(households=HOUSEHOLDS)
    count = db.session.scalar(select(func.count()).select_from(Dispute))
    assert f"{count} disputes" in done
    disputes = check_mix(now)
    community = db.session.scalar(select(Unit).where(Unit.code == demo.COMMUNITY))
    assert {d.community_id for d in disputes} == {community.id}
    # Parties: residents of the case's grid, and people typed in with valid ID numbers.
    parties = [p for d in disputes for p in d.parties]
    linked = [p for p in parties if p.resident_id is not None]
    assert linked and all(p.resident.household.grid_id == next(d.grid_id for d in disputes if p in d.parties)
                          for p in linked)
    typed = [p for p in parties if p.resident_id is None and p.id_number_sealed]
    assert len(typed) >= 10
    for party in typed:
        number = services.party_id_number(party)
        identity = rules.parse_id_number(number, today=services.today(now))
        assert party.id_number_masked == rules.mask_id_number(number) and party.gender == identity.gender
    # Sessions with a record, attendees and some photos; the agreements' names filled in.
    sessions = db.session.scalars(select(MediationSession)).all()
    assert len(sessions) >= 20 and all(s.record and s.attendees and "{" not in s.record for s in sessions)
    assert db.session.scalar(select(func.count()).select_from(SessionAttachment)) >= 4
    assert all("{" not in d.facts + d.claims for d in disputes)
    agreements = [d.agreement for d in disputes if d.agreement is not None]
    assert len(agreements) >= 6
    assert all(a.committee_name == "朝晖社区人民调解委员会" and "{" not in a.terms for a in agreements)
    # Screening: cases found in screening filed their grid's report; zero reports
    # for past periods; grid 007's current period left missing.
    found = [d for d in disputes if d.source == "screening"]
    assert found and all(d.screening is not None and not d.screening.nothing_found for d in found)
    zero = db.session.scalars(select(Screening).where(Screening.nothing_found)).all()
    start, _end = period_of("half_month", services.today(now))
    assert len(zero) >= 10 and any(z.period_start < start for z in zero)
    grid7 = db.session.scalar(select(Unit).where(Unit.code == demo.COMMUNITY + "007"))
    assert db.session.scalar(select(Screening.id).where(Screening.unit_id == grid7.id,
                                                        Screening.period_start == start)) is None
    # Once only.
    assert seed_disputes() == 0
    assert db.session.scalar(select(func.count()).select_from(Dispute)) == count


@pytest.mark.parametrize("now", [
    datetime(2026, 10, 4, 15, 0, tzinfo=workdays.SHANGHAI),   # in the middle of the National Day holiday
    datetime(2026, 11, 23, 3, 20, tzinfo=workdays.SHANGHAI),  # Monday night before office
    datetime(2027, 2, 10, 12, 30, tzinfo=workdays.SHANGHAI),  # the Spring Festival holiday
], ids=["holiday", "monday-night", "spring-festival"])
def test_the_mix_holds_whatever_the_day(district, now):
    assert seed_disputes(now=now) == len(demo.CASES)
    check_mix(now)


def test_a_plan_missing_a_light_is_refused_before_anything_is_written(district, monkeypatch):
    monkeypatch.setattr(demo, "CASES", [c for c in demo.CASES if c.light != "yellow"])
    with pytest.raises(RuntimeError, match="planned"):
        seed_disputes(now=datetime(2026, 11, 25, 15, 0, tzinfo=workdays.SHANGHAI))
    assert db.session.scalar(select(func.count()).select_from(Dispute)) == 0
