"""Every step allowed and refused by role and unit, through the services on
real cases (capacities come from the user's role, units and the case)."""
from datetime import timedelta

import pytest

from sqlalchemy import select

from grid.disputes import services
from grid.errors import DomainError, FieldErrors
from grid.extensions import db
from grid.notifications.models import Notification
from tests.disputes.conftest import MONDAY, act, add_agreement, register

LATER = MONDAY + timedelta(hours=2)


def mediating(world, **changes):
    dispute = register(world, **changes)
    act(dispute, world.community, "accept", MONDAY + timedelta(minutes=30))
    return dispute


def under_review(world, outcome="agreement", by=None, **changes):
    dispute = mediating(world, **changes)
    if outcome in ("agreement", "partial"):
        add_agreement(dispute, world.community, MONDAY)
    note = "" if outcome not in ("failed", "withdrawn") else "双方分歧过大"
    act(dispute, by or world.community, "record_outcome", MONDAY + timedelta(hours=1), outcome=outcome,
        referral_body="区人民法院" if outcome == "referred" else "", note=note)
    return dispute


def following_up(world):
    dispute = under_review(world)
    act(dispute, world.committee, "approve", LATER)
    return dispute


STAGES = {"registered": register, "mediating": mediating, "under_review": under_review,
          "follow_up": following_up}
FIELDS = {"decline": {"note": "不属于人民调解范围"}, "return_case": {"note": "补充证据"},
          "record_outcome": {"outcome": "failed", "note": "分歧过大"},
          "follow_up": {"performance": "fulfilled", "note": "已履行"},
          "raise_level": {"level": "serious", "note": "涉及人数增加"}, "list_supervision": {"note": "月底前化解"},
          "supervise": {"note": "抓紧调解"}, "assign": {"supervisor_name": "王书记"}}
# (stage, action, who may, who may not); users are world attribute names.
CASES = [
    ("registered", "accept", ["community", "committee"], ["worker", "leader", "street", "community_b", "admin"]),
    ("registered", "decline", ["community"], ["worker", "street", "community_b"]),
    ("mediating", "record_outcome", ["community"], ["worker", "leader", "community_b", "street", "street_b"]),
    ("under_review", "approve", ["committee"], ["community", "worker", "street", "community_b"]),
    ("under_review", "return_case", ["committee"], ["community", "worker", "street"]),
    ("follow_up", "follow_up", ["worker", "community"], ["worker_b", "leader", "street", "community_b"]),
    ("mediating", "assign", ["community", "street"], ["worker", "street_b", "community_b"]),
    ("mediating", "raise_level", ["community", "street"], ["worker", "leader", "community_b", "street_b"]),
    ("mediating", "supervise", ["street"], ["community", "worker", "street_b"]),
]


@pytest.mark.parametrize("stage,action,allowed,refused", CASES)
def test_allowed_and_refused(world, stage, action, allowed, refused):
    for name in refused:
        dispute = STAGES[stage](world)
        before = (dispute.state, dispute.version)
        with pytest.raises(DomainError):
            act(dispute, world[name], action, LATER + timedelta(hours=1), **FIELDS.get(action, {}))
        db.session.refresh(dispute)
        assert (dispute.state, dispute.version) == before, name
    for name in allowed:
        dispute = STAGES[stage](world)
        act(dispute, world[name], action, LATER + timedelta(hours=1), **FIELDS.get(action, {}))
        assert dispute.actions[-1].action == action and dispute.actions[-1].actor_id == world[name].id


def test_a_named_mediator_records_sessions_and_the_outcome(world):
    dispute = mediating(world, mediator_ids=[world.worker.id])
    assert services.may(world.worker, dispute, "log_session")
    assert not services.may(world.worker_b, dispute, "log_session")
    act(dispute, world.worker, "record_outcome", LATER, outcome="withdrawn", note="申请人撤回")
    # The community staff did not record it, so either may approve.
    assert services.may(world.community, dispute, "approve")
    act(dispute, world.community, "approve", LATER + timedelta(hours=1))
    assert dispute.state == "archived" and dispute.outcome == "withdrawn"


def test_community_staff_registering_accept_at_once(world):
    dispute = register(world, by=world.community, stability_owner_id=world.community.id)
    assert [a.action for a in dispute.actions] == ["register", "accept"] and dispute.state == "mediating"


def test_return_sends_the_case_back_with_comments(world):
    dispute = under_review(world)
    act(dispute, world.committee, "return_case", LATER, note="协议条款第二条不明确")
    assert (dispute.state, dispute.outcome, dispute.step) == ("mediating", None, "mediate")
    notified = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "dispute_returned", Notification.object_id == dispute.id)))
    assert world.community.id in notified


@pytest.mark.parametrize("outcome", ["failed", "referred", "withdrawn"])
def test_approving_an_outcome_without_agreement_archives(world, outcome):
    dispute = under_review(world, outcome=outcome)
    act(dispute, world.committee, "approve", LATER)
    assert dispute.state == "archived" and dispute.follow_up_on is None


def test_follow_up_again_and_remediate(world):
    dispute = following_up(world)
    with pytest.raises(FieldErrors):
        act(dispute, world.worker, "follow_up", LATER, performance="partial", next_step="again", note="只付了一半")
    act(dispute, world.worker, "follow_up", LATER, performance="partial", next_step="again", note="只付了一半",
        follow_up_on=(LATER + timedelta(days=10)).date())
    assert dispute.state == "follow_up" and dispute.follow_up_on == (LATER + timedelta(days=10)).date()
    act(dispute, world.worker, "follow_up", LATER + timedelta(days=11), performance="unfulfilled",
        next_step="remediate", note="拒不履行")
    assert dispute.state == "mediating" and dispute.outcome is None
    assert dispute.due_at > LATER + timedelta(days=30)


def test_major_case_escalation(world):
    dispute = mediating(world)
    assert "assign_leader" not in services.allowed_actions(world.street, dispute)
    act(dispute, world.community, "raise_level", LATER, level="major", note="涉及三十余户")
    assert dispute.level == "major" and dispute.supervising_unit_id == world.units["A"].id
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "dispute_major")))
    assert told == {world.street.id}
    # The street office now handles it alongside the community and supervises it.
    assert {"assign_leader", "list_supervision", "supervise", "record_outcome"} <= set(
        services.allowed_actions(world.street, dispute, include_own_forms=True))
    with pytest.raises(FieldErrors):
        act(dispute, world.street, "assign_leader", LATER, leader_id=world.street_b.id)
    act(dispute, world.street, "assign_leader", LATER, leader_id=world.street.id)
    act(dispute, world.street, "list_supervision", LATER, note="挂牌督办，12月底前化解")
    assert dispute.lead_leader_id == world.street.id and dispute.listed_at is not None
    with pytest.raises(DomainError):
        act(dispute, world.street_b, "supervise", LATER, note="x")


def test_a_major_registration_tells_the_street_office(world):
    dispute = register(world, level="major")
    assert dispute.supervising_unit_id == world.units["A"].id
    assert db.session.scalar(select(Notification.user_id).where(Notification.kind == "dispute_major",
                                                               Notification.object_id == dispute.id)) == world.street.id
