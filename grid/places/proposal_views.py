"""Boundary changes for one community: upload, compare on the map, apply or cancel."""
import dataclasses

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from grid.accounts.access import roles_required
from grid.accounts.roles import Role
from grid.errors import DomainError
from grid.geo import gcj02
from grid.places import proposal_queries, proposals
from grid.places.messages import describe
from grid.places.models import BoundaryProposal

bp = Blueprint("boundary_changes", __name__)

# What the page counts, in this order; receivers name them (see their regrid modules).
COUNTED = ("households_moved", "events_moved", "disputes_moved", "households_outside_grids", "events_outside_grids",
           "disputes_outside_grids")
STATUSES = {"pending": _l("Waiting for a decision"), "applied": _l("Applied"), "cancelled": _l("Cancelled")}


@bp.context_processor
def labels():
    return {"statuses": STATUSES}


def proposal_or_404(proposal_id: int) -> BoundaryProposal:
    proposal = proposal_queries.proposal_by_id(proposal_id)
    if proposal is None:
        abort(404)
    return proposal


def list_page(report=None, status: int = 200, community_id: int | None = None, pending=None):
    return render_template("places/boundary_changes.html", proposals=proposal_queries.recent_proposals(),
                           communities=proposal_queries.communities(), report=report, describe=describe,
                           chosen=community_id, pending=pending), status


def show(proposal: BoundaryProposal, status: int = 200):
    report = proposal_queries.report_of(proposal)
    # The validation report without the counts: the page shows those on their own.
    validation = dataclasses.replace(report, followups={})
    stored = proposal.report
    # A recheck without errors: applying would no longer do what the page said (see proposals.apply_proposal).
    stale = proposal.status == "pending" and "recheck" in stored and not report.errors
    return render_template("places/boundary_change.html", proposal=proposal, describe=describe, report=report,
                           validation=validation, counted=COUNTED, stale=stale,
                           # what the administrator last read before deciding
                           preview=stored.get("recheck") or stored["preview"], areas=stored.get("areas", []),
                           changed_units=proposal_queries.changed_units(proposal)), status


@bp.get("/admin/boundary-changes")
@roles_required(Role.ADMIN)
def changes():
    return list_page()


@bp.post("/admin/boundary-changes")
@roles_required(Role.ADMIN)
def propose():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError(_("Choose a GeoJSON file with the community's new boundaries."), field="file")
    community_id = request.form.get("community_id", type=int)
    # Read one byte past the limit so an oversized file is reported, not truncated.
    data = upload.read(current_app.config["MAX_IMPORT_BYTES"] + 1)
    try:
        proposal, report = proposals.propose_change(community_id=community_id, data=data, filename=upload.filename,
                                                    by=current_user)
    except proposals.PendingChangeExists as refused:
        return list_page(None, 422, community_id, pending=refused.pending)
    if proposal is None:
        return list_page(report, 422, community_id)
    return redirect(url_for(".change", proposal_id=proposal.id), 303)


@bp.get("/admin/boundary-changes/export.geojson")
@roles_required(Role.ADMIN)
def community_export():
    """One community and its grids in the import format: the file to edit."""
    community = proposal_queries.community_by_id(request.args.get("community_id", type=int))
    if community is None:
        abort(404)
    response = geojson(proposal_queries.community_export(community))
    response.headers["Content-Disposition"] = f"attachment; filename={community.code}.geojson"
    return response


@bp.get("/admin/boundary-changes/<int:proposal_id>")
@roles_required(Role.ADMIN)
def change(proposal_id: int):
    return show(proposal_or_404(proposal_id))


@bp.post("/admin/boundary-changes/<int:proposal_id>/apply")
@roles_required(Role.ADMIN)
def apply(proposal_id: int):
    proposal = proposal_or_404(proposal_id)
    report = proposals.apply_proposal(proposal=proposal, version=request.form.get("version", 0, type=int),
                                      by=current_user)
    if not report.applied:
        return show(proposal, 422)  # its page shows the failed re-check, or the numbers as they are now
    return redirect(url_for(".change", proposal_id=proposal.id), 303)


@bp.post("/admin/boundary-changes/<int:proposal_id>/cancel")
@roles_required(Role.ADMIN)
def cancel(proposal_id: int):
    proposal = proposal_or_404(proposal_id)
    proposals.cancel_proposal(proposal=proposal, version=request.form.get("version", 0, type=int), by=current_user)
    return redirect(url_for(".change", proposal_id=proposal.id), 303)


@bp.get("/admin/boundary-changes/<int:proposal_id>/old.geojson")
@roles_required(Role.ADMIN)
def old_boundaries(proposal_id: int):
    return geojson(for_display(proposal_queries.old_boundaries(proposal_or_404(proposal_id))))


@bp.get("/admin/boundary-changes/<int:proposal_id>/new.geojson")
@roles_required(Role.ADMIN)
def new_boundaries(proposal_id: int):
    return geojson(for_display(proposal_queries.new_boundaries(proposal_or_404(proposal_id))))


def for_display(data: dict) -> dict:
    """`datum=gcj02`: shifted for display over a GCJ-02 base map, as the unit
    map's boundaries (places.views.unit_boundaries); static/js/boundary-change-map.js
    asks for it for both the old and the new boundaries when the base map is GCJ-02."""
    if request.args.get("datum") == "gcj02":
        return gcj02.collection_to_gcj02(data, digits=7)
    return data


def geojson(data: dict):
    response = jsonify(data)
    response.mimetype = "application/geo+json"
    return response
