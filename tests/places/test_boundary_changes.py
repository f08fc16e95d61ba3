"""Boundary changes for one community: the preview is what applying does, every
move is in the moved record's history, and a change is decided exactly once."""
import json

import pytest
from geoalchemy2.shape import to_shape
from shapely import wkt
from sqlalchemy import func, select

from grid.disputes.models import Dispute, DisputeAction
from grid.errors import Conflict
from grid.events.models import Event, EventAction
from grid.extensions import db
from grid.notifications.models import Notification
from grid.places import proposals
from grid.places.models import BoundaryImport, BoundaryProposal, Unit
from grid.places.services import import_boundaries
from grid.registry.models import Household, HouseholdMove
from tests.factories import box
from tests.places.conftest import IN_STRIP, collection, feature, moved_edge, register_dispute, report_event


def propose(world, data=None):
    return proposals.propose_change(community_id=world.units["A1"].id, data=data or moved_edge(),
                                    filename="A1-v2.geojson", by=world.admin)


def fresh(model, record):
    return db.session.get(model, record.id, populate_existing=True)


def features_of(data: bytes) -> list[dict]:
    return json.loads(data)["features"]


def grid_of(model, record) -> int:
    return fresh(model, record).grid_id


def test_preview_counts_match_what_applying_does(world, records):
    proposal, preview = propose(world)
    expected = {"households_moved": 1, "events_moved": 2, "disputes_moved": 1}
    assert preview.followups == expected and not preview.applied
    assert {(m["kind"], m["id"]) for m in preview.moved} == {
        ("event", records.event.id), ("event", records.held_event.id), ("dispute", records.dispute.id)}
    # The preview applied nothing.
    a, b = world.units["A1a"].id, world.units["A1b"].id
    assert grid_of(Household, records.household) == grid_of(Event, records.event) == b
    assert to_shape(fresh(Unit, world.units["A1a"]).boundary).equals(wkt.loads(box(120.10, 30.20, 120.11, 30.22)))
    assert db.session.scalar(select(func.count()).select_from(BoundaryImport)) == 0
    assert db.session.scalar(select(func.count()).select_from(EventAction).where(EventAction.action == "regrid")) == 0

    applied = proposals.apply_proposal(proposal=proposal, version=proposal.version, by=world.admin)
    assert applied.followups == preview.followups
    assert sorted(applied.moved, key=str) == sorted(preview.moved, key=str)
    assert grid_of(Household, records.household) == a
    assert grid_of(Event, records.event) == grid_of(Event, records.held_event) == a
    assert grid_of(Dispute, records.dispute) == a
    # Closed and archived records keep the grid they ended in; the others never moved.
    assert grid_of(Event, records.closed_event) == grid_of(Dispute, records.archived_dispute) == b
    assert grid_of(Household, records.household_a) == a and grid_of(Household, records.household_b) == b
    assert grid_of(Event, records.event_b) == b
    assert fresh(BoundaryProposal, proposal).status == "applied" and proposal.import_id == applied.import_id


def test_holders_and_the_dispute_chain_follow_the_new_grid(world, records):
    proposal, _preview = propose(world)
    proposals.apply_proposal(proposal=proposal, version=proposal.version, by=world.admin)
    a = world.units["A1a"]
    # Held by the old grid: now by the new one. Held by the community: unchanged.
    held = fresh(Event, records.held_event)
    assert held.holder_unit_id == a.id and held.state == "handling"
    assert fresh(Event, records.event).holder_unit_id == world.units["A1"].id
    dispute = fresh(Dispute, records.dispute)
    assert (dispute.community_id, dispute.street_id) == (world.units["A1"].id, world.units["A"].id)
    assert dispute.supervising_unit_id == world.units["A1"].id
    # A1a's worker now holds the returned event and is told so.
    told = db.session.scalars(select(Notification.object_id).where(
        Notification.user_id == world.worker.id, Notification.kind == "event_moved_in")).all()
    assert told == [held.id]


def test_each_move_is_in_the_records_history(world, records):
    event_version, dispute_version = records.event.version, records.dispute.version
    proposal, _preview = propose(world)
    applied = proposals.apply_proposal(proposal=proposal, version=proposal.version, by=world.admin)
    step = db.session.scalar(select(EventAction).where(EventAction.event_id == records.event.id,
                                                       EventAction.action == "regrid"))
    assert step.actor_id == world.admin.id and step.from_state == step.to_state == "to_sign"
    assert step.detail == {"from_grid_id": world.units["A1b"].id, "from_grid": "grid T010102",
                           "to_grid_id": world.units["A1a"].id, "to_grid": "grid T010101",
                           "boundary_import": applied.import_id}
    # A page opened before the change conflicts instead of acting on the old event.
    assert fresh(Event, records.event).version == step.version_after == event_version + 1
    case = db.session.scalar(select(DisputeAction).where(DisputeAction.dispute_id == records.dispute.id,
                                                         DisputeAction.action == "regrid"))
    assert case.actor_id == world.admin.id and case.detail["boundary_import"] == applied.import_id
    assert fresh(Dispute, records.dispute).version == case.version_after == dispute_version + 1
    move = db.session.scalar(select(HouseholdMove).where(HouseholdMove.household_id == records.household.id))
    assert move.reason == "regrid" and move.boundary_import_id == applied.import_id
    untouched = select(func.count()).select_from(EventAction).where(
        EventAction.event_id.in_([records.closed_event.id, records.event_b.id]), EventAction.action == "regrid")
    assert db.session.scalar(untouched) == 0


def test_cancelling_leaves_everything_untouched(world, records):
    proposal, _preview = propose(world)
    proposals.cancel_proposal(proposal=proposal, version=proposal.version, by=world.admin)
    assert fresh(BoundaryProposal, proposal).status == "cancelled"
    assert to_shape(fresh(Unit, world.units["A1a"]).boundary).equals(wkt.loads(box(120.10, 30.20, 120.11, 30.22)))
    assert grid_of(Household, records.household) == grid_of(Event, records.event) == world.units["A1b"].id
    assert db.session.scalar(select(func.count()).select_from(BoundaryImport)) == 0
    with pytest.raises(Conflict):
        proposals.apply_proposal(proposal=proposal, version=proposal.version, by=world.admin)
    assert db.session.scalar(select(func.count()).select_from(BoundaryImport)) == 0


def test_a_change_is_applied_once(world, records):
    proposal, _preview = propose(world)
    seen = proposal.version
    proposals.apply_proposal(proposal=proposal, version=seen, by=world.admin)
    # The second click, or the other tab: same version, already applied.
    with pytest.raises(Conflict):
        proposals.apply_proposal(proposal=proposal, version=seen, by=world.admin)
    with pytest.raises(Conflict):
        proposals.cancel_proposal(proposal=proposal, version=seen, by=world.admin)
    assert db.session.scalar(select(func.count()).select_from(BoundaryImport)) == 1
    assert db.session.scalar(select(func.count()).select_from(HouseholdMove)) == 1


def test_a_stale_version_is_a_conflict(world, records):
    proposal, _preview = propose(world)
    with pytest.raises(Conflict):
        proposals.apply_proposal(proposal=proposal, version=proposal.version - 1, by=world.admin)
    assert fresh(BoundaryProposal, proposal).status == "pending"
    assert grid_of(Household, records.household) == world.units["A1b"].id


def test_applying_checks_the_file_again_against_the_boundaries_now(world, records):
    proposal, preview = propose(world)
    assert not preview.errors
    # Meanwhile the community shrinks to its southern half (with its grids).
    import_boundaries(data=collection(
        feature("T0101", "community", "T01", box(120.10, 30.20, 120.12, 30.21), name="community T0101"),
        feature("T010101", "grid", "T0101", box(120.10, 30.20, 120.11, 30.21)),
        feature("T010102", "grid", "T0101", box(120.11, 30.20, 120.12, 30.21))), filename="shrink.geojson",
        by=world.admin)
    seen = fresh(BoundaryProposal, proposal).version
    report = proposals.apply_proposal(proposal=proposal, version=seen, by=world.admin)
    assert {(p.code, p.kind) for p in report.errors} >= {("T010101", "outside_parent")}
    proposal = fresh(BoundaryProposal, proposal)
    assert proposal.status == "pending" and proposal.version == seen + 1
    assert proposal.report["recheck"]["problems"] and proposal.import_id is None


def test_the_file_may_hold_only_the_communitys_grids(world):
    other = feature("T020101", "grid", "T0201", box(120.12, 30.20, 120.13, 30.22))
    proposal, report = propose(world, collection(*features_of(moved_edge()), other))
    assert proposal is None
    assert [(p.code, p.kind, p.params) for p in report.errors if p.kind == "outside_community"] == [
        ("T020101", "outside_community", {"community": "T0101"})]
    assert db.session.scalar(select(func.count()).select_from(BoundaryProposal)) == 0


def test_a_grid_cannot_be_taken_from_another_community_or_left_out(world):
    taken = feature("T020101", "grid", "T0101", box(120.12, 30.20, 120.13, 30.22))
    _proposal, report = propose(world, collection(features_of(moved_edge())[0], taken))
    found = {(p.code, p.kind) for p in report.errors}
    assert ("T020101", "grid_elsewhere") in found
    assert ("T010102", "grid_missing") in found


def test_a_command_line_import_may_not_move_disputes(world, records):
    # Nobody to name in the cases' history: the whole import is refused, nothing half done.
    report = import_boundaries(data=moved_edge(), filename="cli.geojson")
    assert [p.kind for p in report.errors] == ["disputes_need_person"]
    assert report.errors[0].params == {"count": 1}
    assert not report.applied
    assert grid_of(Household, records.household) == grid_of(Event, records.event) == world.units["A1b"].id
    assert db.session.scalar(select(func.count()).select_from(BoundaryImport)) == 0


def test_a_command_line_import_moves_events_as_the_system(world):
    event = report_event(world, IN_STRIP)
    report = import_boundaries(data=moved_edge(), filename="cli.geojson")
    assert report.applied and report.followups == {"households_moved": 0, "events_moved": 1}
    step = db.session.scalar(select(EventAction).where(EventAction.action == "regrid"))
    assert step.event_id == event.id and step.actor_id is None


def test_a_dispute_without_a_point_keeps_its_grid(world):
    case = register_dispute(world, (None, None), grid_id=world.units["A1b"].id)
    proposal, preview = propose(world)
    assert "disputes_moved" not in preview.followups
    proposals.apply_proposal(proposal=proposal, version=proposal.version, by=world.admin)
    assert grid_of(Dispute, case) == world.units["A1b"].id


def test_an_out_of_date_preview_is_not_applied(world, records):
    # Previewed with the edge going to 120.115: one household, two events and a dispute move.
    proposal, preview = propose(world)
    assert preview.followups == {"households_moved": 1, "events_moved": 2, "disputes_moved": 1}
    # Meanwhile another import moves the edge to 120.1135: the strip's records move with it.
    import_boundaries(data=moved_edge(120.1135), filename="other.geojson", by=world.admin)
    a = world.units["A1a"]
    assert grid_of(Household, records.household) == a.id
    seen = fresh(BoundaryProposal, proposal).version
    report = proposals.apply_proposal(proposal=proposal, version=seen, by=world.admin)
    # Applying now would move nothing the preview named: nothing is applied, the new numbers are kept.
    assert not report.applied and not report.errors
    assert report.followups == {"households_moved": 0}
    proposal = fresh(BoundaryProposal, proposal)
    assert proposal.status == "pending" and proposal.version == seen + 1 and proposal.import_id is None
    assert proposal.report["recheck"]["followups"] == {"households_moved": 0}
    assert proposal.report["preview"]["followups"] == preview.followups
    edge = wkt.loads(box(120.10, 30.20, 120.1135, 30.22))
    assert to_shape(fresh(Unit, a).boundary).equals(edge)
    assert db.session.scalar(select(func.count()).select_from(BoundaryImport)) == 1
    # Having read the new numbers, the administrator may apply: it does what they now say.
    applied = proposals.apply_proposal(proposal=proposal, version=proposal.version, by=world.admin)
    assert applied.applied and applied.followups == {"households_moved": 0}
    assert to_shape(fresh(Unit, a).boundary).equals(wkt.loads(box(120.10, 30.20, 120.115, 30.22)))


def test_a_second_pending_change_for_a_community_is_refused(world):
    first, _preview = propose(world)
    with pytest.raises(proposals.PendingChangeExists) as refused:
        propose(world, moved_edge(120.1135))
    assert refused.value.pending.id == first.id
    assert db.session.scalar(select(func.count()).select_from(BoundaryProposal)) == 1
    proposals.cancel_proposal(proposal=first, version=first.version, by=world.admin)
    second, _preview = propose(world, moved_edge(120.1135))
    assert second is not None and second.status == "pending"


def test_open_records_left_outside_every_grid_are_counted(world):
    outside = (120.117, 30.215)  # in A1b; outside the community once it shrinks to its southern half
    event = report_event(world, outside)
    dispute = register_dispute(world, outside)
    _proposal, preview = propose(world, collection(
        feature("T0101", "community", "T01", box(120.10, 30.20, 120.12, 30.21), name="community T0101"),
        feature("T010101", "grid", "T0101", box(120.10, 30.20, 120.11, 30.21)),
        feature("T010102", "grid", "T0101", box(120.11, 30.20, 120.12, 30.21))))
    assert not preview.errors
    assert preview.followups.get("events_outside_grids") == 1
    assert preview.followups.get("disputes_outside_grids") == 1
    assert "events_moved" not in preview.followups and "disputes_moved" not in preview.followups
    assert grid_of(Event, event) == world.units["A1b"].id and grid_of(Dispute, dispute) == world.units["A1b"].id
