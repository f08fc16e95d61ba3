"""District fixture, disputes: a year of cases registered by grid workers at
households' doors, in set-based SQL. Most are archived after an outcome;
the open ones are recent, in every state of the process, their clocks red,
yellow or green as of the build. Each case has two parties from the
registry (applicant and respondent), the community staff as mediator and
stability owner, and the actions the lists and numbers read: the
registration, and the last step taken. Sessions and agreements are left out:
no page measured at district scale lists them."""
from __future__ import annotations

from sqlalchemy import text

from bench.fixture_bulk import OFFICE_HOURS, bulk_load
from bench.fixture_places import UNIT_STAFF
from grid.disputes.labels import TYPES
from grid.extensions import db

PLAN_DISPUTES = f"""
CREATE TEMP TABLE planned_dispute ON COMMIT DROP AS
WITH raw AS (
    SELECT (1 + floor(random() * :households))::int AS household_id,
           least(:now - interval '10 minutes',
                 {OFFICE_HOURS.format(moment="(:now - random() * :days * interval '1 day')")})
               AS registered_at,
           random() AS open_roll, random() AS state_roll, random() AS level_roll, random() AS light_roll,
           random() AS outcome_roll,
           (CAST(:types AS text[]))[1 + floor(random() * cardinality(CAST(:types AS text[])))::int] AS type
      FROM generate_series(1, :total))
SELECT row_number() OVER (ORDER BY registered_at)::int AS id, raw.*, h.grid_id, h.location, h.address,
       g.parent_id AS community_id, c.parent_id AS street_id,
       CASE WHEN open_roll >= CASE WHEN :now - registered_at < interval '7 days' THEN 0.8
                                   WHEN :now - registered_at < interval '30 days' THEN 0.4
                                   WHEN :now - registered_at < interval '90 days' THEN 0.12 ELSE 0.02 END
                THEN 'archived'
            WHEN state_roll < 0.15 THEN 'registered' WHEN state_roll < 0.70 THEN 'mediating'
            WHEN state_roll < 0.85 THEN 'under_review' ELSE 'follow_up' END AS state,
       CASE WHEN level_roll < 0.85 THEN 'ordinary' WHEN level_roll < 0.97 THEN 'serious' ELSE 'major' END AS level,
       CASE WHEN light_roll < 0.15 THEN 'red' WHEN light_roll < 0.35 THEN 'yellow' ELSE 'green' END AS light
  FROM raw JOIN household h ON h.id = raw.household_id
  JOIN unit g ON g.id = h.grid_id JOIN unit c ON c.id = g.parent_id
"""

WRITE_DISPUTES = """
INSERT INTO dispute (id, uuid, payload_hash, number, type, source, level, grid_id, community_id, street_id, location,
                     address, people_involved, facts, claims, registered_on, registered_at, registrar_id,
                     limit_amount, limit_unit, limit_started_at, time_limit_at, state, step, step_started_at, due_at,
                     yellow_at, stability_owner_id, supervising_unit_id, outcome, outcome_by_id, outcome_at,
                     approved_at, follow_up_on, performance, archived_at, version)
SELECT p.id, gen_random_uuid(), encode(sha256(p.id::text::bytea), 'hex'),
       'JF' || to_char(p.registered_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-'
           || lpad(row_number() OVER (PARTITION BY (p.registered_at AT TIME ZONE 'Asia/Shanghai')::date
                                      ORDER BY p.registered_at)::text, 4, '0'),
       p.type, CASE WHEN p.outcome_roll < 0.6 THEN 'request' ELSE 'referral' END, p.level, p.grid_id,
       p.community_id, p.street_id, p.location, p.address, 2 + (p.id % 4),
       '双方因' || p.address || '一带的' || CASE p.type WHEN 'neighbour' THEN '噪音与漏水问题' WHEN 'property' THEN '物业费'
                                            WHEN 'family' THEN '赡养费用' ELSE '费用分担' END || '发生争执。',
       '申请人要求对方赔偿损失并停止侵害。', (p.registered_at AT TIME ZONE 'Asia/Shanghai')::date, p.registered_at,
       registrar.user_id, l.amount, l.unit, p.registered_at, p.registered_at + l.amount * interval '1 day',
       p.state, s.step, s.started_at, s.due_at, s.due_at - (s.due_at - s.started_at) / 4,
       owner.user_id, CASE WHEN p.level = 'major' THEN p.street_id ELSE p.community_id END,
       o.outcome, CASE WHEN o.outcome IS NOT NULL THEN owner.user_id END, o.outcome_at,
       CASE WHEN p.state IN ('follow_up', 'archived') THEN o.outcome_at + interval '2 days' END,
       CASE WHEN p.state = 'follow_up' THEN (s.due_at AT TIME ZONE 'Asia/Shanghai')::date
            WHEN p.state = 'archived' AND o.outcome IN ('agreement', 'partial')
                THEN ((o.outcome_at + interval '30 days') AT TIME ZONE 'Asia/Shanghai')::date END,
       CASE WHEN p.state = 'archived' AND o.outcome IN ('agreement', 'partial') THEN 'fulfilled' END,
       CASE WHEN p.state = 'archived' THEN least(o.outcome_at + interval '35 days', :now - interval '1 minute') END,
       CASE p.state WHEN 'registered' THEN 1 WHEN 'mediating' THEN 2 WHEN 'under_review' THEN 3 ELSE 4 END
  FROM planned_dispute p
  JOIN dispute_time_limit l ON l.level = p.level
  JOIN {staff} registrar ON registrar.unit_id = p.grid_id
  JOIN {staff} owner ON owner.unit_id = p.community_id
  -- The running clock of an open case, aimed at its light as of now.
  CROSS JOIN LATERAL (SELECT CASE p.state WHEN 'registered' THEN 'accept' WHEN 'mediating' THEN 'mediate'
                                          WHEN 'under_review' THEN 'review' WHEN 'follow_up' THEN 'follow_up' END AS step,
                             greatest(p.registered_at, :now - interval '20 days') AS started_at,
                             CASE p.light WHEN 'red' THEN :now - random() * interval '5 days'
                                          WHEN 'yellow' THEN :now + random() * interval '2 days'
                                          ELSE :now + (3 + random() * 10) * interval '1 day' END AS due_at) c
  CROSS JOIN LATERAL (SELECT c.step, CASE WHEN c.step IS NOT NULL THEN c.started_at END AS started_at,
                             CASE WHEN c.step IS NOT NULL THEN c.due_at END AS due_at) s
  CROSS JOIN LATERAL (
      SELECT CASE WHEN p.state IN ('under_review', 'follow_up') THEN 'agreement'
                  WHEN p.state = 'archived' THEN CASE WHEN p.outcome_roll < 0.7 THEN 'agreement'
                                                      WHEN p.outcome_roll < 0.8 THEN 'partial'
                                                      WHEN p.outcome_roll < 0.9 THEN 'failed'
                                                      WHEN p.outcome_roll < 0.97 THEN 'referred' ELSE 'withdrawn' END
             END AS outcome,
             CASE WHEN p.state IN ('under_review', 'follow_up', 'archived')
                  THEN least(p.registered_at + (3 + random() * 20) * interval '1 day', :now - interval '2 hours')
             END AS outcome_at) o
"""

# Applicant and respondent: the registering household's head and a resident
# of another household nearby in the id order (the same grid, mostly).
WRITE_PARTIES = """
INSERT INTO dispute_party (dispute_id, position, role, resident_id, name, gender, id_number_masked, phone, address)
SELECT p.id, n.position, n.role, r.id, r.name, r.gender, r.id_number_masked, r.phone, h.address
  FROM planned_dispute p
 CROSS JOIN (VALUES (0, 'applicant', 0), (1, 'respondent', 1)) AS n(position, role, step)
  JOIN household h ON h.id = least(p.household_id + n.step, :households)
  JOIN resident r ON r.id = h.head_id
"""

WRITE_ACTIONS = """
INSERT INTO dispute_action (dispute_id, action, actor_id, from_state, to_state, note, detail, at, ended_step,
                            ended_late, version_after)
SELECT d.id, 'register', d.registrar_id, NULL, 'registered', NULL, jsonb_build_object('level', d.level),
       d.registered_at, NULL, NULL, 1
  FROM dispute d
UNION ALL
SELECT d.id, last.action, d.stability_owner_id, last.from_state, d.state, NULL, jsonb_build_object(),
       coalesce(d.archived_at, d.approved_at, d.outcome_at, d.step_started_at), last.ended_step, false, d.version
  FROM dispute d
  -- An archived case ends with its follow-up when it had terms to fulfil, else with the committee's approval.
  CROSS JOIN LATERAL (SELECT CASE WHEN d.state = 'mediating' THEN 'accept'
                                  WHEN d.state = 'under_review' THEN 'record_outcome'
                                  WHEN d.state = 'archived' AND d.performance IS NOT NULL THEN 'follow_up'
                                  ELSE 'approve' END AS action) a
  JOIN (VALUES ('accept', 'registered', 'accept'), ('record_outcome', 'mediating', 'mediate'),
               ('approve', 'under_review', 'review'), ('follow_up', 'follow_up', 'follow_up'))
       AS last(action, from_state, ended_step) ON last.action = a.action
 WHERE d.state <> 'registered'
"""


def write_disputes(*, total: int, households: int, now, days: int = 365) -> dict[str, int]:
    """`total` cases of the `days` before `now`, with parties and history. Returns counts by state."""
    params = {"now": now, "days": days, "households": households, "total": total, "types": list(TYPES)}
    db.session.execute(text(PLAN_DISPUTES), params)
    with bulk_load("dispute", "dispute_party", "dispute_mediator", "dispute_action"):
        db.session.execute(text(WRITE_DISPUTES.format(staff=UNIT_STAFF)), params)
        db.session.execute(text(WRITE_PARTIES), params)
        db.session.execute(text(f"""INSERT INTO dispute_mediator (dispute_id, user_id)
                                    SELECT d.id, owner.user_id FROM dispute d
                                      JOIN {UNIT_STAFF} owner ON owner.unit_id = d.community_id"""))
        db.session.execute(text(WRITE_ACTIONS))
    db.session.execute(text("""INSERT INTO day_counter (series, day, last)
                               SELECT 'dispute', to_date(substr(split_part(number, '-', 1), 3), 'YYYYMMDD'), count(*)
                                 FROM dispute GROUP BY 1, 2"""))
    db.session.execute(text("SELECT setval('dispute_id_seq', (SELECT max(id) FROM dispute))"))
    return dict(db.session.execute(text("SELECT state, count(*) FROM dispute GROUP BY state")).all())
