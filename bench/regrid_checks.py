"""The re-gridding benchmark's checks, read from the database through psycopg:
a snapshot of every household, care record, event, dispute and unit taken
before the change (temporary tables of the benchmark's connection), then what
changed, compared with the changed area: the symmetric difference of each
changed grid's old and new shape, computed from the snapshot, not from the
app's own records. A row's xmin and ctid change whenever it is written, so
they show which rows an UPDATE touched, whether or not a value changed."""
from __future__ import annotations

from dataclasses import dataclass

SNAPSHOT = """
DROP TABLE IF EXISTS before_unit, before_household, before_care, before_event, before_dispute, changed, new_unit,
    in_area, moved, touched, moved_care, events_in_area, moved_events, disputes_in_area, moved_disputes;
CREATE TEMP TABLE before_unit AS
    SELECT id, code, parent_id, path::text AS path, boundary, ST_AsEWKB(boundary) AS wkb FROM unit;
CREATE TEMP TABLE before_household AS SELECT id, grid_id, xmin::text AS xid, ctid::text AS tid FROM household;
CREATE TEMP TABLE before_care AS
    SELECT 'elderly'::text AS kind, id, resident_id, grid_id, xmin::text AS xid, ctid::text AS tid FROM elderly_record
    UNION ALL SELECT 'child', id, resident_id, grid_id, xmin::text, ctid::text FROM child_record;
CREATE TEMP TABLE before_event AS SELECT id, grid_id, holder_unit_id, xmin::text AS xid, ctid::text AS tid FROM event;
CREATE TEMP TABLE before_dispute AS
    SELECT id, grid_id, community_id, street_id, supervising_unit_id, xmin::text AS xid, ctid::text AS tid
      FROM dispute;
ALTER TABLE before_unit ADD PRIMARY KEY (id);
ALTER TABLE before_household ADD PRIMARY KEY (id);
ALTER TABLE before_care ADD PRIMARY KEY (kind, id);
ALTER TABLE before_event ADD PRIMARY KEY (id);
ALTER TABLE before_dispute ADD PRIMARY KEY (id);
ANALYZE before_unit, before_household, before_care, before_event, before_dispute;
"""

# The care records as they are now, in the snapshot's shape.
CARE_NOW = """(SELECT 'elderly'::text AS kind, id, resident_id, grid_id, xmin::text AS xid, ctid::text AS tid
                 FROM elderly_record
               UNION ALL SELECT 'child', id, resident_id, grid_id, xmin::text, ctid::text FROM child_record)"""

# After the change: the units that differ from the snapshot, with their changed
# area; the households in it; the households, events and disputes that moved.
AFTER = f"""
CREATE TEMP TABLE changed AS
    SELECT u.id, u.code, u.level, ST_SymDifference(b.boundary, u.boundary) AS area
      FROM before_unit b JOIN unit u USING (id)
     WHERE b.wkb <> ST_AsEWKB(u.boundary) OR b.parent_id IS DISTINCT FROM u.parent_id OR b.path <> u.path::text;
CREATE TEMP TABLE new_unit AS SELECT u.id, u.boundary FROM unit u JOIN changed USING (id);
CREATE TEMP TABLE in_area AS SELECT DISTINCT h.id FROM changed c JOIN household h ON ST_Intersects(c.area, h.location);
CREATE TEMP TABLE moved AS
    SELECT h.id, b.grid_id AS old_grid, h.grid_id AS new_grid FROM household h JOIN before_household b USING (id)
     WHERE h.grid_id <> b.grid_id;
CREATE TEMP TABLE touched AS
    SELECT h.id FROM household h JOIN before_household b USING (id)
     WHERE (h.xmin::text, h.ctid::text) <> (b.xid, b.tid);
CREATE TEMP TABLE moved_care AS
    SELECT c.kind, c.id, c.grid_id, m.new_grid, (c.xid, c.tid) <> (b.xid, b.tid) AS written
      FROM {CARE_NOW} c JOIN before_care b USING (kind, id) JOIN resident r ON r.id = c.resident_id
      JOIN moved m ON m.id = r.household_id;
CREATE TEMP TABLE events_in_area AS
    SELECT DISTINCT e.id FROM changed c JOIN event e ON ST_Intersects(c.area, e.location) WHERE e.state <> 'closed';
CREATE TEMP TABLE moved_events AS
    SELECT e.id, b.grid_id AS old_grid, e.grid_id AS new_grid, b.holder_unit_id AS old_holder, e.holder_unit_id
      FROM event e JOIN before_event b USING (id)
     WHERE e.grid_id IS DISTINCT FROM b.grid_id OR e.holder_unit_id IS DISTINCT FROM b.holder_unit_id;
CREATE TEMP TABLE disputes_in_area AS
    SELECT DISTINCT d.id FROM changed c JOIN dispute d ON ST_Intersects(c.area, d.location) WHERE d.state <> 'archived';
CREATE TEMP TABLE moved_disputes AS
    SELECT d.id FROM dispute d JOIN before_dispute b USING (id)
     WHERE (d.grid_id, d.community_id, d.street_id, d.supervising_unit_id)
           IS DISTINCT FROM (b.grid_id, b.community_id, b.street_id, b.supervising_unit_id);
"""

# How many rows differ from the snapshot after the change was undone (each must be 0).
RESTORED = {
    "units (boundary bytes, parent, path)": """
        SELECT count(*) FROM before_unit b FULL JOIN unit u USING (id)
         WHERE b.wkb IS DISTINCT FROM ST_AsEWKB(u.boundary) OR b.parent_id IS DISTINCT FROM u.parent_id
            OR b.path IS DISTINCT FROM u.path::text""",
    "households' grid": """
        SELECT count(*) FROM before_household b JOIN household h USING (id) WHERE h.grid_id <> b.grid_id""",
    "care records' grid": f"""
        SELECT count(*) FROM before_care b JOIN {CARE_NOW} c USING (kind, id) WHERE c.grid_id <> b.grid_id""",
    "events' grid and holder": """
        SELECT count(*) FROM before_event b JOIN event e USING (id)
         WHERE (e.grid_id, e.holder_unit_id) IS DISTINCT FROM (b.grid_id, b.holder_unit_id)""",
    "disputes' grid, community, street office, supervisor": """
        SELECT count(*) FROM before_dispute b JOIN dispute d USING (id)
         WHERE (d.grid_id, d.community_id, d.street_id, d.supervising_unit_id)
               IS DISTINCT FROM (b.grid_id, b.community_id, b.street_id, b.supervising_unit_id)""",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'FAILED'}: {self.name}: {self.detail}"


def take_snapshot(conn) -> None:
    conn.execute(SNAPSHOT)


def one(conn, sql: str, params=()) -> int:
    return conn.execute(sql, params).fetchone()[0]


def check_change(conn, *, codes: set[str], followups: dict) -> list[Check]:
    """What the change did, against the snapshot: `codes` are the grids the file
    changed, `followups` the counts in the app's import report."""
    conn.execute(AFTER)
    found = {code for code, in conn.execute("SELECT code FROM changed WHERE level = 'grid'")}
    others = one(conn, "SELECT count(*) FROM changed WHERE level <> 'grid'")
    moved, in_area = one(conn, "SELECT count(*) FROM moved"), one(conn, "SELECT count(*) FROM in_area")
    outside = one(conn, "SELECT count(*) FROM moved WHERE id NOT IN (SELECT id FROM in_area)")
    stayed = one(conn, "SELECT count(*) FROM in_area WHERE id NOT IN (SELECT id FROM moved)")
    misplaced = one(conn, "SELECT count(*) FROM moved m JOIN household h USING (id) "
                          "WHERE h.grid_id IS DISTINCT FROM grid_for_point(h.location)")
    households = one(conn, "SELECT count(*) FROM before_household")
    written = one(conn, "SELECT count(*) FROM touched")
    written_outside = one(conn, "SELECT count(*) FROM touched WHERE id NOT IN (SELECT id FROM moved)")
    care = one(conn, "SELECT count(*) FROM moved_care")
    care_wrong = one(conn, "SELECT count(*) FROM moved_care WHERE grid_id <> new_grid")
    care_changed_elsewhere = one(conn, f"""
        SELECT count(*) FROM before_care b JOIN {CARE_NOW} c USING (kind, id)
         WHERE ((c.xid, c.tid) <> (b.xid, b.tid) OR c.grid_id <> b.grid_id)
           AND (c.kind, c.id) NOT IN (SELECT kind, id FROM moved_care)""")
    care_mismatched = one(conn, f"""
        SELECT count(*) FROM {CARE_NOW} c JOIN resident r ON r.id = c.resident_id
          JOIN household h ON h.id = r.household_id WHERE c.grid_id <> h.grid_id""")
    events = one(conn, "SELECT count(*) FROM moved_events")
    events_in_area = one(conn, "SELECT count(*) FROM events_in_area")
    events_off = one(conn, """
        SELECT (SELECT count(*) FROM moved_events WHERE id NOT IN (SELECT id FROM events_in_area))
             + (SELECT count(*) FROM events_in_area a JOIN event e USING (id) JOIN before_event b USING (id)
                 WHERE e.grid_id IS DISTINCT FROM coalesce(grid_for_point(e.location), b.grid_id)
                    OR e.holder_unit_id IS DISTINCT FROM CASE WHEN b.holder_unit_id = b.grid_id THEN e.grid_id
                                                              ELSE b.holder_unit_id END)""")
    disputes = one(conn, "SELECT count(*) FROM moved_disputes")
    disputes_in_area = one(conn, "SELECT count(*) FROM disputes_in_area")
    disputes_off = one(conn, """
        SELECT (SELECT count(*) FROM moved_disputes WHERE id NOT IN (SELECT id FROM disputes_in_area))
             + (SELECT count(*) FROM disputes_in_area a JOIN dispute d USING (id) JOIN before_dispute b USING (id)
                  JOIN unit g ON g.id = d.grid_id JOIN unit c ON c.id = g.parent_id
                 WHERE d.grid_id IS DISTINCT FROM coalesce(grid_for_point(d.location), b.grid_id)
                    OR d.community_id <> c.id OR d.street_id <> c.parent_id)""")
    reported = (followups.get("households_moved", 0), followups.get("events_moved", 0),
                followups.get("disputes_moved", 0))
    return [
        Check("the file changed exactly its grids", found == codes and others == 0,
              f"{len(found)} grids changed ({len(codes)} in the file's pairs), {others} other units"),
        Check("(a) households that changed grid = households in the changed area", outside == stayed == 0 < moved,
              f"{moved:,} moved, {in_area:,} in the symmetric difference of old and new shapes; "
              f"{outside} moved from outside it, {stayed} in it stayed"),
        Check("(a) each moved household is in the grid that now covers its point", misplaced == 0,
              f"{misplaced} elsewhere"),
        Check("(b) no other household's row was written", written_outside == 0 and written == moved,
              f"{written:,} household rows written (xmin/ctid), all moved ones; {written_outside} of the other "
              f"{households - moved:,}"),
        Check("(c) care records followed their households (trigger)",
              care_wrong == care_mismatched == care_changed_elsewhere == 0,
              f"{care:,} records of moved households, {care_wrong} not in the new grid; {care_changed_elsewhere} "
              f"other records written; {care_mismatched} records anywhere whose grid is not their household's"),
        Check("(c) open events in the changed area followed, no other event changed", events_off == 0,
              f"{events:,} moved of {events_in_area:,} open in the area; {events_off} wrong or moved from outside"),
        Check("(c) open disputes in the changed area followed, no other dispute changed", disputes_off == 0,
              f"{disputes:,} moved of {disputes_in_area:,} open in the area; {disputes_off} wrong or outside"),
        Check("the import's report counts the same moves", reported == (moved, events, disputes),
              f"report: {reported[0]:,} households, {reported[1]:,} events, {reported[2]:,} disputes"),
    ]


def check_restored(conn) -> list[Check]:
    """After the reverse change: every row as in the snapshot."""
    differing = {name: one(conn, sql) for name, sql in RESTORED.items()}
    found = ", ".join(f"{n} {name}" for name, n in differing.items())
    return [Check("restored as before", not any(differing.values()), f"rows differing from before the change: {found}")]
