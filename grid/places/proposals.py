"""Boundary changes for one community: upload new boundaries, see what would
change and move (the preview), then apply or cancel.

The preview is the import itself, run and rolled back (services.preview_boundaries),
so its counts are what applying does to the same state. Applying checks the
file again against the boundaries as they are then, under the import lock."""
from datetime import datetime, timezone
from functools import partial

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from grid import geo
from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.errors import Conflict, DomainError
from grid.extensions import db
from grid.places import proposal_queries, queries
from grid.places.models import LEVEL_DEPTH, BoundaryProposal, Unit
from grid.places.services import ImportReport, audit_import, lock_boundaries, preview_boundaries, stage_boundaries

register_actions(
    {"boundary.propose": _l("Boundary change uploaded"), "boundary.apply": _l("Boundary change applied"),
     "boundary.cancel": _l("Boundary change cancelled")},
    object_types={"boundary_proposal": _l("Boundary change")},
    detail_keys={"community": _l("Community"), "import": _l("Boundary import")},
)


class PendingChangeExists(DomainError):
    """A community has a pending boundary change already: decide on it first."""

    def __init__(self, pending: BoundaryProposal):
        super().__init__(_("There is already a pending change for this community: decide on it first."),
                         field="community_id")
        self.pending = pending


def pending_for(community: Unit) -> BoundaryProposal | None:
    return db.session.scalar(select(BoundaryProposal).where(BoundaryProposal.community_id == community.id,
                                                            BoundaryProposal.status == "pending")
                             .order_by(BoundaryProposal.id).limit(1))


def check_community_file(shapes: list[geo.UnitShape], community: Unit) -> list[geo.Problem]:
    """The file may hold the community's grids and the community itself, and
    must hold every grid the community has now: grids cannot be removed here
    (households would be stranded) nor taken from another community."""
    problems = []
    known = queries.units_by_code(s.code for s in shapes)
    for shape in shapes:
        if shape.code == community.code:
            if shape.level != "community" or shape.parent_code != community.parent.code:
                problems.append(error("community_moved", shape))
            continue
        if shape.level != "grid" or shape.parent_code != community.code:
            problems.append(error("outside_community", shape, community=community.code))
            continue
        unit = known.get(shape.code)
        if unit is not None and unit.parent_id != community.id:
            problems.append(error("grid_elsewhere", shape, other=unit.parent.code if unit.parent else ""))
    in_file = {s.code for s in shapes}
    for grid in queries.children_of(community, select(Unit)):
        if grid.code not in in_file:
            problems.append(geo.Problem(severity=geo.ERROR, kind="grid_missing", code=grid.code, index=None))
    return problems


def error(kind: str, shape: geo.UnitShape, **params) -> geo.Problem:
    return geo.Problem(severity=geo.ERROR, kind=kind, code=shape.code, index=shape.index, params=params)


def area_changes(data: bytes, community: Unit) -> list[dict]:
    """The community's and each grid's area now and in the file (m², geodesic), parents first."""
    cfg = current_app.config
    shapes = geo.parse_boundaries(data, max_bytes=cfg["MAX_IMPORT_BYTES"],
                                  max_vertices=cfg["MAX_IMPORT_VERTICES"]).units
    current = queries.units_by_code(s.code for s in shapes)
    rows = []
    for shape in sorted(shapes, key=lambda s: (LEVEL_DEPTH[s.level], s.code)):
        unit = current.get(shape.code)
        old = geo.geodesic_area_m2(to_shape(unit.boundary)) if unit is not None else None
        rows.append({"code": shape.code, "name": shape.name, "level": shape.level,
                     "old_m2": round(old) if old is not None else None,
                     "new_m2": round(geo.geodesic_area_m2(shape.geometry))})
    return rows


def propose_change(*, community_id: int | None, data: bytes, filename: str,
                   by) -> tuple[BoundaryProposal | None, ImportReport]:
    """Check new boundaries for one community and keep them, with the preview,
    as a pending proposal (commits); nothing is applied. A file with errors is
    not kept: (None, report). Raises DomainError when no community is chosen."""
    community = proposal_queries.community_by_id(community_id)
    if community is None:
        raise DomainError(_("Choose the community whose boundaries change."), field="community_id")
    filename = filename[:255]
    lock_boundaries()  # the preview sees one consistent state, and no other upload races the check below
    # One pending change per community. Two would each be previewed against
    # the boundaries before the other, and applying the second after the first
    # would silently undo it; refusing the second upload (rather than
    # cancelling it when the first is applied) says so before anyone reviews it.
    waiting = pending_for(community)
    if waiting is not None:
        raise PendingChangeExists(waiting)
    report = preview_boundaries(data=data, filename=filename, by=by,
                                checks=[partial(check_community_file, community=community)])
    if report.errors:
        record_audit("boundary.propose", result="failure", actor=by, object_type="boundary_proposal",
                     detail={"filename": filename, "community": community.code, "errors": len(report.errors)})
        db.session.commit()
        return None, report
    proposal = BoundaryProposal(community_id=community.id, filename=filename, data=data, status="pending",
                                created_by_id=by.id, version=1,
                                report={"preview": report.to_json(), "areas": area_changes(data, community),
                                        "created_by": by.full_name})
    db.session.add(proposal)
    db.session.flush()
    record_audit("boundary.propose", actor=by, object_type="boundary_proposal", object_id=proposal.id,
                 detail={"filename": filename, "community": community.code, **report.followups})
    db.session.commit()
    return proposal, report


def apply_proposal(*, proposal: BoundaryProposal, version: int, by) -> ImportReport:
    """Apply a pending proposal (commits): the file is checked again against
    the boundaries as they are now and imported, households, open events and
    disputes following. Returns the import's report (report.applied).

    Nothing is applied, and the fresh report is kept on the proposal as its
    recheck (its version moves on), when the file no longer passes (the report
    has errors) or when applying it now would not do what the administrator
    read (other counts, units or moved records than the report they saw: the
    boundaries changed since, e.g. another change of the community was
    applied). They read the new numbers, then decide again. Raises Conflict
    when the proposal was decided already or changed since `version`."""
    lock_boundaries()
    claim_pending(proposal, version)
    community = proposal.community
    seen = ImportReport.from_json(proposal.report.get("recheck") or proposal.report["preview"])
    savepoint = db.session.begin_nested()
    report = stage_boundaries(data=proposal.data, filename=proposal.filename, by=by,
                              checks=[partial(check_community_file, community=community)])
    if report.errors or not same_effect(report, seen):
        savepoint.rollback()
        report.import_id, report.dry_run = None, True
        proposal.version += 1
        proposal.report = {**proposal.report, "recheck": report.to_json(),
                           "areas": area_changes(proposal.data, community)}
        if report.errors:
            audit_import(report, by)
        else:
            record_audit("boundary.apply", result="failure", actor=by, object_type="boundary_proposal",
                         object_id=proposal.id, detail={"community": community.code, **report.followups})
        db.session.commit()
        return report
    savepoint.commit()
    proposal.version += 1
    proposal.status, proposal.import_id = "applied", report.import_id
    proposal.decided_at, proposal.decided_by_id = datetime.now(timezone.utc), by.id
    proposal.report = {**proposal.report, "applied": report.to_json(), "decided_by": by.full_name}
    audit_import(report, by)
    record_audit("boundary.apply", actor=by, object_type="boundary_proposal", object_id=proposal.id,
                 detail={"community": community.code, "import": report.import_id, **report.followups})
    db.session.commit()
    return report


def same_effect(report: ImportReport, seen: ImportReport) -> bool:
    """Whether applying now does what the report the administrator read said."""
    def moved(r: ImportReport) -> list[tuple]:
        return sorted((m["kind"], m["id"], m.get("from"), m.get("to")) for m in r.moved)
    return (report.followups == seen.followups and sorted(report.created) == sorted(seen.created)
            and sorted(report.updated) == sorted(seen.updated) and moved(report) == moved(seen))


def cancel_proposal(*, proposal: BoundaryProposal, version: int, by) -> None:
    """Set a pending proposal aside (commits); nothing changes on the map.
    Raises Conflict when it was decided already or changed since `version`."""
    claim_pending(proposal, version)
    proposal.status, proposal.version = "cancelled", proposal.version + 1
    proposal.decided_at, proposal.decided_by_id = datetime.now(timezone.utc), by.id
    proposal.report = {**proposal.report, "decided_by": by.full_name}
    record_audit("boundary.cancel", actor=by, object_type="boundary_proposal", object_id=proposal.id,
                 detail={"community": proposal.community.code})
    db.session.commit()


def claim_pending(proposal: BoundaryProposal, version: int) -> None:
    """Re-read the proposal under a row lock: of two clicks (or two tabs) on
    Apply or Cancel, the second waits for the first and then sees it decided."""
    db.session.refresh(proposal, with_for_update=True)
    if proposal.status == "applied":
        message = _("This boundary change was already applied on %(date)s: nothing was applied again.",
                    date=format_date(proposal.decided_at, "yyyy-MM-dd"))
    elif proposal.status == "cancelled":
        message = _("This boundary change was cancelled on %(date)s: nothing was applied.",
                    date=format_date(proposal.decided_at, "yyyy-MM-dd"))
    elif proposal.version != version:
        message = _("This boundary change was checked again since you opened it: nothing was applied. "
                    "Read its report as it is now, then decide.")
    else:
        return
    db.session.rollback()  # the locks go; nothing was written
    raise Conflict(message)
