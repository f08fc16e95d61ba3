"""The demo district and a user for every role (demo mode only)."""
import json

from sqlalchemy import select

from grid.accounts import services as accounts
from grid.accounts.models import Department, User
from grid.accounts.roles import Role
from grid.disputes.demo import seed_disputes
from grid.events.demo import seed_events
from grid.extensions import db
from grid.places.demo_geometry import build_demo_district
from grid.places.models import Unit
from grid.places.services import import_boundaries
from grid.registry.demo import seed_registry
from grid.visits.demo import seed_visits

DEMO_PASSWORD = "grid-demo-2026"
DISTRICT_CODE = "330199"

# username, full name, role, scope unit codes, department code
DEMO_USERS = [
    ("admin", "王敏", Role.ADMIN, [], None),
    ("auditor", "李静", Role.AUDITOR, [], None),
    ("jiedao", "陈刚", Role.STREET_STAFF, ["330199001"], None),
    ("shequ", "刘芳", Role.COMMUNITY_STAFF, ["330199001001"], None),
    # The committee: approves what shequ records (nobody approves their own outcome).
    ("juweihui", "黄建华", Role.COMMUNITY_STAFF, ["330199001001"], None),
    ("ertong", "赵丽", Role.CHILDREN_DIRECTOR, ["330199001001"], None),
    ("wanggezhang", "孙强", Role.GRID_LEADER, ["330199001001001", "330199001001002"], None),
    ("wanggeyuan", "张伟", Role.GRID_WORKER, ["330199001001001"], None),
    ("wanggeyuan2", "周洋", Role.GRID_WORKER, ["330199001001002", "330199001001003"], None),
    ("chengguan", "吴涛", Role.DEPARTMENT_HANDLER, [], "CG"),
]

DEPARTMENTS = [("CG", "城市管理局"), ("PCS", "派出所"), ("MZ", "民政办")]


def seed_demo(*, households: int = 10_000) -> list[str]:
    """Create the demo district, departments, users and registry where missing (idempotent, commits)."""
    done = []
    if db.session.scalar(select(Unit.id).where(Unit.code == DISTRICT_CODE)) is None:
        data = json.dumps(build_demo_district(), ensure_ascii=False).encode()
        report = import_boundaries(data=data, filename="demo-district.geojson")
        if not report.applied:
            raise RuntimeError(f"demo boundaries rejected: {report.errors}")
        done.append(f"{len(report.created)} units")
    for code, name in DEPARTMENTS:
        if db.session.scalar(select(Department.id).where(Department.code == code)) is None:
            db.session.add(Department(code=code, name=name))
    db.session.commit()
    for username, full_name, role, scope, department in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        units = list(db.session.scalars(select(Unit).where(Unit.code.in_(scope)).order_by(Unit.code)))
        dept = db.session.scalar(select(Department).where(Department.code == department)) if department else None
        accounts.create_user(username=username, full_name=full_name, role=role, password=DEMO_PASSWORD,
                             units=units, department=dept, is_demo=True, must_change_password=False)
        done.append(username)
    counts = seed_registry(households=households, elderly=households * 3 // 20, children=households * 3 // 100)
    if counts:
        done.append("{households} households, {residents} residents, {elderly} elderly and {children} child records"
                    .format(**counts))
    visits = seed_visits()
    if visits:
        done.append(f"{visits} visits")
    events = seed_events()
    if events:
        done.append(f"{events} events")
    disputes = seed_disputes()
    if disputes:
        done.append(f"{disputes} disputes")
    return done
