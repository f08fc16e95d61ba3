"""The event state machine on its own (grid/events/workflow.py): no Flask, no
database. The expected rules are written out again here, independently of
RULES, so a change to the table has to be a change to this specification too."""
from itertools import combinations

import pytest

from grid.events import workflow

STATES = ("to_sign", "handling", "extension", "to_verify", "standing", "closed")
LEVELS = ("grid", "community", "street", "department")
ORIGINS = ("grid", "community", "street")
CAPACITIES = ("holder", "decider", "verifier", "supervisor")
CAPACITY_SETS = [frozenset(c) for n in range(len(CAPACITIES) + 1) for c in combinations(CAPACITIES, n)]
ALL = "grid community street department"
ABOVE_GRID = "community street department"

# action: states it may be taken in | who may take it | holder levels | the state after ("=": unchanged)
SPEC_TEXT = """
sign              | to_sign                              | holder            | {all}         | handling
resolve           | handling                             | holder            | grid          | closed
escalate          | handling                             | holder            | grid community| to_sign
dispatch          | handling                             | holder            | street        | to_sign
return            | to_sign handling                     | holder            | {above}       | handling
request_extension | handling                             | holder            | {above}       | extension
approve_extension | extension                            | decider           | {all}         | handling
refuse_extension  | extension                            | decider           | {all}         | handling
report_result     | handling extension                   | holder            | {above}       | to_verify
shelve            | handling                             | holder            | {above}       | standing
resume            | standing                             | holder supervisor | {all}         | handling
verify_close      | to_verify                            | verifier          | {all}         | closed
reopen            | to_verify                            | verifier          | {all}         | handling
supervise         | to_sign handling extension to_verify standing | supervisor | {all}     | =
""".format(all=ALL, above=ABOVE_GRID)


def parse_spec(text):
    spec = {}
    for line in text.strip().splitlines():
        action, states, who, levels, to = (part.strip() for part in line.split("|"))
        spec[action] = {"states": set(states.split()), "who": set(who.split()), "levels": set(levels.split()),
                        "to": None if to == "=" else to}
    return spec


SPEC = parse_spec(SPEC_TEXT)
NEEDS_NOTE = {"resolve", "escalate", "return", "request_extension", "refuse_extension", "report_result", "shelve",
              "reopen", "supervise"}
NEEDS_PHOTO = {"resolve"}
# Where a return goes, by (holder level, origin level); None: nowhere (refused).
RETURN_TO = {
    ("grid", "grid"): None, ("grid", "community"): None, ("grid", "street"): None,
    ("community", "grid"): "grid", ("community", "community"): None, ("community", "street"): None,
    ("street", "grid"): "community", ("street", "community"): "community", ("street", "street"): None,
    ("department", "grid"): "street", ("department", "community"): "street", ("department", "street"): "street",
}


@pytest.fixture(autouse=True)
def _transaction():
    """Pure tests: override the database fixture of tests/conftest.py."""
    yield


def expected(action, state, level, origin, capacities) -> bool:
    spec = SPEC[action]
    if state not in spec["states"] or level not in spec["levels"] or not spec["who"] & capacities:
        return False
    if action == "return" and RETURN_TO[(level, origin)] is None:
        return False
    return True


def test_the_table_covers_exactly_the_specified_actions_in_page_order():
    assert set(workflow.RULES) == set(SPEC)
    assert workflow.ACTIONS == tuple(workflow.RULES)
    assert workflow.ACTIONS[:3] == ("sign", "resolve", "escalate")
    assert workflow.STATES == STATES and workflow.LEVELS == LEVELS
    assert workflow.OPEN_STATES == set(STATES) - {"closed"}


@pytest.mark.parametrize("action", sorted(SPEC))
def test_rule_fields_match_the_specification(action):
    rule = workflow.RULES[action]
    spec = SPEC[action]
    assert set(rule.states) == spec["states"]
    assert set(rule.capacities) == spec["who"]
    assert set(rule.levels) == spec["levels"]
    assert rule.to_state == spec["to"]
    assert rule.needs_note == (action in NEEDS_NOTE)
    assert rule.needs_photo == (action in NEEDS_PHOTO)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(SPEC))
def test_allowed_by_state_capacity_and_level(action, state):
    """Every capacity set (all 16) at every holder level and origin."""
    checked, wrong = 0, []
    for capacities in CAPACITY_SETS:
        for level in LEVELS:
            for origin in ORIGINS:
                got = workflow.allowed(action, state=state, holder_level=level, origin_level=origin,
                                       capacities=set(capacities))
                checked += 1
                if got != expected(action, state, level, origin, capacities):
                    wrong.append((sorted(capacities), level, origin, got))
    assert checked == 16 * 4 * 3 and wrong == []


def test_the_specification_allows_something_for_every_action():
    """The oracle is not vacuous: each action is allowed somewhere and refused somewhere."""
    for action in SPEC:
        outcomes = {expected(action, s, lv, o, c) for s in STATES for lv in LEVELS for o in ORIGINS
                    for c in CAPACITY_SETS}
        assert outcomes == {True, False}, action


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_lists_the_allowed_ones_in_page_order(state):
    for level in LEVELS:
        for origin in ORIGINS:
            for capacities in CAPACITY_SETS:
                listed = workflow.allowed_actions(state=state, holder_level=level, origin_level=origin,
                                                  capacities=set(capacities))
                assert listed == [a for a in workflow.ACTIONS if expected(a, state, level, origin, capacities)]


def test_nothing_is_allowed_on_a_closed_event_whoever_asks():
    for level in LEVELS:
        assert workflow.allowed_actions(state="closed", holder_level=level, origin_level="grid",
                                        capacities=set(CAPACITIES)) == []


def test_unknown_actions_and_states_are_refused():
    everything = set(CAPACITIES)
    assert not workflow.allowed("remind", state="handling", holder_level="community", origin_level="grid",
                                capacities=everything)
    assert not workflow.allowed("report", state="to_sign", holder_level="community", origin_level="grid",
                                capacities=everything)
    assert not workflow.allowed("sign", state="lost", holder_level="community", origin_level="grid",
                                capacities=everything)
    assert workflow.allowed_actions(state="lost", holder_level="community", origin_level="grid",
                                    capacities=everything) == []


@pytest.mark.parametrize("level,origin", sorted(RETURN_TO))
def test_sender_level(level, origin):
    assert workflow.sender_level(level, origin) == RETURN_TO[(level, origin)]


@pytest.mark.parametrize("level", ("community", "street"))
def test_return_is_refused_at_the_origin_level(level):
    for state in ("to_sign", "handling"):
        assert not workflow.allowed("return", state=state, holder_level=level, origin_level=level,
                                    capacities={"holder"})
    below = {"community": "grid", "street": "community"}[level]
    assert workflow.allowed("return", state="handling", holder_level=level, origin_level=below,
                            capacities={"holder"})


def test_a_department_can_always_return_to_the_street_office():
    for origin in ORIGINS:
        assert workflow.allowed("return", state="to_sign", holder_level="department", origin_level=origin,
                                capacities={"holder"})


@pytest.mark.parametrize("level,up", [("grid", "community"), ("community", "street"), ("street", None),
                                      ("department", None)])
def test_next_level(level, up):
    assert workflow.next_level(level) == up


def test_every_level_that_may_escalate_has_somewhere_to_go():
    for level in SPEC["escalate"]["levels"]:
        assert workflow.next_level(level) in LEVELS


@pytest.mark.parametrize("action", sorted(SPEC))
def test_target_state(action):
    for state in SPEC[action]["states"]:
        to = SPEC[action]["to"]
        assert workflow.target_state(action, state) == (state if to is None else to)


def test_every_open_state_has_a_clock_and_the_others_none():
    assert workflow.STEP_OF_STATE == {"to_sign": "sign", "handling": "handle", "extension": "decide",
                                      "to_verify": "verify", "standing": None, "closed": None}
    assert {s for s in workflow.STEP_OF_STATE.values() if s} == set(workflow.STEPS)


def test_every_open_state_can_be_left_and_closed_is_reachable_from_every_one():
    """No dead ends: from each open state some action leads on, and following
    the table closed is reachable."""
    edges = {(state, SPEC[a]["to"] or state) for a in SPEC for state in SPEC[a]["states"]}
    for state in workflow.OPEN_STATES:
        reached, frontier = {state}, [state]
        while frontier:
            here = frontier.pop()
            for a, b in edges:
                if a == here and b not in reached:
                    reached.add(b)
                    frontier.append(b)
        assert "closed" in reached, state
        assert any(a == state and b != state for a, b in edges), state
