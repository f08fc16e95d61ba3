"""District fixture, events: a year of them at households' doors, in set-based SQL.

The mix follows what a district sees: nearly every event older than a few
weeks is closed (four in ten on the spot by the grid worker, the rest after
the community, street office or a department handled it and the grid
verified it); the open ones are mostly recent, spread over the workflow's
states, and their running clocks show red, yellow or green as of the build.
How often a grid's events run late depends on the grid (a random "slack"
per grid), so overdue counts vary across the map as they do in real life.
The history holds the actions that pages and numbers read: the report, the
signing, the result or the pause, and the verification."""
from __future__ import annotations

from sqlalchemy import text

from bench.fixture_bulk import OFFICE_HOURS, bulk_load
from bench.fixture_places import UNIT_STAFF
from grid.extensions import db

# Leaf categories and how common each is, per 100 events.
CATEGORY_SHARES = {"sanitation_rubbish": 24, "fire_ebike": 12, "fire_escape": 10, "sanitation_sewage": 8,
                   "welfare_consult": 10, "welfare_complaint": 7, "construction": 8, "order": 7,
                   "safety_gas": 4, "safety_building": 4, "other": 6}

PLAN_EVENTS = f"""
CREATE TEMP TABLE planned_event ON COMMIT DROP AS
WITH raw AS (
    SELECT (1 + floor(random() * :households))::int AS household_id,
           least(:now - interval '10 minutes',
                 {OFFICE_HOURS.format(moment="(:now - random() * :days * interval '1 day')")})
               AS reported_at,
           random() AS open_roll, random() AS state_roll, random() AS holder_roll, random() AS light_roll,
           random() AS source_roll, random() AS priority_roll, random() AS rating_roll,
           (CAST(:categories AS int[]))[1 + floor(random() * cardinality(CAST(:categories AS int[])))::int] AS category_id
      FROM generate_series(1, :total)),
aged AS (
    SELECT raw.*, h.grid_id, h.location, h.address, g.parent_id AS community_id, c.parent_id AS street_id, s.slack,
           -- Recent events are often still open, old ones hardly ever.
           raw.open_roll < CASE WHEN :now - reported_at < interval '3 days' THEN 0.7
                                WHEN :now - reported_at < interval '14 days' THEN 0.3
                                WHEN :now - reported_at < interval '60 days' THEN 0.08 ELSE 0.01 END AS is_open
      FROM raw JOIN household h ON h.id = raw.household_id JOIN grid_slack s ON s.grid_id = h.grid_id
      JOIN unit g ON g.id = h.grid_id JOIN unit c ON c.id = g.parent_id)
SELECT row_number() OVER (ORDER BY reported_at)::int AS id, aged.*,
       CASE WHEN NOT is_open THEN CASE WHEN state_roll < 0.4 THEN 'on_spot' ELSE 'closed' END
            WHEN state_roll < 0.25 THEN 'to_sign' WHEN state_roll < 0.70 THEN 'handling'
            WHEN state_roll < 0.75 THEN 'extension' WHEN state_roll < 0.90 THEN 'to_verify' ELSE 'standing' END
           AS plan,
       CASE WHEN holder_roll < 0.7 THEN 'community' WHEN holder_roll < 0.88 THEN 'street' ELSE 'department' END
           AS holder,
       -- Red for an open clock that ran out (not within the first day), in slack grids more often.
       CASE WHEN light_roll < 0.05 + 0.35 * slack * slack AND :now - reported_at > interval '1 day' THEN 'red'
            WHEN light_roll < 0.20 + 0.35 * slack * slack THEN 'yellow' ELSE 'green' END AS light,
       light_roll < 0.04 + 0.2 * slack AS ran_late
  FROM aged
"""

# Moments of each event: when it was signed for, its result reported, and
# closed (verified); and the running clock of an open one.
TIMELINE = """
CREATE TEMP TABLE event_timeline ON COMMIT DROP AS
SELECT p.*,
       least(p.reported_at + (0.1 + random()) * interval '1 day', :now - interval '5 minutes') AS signed_at,
       least(p.reported_at + (1 + random() * 6) * interval '1 day', :now - interval '3 minutes') AS resulted_at,
       least(p.reported_at + (2 + random() * 8) * interval '1 day', :now - interval '1 minute') AS verified_at,
       CASE p.light WHEN 'red' THEN :now - random() * interval '4 days'
                    WHEN 'yellow' THEN :now + random() * interval '20 hours'
                    ELSE :now + (1 + random() * 4) * interval '1 day' END AS due_at,
       CASE p.plan WHEN 'to_sign' THEN 'sign' WHEN 'handling' THEN 'handle' WHEN 'extension' THEN 'decide'
                   WHEN 'to_verify' THEN 'verify' END AS step,
       CASE WHEN p.plan IN ('on_spot', 'closed') THEN 'closed' ELSE p.plan END AS state,
       CASE p.plan WHEN 'on_spot' THEN 1 WHEN 'to_sign' THEN 1 WHEN 'handling' THEN 2 WHEN 'closed' THEN 4 ELSE 3 END
           AS actions
  FROM planned_event p
"""

WRITE_EVENTS = """
INSERT INTO event (id, uuid, payload_hash, number, category_id, source, priority, description, address, location,
                   grid_id, reporter_id, origin_level, reported_at, state, holder_unit_id, holder_department_id, step,
                   step_seq, step_started_at, due_at, yellow_at, limit_unit, paused_at, paused_step_started_at,
                   paused_due_at, paused_limit_unit, extension_days, paused_working, standing_reason, late_steps,
                   closed_at, closure, satisfaction, version)
SELECT t.id, gen_random_uuid(), encode(sha256(t.id::text::bytea), 'hex'),
       to_char(t.reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-'
           || lpad(row_number() OVER (PARTITION BY (t.reported_at AT TIME ZONE 'Asia/Shanghai')::date
                                      ORDER BY t.reported_at)::text, 4, '0'),
       t.category_id,
       CASE WHEN t.source_roll < 0.6 THEN 'patrol' WHEN t.source_roll < 0.85 THEN 'resident' ELSE 'hotline' END,
       CASE WHEN t.priority_roll < 0.08 THEN 'urgent' ELSE 'normal' END,
       c.name_zh || '：' || t.address || '附近，请尽快处理。', t.address, t.location, t.grid_id, w.user_id, 'grid',
       t.reported_at, t.state,
       CASE WHEN t.plan = 'on_spot' THEN t.grid_id WHEN t.holder = 'community' THEN t.community_id
            WHEN t.holder = 'street' THEN t.street_id END,
       CASE WHEN t.plan <> 'on_spot' AND t.holder = 'department'
            THEN (CAST(:departments AS int[]))[1 + t.id % cardinality(CAST(:departments AS int[]))] END,
       t.step, t.actions,
       CASE WHEN t.step IS NOT NULL THEN greatest(t.reported_at, t.due_at - interval '5 days') END,
       CASE WHEN t.step IS NOT NULL THEN t.due_at END,
       CASE WHEN t.step IS NOT NULL THEN t.due_at - interval '1 day' END,
       CASE WHEN t.step IS NOT NULL THEN 'working_days' END,
       CASE WHEN t.plan = 'extension' THEN t.resulted_at END,
       CASE WHEN t.plan = 'extension' THEN t.signed_at END,
       CASE WHEN t.plan = 'extension' THEN t.signed_at + interval '7 days' END,
       CASE WHEN t.plan = 'extension' THEN 'working_days' END,
       CASE WHEN t.plan = 'extension' THEN 5 END,
       interval '0',
       CASE WHEN t.plan = 'standing' THEN '涉及多部门，待统一部署后处理' END,
       CASE WHEN t.ran_late THEN 1 ELSE 0 END,
       CASE t.plan WHEN 'on_spot' THEN t.reported_at WHEN 'closed' THEN t.verified_at END,
       CASE t.plan WHEN 'on_spot' THEN 'on_spot' WHEN 'closed' THEN 'verified' END,
       CASE WHEN t.plan = 'closed' THEN CASE WHEN t.rating_roll < 0.7 THEN 'satisfied'
                                             WHEN t.rating_roll < 0.9 THEN 'basic'
                                             WHEN t.rating_roll < 0.95 THEN 'dissatisfied'
                                             ELSE 'unreached' END END,
       t.actions
  FROM event_timeline t JOIN event_category c ON c.id = t.category_id
  JOIN {staff} w ON w.unit_id = t.grid_id
"""

# The history, one row per action an event has had (its first `actions` of
# the four), each with the step it ended and the one it started.
WRITE_ACTIONS = """
INSERT INTO event_action (event_id, action, actor_id, actor_unit_id, actor_department_id, from_state, to_state,
                          to_unit_id, to_department_id, detail, at, ended_step, ended_late, ended_working, step,
                          due_at, version_after)
SELECT e.id, a.action,
       CASE WHEN a.by_grid THEN e.reporter_id ELSE coalesce(holder.user_id, handler.user_id) END,
       CASE WHEN a.by_grid THEN e.grid_id ELSE e.holder_unit_id END,
       CASE WHEN a.by_grid THEN NULL ELSE e.holder_department_id END,
       a.from_state, a.to_state,
       CASE WHEN a.n = 1 THEN CASE WHEN t.plan = 'on_spot' THEN t.grid_id ELSE t.community_id END END,
       CASE WHEN a.n = 1 THEN e.holder_department_id END,
       jsonb_build_object(), a.at, a.ended_step, CASE WHEN a.ended_step IS NOT NULL THEN e.late_steps > 0 AND a.n = 3 END,
       a.at - a.started, a.step, a.due_at, a.n
  FROM event e JOIN event_timeline t ON t.id = e.id
  LEFT JOIN {staff} holder ON holder.unit_id = e.holder_unit_id
  LEFT JOIN (SELECT department_id, min(id) AS user_id FROM app_user GROUP BY department_id) handler
         ON handler.department_id = e.holder_department_id
  CROSS JOIN LATERAL (VALUES
      (1, CASE WHEN t.plan = 'on_spot' THEN 'report_resolved' ELSE 'report' END, true, NULL,
       CASE WHEN t.plan = 'on_spot' THEN 'closed' ELSE 'to_sign' END, t.reported_at, NULL::varchar, NULL::timestamptz,
       CASE WHEN t.plan = 'on_spot' THEN NULL ELSE 'sign' END, t.reported_at + interval '1 day'),
      (2, 'sign', false, 'to_sign', 'handling', t.signed_at, 'sign', t.reported_at, 'handle',
       t.signed_at + interval '5 days'),
      (3, CASE t.plan WHEN 'extension' THEN 'request_extension' WHEN 'standing' THEN 'shelve' ELSE 'report_result' END,
       false, 'handling', CASE WHEN t.plan = 'closed' THEN 'to_verify' ELSE t.plan END, t.resulted_at,
       CASE WHEN t.plan = 'standing' THEN NULL ELSE 'handle' END, t.signed_at,
       CASE t.plan WHEN 'extension' THEN 'decide' WHEN 'standing' THEN NULL ELSE 'verify' END,
       t.resulted_at + interval '2 days'),
      (4, 'verify_close', true, 'to_verify', 'closed', t.verified_at, 'verify', t.resulted_at, NULL, NULL)
  ) AS a(n, action, by_grid, from_state, to_state, at, ended_step, started, step, due_at)
 WHERE a.n <= t.actions
"""


def write_events(*, total: int, households: int, now, days: int = 365) -> dict[str, int]:
    """`total` events of the `days` before `now`, with their history. Returns counts."""
    shares = dict(db.session.execute(text("SELECT code, id FROM event_category")).all())
    categories = [shares[code] for code, share in CATEGORY_SHARES.items() for _ in range(share)]
    departments = list(db.session.scalars(text("SELECT id FROM department ORDER BY id")))
    params = {"now": now, "days": days, "households": households, "total": total, "categories": categories,
              "departments": departments}
    db.session.execute(text("""CREATE TEMP TABLE grid_slack ON COMMIT DROP AS
                               SELECT id AS grid_id, random() AS slack FROM unit WHERE level = 'grid'"""))
    db.session.execute(text(PLAN_EVENTS), params)
    db.session.execute(text(TIMELINE), params)
    with bulk_load("event", "event_action"):
        db.session.execute(text(WRITE_EVENTS.format(staff=UNIT_STAFF)), params)
        db.session.execute(text(WRITE_ACTIONS.format(staff=UNIT_STAFF)))
    db.session.execute(text("""INSERT INTO day_counter (series, day, last)
                               SELECT 'event', to_date(split_part(number, '-', 1), 'YYYYMMDD'), count(*)
                                 FROM event GROUP BY 1, 2"""))
    db.session.execute(text("SELECT setval('event_id_seq', (SELECT max(id) FROM event))"))
    return dict(db.session.execute(text("SELECT state, count(*) FROM event GROUP BY state")).all())
