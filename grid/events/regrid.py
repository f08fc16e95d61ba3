"""Open events follow re-imported grid boundaries, with every move in their history.

What moves with an event and what stays (see docs/boundaries.md):
- its grid: the grid that now covers its point (grid_for_point, as at report);
- its holder, only when the holder was the old grid (an event returned to the
  grid to handle): the new grid holds it now. A community, street office or
  department holding it keeps it; the chain above the grid (who decides an
  extension, who supervises) is read from the grid, so it follows by itself;
- its state, step, deadlines and reminders stay: the clock keeps running;
- its version moves on, so a page opened before the change gets a conflict
  instead of acting on the event as it was.
Closed events keep the grid they were closed in: that is their history.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from grid.accounts.acting import recipients
from grid.audit.actions import register_actions
from grid.extensions import db
from grid.notifications.services import notify, register_kinds
from grid.places.services import TOUCHED_AREAS_SQL, boundaries_changed

# One statement: find the open events in the changed areas whose grid is no
# longer the one covering their point, move them, and append a "regrid" step
# (by the importing administrator; NULL, "the system", for a command-line
# import) naming both grids. A point now outside every grid stays put.
REGRID = text(f"""
WITH touched AS ({TOUCHED_AREAS_SQL}),
candidates AS (
    SELECT DISTINCT e.id, e.grid_id AS old_grid, grid_for_point(e.location) AS new_grid
      FROM event e JOIN touched t ON ST_Intersects(t.area, e.location)
     WHERE e.state <> 'closed'
), moved AS (
    UPDATE event e
       SET grid_id = c.new_grid,
           holder_unit_id = CASE WHEN e.holder_unit_id = c.old_grid THEN c.new_grid ELSE e.holder_unit_id END,
           version = e.version + 1
      FROM candidates c
     WHERE e.id = c.id AND c.new_grid IS NOT NULL AND c.new_grid <> c.old_grid
    RETURNING e.id, e.number, e.state, e.step, e.due_at, e.version, c.old_grid, c.new_grid,
              e.holder_unit_id = c.new_grid AS held_by_grid
), recorded AS (
    INSERT INTO event_action (event_id, action, actor_id, from_state, to_state, to_unit_id, detail, at, step,
                              due_at, version_after)
    SELECT m.id, 'regrid', CAST(:by AS integer), m.state, m.state, CASE WHEN m.held_by_grid THEN m.new_grid END,
           jsonb_build_object('from_grid_id', m.old_grid, 'from_grid', og.name, 'to_grid_id', m.new_grid,
                              'to_grid', ng.name, 'boundary_import', CAST(:run AS integer)),
           now(), m.step, m.due_at, m.version
      FROM moved m JOIN unit og ON og.id = m.old_grid JOIN unit ng ON ng.id = m.new_grid
    RETURNING event_id
)
SELECT m.id, m.number, m.state, m.held_by_grid, m.new_grid, og.name AS from_grid, ng.name AS to_grid
  FROM moved m JOIN unit og ON og.id = m.old_grid JOIN unit ng ON ng.id = m.new_grid
 WHERE m.id IN (SELECT event_id FROM recorded)
 ORDER BY m.number
""")

# The open events in the changed areas whose point now lies in no grid: they
# stay in their grid (REGRID leaves them), and the report says how many.
OUTSIDE = text(f"""
WITH touched AS ({TOUCHED_AREAS_SQL})
SELECT count(DISTINCT e.id)
  FROM event e JOIN touched t ON ST_Intersects(t.area, e.location)
 WHERE e.state <> 'closed' AND grid_for_point(e.location) IS NULL
""")

register_actions({}, detail_keys={"events_moved": _l("Open events moved to another grid"),
                                  "events_outside_grids": _l("Open events now outside every grid (kept in their grid)")})
register_kinds({"event_moved_in": _l("Event %(number)s is now in your grid %(grid)s after a boundary change.")})


@boundaries_changed.connect
def regrid_events(sender, *, run) -> dict:
    rows = db.session.execute(REGRID, {"run": run.id, "by": run.by_id}).all()
    for row in rows:
        # The new grid has work to do on it: it holds it, or verifies the result.
        if row.held_by_grid or row.state == "to_verify":
            notify(recipients("grid", row.new_grid), "event_moved_in", object_type="event", object_id=row.id,
                   params={"number": row.number, "grid": row.to_grid})
    found = {}
    outside = db.session.execute(OUTSIDE, {"run": run.id}).scalar_one()
    if outside:
        found["events_outside_grids"] = outside
    if not rows:
        return found  # the report lists what moved; nothing to say
    return {**found, "events_moved": len(rows),
            "moved": [{"kind": "event", "id": row.id, "number": row.number, "from": row.from_grid, "to": row.to_grid}
                      for row in rows]}
