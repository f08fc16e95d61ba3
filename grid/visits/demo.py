"""Demo visit history: eight months of visits at each record's cadence, with the
misses, phone visits and flagged visits real work has, so the demo task list
shows overdue, due and upcoming items. Written with COPY."""
import hashlib
import math
import random
import uuid
from datetime import datetime, timedelta, timezone

from psycopg.types.json import Jsonb
from sqlalchemy import func, select, text

from grid.extensions import db
from grid.registry.bulk import allocate_ids, copy_rows
from grid.visits.models import Visit

HISTORY_DAYS = 240
METRES_PER_DEGREE = 111_320.0


def seed_visits(*, seed: int = 2026) -> int:
    """Add demo visits unless there are visits already (commits); returns how many."""
    if db.session.scalar(select(func.count()).select_from(Visit)):
        return 0
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    start = now - timedelta(days=HISTORY_DAYS)
    # The demo registry was just created: let its records have been open for months.
    for table in ("elderly_record", "child_record"):
        db.session.execute(text(f"UPDATE {table} SET created_at = :start, first_visit_due = NULL"), {"start": start})
    tasks = db.session.execute(text("""
        SELECT t.kind, t.record_id, coalesce(t.interval_days, 30), h.id, h.grid_id, ST_X(h.location), ST_Y(h.location),
               coalesce((SELECT min(s.user_id) FROM user_scope s JOIN app_user u ON u.id = s.user_id
                          WHERE s.unit_id = h.grid_id AND u.role = 'grid_worker'),
                        (SELECT min(id) FROM app_user WHERE role = 'admin'))
          FROM care_task t JOIN resident r ON r.id = t.resident_id JOIN household h ON h.id = r.household_id
         WHERE t.status = 'open' ORDER BY t.kind, t.record_id""")).all()
    visits, covers = [], []
    for kind, record_id, interval, household_id, grid_id, lon, lat, visitor in tasks:
        moment = start + timedelta(days=rng.uniform(0, interval))
        # Some people were last seen long ago: they make the overdue list.
        stop = now - timedelta(days=rng.choice((0, 0, 0, interval * 0.5, interval * 1.5)))
        while moment < stop:
            if rng.random() < 0.9:
                visits.append(demo_visit(rng, moment, household_id, grid_id, lon, lat, visitor))
                covers.append((len(visits) - 1, kind, record_id))
            moment += timedelta(days=interval * rng.uniform(0.75, 1.1))
    ids = allocate_ids("visit_id_seq", len(visits))
    copy_rows("visit", ["id", "uuid", "payload_hash", "household_id", "grid_id", "visitor_id", "mode", "visited_at",
                        "received_at", "checklist", "location_status", "lat", "lon", "accuracy_m", "distance_m",
                        "is_at_household", "off_site_reason", "is_flagged"],
              ([vid, *row] for vid, row in zip(ids, visits)))
    copy_rows("visit_record", ["visit_id", "kind", "record_id"], ([ids[n], kind, rid] for n, kind, rid in covers))
    for kind, table in (("elderly", "elderly_record"), ("child", "child_record")):
        db.session.execute(text(f"""
            UPDATE {table} r SET last_visit_at = v.last FROM (
                SELECT vr.record_id, max(v.visited_at) AS last FROM visit_record vr JOIN visit v ON v.id = vr.visit_id
                 WHERE vr.kind = :kind GROUP BY vr.record_id) v
             WHERE v.record_id = r.id"""), {"kind": kind})
    db.session.commit()
    return len(visits)


def demo_visit(rng: random.Random, moment, household_id, grid_id, lon, lat, visitor) -> list:
    """One visit: mostly in person at the door; some by phone; a few without a fix or away."""
    mode = rng.choices(("in_person", "phone", "neighbour"), (85, 12, 3))[0]
    checklist = {s: {"status": "ok" if rng.random() < 0.93 else "concern", "note": ""}
                 for s in ("health", "mental", "safety", "hygiene", "living")}
    roll = rng.random()
    if mode == "in_person" and roll < 0.93:
        metres, angle = rng.uniform(2, 60), rng.uniform(0, 2 * math.pi)
        fix = (lat + metres * math.sin(angle) / METRES_PER_DEGREE,
               lon + metres * math.cos(angle) / (METRES_PER_DEGREE * math.cos(math.radians(lat))))
        status, distance, at_home, reason = "fix", metres, True, None
    elif mode == "in_person":
        fix, status, distance, at_home, reason = (None, None), "timeout", None, False, "楼道内无法定位"
    else:
        fix, status, distance, at_home, reason = (None, None), "denied", None, False, "电话走访"
    flagged = mode == "in_person" and not at_home
    # Random, not from the seed: visit ids must not be guessable.
    return [uuid.uuid4(), hashlib.sha256(str(rng.random()).encode()).hexdigest(), household_id,
            grid_id, visitor, mode, moment, moment + timedelta(minutes=rng.randint(1, 90)), Jsonb(checklist), status,
            fix[0], fix[1], rng.choice((8.0, 15.0, 30.0)) if status == "fix" else None, distance, at_home, reason,
            flagged]
