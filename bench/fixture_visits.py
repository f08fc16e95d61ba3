"""District fixture, visits: twelve months of them, in set-based SQL.

Every open care record is visited at its cadence (the `care_task` view's
interval: weekly for high-risk elderly people, monthly, quarterly), with one
visit in ten missed and some records last seen long ago, so task lists have
overdue items; the rest of the total are routine household visits (入户走访)
spread over the year. Visits fall in office hours (Asia/Shanghai), mostly in
person with a fix near the door, some by phone, a few flagged."""
from __future__ import annotations

import json

from sqlalchemy import text

from bench.fixture_bulk import OFFICE_HOURS, bulk_load
from bench.fixture_places import UNIT_STAFF
from grid.extensions import db


PLAN_CARE_VISITS = f"""
CREATE TEMP TABLE care_visit ON COMMIT DROP AS
WITH task AS (
    SELECT t.kind, t.record_id, coalesce(t.interval_days, 30) AS every, h.id AS household_id,
           random() AS phase,
           -- One record in seven was last visited one and a half intervals ago: overdue now.
           CASE WHEN random() < 0.15 THEN 1.5 ELSE 0 END AS lag
      FROM care_task t JOIN resident r ON r.id = t.resident_id JOIN household h ON h.id = r.household_id
     WHERE t.status = 'open')
SELECT task.kind, task.record_id, task.household_id,
       {OFFICE_HOURS.format(moment="(:start + (k + task.phase) * task.every * interval '1 day')")} AS visited_at
  FROM task CROSS JOIN LATERAL generate_series(0, ceil(:days / task.every)::int) AS k
 WHERE (k + task.phase) * task.every < :days - task.lag * task.every
   AND random() < 0.9
"""

# Routine visits (every household `whole` times a year, and a `fraction` of
# them once more) join the care visits; ids follow time, as the app would
# have handed them out.
PLAN_ALL_VISITS = f"""
CREATE TEMP TABLE planned_visit ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY visited_at)::int AS id, * FROM (
    SELECT * FROM care_visit
    UNION ALL
    SELECT NULL, NULL, routine.household_id,
           {OFFICE_HOURS.format(moment="(:start + random() * :days * interval '1 day')")}
      FROM (SELECT h.id AS household_id FROM household h CROSS JOIN generate_series(1, :whole)
            UNION ALL
            SELECT h.id FROM household h WHERE random() < :fraction) routine
) visits
"""

# A visit's details follow one roll: 85 % in person (nearly all with a fix
# within 60 m of the door), 12 % by phone, 3 % through a neighbour; a visit in
# person without a fix at the door is flagged for the community to confirm.
WRITE_VISITS = """
INSERT INTO visit (id, uuid, payload_hash, household_id, grid_id, visitor_id, mode, visited_at, received_at,
                   checklist, location_status, lat, lon, accuracy_m, distance_m, is_at_household,
                   off_site_reason, is_flagged)
SELECT p.id, gen_random_uuid(), encode(sha256(p.id::text::bytea), 'hex'), p.household_id, h.grid_id, w.user_id,
       CASE WHEN p.roll < 0.85 THEN 'in_person' WHEN p.roll < 0.97 THEN 'phone' ELSE 'neighbour' END,
       p.visited_at, p.visited_at + random() * interval '20 minutes',
       CASE WHEN p.is_fine THEN CAST(:all_ok AS jsonb) ELSE CAST(:one_concern AS jsonb) END,
       CASE WHEN p.roll < 0.79 THEN 'fix' WHEN p.roll < 0.85 THEN 'timeout' ELSE 'denied' END,
       CASE WHEN p.roll < 0.79 THEN ST_Y(h.location) + p.metres * sin(p.angle) / 111320.0 END,
       CASE WHEN p.roll < 0.79
            THEN ST_X(h.location) + p.metres * cos(p.angle) / (111320.0 * cos(radians(ST_Y(h.location)))) END,
       CASE WHEN p.roll < 0.79 THEN 5 + p.metres / 2 END,
       CASE WHEN p.roll < 0.79 THEN p.metres END,
       p.roll < 0.79,
       CASE WHEN p.roll < 0.79 THEN NULL WHEN p.roll < 0.85 THEN '楼道内无法定位' ELSE '电话走访' END,
       p.roll >= 0.79 AND p.roll < 0.85
  FROM (SELECT id, household_id, visited_at, random() AS roll, random() < 0.93 AS is_fine, 2 + random() * 58 AS metres,
               random() * 2 * pi() AS angle FROM planned_visit) p
  JOIN household h ON h.id = p.household_id
  JOIN {staff} w ON w.unit_id = h.grid_id
"""

LAST_VISITS = """
UPDATE {table} r SET last_visit_at = v.last
  FROM (SELECT record_id, max(visited_at) AS last FROM planned_visit WHERE kind = :kind GROUP BY record_id) v
 WHERE v.record_id = r.id
"""

SUBJECTS = ("health", "mental", "safety", "hygiene", "living")


def write_visits(*, total: int, households: int, start, days: int = 365) -> dict[str, int]:
    """Visits of the `days` after `start`: care visits at cadence, routine ones
    up to about `total`; covered records and their last visit. Returns counts."""
    params = {"start": start, "days": days}
    db.session.execute(text(PLAN_CARE_VISITS), params)
    care_visits = db.session.scalar(text("SELECT count(*) FROM care_visit"))
    per_household = max(0.0, (total - care_visits) / households)
    db.session.execute(text(PLAN_ALL_VISITS), {**params, "whole": int(per_household),
                                               "fraction": per_household - int(per_household)})
    checklist = {s: {"status": "ok", "note": ""} for s in SUBJECTS}
    concern = {**checklist, "living": {"status": "concern", "note": "屋内杂物多，需清理"}}
    with bulk_load("visit", "visit_record"):
        db.session.execute(text(WRITE_VISITS.format(staff=UNIT_STAFF)),
                           {"all_ok": json.dumps(checklist), "one_concern": json.dumps(concern)})
        db.session.execute(text("""INSERT INTO visit_record (visit_id, kind, record_id)
                                   SELECT id, kind, record_id FROM planned_visit WHERE kind IS NOT NULL"""))
    for kind, table in (("elderly", "elderly_record"), ("child", "child_record")):
        db.session.execute(text(LAST_VISITS.format(table=table)), {"kind": kind})
    db.session.execute(text("SELECT setval('visit_id_seq', (SELECT max(id) FROM visit))"))
    count = db.session.scalar(text("SELECT count(*) FROM visit"))
    return {"visits": count, "care visits": care_visits}
