"""The whole process through the services: register, accept, session, outcome, review, follow-up."""
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from grid.disputes import services
from grid.errors import Conflict, DomainError, FieldErrors
from grid.extensions import db
from tests.disputes.conftest import MONDAY, act, add_agreement, register


def test_the_whole_process(world):
    dispute = register(world)
    assert dispute.number.startswith("JF20261123-")
    assert (dispute.state, dispute.step, dispute.grid_id) == ("registered", "accept", world.units["A1a"].id)
    assert dispute.time_limit_at.date() == date(2026, 12, 23)
    act(dispute, world.community, "accept", MONDAY + timedelta(hours=1))
    assert (dispute.state, dispute.due_at) == ("mediating", dispute.time_limit_at)
    services.log_session(dispute=dispute, by=world.community, now=MONDAY + timedelta(days=1), data=services.SessionInput(
        uuid="6f1c2a4e-8d7b-4a51-9c1e-2b3d4e5f6a7b", held_at=MONDAY + timedelta(days=1), place="社区调解室",
        attendees="李梅、王强、刘芳", record="双方陈述了各自意见"))
    add_agreement(dispute, world.community, MONDAY + timedelta(days=2))
    act(dispute, world.community, "record_outcome", MONDAY + timedelta(days=2), outcome="agreement")
    assert dispute.state == "under_review"
    # Nobody approves their own outcome.
    assert "approve" not in services.allowed_actions(world.community, dispute)
    with pytest.raises(DomainError):
        act(dispute, world.community, "approve", MONDAY + timedelta(days=3))
    act(dispute, world.committee, "approve", MONDAY + timedelta(days=3))
    assert (dispute.state, dispute.follow_up_on) == ("follow_up", date(2026, 12, 31))
    act(dispute, world.worker, "follow_up", MONDAY + timedelta(days=40), performance="fulfilled", note="已履行")
    assert dispute.state == "archived" and dispute.archived_at is not None
    assert [a.action for a in dispute.actions] == ["register", "accept", "log_session", "record_outcome",
                                                  "approve", "follow_up"]


def test_history_is_append_only(world):
    dispute = register(world)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE dispute_action SET note = 'x' WHERE dispute_id = :id"), {"id": dispute.id})
    db.session.rollback()


def test_stale_version_is_a_conflict_naming_what_happened(world):
    dispute = register(world)
    seen = dispute.version
    act(dispute, world.community, "accept", MONDAY)
    with pytest.raises(Conflict, match="刘芳|Liu"):
        services.act(dispute=dispute, by=world.committee, now=MONDAY,
                     data=services.ActionInput(action="decline", version=seen, note="不属于调解范围"))


def test_agreement_outcome_needs_the_agreement(world):
    dispute = register(world)
    act(dispute, world.community, "accept", MONDAY)
    with pytest.raises(FieldErrors) as error:
        act(dispute, world.community, "record_outcome", MONDAY, outcome="agreement")
    assert "outcome" in error.value.errors
