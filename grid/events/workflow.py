"""The event workflow as an explicit state machine. Pure module: no Flask, no
database. Services work out in which capacities a user stands towards an
event (holder, decider, verifier, supervisor) and ask this module which
actions those allow; the same table applies the action.

    to_sign ──sign──▶ handling ──report_result──▶ to_verify ──verify_close──▶ closed
       ▲                │  ▲ ▲                         │
       └─escalate/──────┘  │ └──────────reopen─────────┘
         dispatch          │
    handling ──request_extension──▶ extension ──approve/refuse──▶ handling
    handling ──shelve──▶ standing ──resume──▶ handling
    (grid) handling ──resolve──▶ closed;  to_sign/handling ──return──▶ handling one level down
"""
from __future__ import annotations

from dataclasses import dataclass

STATES = ("to_sign", "handling", "extension", "to_verify", "standing", "closed")
OPEN_STATES = frozenset(STATES) - {"closed"}
LEVELS = ("grid", "community", "street", "department")
# The clock that runs in each state (None: no deadline).
STEP_OF_STATE = {"to_sign": "sign", "handling": "handle", "extension": "decide", "to_verify": "verify",
                 "standing": None, "closed": None}
STEPS = ("sign", "handle", "verify", "decide")


@dataclass(frozen=True)
class Rule:
    states: frozenset[str]
    capacities: frozenset[str]        # who may take it: holder / decider / verifier / supervisor
    to_state: str | None              # None: the state does not change
    levels: frozenset[str] = frozenset(LEVELS)   # the holder's level
    needs_note: bool = False
    needs_photo: bool = False


def rule(states, capacities, to_state, levels=LEVELS, **kw) -> Rule:
    return Rule(frozenset(states), frozenset(capacities), to_state, frozenset(levels), **kw)


RULES: dict[str, Rule] = {
    "sign": rule({"to_sign"}, {"holder"}, "handling"),
    "resolve": rule({"handling"}, {"holder"}, "closed", {"grid"}, needs_note=True, needs_photo=True),
    "escalate": rule({"handling"}, {"holder"}, "to_sign", {"grid", "community"}, needs_note=True),
    "dispatch": rule({"handling"}, {"holder"}, "to_sign", {"street"}),
    "return": rule({"to_sign", "handling"}, {"holder"}, "handling", {"community", "street", "department"},
                   needs_note=True),
    "request_extension": rule({"handling"}, {"holder"}, "extension", {"community", "street", "department"},
                              needs_note=True),
    "approve_extension": rule({"extension"}, {"decider"}, "handling"),
    "refuse_extension": rule({"extension"}, {"decider"}, "handling", needs_note=True),
    "report_result": rule({"handling", "extension"}, {"holder"}, "to_verify", {"community", "street", "department"},
                          needs_note=True),
    "shelve": rule({"handling"}, {"holder"}, "standing", {"community", "street", "department"}, needs_note=True),
    "resume": rule({"standing"}, {"holder", "supervisor"}, "handling"),
    "verify_close": rule({"to_verify"}, {"verifier"}, "closed"),
    "reopen": rule({"to_verify"}, {"verifier"}, "handling", needs_note=True),
    "supervise": rule(OPEN_STATES, {"supervisor"}, None, needs_note=True),
}
# The order actions are offered in on the page: the usual next step first.
ACTIONS = tuple(RULES)


def sender_level(holder_level: str, origin_level: str) -> str | None:
    """Where a return goes: the level that passed the event up (a department
    returns to the street office that dispatched it); None when the holder is
    where the event was reported, so there is nobody to return it to."""
    if holder_level == "department":
        return "street"
    chain = LEVELS[:3]
    index = chain.index(holder_level)
    if index == 0 or chain.index(origin_level) >= index:
        return None
    return chain[index - 1]


def next_level(holder_level: str) -> str | None:
    """Where an escalation goes; a street office dispatches instead."""
    return {"grid": "community", "community": "street"}.get(holder_level)


def allowed(action: str, *, state: str, holder_level: str, origin_level: str, capacities: set[str]) -> bool:
    rule_ = RULES.get(action)
    if rule_ is None or state not in rule_.states or holder_level not in rule_.levels:
        return False
    if not rule_.capacities & capacities:
        return False
    if action == "return" and sender_level(holder_level, origin_level) is None:
        return False
    return True


def allowed_actions(*, state: str, holder_level: str, origin_level: str, capacities: set[str]) -> list[str]:
    return [a for a in ACTIONS if allowed(a, state=state, holder_level=holder_level, origin_level=origin_level,
                                          capacities=capacities)]


def target_state(action: str, state: str) -> str:
    to_state = RULES[action].to_state
    return state if to_state is None else to_state
