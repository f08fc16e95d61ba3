"""The dispute ledger (矛盾纠纷台账) as .xlsx: every case the user may see, in
the usual column order, optionally narrowed by registration date and state.

Like the registry's ledgers, the file is a Chinese document whatever the
page's language: headers and vocabulary words are the Chinese terms people
file and compare ledgers by. Parties appear by name and role only: no ID
numbers, no phones. Every text cell goes through `write_ledger`, which
neutralises anything a spreadsheet could take for a formula."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from grid import workdays
from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.disputes import labels, workflow
from grid.disputes.labels import zh
from grid.disputes.limits import LIMIT_RUNNING
from grid.disputes.models import Dispute
from grid.disputes.scope import visible
from grid.errors import raise_field_errors
from grid.extensions import db
from grid.registry.xlsx import write_ledger

register_actions({"dispute.export_ledger": _l("Exported the dispute ledger")},
                 detail_keys={"registered_on": _l("Registered between"), "dispute_state": _l("Dispute state")})

SHEET_TITLE = "矛盾纠纷台账"
HEADERS = [("序号", 6), ("编号", 16), ("街道", 12), ("社区", 12), ("网格", 14), ("排查（登记）日期", 12),
           ("来源", 10), ("纠纷类型", 14), ("等级", 6), ("当事人", 28), ("涉及人数", 8), ("主要问题", 40),
           ("当事人诉求", 30), ("稳控负责人", 10), ("调解员", 16), ("完成时限", 12), ("化解措施", 36),
           ("调解结果", 18), ("协议履行期限", 12), ("回访情况", 24), ("督办单位", 14), ("督办人", 10),
           ("包案领导", 10), ("挂牌督办", 14), ("当前状态", 12), ("是否超期", 8)]


@dataclass(frozen=True)
class LedgerFilters:
    registered_from: date | None = None
    registered_to: date | None = None
    state: str | None = None

    def audit_detail(self) -> dict:
        detail = {}
        if self.registered_from or self.registered_to:
            detail["registered_on"] = {"from": iso(self.registered_from), "to": iso(self.registered_to)}
        if self.state:
            detail["dispute_state"] = self.state
        return detail


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def parse_filters(args) -> LedgerFilters:
    """The filters from a request's query arguments `from`, `to` (YYYY-MM-DD)
    and `state`; blanks mean no filter. Raises FieldErrors for bad values."""
    errors: dict[str, str | None] = {}
    days = {}
    for name in ("from", "to"):
        text = (args.get(name) or "").strip()
        try:
            days[name] = date.fromisoformat(text) if text else None
        except ValueError:
            days[name] = None
            errors[name] = _("Enter the date as YYYY-MM-DD.")
    if days["from"] and days["to"] and days["from"] > days["to"]:
        errors["to"] = _("The end date is before the start date.")
    state = (args.get("state") or "").strip() or None
    if state is not None and state not in workflow.STATES:
        errors["state"] = _("Choose a state from the list.")
    raise_field_errors(errors)
    return LedgerFilters(days["from"], days["to"], state)


def ledger_cases(user, filters: LedgerFilters) -> list[Dispute]:
    """The cases of the ledger, in registration order, with everything a row
    shows loaded up front: one statement for the cases and their units and
    people, one per collection (parties, sessions, mediators, agreement)."""
    stmt = (select(Dispute).where(visible(user))
            .options(joinedload(Dispute.street), joinedload(Dispute.community), joinedload(Dispute.grid),
                     joinedload(Dispute.supervising_unit), joinedload(Dispute.stability_owner),
                     joinedload(Dispute.lead_leader), selectinload(Dispute.parties),
                     selectinload(Dispute.sessions), selectinload(Dispute.mediators),
                     selectinload(Dispute.agreement))
            .order_by(Dispute.registered_at, Dispute.id))
    if filters.registered_from:
        stmt = stmt.where(Dispute.registered_on >= filters.registered_from)
    if filters.registered_to:
        stmt = stmt.where(Dispute.registered_on <= filters.registered_to)
    if filters.state:
        stmt = stmt.where(Dispute.state == filters.state)
    return list(db.session.scalars(stmt))


def local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(workdays.SHANGHAI).date() if moment else None


def is_overdue(dispute: Dispute, now: datetime) -> bool:
    """Still open past its time limit, or concluded (outcome recorded) after it."""
    if dispute.state in LIMIT_RUNNING:
        return dispute.time_limit_at < now
    return dispute.outcome_at is not None and dispute.outcome_at > dispute.time_limit_at


def parties_cell(dispute: Dispute) -> str:
    return "、".join(f"{p.name}（{zh(labels.PARTY_ROLES_ZH, p.role)}）" for p in dispute.parties)


def mediators_cell(dispute: Dispute) -> str:
    names = [m.full_name for m in dispute.mediators]
    if dispute.other_mediators:
        names.append(dispute.other_mediators)
    return "、".join(names)


def measures_cell(dispute: Dispute) -> str:
    """The sessions held: "2次调解：11-24 社区调解室；11-26 当事人家中"."""
    if not dispute.sessions:
        return ""
    held = "；".join(f"{s.held_at.astimezone(workdays.SHANGHAI):%m-%d} {s.place}" for s in dispute.sessions)
    return f"{len(dispute.sessions)}次调解：{held}"


def outcome_cell(dispute: Dispute) -> str:
    if not dispute.outcome:
        return ""
    words = zh(labels.OUTCOMES_ZH, dispute.outcome)
    return f"{words}（{dispute.referral_body}）" if dispute.referral_body else words


def follow_up_cell(dispute: Dispute) -> str:
    """What the last follow-up found and the follow-up date (the next one while still followed up)."""
    parts = []
    if dispute.performance:
        parts.append(zh(labels.PERFORMANCE_ZH, dispute.performance))
    elif dispute.state == "follow_up":
        parts.append("待回访")
    if dispute.follow_up_on:
        parts.append(f"回访日期 {dispute.follow_up_on.isoformat()}")
    return "，".join(parts)


def listing_cell(dispute: Dispute) -> str:
    return f"是（{local_date(dispute.listed_at).isoformat()}）" if dispute.listed_at else "否"


def ledger_row(n: int, dispute: Dispute, now: datetime) -> list:
    agreement = dispute.agreement
    return [
        n, dispute.number, dispute.street.name, dispute.community.name, dispute.grid.name, dispute.registered_on,
        zh(labels.SOURCES_ZH, dispute.source), zh(labels.TYPES_ZH, dispute.type),
        zh(labels.LEVELS_ZH, dispute.level), parties_cell(dispute), dispute.people_involved, dispute.facts,
        dispute.claims, dispute.stability_owner.full_name, mediators_cell(dispute), local_date(dispute.time_limit_at),
        measures_cell(dispute), outcome_cell(dispute), agreement.performance_deadline if agreement else None,
        follow_up_cell(dispute), dispute.supervising_unit.name, dispute.supervisor_name or "",
        dispute.lead_leader.full_name if dispute.lead_leader else "", listing_cell(dispute),
        zh(labels.STATES_ZH, dispute.state), "是" if is_overdue(dispute, now) else "否",
    ]


def export_ledger(*, user, filters: LedgerFilters, now: datetime) -> bytes:
    """The ledger of the cases `user` may see, as .xlsx bytes; records an
    audit entry with the filters and the number of rows (commits)."""
    cases = ledger_cases(user, filters)
    data = write_ledger(SHEET_TITLE, HEADERS, (ledger_row(n, d, now) for n, d in enumerate(cases, start=1)))
    record_audit("dispute.export_ledger", actor=user,
                 detail={"ledger": "disputes", "records": len(cases)} | filters.audit_detail())
    db.session.commit()
    return data
