"""Administrators' edits of the event category tree and the deadline policy.

Every edit carries the version its editor saw (optimistic locking), is audited,
and commits once at the end, so a refused edit leaves nothing behind.
Categories are never deleted: events keep the category they were filed under.
A change to the deadline policy only reaches step clocks started afterwards,
because `services.start_step` reads the policy when a step starts and stores
the deadline on the event.
"""
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.errors import FieldErrors, raise_field_errors
from grid.events.deadlines import UNITS
from grid.events.models import DeadlinePolicy, EventCategory
from grid.events.workflow import STEPS
from grid.extensions import db
from grid.locking import claim_version

register_actions(
    {"event_category.create": _l("Event category added"), "event_category.rename": _l("Event category renamed"),
     "event_category.move": _l("Event category moved"),
     "event_category.deactivate": _l("Event category deactivated"),
     "event_category.reactivate": _l("Event category reactivated"),
     "deadline_policy.create": _l("Deadline rule added"), "deadline_policy.update": _l("Deadline changed"),
     "deadline_policy.delete": _l("Deadline rule deleted")},
    object_types={"event_category": _l("Event category"), "deadline_policy": _l("Deadline rule")},
    detail_keys={"code": _l("Code"), "name_zh": _l("Chinese name"), "name_en": _l("English name"),
                 "parent": _l("Parent category"), "position": _l("Position"),
                 "subtree": _l("Subcategories"), "priority": _l("Priority"), "category": _l("Category"),
                 "step": _l("Step"), "limit": _l("Time limit")},
)

PRIORITIES = ("urgent", "normal")     # the order of the deadline page
MAX_DEPTH = 3                         # 安全隐患 › 燃气隐患 › one more level at most
CODE_PATTERN = re.compile(r"[a-z0-9_]+")
CODE_MAX = 32
NAME_ZH_MAX, NAME_EN_MAX = 50, 80
AMOUNT_MAX = 999
# Beyond these a limit is surely a typing slip: 25 working days, 30 days, half a year.
UNIT_MAXIMA = {"working_hours": 200, "hours": 720, "working_days": 120}


# --- the category tree -------------------------------------------------------

@dataclass(frozen=True)
class TreeRow:
    category: EventCategory
    depth: int                 # 1 for a top-level category
    index: int                 # 1-based place among its siblings
    siblings: int              # how many siblings (itself included)
    path: str                  # 消防 › 消防通道堵塞


def sibling_order(category: EventCategory):
    return category.position, category.code


def category_tree() -> list[TreeRow]:
    """Every category, active or not, depth first with siblings in their order."""
    categories = list(db.session.scalars(select(EventCategory)))
    children: dict[int | None, list[EventCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[TreeRow] = []

    def walk(parent_id: int | None, depth: int, prefix: str) -> None:
        group = sorted(children.get(parent_id, []), key=sibling_order)
        for index, category in enumerate(group, start=1):
            path = f"{prefix} › {category.name_zh}" if prefix else category.name_zh
            rows.append(TreeRow(category, depth, index, len(group), path))
            walk(category.id, depth + 1, path)

    walk(None, 1, "")
    return rows


def depth_of(category: EventCategory) -> int:
    depth = 0
    node = category
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth


def name_problems(name_zh: str, name_en: str) -> dict[str, str | None]:
    errors: dict[str, str | None] = {}
    if not name_zh:
        errors["name_zh"] = _("Enter the Chinese name.")
    elif len(name_zh) > NAME_ZH_MAX:
        errors["name_zh"] = _("At most %(n)s characters.", n=NAME_ZH_MAX)
    if not name_en:
        errors["name_en"] = _("Enter the English name.")
    elif len(name_en) > NAME_EN_MAX:
        errors["name_en"] = _("At most %(n)s characters.", n=NAME_EN_MAX)
    return errors


def code_taken(code: str) -> bool:
    return db.session.scalar(select(EventCategory.id).where(EventCategory.code == code)) is not None


def create_category(*, code: str, name_zh: str, name_en: str, parent_id: int | None, by) -> EventCategory:
    """Add a category at the end of its siblings (commits). `code` is the
    permanent key ([a-z0-9_], unique); a parent must be active and at most
    MAX_DEPTH - 1 levels deep. Raises FieldErrors (code, name_zh, name_en, parent_id)."""
    code, name_zh, name_en = code.strip(), name_zh.strip(), name_en.strip()
    errors = name_problems(name_zh, name_en)
    if not code:
        errors["code"] = _("Enter a code.")
    elif len(code) > CODE_MAX or not CODE_PATTERN.fullmatch(code):
        errors["code"] = _("Use up to %(n)s lower-case letters, digits and underscores.", n=CODE_MAX)
    elif code_taken(code):
        errors["code"] = _("This code is already used by another category.")
    parent = db.session.get(EventCategory, parent_id) if parent_id else None
    if parent_id and parent is None:
        errors["parent_id"] = _("Choose a parent category from the list.")
    elif parent is not None and depth_of(parent) >= MAX_DEPTH:
        errors["parent_id"] = _("Categories go at most %(n)s levels deep.", n=MAX_DEPTH)
    elif parent is not None and not parent.is_active:
        errors["parent_id"] = _("This parent category is inactive; reactivate it first.")
    raise_field_errors(errors)
    last = db.session.scalar(select(func.max(EventCategory.position)).where(
        EventCategory.parent_id == parent_id if parent_id else EventCategory.parent_id.is_(None)))
    category = EventCategory(code=code, name_zh=name_zh, name_en=name_en, parent_id=parent_id,
                             position=(last + 1) if last is not None else 0, is_active=True, version=1)
    try:
        with db.session.begin_nested():
            db.session.add(category)
            db.session.flush()
    except IntegrityError:  # the same code saved a moment ago by someone else
        raise FieldErrors({"code": _("This code is already used by another category.")}) from None
    record_audit("event_category.create", actor=by, object_type="event_category", object_id=category.id,
                 detail={"code": code, "name_zh": name_zh, "name_en": name_en,
                         "parent": parent.code if parent else None})
    db.session.commit()
    return category


def rename_category(*, category: EventCategory, version: int, name_zh: str, name_en: str, by) -> None:
    """Change a category's names (commits); its code stays. Events filed under
    it show the new names. Raises FieldErrors (name_zh, name_en) or Conflict."""
    name_zh, name_en = name_zh.strip(), name_en.strip()
    raise_field_errors(name_problems(name_zh, name_en))
    claim_version(EventCategory, category, version)
    before = {"name_zh": category.name_zh, "name_en": category.name_en}
    category.name_zh, category.name_en = name_zh, name_en
    record_audit("event_category.rename", actor=by, object_type="event_category", object_id=category.id,
                 detail={"code": category.code, "name_zh": {"from": before["name_zh"], "to": name_zh},
                         "name_en": {"from": before["name_en"], "to": name_en}})
    db.session.commit()


def move_category(*, category: EventCategory, version: int, to_index: int, by) -> None:
    """Put a category at 1-based place `to_index` among its siblings (commits).
    The siblings are renumbered 0..n-1 and those whose place changes get a new
    version, so an edit made from the old order is refused as stale.
    Raises FieldErrors (position) or Conflict."""
    # Lock the sibling group first, always in id order, so two moves in one
    # group wait for each other instead of deadlocking or losing an update.
    siblings = list(db.session.scalars(
        select(EventCategory).where(EventCategory.parent_id == category.parent_id if category.parent_id
                                    else EventCategory.parent_id.is_(None))
        .order_by(EventCategory.id).with_for_update().execution_options(populate_existing=True)))
    if not 1 <= to_index <= len(siblings):
        raise FieldErrors({"position": _("Choose a place from 1 to %(n)s.", n=len(siblings))})
    claim_version(EventCategory, category, version)
    ordered = sorted(siblings, key=sibling_order)
    from_index = ordered.index(category) + 1
    ordered.insert(to_index - 1, ordered.pop(from_index - 1))
    for position, sibling in enumerate(ordered):
        if sibling.position != position:
            sibling.position = position
            if sibling is not category:
                sibling.version += 1
    if from_index != to_index:
        record_audit("event_category.move", actor=by, object_type="event_category", object_id=category.id,
                     detail={"code": category.code, "position": {"from": from_index, "to": to_index}})
    db.session.commit()


def descendants(category: EventCategory) -> list[EventCategory]:
    found, frontier = [], [category.id]
    while frontier:
        level = list(db.session.scalars(select(EventCategory).where(EventCategory.parent_id.in_(frontier))))
        found += level
        frontier = [c.id for c in level]
    return found


def set_category_active(*, category: EventCategory, version: int, is_active: bool, by) -> None:
    """Deactivate a category with its whole subtree, or reactivate it alone
    (commits). Inactive categories cannot be chosen for new events; events
    filed under them keep them. A category under an inactive parent cannot be
    reactivated. Raises FieldErrors (is_active) or Conflict."""
    if is_active and category.parent is not None and not category.parent.is_active:
        raise FieldErrors({"is_active": _("Its parent category “%(name)s” is inactive; reactivate that first.",
                                          name=category.parent.name_zh)})
    claim_version(EventCategory, category, version)
    if is_active == category.is_active:
        db.session.commit()
        return
    category.is_active = is_active
    detail: dict = {"code": category.code}
    if not is_active:
        below = [c for c in descendants(category) if c.is_active]
        for child in below:
            child.is_active, child.version = False, child.version + 1
        detail["subtree"] = [c.code for c in below]
    record_audit("event_category.reactivate" if is_active else "event_category.deactivate", actor=by,
                 object_type="event_category", object_id=category.id, detail=detail)
    db.session.commit()


# --- the deadline policy -------------------------------------------------------

@dataclass(frozen=True)
class PolicyRow:
    policy: DeadlinePolicy
    category_path: str | None        # None: the rule for any category


def policy_table() -> dict[str, list[PolicyRow]]:
    """The rules by priority (urgent first): the four 'any category' rows in
    step order, then each category's overrides in tree order."""
    tree = {row.category.id: (n, row.path) for n, row in enumerate(category_tree())}
    step_rank = {step: n for n, step in enumerate(STEPS)}
    table: dict[str, list[PolicyRow]] = {priority: [] for priority in PRIORITIES}
    for policy in db.session.scalars(select(DeadlinePolicy)):
        place = tree.get(policy.category_id, (-1, None))
        table.setdefault(policy.priority, []).append(PolicyRow(policy, place[1]))
    for rows in table.values():
        rows.sort(key=lambda r: (r.category_path is not None, tree.get(r.policy.category_id, (-1,))[0],
                                 step_rank.get(r.policy.step, 99)))
    return table


def limit_problems(amount: int | None, unit: str) -> dict[str, str | None]:
    errors: dict[str, str | None] = {}
    if unit not in UNITS:
        errors["unit"] = _("Choose a unit.")
    if amount is None or not 1 <= amount <= AMOUNT_MAX:
        errors["amount"] = _("Enter a whole number from 1 to %(n)s.", n=AMOUNT_MAX)
    elif unit in UNIT_MAXIMA and amount > UNIT_MAXIMA[unit]:
        errors["amount"] = {
            "working_hours": _("At most %(n)s working hours; use working days for longer limits.",
                               n=UNIT_MAXIMA["working_hours"]),
            "hours": _("At most %(n)s hours; use working days for longer limits.", n=UNIT_MAXIMA["hours"]),
            "working_days": _("At most %(n)s working days.", n=UNIT_MAXIMA["working_days"]),
        }[unit]
    return errors


def update_policy(*, policy: DeadlinePolicy, version: int, amount: int | None, unit: str, by) -> None:
    """Change a rule's time limit (commits). Steps already running keep their
    deadline; steps started afterwards use the new one.
    Raises FieldErrors (amount, unit) or Conflict."""
    raise_field_errors(limit_problems(amount, unit))
    claim_version(DeadlinePolicy, policy, version)
    before = f"{policy.amount} {policy.unit}"
    policy.amount, policy.unit, policy.updated_at = amount, unit, func.now()
    record_audit("deadline_policy.update", actor=by, object_type="deadline_policy", object_id=policy.id,
                 detail={**rule_detail(policy), "limit": {"from": before, "to": f"{amount} {unit}"}})
    db.session.commit()


def create_override(*, priority: str, category_id: int | None, step: str, amount: int | None, unit: str,
                    by) -> DeadlinePolicy:
    """Add a rule for one category (and its subcategories), priority and step
    (commits). One rule per category, priority and step: a second is refused.
    Raises FieldErrors (priority, category_id, step, amount, unit)."""
    errors = limit_problems(amount, unit)
    if priority not in PRIORITIES:
        errors["priority"] = _("Choose a priority.")
    if step not in STEPS:
        errors["step"] = _("Choose a step.")
    category = db.session.get(EventCategory, category_id) if category_id else None
    if category is None:
        errors["category_id"] = _("Choose a category.")
    elif priority in PRIORITIES and step in STEPS and db.session.scalar(select(DeadlinePolicy.id).where(
            DeadlinePolicy.priority == priority, DeadlinePolicy.category_id == category.id,
            DeadlinePolicy.step == step)) is not None:
        errors["category_id"] = duplicate_message()
    raise_field_errors(errors)
    policy = DeadlinePolicy(priority=priority, category_id=category.id, step=step, amount=amount, unit=unit,
                            version=1)
    try:
        with db.session.begin_nested():
            db.session.add(policy)
            db.session.flush()
    except IntegrityError:  # the same rule added a moment ago by someone else
        raise FieldErrors({"category_id": duplicate_message()}) from None
    record_audit("deadline_policy.create", actor=by, object_type="deadline_policy", object_id=policy.id,
                 detail={**rule_detail(policy), "limit": f"{amount} {unit}"})
    db.session.commit()
    return policy


def duplicate_message() -> str:
    return _("This category already has a rule for this priority and step: change it in the table instead.")


def delete_override(*, policy: DeadlinePolicy, version: int, by) -> None:
    """Delete a category's rule (commits): its events fall back to the parent's
    or the 'any category' rule. The 'any category' rules are never deleted, so
    every priority and step always has a limit.
    Raises FieldErrors (category_id) or Conflict."""
    if policy.category_id is None:
        raise FieldErrors({"category_id": _("The rule for any category cannot be deleted; change its limit instead.")})
    claim_version(DeadlinePolicy, policy, version)
    record_audit("deadline_policy.delete", actor=by, object_type="deadline_policy", object_id=policy.id,
                 detail={**rule_detail(policy), "limit": f"{policy.amount} {policy.unit}"})
    db.session.delete(policy)
    db.session.commit()


def rule_detail(policy: DeadlinePolicy) -> dict:
    return {"priority": policy.priority, "category": policy.category.code if policy.category else None,
            "step": policy.step}
