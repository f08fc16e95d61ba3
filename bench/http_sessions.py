"""Who the HTTP benchmark acts as, and on what: grid workers with households
of their own grid (some with open elderly records to visit, residents' names
to search for), community staff with events of their community, and the
street office's staff with its map layers and dashboard. Each account logs
in through the real form; its requests carry its session cookie, and its
posts the CSRF token of that session."""
from __future__ import annotations

import http.cookiejar
import random
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from bench import load, maps
from bench.district import PASSWORD, SEED
from tests.factories import csrf_from

HOUSEHOLDS_EACH, VISITED_EACH, NAMES_EACH, EVENTS_EACH = 10, 5, 3, 20
CHECKLIST = ("health", "safety", "living", "needs")


@dataclass(frozen=True)
class Home:
    id: int
    lon: float
    lat: float
    records: tuple[int, ...] = ()       # open elderly records


@dataclass
class Account:
    username: str
    cookie: str = ""
    csrf: str = ""

    def get(self, path: str) -> load.Request:
        return load.Request("GET", path, {"Cookie": self.cookie})


@dataclass
class Worker(Account):
    grid_id: int = 0
    households: list[Home] = field(default_factory=list)
    visited: list[Home] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    map_paths: list[str] = field(default_factory=list)

    @staticmethod
    def search_path(name: str) -> str:
        return "/households?q=" + quote(name)

    def visit_post(self, home: Home) -> load.Request:
        """The visit form as a phone posts it: at the door, every record, the checklist answered."""
        form = [("csrf_token", self.csrf), ("uuid", load.UUID), ("mode", "in_person"), ("location_status", "fix"),
                ("lat", f"{home.lat + 0.00003:.6f}"), ("lon", f"{home.lon:.6f}"), ("accuracy", "12"),
                *[("records", f"elderly:{r}") for r in home.records],
                *[(f"check_{s}", "ok") for s in CHECKLIST], ("notes", "身体状况良好，按时服药。"), ("device", "bench")]
        return load.Request("POST", f"/households/{home.id}/visits/new",
                            {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"},
                            urlencode(form), expect=302)


@dataclass
class Staff(Account):
    unit_id: int = 0
    events: list[int] = field(default_factory=list)


@dataclass
class People:
    workers: list[Worker]
    community_staff: list[Staff]
    street_staff: Staff
    household_ids: list[int]
    map_paths: dict[str, list[str]]

    def accounts(self) -> list[Account]:
        return [*self.workers, *self.community_staff, self.street_staff]


def plan(conn, street: dict, *, workers: int, zoom: int, near) -> People:
    """Pick the accounts and their data from the fixture (seeded: the same on every run)."""
    rng = random.Random(SEED)
    grids = conn.execute("""
        SELECT u.username, g.id FROM unit g JOIN user_scope s ON s.unit_id = g.id JOIN app_user u ON u.id = s.user_id
         WHERE g.level = 'grid' AND u.role = 'grid_worker' AND EXISTS (SELECT FROM household h WHERE h.grid_id = g.id)
         ORDER BY md5(g.code) LIMIT %s""", (workers,)).fetchall()
    ids = [g[1] for g in grids]
    records = dict(conn.execute("""
        SELECT r.household_id, array_agg(e.id ORDER BY e.id)
          FROM elderly_record e JOIN resident r ON r.id = e.resident_id
         WHERE e.grid_id = ANY(%s) AND e.status = 'open' GROUP BY r.household_id""", (ids,)).fetchall())
    homes: dict[int, list[Home]] = {}
    for grid_id, home_id, lon, lat in conn.execute("SELECT grid_id, id, ST_X(location), ST_Y(location) FROM household "
                                                   "WHERE grid_id = ANY(%s) ORDER BY id", (ids,)):
        homes.setdefault(grid_id, []).append(Home(home_id, lon, lat, tuple(records.get(home_id, ()))))
    names: dict[int, list[str]] = {}
    for grid_id, name in conn.execute("SELECT h.grid_id, r.name FROM resident r JOIN household h "
                                      "ON h.id = r.household_id WHERE h.grid_id = ANY(%s) ORDER BY r.id", (ids,)):
        names.setdefault(grid_id, []).append(name)
    found = []
    for username, grid_id in grids:
        mine = homes[grid_id]
        cared = [h for h in mine if h.records] or mine
        found.append(Worker(username, grid_id=grid_id, households=rng.sample(mine, min(HOUSEHOLDS_EACH, len(mine))),
                            visited=rng.sample(cared, min(VISITED_EACH, len(cared))),
                            names=rng.sample(names[grid_id], min(NAMES_EACH, len(names[grid_id]))),
                            # A grid worker's map: the grid's page and its boundary.
                            map_paths=[f"/units/{grid_id}", f"/units/{grid_id}/boundaries.geojson"]))
    staff = [Staff(username, unit_id=community_id, events=[e for (e,) in conn.execute(
        "SELECT e.id FROM event e JOIN unit g ON g.id = e.grid_id WHERE g.parent_id = %s "
        "ORDER BY md5(e.id::text) LIMIT %s", (community_id, EVENTS_EACH))])
        for username, community_id in conn.execute(
            "SELECT u.username, c.id FROM unit c JOIN user_scope s ON s.unit_id = c.id JOIN app_user u "
            "ON u.id = s.user_id WHERE c.level = 'community' AND c.parent_id = %s AND u.role = 'community_staff' "
            "ORDER BY c.code", (street["id"],))]
    username = conn.execute("SELECT u.username FROM app_user u JOIN user_scope s ON s.user_id = u.id "
                            "WHERE s.unit_id = %s AND u.role = 'street_staff' ORDER BY u.id LIMIT 1",
                            (street["id"],)).fetchone()[0]
    household_ids = [h.id for w in found for h in w.households]
    conn.rollback()
    return People(found, staff, Staff(username, unit_id=street["id"]), household_ids,
                  street_paths(street, zoom, near))


def street_paths(street: dict, zoom: int, near) -> dict[str, list[str]]:
    """The street office's map layers (as bench/maps.py requests them) and its dashboard."""
    probes = maps.probes(street, cap=2000)
    by_name = {p.name: p.path for p in probes}
    return {
        "areas_events": [p for n, p in by_name.items() if n.startswith("boundary layer: grids, overdue_events")],
        "areas_coverage": [p for n, p in by_name.items() if n.startswith("boundary layer: grids, visit_coverage")],
        "points": [p for n, p in by_name.items() if n.startswith("points: events")],
        "dashboard": [f"/units/{street['id']}/dashboard"],
    }


def log_in(base: str, account: Account) -> None:
    """The login form as a browser sends it; keeps the session cookie and its CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = csrf_from(opener.open(base + "/login", timeout=60).read().decode())
    form = urlencode({"username": account.username, "password": PASSWORD, "csrf_token": token}).encode()
    with opener.open(base + "/login", data=form, timeout=60) as landed:
        if "/login" in landed.url:
            raise RuntimeError(f"could not log in as {account.username}")
        account.csrf = csrf_from(landed.read().decode())
    account.cookie = "; ".join(f"{c.name}={c.value}" for c in jar)


def log_in_all(base: str, people: People) -> People:
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda a: log_in(base, a), people.accounts()))
    shell = people.street_staff.get(people.map_paths["dashboard"][0])
    _status, _headers, html = load.fetch(base, shell)
    people.map_paths["dashboard"] += maps.card_paths(html.decode())
    return people
