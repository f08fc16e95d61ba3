"""District fixture, places and staff: a rectangle of Hangzhou tiled by
irregular grids, grouped into communities and street offices, and one
account for every unit (street staff, community staff, a grid worker per grid).

Every grid is a Voronoi cell of a jittered lattice of sites (similar sizes,
irregular shapes); communities and street offices are connected groups of
grids grown by the demo district's `CellMesh`, and each parent is the union
of its children on the same 1e-7 degree coordinate grid, so containment and
tiling hold exactly, as they do for imported boundaries."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import text

from grid.accounts.roles import Role
from grid.extensions import db
from grid.geo import SRID
from grid.places.demo_geometry import GRID_SIZE, CellMesh, union_shapes
from grid.registry.bulk import copy_rows

DISTRICT_CODE = "330199"
DISTRICT_NAME = "基准区"
# The full district: about 38 km x 33 km around Hangzhou; smaller scales keep
# the grid size (and so the zoom levels) and shrink the area.
FULL_BOX = (120.0, 30.1, 120.4, 30.4)
STREET_NAMES = ("西溪街道", "翠苑街道", "文新街道", "古荡街道", "北山街道", "灵隐街道", "蒋村街道", "留下街道",
                "转塘街道", "三墩街道", "祥符街道", "半山街道")
COMMUNITY_FIRST = "文新华金玉清和安康福"
COMMUNITY_SECOND = "苑园桥湾塘港庄坊湖里"
# How far lattice sites move, as a share of their spacing: enough for
# irregular cells, too little for slivers.
JITTER = 0.35


@dataclass
class PlannedUnit:
    code: str
    name: str
    level: str
    parent: PlannedUnit | None
    shape: shapely.MultiPolygon
    id: int = 0

    @property
    def path(self) -> str:
        return f"{self.parent.path}.{self.id}" if self.parent else str(self.id)


def district_box(scale: float) -> tuple[float, float, float, float]:
    """The full box shrunk about its centre so that its area is `scale` of the full one."""
    west, south, east, north = FULL_BOX
    half_x, half_y = (east - west) / 2 * math.sqrt(scale), (north - south) / 2 * math.sqrt(scale)
    cx, cy = (west + east) / 2, (south + north) / 2
    return cx - half_x, cy - half_y, cx + half_x, cy + half_y


def grid_cells(box, count: int, rng: random.Random) -> list[shapely.Polygon]:
    """About `count` Voronoi cells tiling `box` exactly (shared edges noded once)."""
    west, south, east, north = box
    aspect = (east - west) * math.cos(math.radians((south + north) / 2)) / (north - south)
    columns = max(1, round(math.sqrt(count * aspect)))
    rows = max(1, math.ceil(count / columns))
    dx, dy = (east - west) / columns, (north - south) / rows
    sites = [(west + (i + 0.5 + rng.uniform(-JITTER, JITTER)) * dx, south + (j + 0.5 + rng.uniform(-JITTER, JITTER)) * dy)
             for j in range(rows) for i in range(columns)]
    sites = rng.sample(sites, count)  # a ragged lattice: a few sites missing here and there
    outline = shapely.box(*box)
    edges = shapely.voronoi_polygons(shapely.MultiPoint(sites), extend_to=outline.buffer(dx), only_edges=True)
    linework = shapely.union_all([edges, outline.boundary], grid_size=GRID_SIZE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    inside = shapely.contains(outline, shapely.point_on_surface(faces))
    return [shapely.orient_polygons(face) for face in faces[inside]]


def plan_district(*, box, streets: int, communities: int, grids: int, rng: random.Random) -> list[PlannedUnit]:
    """The units top-down (district, streets, communities, grids), codes in map order."""
    cells = grid_cells(box, grids, rng)
    mesh = CellMesh(cells)
    # The district's shape is the union of its streets, filled in below: the box
    # itself is not on the coordinate grid the cells were snapped to.
    district = PlannedUnit(DISTRICT_CODE, DISTRICT_NAME, "district", None, shapely.MultiPolygon())
    units, street_units, community_units, grid_units = [district], [], [], []
    per_street = spread(communities, streets)
    community_names = iter(pair_names(communities))
    for s, street_cells in enumerate(mesh.split(list(range(len(cells))), streets, rng), start=1):
        street = PlannedUnit(f"{DISTRICT_CODE}{s:03d}", numbered(STREET_NAMES, s), "street", district,
                             as_multi(union_shapes([cells[i] for i in street_cells])))
        street_units.append(street)
        for c, own_cells in enumerate(mesh.split(street_cells, per_street[s - 1], rng), start=1):
            short = next(community_names)
            community = PlannedUnit(f"{street.code}{c:03d}", f"{short}社区", "community", street,
                                    as_multi(union_shapes([cells[i] for i in own_cells])))
            community_units.append(community)
            for g, cell in enumerate(sorted(own_cells, key=mesh.points.__getitem__), start=1):
                grid_units.append(PlannedUnit(f"{community.code}{g:03d}", f"{short}第{g}网格", "grid", community,
                                              as_multi(cells[cell])))
    district.shape = as_multi(union_shapes([street.shape for street in street_units]))
    units += street_units + community_units + grid_units
    for n, unit in enumerate(units, start=1):
        unit.id = n
    return units


def spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal whole shares."""
    base, extra = divmod(total, parts)
    return [base + (1 if n < extra else 0) for n in range(parts)]


def numbered(names, n: int) -> str:
    """The n-th name (1-based); a numbered variant once the list runs out."""
    name = names[(n - 1) % len(names)]
    return name if n <= len(names) else name.replace("街道", f"{(n - 1) // len(names) + 1}街道")


def pair_names(count: int) -> list[str]:
    """`count` distinct two-character names (文苑, 文园 …), numbered once the pairs run out."""
    pairs = [a + b for a in COMMUNITY_FIRST for b in COMMUNITY_SECOND]
    return [pairs[n % len(pairs)] + (str(n // len(pairs) + 1) if n >= len(pairs) else "") for n in range(count)]


def as_multi(shape) -> shapely.MultiPolygon:
    return shape if isinstance(shape, shapely.MultiPolygon) else shapely.MultiPolygon([shape])


def write_units(units: list[PlannedUnit]) -> None:
    """COPY the units with their ltree paths; the ids were chosen by the plan."""
    geometries = shapely.set_srid(np.asarray([u.shape for u in units], dtype=object), SRID)
    hexes = shapely.to_wkb(geometries, hex=True, include_srid=True)
    copy_rows("unit", ["id", "code", "name", "level", "parent_id", "path", "boundary"],
              ([u.id, u.code, u.name, u.level, u.parent.id if u.parent else None, u.path, wkb]
               for u, wkb in zip(units, hexes)))
    db.session.execute(text("SELECT setval('unit_id_seq', (SELECT max(id) FROM unit))"))


# username prefix, role, level of the unit each account is scoped to
STAFF = (("jd", Role.STREET_STAFF, "street"), ("sq", Role.COMMUNITY_STAFF, "community"),
         ("wg", Role.GRID_WORKER, "grid"))
DEPARTMENTS = (("CG", "城市管理局"), ("PCS", "派出所"), ("MZ", "民政办"))
# Each unit's account (one per unit in this fixture), as a subquery for the set-based steps.
UNIT_STAFF = "(SELECT unit_id, min(user_id) AS user_id FROM user_scope GROUP BY unit_id)"


def write_staff(units: list[PlannedUnit], password_hash: str) -> int:
    """An administrator, a handler per department and one account per street
    office, community and grid (username = prefix + unit code), all with the
    same password hash: argon2 costs ~0.1 s a hash, 2,000 would dominate the build."""
    departments = db.session.execute(
        text("INSERT INTO department (code, name) SELECT * FROM unnest(CAST(:codes AS text[]), CAST(:names AS text[])) "
             "RETURNING id, code"),
        {"codes": [c for c, _n in DEPARTMENTS], "names": [n for _c, n in DEPARTMENTS]}).all()
    rows = [(1, "admin", "管理员", Role.ADMIN.value, None)]
    rows += [(len(rows) + n, f"bm{code.lower()}", f"{code}办理人", Role.DEPARTMENT_HANDLER.value, department_id)
             for n, (department_id, code) in enumerate(departments, start=1)]
    scopes = []
    for prefix, role, level in STAFF:
        for unit in (u for u in units if u.level == level):
            title = "网格员" if level == "grid" else "工作人员"
            rows.append((len(rows) + 1, f"{prefix}{unit.code}", f"{unit.name}{title}", role.value, None))
            scopes.append((len(rows), unit.id))
    copy_rows("app_user", ["id", "username", "full_name", "role", "department_id", "password_hash",
                           "must_change_password", "is_enabled", "is_demo", "version"],
              ((*row, password_hash, False, True, False, 1) for row in rows))
    copy_rows("user_scope", ["user_id", "unit_id"], scopes)
    db.session.execute(text("SELECT setval('app_user_id_seq', (SELECT max(id) FROM app_user))"))
    return len(rows)
