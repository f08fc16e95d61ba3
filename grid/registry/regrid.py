"""Households follow re-imported grid boundaries, with every move recorded."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from grid.audit.actions import register_actions
from grid.extensions import db
from grid.places.services import TOUCHED_AREAS_SQL, boundaries_changed

# Households inside any boundary the import created or changed (old or new
# shape) get their grid recomputed by grid_for_point; those whose grid differs
# move, and each move is kept with the import that caused it.
REGRID = text(f"""
WITH touched AS ({TOUCHED_AREAS_SQL}),
candidates AS (
    SELECT DISTINCT h.id, h.grid_id AS old_grid, grid_for_point(h.location) AS new_grid
      FROM household h JOIN touched t ON ST_Intersects(t.area, h.location)
), moved AS (
    UPDATE household h SET grid_id = c.new_grid
      FROM candidates c
     WHERE h.id = c.id AND c.new_grid IS NOT NULL AND c.new_grid <> c.old_grid
    RETURNING h.id, c.old_grid, c.new_grid
), recorded AS (
    INSERT INTO household_move (household_id, from_grid_id, to_grid_id, reason, boundary_import_id)
    SELECT id, old_grid, new_grid, 'regrid', :run FROM moved
    RETURNING 1
)
SELECT (SELECT count(*) FROM recorded), (SELECT count(*) FROM candidates WHERE new_grid IS NULL)
""")


register_actions({}, detail_keys={"households_moved": _l("Households moved to another grid"),
                                  "households_outside_grids": _l("Households now outside every grid (kept in their grid)")})


@boundaries_changed.connect
def regrid_households(sender, *, run) -> dict[str, int]:
    moved, stranded = db.session.execute(REGRID, {"run": run.id}).one()
    counts = {"households_moved": moved}
    if stranded:
        counts["households_outside_grids"] = stranded
    return counts
