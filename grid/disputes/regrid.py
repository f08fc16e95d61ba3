"""Open disputes follow re-imported grid boundaries, with every move in their history.

What moves with a case and what stays (see docs/boundaries.md):
- its grid: the grid that now covers its point; a case registered without a
  point keeps the grid it was registered in (nothing says where it is);
- its community and street office (kept on the case for scoped lists) follow
  the new grid, and so does the supervising unit when it was the old
  community or street office (the default); one named by hand stays;
- its people (mediators, the person responsible for stability), state, time
  limit and screening report stay: they are people and history, not places;
- its version moves on, so a page opened before the change gets a conflict.
Archived cases keep the grid they were archived in.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from grid import geo
from grid.accounts.acting import recipients
from grid.audit.actions import register_actions
from grid.extensions import db
from grid.notifications.services import notify, register_kinds
from grid.places.services import TOUCHED_AREAS_SQL, FollowupRefused, boundaries_changed

# The open cases with a point in the changed areas whose grid is no longer the
# one covering it, with where they go. A point now outside every grid stays put.
TARGETS = f"""
WITH touched AS ({TOUCHED_AREAS_SQL}),
candidates AS (
    SELECT DISTINCT d.id, grid_for_point(d.location) AS new_grid
      FROM dispute d JOIN touched t ON ST_Intersects(t.area, d.location)
     WHERE d.state <> 'archived' AND d.location IS NOT NULL
), targets AS (
    SELECT d.id, d.grid_id AS old_grid, d.community_id AS old_community, c.new_grid,
           ng.parent_id AS new_community, nc.parent_id AS new_street
      FROM candidates c JOIN dispute d ON d.id = c.id
      JOIN unit ng ON ng.id = c.new_grid JOIN unit nc ON nc.id = ng.parent_id
     WHERE c.new_grid <> d.grid_id
)"""

COUNT = text(TARGETS + " SELECT count(*) FROM targets")

# Move them and append a "regrid" step by the importing administrator naming
# both grids. (SET reads the row as it was, so the CASE compares old values.)
REGRID = text(TARGETS + """, moved AS (
    UPDATE dispute d
       SET grid_id = t.new_grid, community_id = t.new_community, street_id = t.new_street,
           supervising_unit_id = CASE d.supervising_unit_id WHEN d.community_id THEN t.new_community
                                                            WHEN d.street_id THEN t.new_street
                                                            ELSE d.supervising_unit_id END,
           version = d.version + 1
      FROM targets t
     WHERE d.id = t.id
    RETURNING d.id, d.number, d.state, d.version, t.old_grid, t.new_grid, t.old_community, t.new_community
), recorded AS (
    INSERT INTO dispute_action (dispute_id, action, actor_id, from_state, to_state, detail, at, version_after)
    SELECT m.id, 'regrid', CAST(:by AS integer), m.state, m.state,
           jsonb_build_object('from_grid_id', m.old_grid, 'from_grid', og.name, 'to_grid_id', m.new_grid,
                              'to_grid', ng.name, 'boundary_import', CAST(:run AS integer)),
           now(), m.version
      FROM moved m JOIN unit og ON og.id = m.old_grid JOIN unit ng ON ng.id = m.new_grid
    RETURNING dispute_id
)
SELECT m.id, m.number, m.new_community, m.old_community <> m.new_community AS changed_community,
       og.name AS from_grid, ng.name AS to_grid
  FROM moved m JOIN unit og ON og.id = m.old_grid JOIN unit ng ON ng.id = m.new_grid
 WHERE m.id IN (SELECT dispute_id FROM recorded)
 ORDER BY m.number
""")

# The open cases in the changed areas whose point now lies in no grid: they
# stay in their grid (TARGETS leaves them), and the report says how many.
OUTSIDE = text(f"""
WITH touched AS ({TOUCHED_AREAS_SQL})
SELECT count(DISTINCT d.id)
  FROM dispute d JOIN touched t ON ST_Intersects(t.area, d.location)
 WHERE d.state <> 'archived' AND d.location IS NOT NULL AND grid_for_point(d.location) IS NULL
""")

register_actions({}, detail_keys={"disputes_moved": _l("Open disputes moved to another grid"),
                                  "disputes_outside_grids": _l("Open disputes now outside every grid "
                                                               "(kept in their grid)")})
register_kinds({"dispute_moved_in": _l("Dispute %(number)s is now in your community's grid %(grid)s after a "
                                       "boundary change.")})


@boundaries_changed.connect
def regrid_disputes(sender, *, run) -> dict:
    outside = db.session.execute(OUTSIDE, {"run": run.id}).scalar_one()
    found = {"disputes_outside_grids": outside} if outside else {}
    if run.by_id is None:
        # A case's history names the person behind every step; an import from
        # the command line has nobody to name, so it may not move cases.
        waiting = db.session.execute(COUNT, {"run": run.id}).scalar_one()
        if waiting:
            raise FollowupRefused(geo.Problem(severity=geo.ERROR, kind="disputes_need_person", code=None, index=None,
                                              params={"count": waiting}))
        return found
    rows = db.session.execute(REGRID, {"run": run.id, "by": run.by_id}).all()
    for row in rows:
        if row.changed_community:
            # The case now belongs to another community's staff: they must know.
            notify(recipients("community", row.new_community), "dispute_moved_in", object_type="dispute",
                   object_id=row.id, params={"number": row.number, "grid": row.to_grid})
    if not rows:
        return found  # the report lists what moved; nothing to say
    return {**found, "disputes_moved": len(rows),
            "moved": [{"kind": "dispute", "id": row.id, "number": row.number, "from": row.from_grid,
                       "to": row.to_grid} for row in rows]}
