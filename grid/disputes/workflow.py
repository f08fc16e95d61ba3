"""The dispute process as an explicit state machine. Pure module: no Flask, no
database. Services work out in which capacities a user stands towards a case
(handler, mediator, reviewer, follower, street) and ask this module which
actions those allow.

    registered ──accept──▶ mediating ──record_outcome──▶ under_review ──approve──▶ follow_up ──follow_up──▶ archived
        │                    ▲  (sessions, agreement)        │   (an agreement)      │  ▲
        └─decline─▶ archived └──────────return_case──────────┘                       │  └─ again (another visit)
                             ▲                                  approve (no agreement) ──▶ archived
                             └──────────────── remediate ───────────────────────────┘

Any open case may be raised to a higher level; a major (重大) case gets a
leader in charge (包案领导) and supervision (挂牌督办) from the street office.
"""
from __future__ import annotations

from dataclasses import dataclass

STATES = ("registered", "mediating", "under_review", "follow_up", "archived")
OPEN_STATES = frozenset(STATES) - {"archived"}
LEVELS = ("ordinary", "serious", "major")
# The clock that runs in each state (None: no deadline).
STEP_OF_STATE = {"registered": "accept", "mediating": "mediate", "under_review": "review",
                 "follow_up": "follow_up", "archived": None}
OUTCOMES = ("agreement", "partial", "failed", "referred", "withdrawn")
# Outcomes whose terms are followed up for performance after approval.
FOLLOWED_OUTCOMES = frozenset({"agreement", "partial"})
PERFORMANCE = ("fulfilled", "partial", "unfulfilled")
# After a follow-up that did not find the terms fulfilled: visit again, mediate
# again, or archive (the parties went to court, say).
FOLLOW_UP_NEXT = ("again", "remediate", "archive")


@dataclass(frozen=True)
class Rule:
    states: frozenset[str]
    capacities: frozenset[str]
    to_state: str | None              # None: the state does not change (or the service decides)
    needs_note: bool = False
    major_only: bool = False


def rule(states, capacities, to_state, **kw) -> Rule:
    return Rule(frozenset(states), frozenset(capacities), to_state, **kw)


RULES: dict[str, Rule] = {
    "accept": rule({"registered"}, {"handler"}, "mediating"),
    "decline": rule({"registered"}, {"handler"}, "archived", needs_note=True),
    "log_session": rule({"mediating"}, {"handler", "mediator"}, None),
    "save_agreement": rule({"mediating"}, {"handler", "mediator"}, None),
    "record_outcome": rule({"mediating"}, {"handler", "mediator"}, "under_review"),
    "approve": rule({"under_review"}, {"reviewer"}, None),
    "return_case": rule({"under_review"}, {"reviewer"}, "mediating", needs_note=True),
    "follow_up": rule({"follow_up"}, {"handler", "follower"}, None),
    "assign": rule({"registered", "mediating", "follow_up"}, {"handler", "street"}, None),
    "raise_level": rule(OPEN_STATES, {"handler", "street"}, None, needs_note=True),
    "assign_leader": rule(OPEN_STATES, {"street"}, None, major_only=True),
    "list_supervision": rule(OPEN_STATES, {"street"}, None, needs_note=True, major_only=True),
    "supervise": rule(OPEN_STATES, {"street"}, None, needs_note=True),
}
# Actions with their own page or form rather than the case page's action list.
OWN_FORM = frozenset({"log_session", "save_agreement"})
ACTIONS = tuple(RULES)


def allowed(action: str, *, state: str, level: str, capacities: set[str]) -> bool:
    rule_ = RULES.get(action)
    if rule_ is None or state not in rule_.states or not rule_.capacities & capacities:
        return False
    if rule_.major_only and level != "major":
        return False
    if action == "raise_level" and level == LEVELS[-1]:
        return False
    return True


def allowed_actions(*, state: str, level: str, capacities: set[str]) -> list[str]:
    return [a for a in ACTIONS if allowed(a, state=state, level=level, capacities=capacities)]


def after_approval(outcome: str) -> str:
    """An approved agreement is followed up; any other outcome is archived."""
    return "follow_up" if outcome in FOLLOWED_OUTCOMES else "archived"


def after_follow_up(performance: str, next_step: str) -> str:
    if performance == "fulfilled" or next_step == "archive":
        return "archived"
    return "mediating" if next_step == "remediate" else "follow_up"


def higher_levels(level: str) -> tuple[str, ...]:
    return LEVELS[LEVELS.index(level) + 1:]
