"""The baseline of a visit submission: the rows the app writes for one visit
(the visit, a row per care record it covers, each record's last visit time,
the audit entry) inserted straight through psycopg in one transaction, by
32 connections at once for the same time as the app's run. No HTTP, no
session, no checks, no template."""
from __future__ import annotations

import math
import random
import threading
import time
import uuid
from datetime import datetime, timezone

import psycopg
from psycopg.types.json import Jsonb

from bench.load import Load

VISIT = """
INSERT INTO visit (uuid, payload_hash, household_id, grid_id, visitor_id, mode, visited_at, client_started_at,
                   client_submitted_at, checklist, notes, location_status, lat, lon, accuracy_m, distance_m,
                   is_at_household, off_site_reason, is_flagged, device)
VALUES (%s, %s, %s, %s, %s, 'in_person', %s, NULL, NULL, %s, %s, 'fix', %s, %s, 12, 3.3, true, NULL, false, 'bench')
RETURNING id"""
RECORD = "INSERT INTO visit_record (visit_id, kind, record_id) VALUES (%s, 'elderly', %s)"
LAST_VISIT = ("UPDATE elderly_record SET last_visit_at = greatest(coalesce(last_visit_at, %s), %s) "
              "WHERE id = ANY(%s)")
AUDIT = ("INSERT INTO audit_entry (actor_id, actor_name, address, action, object_type, object_id, result, detail) "
         "VALUES (%s, %s, '127.0.0.1', 'visit.create', 'visit', %s, 'success', %s)")
CHECKLIST = {s: {"status": "ok", "note": ""} for s in ("health", "safety", "living", "needs")}


def raw_visit_inserts(app, people, *, connections: int, seconds: float) -> Load:
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        ids = dict(conn.execute("SELECT username, id FROM app_user WHERE username = ANY(%s)",
                                ([w.username for w in people.workers],)).fetchall())
        grids = dict(conn.execute("SELECT id, grid_id FROM household WHERE id = ANY(%s)",
                                  ([h.id for w in people.workers for h in w.visited],)).fetchall())
    work = [(ids[w.username], w.username, home, grids[home.id]) for w in people.workers for home in w.visited]
    latencies: list[float] = []
    stop = time.perf_counter() + seconds
    errors = []

    def insert_visits(n: int) -> None:
        rng = random.Random(n)
        with psycopg.connect(url) as conn:
            while time.perf_counter() < stop:
                user_id, username, home, grid_id = rng.choice(work)
                started = time.perf_counter()
                # A failed visit (a deadlock on a shared record) is counted and the next one goes on:
                # a thread that stopped would lower the baseline and flatter the app.
                try:
                    with conn.transaction():
                        now = datetime.now(timezone.utc)
                        visit_id = conn.execute(VISIT, (uuid.uuid4(), "0" * 64, home.id, grid_id, user_id, now,
                                                        Jsonb(CHECKLIST), "身体状况良好，按时服药。",
                                                        home.lat, home.lon)).fetchone()[0]
                        with conn.cursor() as cursor:
                            cursor.executemany(RECORD, [(visit_id, r) for r in home.records])
                        conn.execute(LAST_VISIT, (now, now, list(home.records)))
                        conn.execute(AUDIT, (user_id, username, str(visit_id), Jsonb(
                            {"records": [f"elderly:{r}" for r in home.records], "flagged": False,
                             "distance_m": 3})))
                except psycopg.Error as error:
                    errors.append(error)
                    continue
                latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    threads = [threading.Thread(target=insert_visits, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)] * 1000 if ordered else 0.0
    return Load(requests=len(ordered), seconds=elapsed, p50_ms=pct(0.5), p95_ms=pct(0.95), p99_ms=pct(0.99),
                max_ms=pct(1.0), errors=len(errors), error_detail={"psycopg": [str(e) for e in errors[:3]]}
                if errors else {})

