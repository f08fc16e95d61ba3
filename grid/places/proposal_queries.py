"""Reads for boundary changes: the list, and the old and new boundaries of one
change as GeoJSON for its map."""
from flask import current_app
from shapely.geometry import mapping
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, selectinload

from grid import geo
from grid.extensions import db
from grid.places import queries
from grid.places.models import BoundaryProposal, Unit, UnitChange
from grid.places.services import ImportReport

MAP_LEVELS = ("community", "grid")


def recent_proposals(limit: int = 30) -> list[BoundaryProposal]:
    return list(db.session.scalars(select(BoundaryProposal).options(selectinload(BoundaryProposal.community))
                                   .order_by(BoundaryProposal.id.desc()).limit(limit)))


def proposal_by_id(proposal_id: int) -> BoundaryProposal | None:
    return db.session.get(BoundaryProposal, proposal_id)


def community_by_id(unit_id: int | None) -> Unit | None:
    unit = db.session.get(Unit, unit_id) if unit_id else None
    return unit if unit is not None and unit.level == "community" else None


def communities() -> list[Unit]:
    return queries.descendants_at(select(Unit), "community")


def community_export(community: Unit) -> dict:
    """The community and its grids in the importer's format at full precision
    (as queries.boundaries_export), the starting point of a boundary change."""
    parent = aliased(Unit)
    rows = (select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.boundary, parent.code.label("parent"))
            .outerjoin(parent, Unit.parent_id == parent.id)
            .where(queries.inside(community), Unit.level.in_(MAP_LEVELS)).order_by(Unit.path)).subquery()
    return queries.feature_collection(rows, rows.c.boundary, {"code": rows.c.code, "name": rows.c.name,
                                                              "level": rows.c.level, "parent": rows.c.parent},
                                      digits=15)


def report_of(proposal: BoundaryProposal) -> ImportReport:
    """The report to show: what applying did, else the failed re-check, else the preview."""
    stored = proposal.report
    return ImportReport.from_json(stored.get("applied") or stored.get("recheck") or stored["preview"])


def boundary_before(import_id: int):
    """A unit's boundary just before import `import_id`: the old boundary kept
    by the first change at or after it (imports are numbered in the order they
    were applied, one at a time), else the boundary it has now."""
    first_old = (select(UnitChange.old_boundary)
                 .where(UnitChange.unit_id == Unit.id, UnitChange.import_id >= import_id, UnitChange.kind == "updated")
                 .order_by(UnitChange.import_id, UnitChange.id).limit(1).correlate(Unit).scalar_subquery())
    return func.coalesce(first_old, Unit.boundary)


def old_boundaries(proposal: BoundaryProposal) -> dict:
    """The community and its grids before the change: as they are now while it
    waits (or was cancelled); as they were just before it, once applied."""
    boundary = Unit.boundary
    stmt = select(Unit.id, Unit.code, Unit.name, Unit.level).where(
        queries.inside(proposal.community), Unit.level.in_(MAP_LEVELS))
    if proposal.import_id is not None:
        boundary = boundary_before(proposal.import_id)
        stmt = stmt.where(~exists().where(UnitChange.unit_id == Unit.id, UnitChange.kind == "created",
                                          UnitChange.import_id >= proposal.import_id))
    rows = stmt.add_columns(boundary.label("boundary")).subquery()
    return queries.feature_collection(rows, rows.c.boundary, {"code": rows.c.code, "name": rows.c.name,
                                                              "level": rows.c.level}, digits=7)


def new_boundaries(proposal: BoundaryProposal) -> dict:
    """The boundaries in the proposal's file (only a valid file is kept), each
    saying whether the change creates or alters it, for the map to stress those."""
    cfg = current_app.config
    parsed = geo.parse_boundaries(proposal.data, max_bytes=cfg["MAX_IMPORT_BYTES"],
                                  max_vertices=cfg["MAX_IMPORT_VERTICES"])
    report = report_of(proposal)
    changed = set(report.created) | set(report.updated)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": shape.code, "geometry": mapping(shape.geometry),
         "properties": {"code": shape.code, "name": shape.name, "level": shape.level,
                        "changed": shape.code in changed}}
        for shape in parsed.units]}


def changed_units(proposal: BoundaryProposal) -> list[Unit]:
    """The units an applied proposal's import created or changed: their pages show the change."""
    if proposal.import_id is None:
        return []
    return list(db.session.scalars(select(Unit).join(UnitChange, UnitChange.unit_id == Unit.id)
                                   .where(UnitChange.import_id == proposal.import_id).order_by(Unit.path)))
