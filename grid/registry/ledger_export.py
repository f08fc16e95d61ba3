"""The elderly and child ledgers as .xlsx, for the user's scope, in the usual
column order. ID numbers and phones are masked unless the user asks to reveal
them, which is audited."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from grid.accounts.access import in_scope_grid
from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.extensions import db
from grid.places.models import Unit
from grid.registry import rules, services, vocab
from grid.registry.care_models import ChildRecord, ElderlyRecord
from grid.registry.models import Household, Resident
from grid.registry.xlsx import write_ledger

register_actions({"registry.export": _l("Ledger exported")}, detail_keys={"ledger": _l("Ledger"),
                                                                          "revealed": _l("Unmasked")})

PERSON = [("序号", 6), ("姓名", 10), ("性别", 6), ("出生日期", 12), ("年龄", 6), ("身份证号", 22), ("社区", 12),
          ("网格", 14), ("门牌地址", 28)]
ELDERLY_HEADERS = PERSON + [("联系电话", 14), ("类别", 16), ("风险等级", 10), ("自理能力", 10), ("居住情况", 12),
                            ("子女数", 8), ("慢性病", 14), ("补贴", 14), ("紧急联系人", 10), ("紧急联系电话", 14),
                            ("状态", 8)]
CHILD_HEADERS = PERSON + [("类别", 16), ("监护人", 10), ("监护人关系", 10), ("监护人电话", 14), ("父亲情况", 12),
                          ("母亲情况", 12), ("学校", 16), ("年级", 8), ("基本生活费", 10), ("监护状况", 10),
                          ("风险等级", 10), ("状态", 8)]


def ledger_rows(model, user):
    grid, community = aliased(Unit), aliased(Unit)
    return db.session.execute(
        select(model, Resident, Household.address, grid.name, community.name)
        .join(Resident, model.resident_id == Resident.id)
        .join(Household, Resident.household_id == Household.id)
        .join(grid, model.grid_id == grid.id).join(community, grid.parent_id == community.id)
        .where(in_scope_grid(user, model.grid_id), model.status == "open")
        .order_by(community.code, grid.code, Household.address, Resident.id))


def person_cells(n, resident, address, grid_name, community_name, reveal: bool, key: bytes) -> list:
    number = resident.id_number(key) if reveal else resident.id_number_masked
    age = rules.age_on(resident.birth_date, services.today()) if resident.birth_date else None
    # The mask hides exactly the birth-date digits: a masked ledger gives the age only.
    born = resident.birth_date if reveal or not resident.id_number_sealed else None
    return [n, resident.name, vocab.GENDERS[resident.gender].zh if resident.gender in vocab.GENDERS else "",
            born, age, number or "", community_name, grid_name, address]


def zh(vocabulary, codes) -> str:
    if isinstance(codes, (list, tuple)):
        return "、".join(vocabulary[c].zh for c in codes if c in vocabulary)
    return vocabulary[codes].zh if codes in vocabulary else ""


def phone(value, reveal: bool) -> str:
    return (value if reveal else rules.mask_phone(value)) if value else ""


def export_elderly(*, user, reveal: bool) -> bytes:
    """The open elderly records in the user's scope (commits the audit entry)."""
    key = current_app.config["DATA_MASTER_KEY"]
    rows = (person_cells(n, resident, address, g, c, reveal, key) + [
        phone(resident.phone, reveal), zh(vocab.ELDERLY_CATEGORIES, r.categories), zh(vocab.RISK_TIERS, r.risk_tier),
        zh(vocab.SELF_CARE_RESULTS, r.self_care_result), zh(vocab.LIVING_ARRANGEMENTS, r.living_arrangement),
        r.children_count, r.chronic_illness or "", zh(vocab.ALLOWANCES, r.allowances), r.emergency_contact_name or "",
        phone(r.emergency_contact_phone, reveal), "在册"]
        for n, (r, resident, address, g, c) in enumerate(ledger_rows(ElderlyRecord, user), start=1))
    data = write_ledger("老年人关爱台账", ELDERLY_HEADERS, rows)
    record_audit("registry.export", actor=user, detail={"ledger": "elderly", "revealed": reveal})
    db.session.commit()
    return data


def export_children(*, user, reveal: bool) -> bytes:
    """The open child records in the user's scope; the audit entry lists every
    record exported, so each one's access page shows the export (commits)."""
    key = current_app.config["DATA_MASTER_KEY"]
    records = ledger_rows(ChildRecord, user).all()
    rows = (person_cells(n, resident, address, g, c, reveal, key) + [
        zh(vocab.CHILD_CATEGORIES, r.category), r.guardian_name, r.guardian_relation, phone(r.guardian_phone, reveal),
        zh(vocab.PARENT_SITUATIONS, r.father_situation), zh(vocab.PARENT_SITUATIONS, r.mother_situation),
        r.school or "", r.grade or "", r.living_allowance, zh(vocab.GUARDIANSHIP_QUALITY, r.guardianship_quality),
        zh(vocab.RISK_TIERS, r.risk_tier), "在册"]
        for n, (r, resident, address, g, c) in enumerate(records, start=1))
    data = write_ledger("困境儿童台账", CHILD_HEADERS, rows)
    record_audit("child.export", actor=user, object_type="child_record",
                 detail={"ids": [r.id for r, *_rest in records], "revealed": reveal})
    db.session.commit()
    return data
