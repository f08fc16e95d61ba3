"""Reads over the place hierarchy. Scope narrowing comes from accounts.access."""
import shapely
from sqlalchemy import JSON, cast, func, select, text
from sqlalchemy.orm import aliased

from grid.extensions import db
from grid.geo import UnitShape
from grid.places.models import LEVEL_DEPTH, BoundaryImport, Ltree, Unit, UnitChange


def unit_shapes() -> list[UnitShape]:
    """Every unit as the boundary validator sees it (the state an import is checked against)."""
    parent = aliased(Unit)
    rows = db.session.execute(
        select(Unit.code, Unit.name, Unit.level, parent.code, func.ST_AsBinary(Unit.boundary))
        .outerjoin(parent, Unit.parent_id == parent.id)
    )
    return [
        UnitShape(code=code, name=name, level=level, parent_code=parent_code,
                  geometry=shapely.from_wkb(bytes(wkb)))
        for code, name, level, parent_code, wkb in rows
    ]


def units_by_code(codes) -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(list(codes))))}


def ancestors(unit: Unit, scope) -> list[tuple[Unit, bool]]:
    """The unit's parents from the top down, each with whether `scope` (a scoped
    select) lets the user open it. Names of one's own ancestors are context, not
    data: a grid worker knows which community their grid is in."""
    ids = [int(part) for part in unit.path.split(".")[:-1]]
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    visible = set(db.session.scalars(scope.where(Unit.id.in_(ids)).with_only_columns(Unit.id)))
    return [(found[i], i in visible) for i in ids if i in found]


def inside(unit: Unit):
    """Predicate: a unit is `unit` or below it."""
    return Unit.path.descendant_of(cast(unit.path, Ltree))


def grids_inside(unit: Unit):
    """Ids of the grids at or below `unit` (no scope: see maps.measures.grids_under)."""
    return select(Unit.id).where(Unit.level == "grid", inside(unit))


def count_by_level(stmt) -> dict[str, int]:
    sub = stmt.subquery()
    rows = db.session.execute(select(sub.c.level, func.count()).group_by(sub.c.level))
    return dict(sorted(rows.all(), key=lambda r: LEVEL_DEPTH[r[0]]))


def feature_collection(rows, geometry, properties: dict, *, digits: int) -> dict:
    """A GeoJSON FeatureCollection assembled in PostGIS in one round trip."""
    props = []
    for key, column in properties.items():
        props += [key, column]
    feature = func.json_build_object(
        "type", "Feature", "id", rows.c.id,
        "geometry", func.ST_AsGeoJSON(geometry, digits).cast(JSON),
        "properties", func.json_build_object(*props),
    )
    features = db.session.scalar(select(func.coalesce(func.json_agg(feature), text("'[]'::json"))))
    return {"type": "FeatureCollection", "features": features}


def boundaries_geojson(stmt) -> dict:
    """The units selected by `stmt` (already scope-narrowed) for a map: id, code,
    name and level only, 6 decimals (~0.1 m)."""
    rows = stmt.subquery()
    return feature_collection(rows, rows.c.boundary, {"code": rows.c.code, "name": rows.c.name, "level": rows.c.level},
                              digits=6)


def boundaries_export() -> dict:
    """Every unit in the importer's own format (code, name, level, parent), at
    full precision, so that exporting and re-importing changes nothing."""
    parent = aliased(Unit)
    rows = (select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.boundary, parent.code.label("parent"))
            .outerjoin(parent, Unit.parent_id == parent.id).order_by(Unit.path)).subquery()
    return feature_collection(rows, rows.c.boundary, {"code": rows.c.code, "name": rows.c.name,
                                                      "level": rows.c.level, "parent": rows.c.parent}, digits=15)


def children_of(unit: Unit, stmt) -> list[Unit]:
    return list(db.session.scalars(stmt.where(Unit.parent_id == unit.id).order_by(Unit.code)))


def descendants_at(unit_stmt, level: str) -> list[Unit]:
    return list(db.session.scalars(unit_stmt.where(Unit.level == level).order_by(Unit.path)))


def recent_imports(limit: int = 10) -> list[BoundaryImport]:
    return list(db.session.scalars(select(BoundaryImport).order_by(BoundaryImport.id.desc()).limit(limit)))


def unit_history(unit: Unit, limit: int = 20) -> list[tuple[UnitChange, BoundaryImport]]:
    """What imports did to this unit, newest first."""
    rows = db.session.execute(
        select(UnitChange, BoundaryImport).join(BoundaryImport, UnitChange.import_id == BoundaryImport.id)
        .where(UnitChange.unit_id == unit.id).order_by(UnitChange.id.desc()).limit(limit)
    )
    return [tuple(row) for row in rows]
