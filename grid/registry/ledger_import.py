"""Import a registry ledger (.xlsx): households, residents, elderly and child
records. Every row is checked with the same rules as the forms; problems are
reported by sheet, row and column; nothing is written unless the whole file
is valid. Valid files go in with COPY, so 50,000 rows take seconds."""
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app
from flask_babel import lazy_gettext as _l
from psycopg.types.json import Jsonb
from sqlalchemy import text

from grid.accounts.access import units_in_scope
from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.extensions import db
from grid.places.models import Unit
from grid.registry import care, rules
from grid.registry.bulk import allocate_ids, copy_rows
from grid.registry.ledger_schema import IMPORT_SHEETS, OPTIONAL_SHEETS
from grid.registry.ledger_checks import FileChecks, LedgerProblem
from grid.registry.xlsx import XlsxError, read_workbook
from grid.registry.xlsx_messages import cell_message, file_message
from grid.sealing import seal

register_actions({"registry.import": _l("Ledger imported")}, detail_keys={
    "households": _l("Households"), "residents": _l("Residents"), "elderly": _l("Elderly records"),
    "children": _l("Child records")})


@dataclass
class LedgerReport:
    filename: str
    dry_run: bool
    problems: list[LedgerProblem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    applied: bool = False


def import_ledger(*, data: bytes, filename: str, by, dry_run: bool = False) -> LedgerReport:
    """Check (and unless `dry_run` or any problem, write) a ledger file in one
    transaction (commits). The user's scope bounds every community and grid."""
    report = LedgerReport(filename=filename, dry_run=dry_run)
    try:
        sheets = read_workbook(data, IMPORT_SHEETS, max_bytes=current_app.config["MAX_LEDGER_BYTES"],
                               optional_sheets=OPTIONAL_SHEETS)
    except XlsxError as error:
        report.problems.append(LedgerProblem(error.params.get("sheet", ""), None, "", "", file_message(error)))
        return report
    for rows in sheets.values():
        report.problems += [LedgerProblem(p.sheet, p.row, p.column, p.header, cell_message(p)) for p in rows.problems]
    checks = FileChecks(sheets, user=by, scope_communities=scope_communities(by))
    report.problems += checks.run()
    report.problems.sort(key=lambda p: ([s.name for s in IMPORT_SHEETS].index(p.sheet)
                                        if p.sheet in [s.name for s in IMPORT_SHEETS] else -1, p.row or 0, p.column))
    report.counts = checks.counts()
    if report.problems or dry_run:
        return report
    write_ledger(checks, by)
    record_audit("registry.import", actor=by, detail={"filename": filename, **report.counts})
    db.session.commit()
    report.applied = True
    return report


def scope_communities(user) -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(units_in_scope(user).where(Unit.level == "community"))}


def write_ledger(checks: "FileChecks", by) -> None:
    key = current_app.config["DATA_MASTER_KEY"]
    now = datetime.now(timezone.utc)
    household_ids = dict(zip([h.key for h in checks.households],
                             allocate_ids("household_id_seq", len(checks.households))))
    copy_rows("household", ["id", "address", "location", "housing_type", "tags", "phone", "notes",
                            "created_by_id", "version", "created_at", "updated_at"],
              ([household_ids[h.key], h.address, f"SRID=4326;POINT({h.lon!r} {h.lat!r})", h.housing_type, h.tags,
                h.phone, h.notes, by.id, 1, now, now] for h in checks.households))
    resident_ids = allocate_ids("resident_id_seq", len(checks.residents))
    for person, rid in zip(checks.residents, resident_ids):
        person.id = rid
    copy_rows("resident", ["id", "household_id", "name", "id_number_sealed", "id_number_index", "id_number_masked",
                           "gender", "birth_date", "ethnicity", "phone", "relation", "hukou", "tags", "version",
                           "created_at", "updated_at"],
              ([p.id, household_ids[p.key], p.name,
                seal(p.identity.value, key) if p.identity else None,
                p.index,
                rules.mask_id_number(p.identity.value) if p.identity else None,
                p.gender, p.birth_date, p.ethnicity, p.phone, p.relation, p.hukou, p.tags, 1, now, now]
               for p in checks.residents))
    # Heads are known here, so the update needs no join with resident (whose
    # statistics do not know yet about the rows just copied).
    heads = {p.key: p.id for p in checks.residents if p.relation == "head"}
    db.session.execute(text("""
        UPDATE household h SET head_id = t.head_id
          FROM unnest(CAST(:ids AS int[]), CAST(:heads AS int[])) AS t(id, head_id)
         WHERE h.id = t.id"""), {"ids": [household_ids[key] for key in heads], "heads": list(heads.values())})
    write_care_records(checks, by, now)


def write_care_records(checks: "FileChecks", by, now) -> None:
    for kind, records, model_table, values in (
        ("elderly", checks.elderly, "elderly_record", elderly_columns),
        ("child", checks.children, "child_record", child_columns),
    ):
        if not records:
            continue
        ids = allocate_ids(f"{model_table}_id_seq", len(records))
        columns, make = values()
        copy_rows(model_table, ["id", "resident_id", "status", "created_by_id", "version", "created_at",
                                "updated_at", *columns],
                  ([rid, r.resident_id(), "open", by.id, 1, now, now, *make(r)] for rid, r in zip(ids, records)))
        copy_rows("care_record_change", ["kind", "record_id", "by_id", "action", "changes"],
                  ([kind, rid, by.id, "imported", Jsonb({})] for rid in ids))
        care.care_records_opened.send(current_app._get_current_object(), kind=kind, ids=ids)
        if kind == "child":
            # Each imported child record shows this import on its access page.
            record_audit("child.import", actor=by, object_type="child_record", detail={"ids": ids})


def elderly_columns():
    names = ["categories", "risk_tier", "living_arrangement", "children_count", "children_whereabouts", "self_care",
             "self_care_result", "chronic_illness", "allowances", "emergency_contact_name",
             "emergency_contact_phone", "care_arrangements", "needs"]

    def make(r):
        values = care.elderly_values(r.data, r.result)
        values["self_care"] = Jsonb(values["self_care"])
        return [values[n] for n in names]

    return names, make


def child_columns():
    names = ["category", "risk_tier", "guardian_name", "guardian_relation", "guardian_phone",
             "entrusted_guardianship_confirmed", "father_situation", "mother_situation", "parents_note", "school",
             "grade", "boarding", "dropped_out", "health", "disability", "living_allowance", "receives_dibao",
             "guardianship_quality"]

    def make(r):
        values = care.child_values(r.data)
        return [values[n] for n in names]

    return names, make

