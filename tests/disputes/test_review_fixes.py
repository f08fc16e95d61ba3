"""Fixes after review: stale pages cannot add to a case that left mediation,
screening reports of the unit that screened, a fresh round keeps its own
time limit, the agreement's author does not approve it, linked residents'
reveals are in their own access history."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from grid.audit.models import AuditEntry
from grid.disputes import services
from grid.disputes.models import Dispute, Screening
from grid.errors import DomainError
from grid.extensions import db
from tests.disputes.conftest import MONDAY, act, add_agreement, register
from tests.factories import make_household, make_resident, valid_id


def test_a_session_on_a_page_loaded_before_the_outcome_is_refused(world):
    dispute = register(world)
    act(dispute, world.community, "accept", MONDAY)
    # Someone else records the outcome meanwhile (this object still says mediating).
    db.session.execute(update(Dispute).where(Dispute.id == dispute.id).values(state="under_review")
                       .execution_options(synchronize_session=False))
    assert dispute.state == "mediating"
    with pytest.raises(DomainError):
        services.log_session(dispute=dispute, by=world.community, now=MONDAY, data=services.SessionInput(
            uuid="1b7f7d52-6a51-4d4e-9a6e-0d3c1f2b3a4c", held_at=MONDAY, place="调解室", attendees="双方",
            record="笔录"))


def test_community_staff_screening_files_the_community_report(world):
    dispute = register(world, by=world.community, source="screening", stability_owner_id=world.community.id)
    screening = db.session.get(Screening, dispute.screening_id)
    assert screening.unit_id == world.units["A1"].id
    worker_case = register(world, source="screening")
    assert db.session.get(Screening, worker_case.screening_id).unit_id == world.units["A1a"].id


def test_mediating_again_keeps_the_new_round_when_the_level_is_raised(world):
    dispute = register(world)
    act(dispute, world.community, "accept", MONDAY)
    add_agreement(dispute, world.community, MONDAY)
    act(dispute, world.community, "record_outcome", MONDAY, outcome="agreement")
    act(dispute, world.committee, "approve", MONDAY + timedelta(days=1))
    again = MONDAY + timedelta(days=60)
    act(dispute, world.worker, "follow_up", again, performance="unfulfilled", next_step="remediate", note="未付款")
    assert dispute.limit_started_at == again and dispute.performance is None
    assert dispute.time_limit_at > again + timedelta(days=29)
    assert dispute.yellow_at > again + timedelta(days=20)      # three quarters of the new round, not of the old
    act(dispute, world.community, "raise_level", again + timedelta(hours=1), level="serious", note="升级")
    assert dispute.time_limit_at > again + timedelta(days=29)


def test_the_agreement_author_does_not_approve_it(world):
    dispute = register(world, mediator_ids=[world.committee.id])
    act(dispute, world.community, "accept", MONDAY)
    add_agreement(dispute, world.committee, MONDAY)        # the committee member wrote the terms
    act(dispute, world.community, "record_outcome", MONDAY, outcome="agreement")
    assert "approve" not in services.allowed_actions(world.committee, dispute)
    assert "approve" not in services.allowed_actions(world.community, dispute)


def test_revealing_a_linked_resident_is_in_the_residents_history(world):
    household = make_household(world.worker, 120.105, 30.21)
    resident = make_resident(world.worker, household, name="李梅", id_number=valid_id())
    dispute = register(world, parties=[services.PartyInput(role="applicant", resident_id=resident.id),
                                       services.PartyInput(role="respondent", name="王强")])
    party = dispute.parties[0]
    assert services.reveal_id_number(party=party, by=world.community) == valid_id()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "resident",
                                                          AuditEntry.object_id == str(resident.id),
                                                          AuditEntry.action == "resident.reveal_id")).all()
    assert len(entries) == 1 and entries[0].detail["dispute_party"] == party.id
