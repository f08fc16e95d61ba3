"""Boundary import: validate a GeoJSON file against the current hierarchy, then
apply it all or nothing, recording what each unit looked like before."""
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import cast, func, select, update

from grid import geo
from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.extensions import db
from grid.places import queries
from grid.places.models import LEVEL_DEPTH, BoundaryImport, Ltree, Unit, UnitChange


register_actions(
    {"boundary.import": _l("Boundaries imported")},
    object_types={"boundary_import": _l("Boundary import")},
    detail_keys={"filename": _l("File"), "created": _l("created"), "updated": _l("updated"),
                 "errors": _l("Errors"), "warnings": _l("Warnings")},
)


# Sent inside an import's transaction once the units are in place, so records
# that hang off grids (households, events, disputes) can follow the new
# boundaries; places never imports them. A receiver returns a dict: its int
# values are counts for the report (e.g. {"households_moved": 12}), summed over
# receivers; an optional "moved" list names the records it moved, for pages
# that link to them. A receiver that cannot follow the change raises
# FollowupRefused, and the whole import is undone.
boundaries_changed = Namespace().signal("boundaries-changed")

# The areas an import changed, for receivers to look for records in (one
# spatial index probe each): the new and the old shape of every grid it created
# or changed. SQL, with the run's id as :run.
TOUCHED_AREAS_SQL = """
    SELECT u.boundary AS area FROM unit u JOIN unit_change c ON c.unit_id = u.id
     WHERE c.import_id = :run AND u.level = 'grid'
    UNION ALL
    SELECT c.old_boundary FROM unit_change c WHERE c.import_id = :run AND c.old_boundary IS NOT NULL
"""

# A check of the parsed units beyond the hierarchy's own (a boundary change
# restricts the file to one community): returns problems.
Check = Callable[[list[geo.UnitShape]], list[geo.Problem]]


class FollowupRefused(Exception):
    """Raised by a boundaries_changed receiver that cannot follow the change;
    `problem` says why and becomes an error of the report."""

    def __init__(self, problem: geo.Problem):
        super().__init__(problem.kind)
        self.problem = problem


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    problems: list[geo.Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    import_id: int | None = None
    followups: dict[str, int] = field(default_factory=dict)
    moved: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[geo.Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[geo.Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def applied(self) -> bool:
        return self.import_id is not None

    def add_followups(self, result: dict | None) -> None:
        for key, value in (result or {}).items():
            if key == "moved":
                self.moved.extend(value)
            else:
                self.followups[key] = self.followups.get(key, 0) + value

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ImportReport":
        return cls(**{**data, "problems": [geo.Problem(**p) for p in data.get("problems", [])]})


def validate_boundaries(data: bytes, checks: Iterable[Check] = ()) -> tuple[list[geo.UnitShape], list[geo.Problem]]:
    cfg = current_app.config
    parsed = geo.parse_boundaries(data, max_bytes=cfg["MAX_IMPORT_BYTES"], max_vertices=cfg["MAX_IMPORT_VERTICES"])
    problems = list(parsed.problems)
    if not parsed.has_errors:
        for check in checks:
            problems += check(parsed.units)
        problems += geo.check_hierarchy(
            parsed.units, queries.unit_shapes(),
            containment_tolerance_m=cfg["CONTAINMENT_TOLERANCE_M"],
            overlap_tolerance_m2=cfg["OVERLAP_TOLERANCE_M2"],
            gap_tolerance_m2=cfg["GAP_TOLERANCE_M2"],
        )
    return parsed.units, problems


def plan_changes(shapes: list[geo.UnitShape], report: ImportReport) -> dict[str, Unit]:
    existing = queries.units_by_code(s.code for s in shapes)
    parents = {u.id: u.code for u in queries.units_by_code(
        {s.parent_code for s in shapes if s.parent_code}).values()}
    for shape in shapes:
        unit = existing.get(shape.code)
        if unit is None:
            report.created.append(shape.code)
        elif changed_fields(unit, shape, parents):
            report.updated.append(shape.code)
        else:
            report.unchanged.append(shape.code)
    return existing


def changed_fields(unit: Unit, shape: geo.UnitShape, parent_codes: dict[int, str]) -> list[str]:
    fields = []
    if unit.name != shape.name:
        fields.append("name")
    if unit.level != shape.level:
        fields.append("level")
    if parent_codes.get(unit.parent_id) != shape.parent_code:
        fields.append("parent")
    if not to_shape(unit.boundary).equals(shape.geometry):
        fields.append("boundary")
    return fields


def lock_boundaries() -> None:
    """One boundary change at a time (until the transaction ends): each
    validates against the state the other is changing."""
    db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext("boundary-import"))))


def import_boundaries(*, data: bytes, filename: str, by=None, dry_run: bool = False) -> ImportReport:
    """Validate and (unless `dry_run` or any error) apply a boundary file in one
    transaction (commits). Units are matched by code; every change keeps the old
    name, parent and boundary in unit_change. A dry run writes nothing at all."""
    if dry_run:
        report = ImportReport(filename=filename, dry_run=True)
        shapes, report.problems = validate_boundaries(data)
        if not report.errors:
            plan_changes(shapes, report)
        return report
    lock_boundaries()
    report = stage_boundaries(data=data, filename=filename, by=by)
    audit_import(report, by)
    db.session.commit()
    return report


def stage_boundaries(*, data: bytes, filename: str, by=None, checks: Iterable[Check] = ()) -> ImportReport:
    """Validate the file and, when it has no error, apply it in the current
    transaction: units, their unit_change rows, the BoundaryImport run and
    whatever follows the boundaries (boundaries_changed). Neither commits nor
    audits: the caller holds lock_boundaries() and commits, or rolls back to
    preview. With any error (report.errors) nothing of it is left applied."""
    report = ImportReport(filename=filename, dry_run=False)
    shapes, report.problems = validate_boundaries(data, checks)
    if report.errors:
        return report
    existing = plan_changes(shapes, report)
    try:
        with db.session.begin_nested():  # rolled back if anything fails
            apply_run(shapes, existing, report, by)
    except FollowupRefused as refused:
        report.problems.append(refused.problem)
        report.import_id, report.followups, report.moved = None, {}, []
    return report


def preview_boundaries(*, data: bytes, filename: str, by=None, checks: Iterable[Check] = ()) -> ImportReport:
    """What applying the file would do, counts of moved records included, found
    by applying it for real (stage_boundaries) and rolling that back: the
    preview and the apply are the same code. Writes nothing; the caller holds
    lock_boundaries(), so no other import changes the state it runs against."""
    savepoint = db.session.begin_nested()
    try:
        report = stage_boundaries(data=data, filename=filename, by=by, checks=checks)
    finally:
        savepoint.rollback()
    report.import_id, report.dry_run = None, True
    return report


def audit_import(report: ImportReport, by) -> None:
    if report.errors:
        record_audit("boundary.import", result="failure", actor=by, object_type="boundary_import",
                     detail={"filename": report.filename, "errors": len(report.errors)})
        return
    record_audit("boundary.import", actor=by, object_type="boundary_import", object_id=report.import_id,
                 detail={"filename": report.filename, "created": len(report.created), "updated": len(report.updated),
                         "warnings": len(report.warnings), **report.followups})


def apply_run(shapes: list[geo.UnitShape], existing: dict[str, Unit], report: ImportReport, by) -> None:
    run = BoundaryImport(by_id=by.id if by else None, filename=report.filename, created=len(report.created),
                         updated=len(report.updated), unchanged=len(report.unchanged),
                         report={"warnings": [p.kind for p in report.warnings]})
    db.session.add(run)
    db.session.flush()
    apply_shapes(sorted(shapes, key=lambda s: LEVEL_DEPTH[s.level]), existing, run)
    report.import_id = run.id
    for _receiver, result in boundaries_changed.send(current_app._get_current_object(), run=run):
        report.add_followups(result)
    run.report = {**run.report, **report.followups}
    db.session.flush()


def apply_shapes(shapes: list[geo.UnitShape], existing: dict[str, Unit], run: BoundaryImport) -> None:
    """Create or update units parents-first, so every child finds its parent's path."""
    by_code = dict(existing)
    by_code.update(queries.units_by_code({s.parent_code for s in shapes if s.parent_code} - set(by_code)))
    for shape in shapes:
        parent = by_code.get(shape.parent_code) if shape.parent_code else None
        unit = by_code.get(shape.code)
        if unit is None:
            unit = create_unit(shape, parent)
            db.session.add(UnitChange(unit_id=unit.id, import_id=run.id, kind="created", fields=[]))
        else:
            update_unit(unit, shape, parent, run)
        by_code[shape.code] = unit


def create_unit(shape: geo.UnitShape, parent: Unit | None) -> Unit:
    unit = Unit(code=shape.code, name=shape.name, level=shape.level, parent=parent,
                boundary=from_shape(shape.geometry, srid=geo.SRID), path="0")
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = f"{parent.path}.{unit.id}" if parent else str(unit.id)
    db.session.flush()
    return unit


def update_unit(unit: Unit, shape: geo.UnitShape, parent: Unit | None, run: BoundaryImport) -> None:
    old_parent_code = unit.parent.code if unit.parent else None
    fields = changed_fields(unit, shape, {unit.parent_id: old_parent_code} if unit.parent_id else {})
    if not fields:
        return
    db.session.add(UnitChange(unit_id=unit.id, import_id=run.id, kind="updated", fields=fields,
                              old_name=unit.name, old_parent_code=old_parent_code, old_boundary=unit.boundary))
    unit.name, unit.level = shape.name, shape.level
    unit.boundary = from_shape(shape.geometry, srid=geo.SRID)
    unit.updated_at = func.now()
    if "parent" in fields:
        move_subtree(unit, parent)
    db.session.flush()


def move_subtree(unit: Unit, parent: Unit | None) -> None:
    """Re-root the unit and everything below it under `parent` (ltree paths)."""
    old_path = unit.path
    new_path = f"{parent.path}.{unit.id}" if parent else str(unit.id)
    old = cast(old_path, Ltree)
    db.session.execute(
        update(Unit)
        .where(Unit.path.descendant_of(old), Unit.path != old)
        .values(path=cast(new_path, Ltree).op("||")(func.subpath(Unit.path, func.nlevel(old))))
        .execution_options(synchronize_session=False)
    )
    unit.parent = parent
    unit.path = new_path
    db.session.flush()
    db.session.expire_all()
