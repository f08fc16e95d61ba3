"""Re-gridding writes only what moves (issue 8): a household or open event
outside the changed area, the strip between the old and the new edge, keeps
its row as it was, not merely its grid, though it lies in a changed grid's
old and new shape; a moved one is written. bench/regrid.py checks the same
on the district fixture."""
import pytest
from sqlalchemy import text

from grid.extensions import db
from grid.places import proposals
from grid.places.services import import_boundaries
from tests.places.conftest import moved_edge


def row_version(table: str, row_id: int) -> tuple[str, str]:
    """Where the row's current version is stored and which transaction wrote it: both change on any UPDATE."""
    return tuple(db.session.execute(text(f"SELECT ctid::text, xmin::text FROM {table} WHERE id = :id"),
                                    {"id": row_id}).one())


def apply_by_proposal(world):
    proposal, _preview = proposals.propose_change(community_id=world.units["A1"].id, data=moved_edge(),
                                                  filename="A1-v2.geojson", by=world.admin)
    return proposals.apply_proposal(proposal=proposal, version=proposal.version, by=world.admin)


def apply_by_import(world):
    return import_boundaries(data=moved_edge(), filename="A1-v2.geojson", by=world.admin)


@pytest.mark.parametrize("apply", [apply_by_proposal, apply_by_import], ids=["proposal", "import"])
def test_rows_outside_the_changed_area_are_not_written(world, records, apply):
    stays = [("household", records.household_a.id), ("household", records.household_b.id),
             ("event", records.event_b.id)]
    moves = [("household", records.household.id), ("event", records.event.id)]
    before = {row: row_version(*row) for row in stays + moves}
    report = apply(world)
    assert report.applied and report.followups["households_moved"] == 1
    assert {row: row_version(*row) for row in stays} == {row: before[row] for row in stays}
    assert all(row_version(*row) != before[row] for row in moves)
