"""Loading big tables the way pg_restore does: data first, then the indexes
and foreign keys, each re-created from its own definition in the migrated
schema. A row-by-row load pays an index insertion per index and a lookup per
foreign key for every row (2.4 M visits with four keys took minutes); a
sorted index build and one set-based check per key take seconds, and the
keys are still checked: re-adding one fails if any row breaks it."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import text

from grid.extensions import db

# Plain indexes only: those backing a primary key or unique constraint stay
# (other tables' keys point at them).
# A moment in office hours on the day of `moment`, Shanghai time.
OFFICE_HOURS = """((date_trunc('day', {moment} AT TIME ZONE 'Asia/Shanghai') + interval '8 hours 30 minutes'
                   + random() * interval '9 hours') AT TIME ZONE 'Asia/Shanghai')"""

SECONDARY_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
  FROM pg_index i
 WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""
FOREIGN_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(CAST(:tables AS regclass[]))
"""
USER_TRIGGERS = """
SELECT tgrelid::regclass::text, tgname FROM pg_trigger
 WHERE NOT tgisinternal AND tgrelid = ANY(CAST(:tables AS regclass[]))
"""


@contextmanager
def bulk_load(*tables: str, disable_triggers: bool = False):
    """Inside: `tables` without secondary indexes and foreign keys (and with
    `disable_triggers`, without user triggers: for rows that already hold what
    a trigger would derive); on exit all are back as the migrations made them.
    Everything runs in the session's transaction."""
    params = {"tables": list(tables)}
    indexes = db.session.execute(text(SECONDARY_INDEXES), params).all()
    keys = db.session.execute(text(FOREIGN_KEYS), params).all()
    triggers = [] if not disable_triggers else db.session.execute(text(USER_TRIGGERS), params).all()
    for table, name, _definition in keys:
        db.session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        db.session.execute(text(f"DROP INDEX {name}"))
    for table, name in triggers:
        db.session.execute(text(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"'))
    yield
    # Sorting for the index builds in memory rather than on disk.
    db.session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    for _name, definition in indexes:
        db.session.execute(text(definition))
    for table, name, definition in keys:
        db.session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    for table, name in triggers:
        db.session.execute(text(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"'))
