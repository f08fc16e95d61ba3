"""The state machine table, written out independently of workflow.RULES:
every action × state × capacity × level."""
from itertools import product

import pytest

from grid.disputes import workflow

CAPACITIES = ("handler", "mediator", "reviewer", "follower", "street")
OPEN = {"registered", "mediating", "under_review", "follow_up"}
# action: (states, capacities that may take it, major cases only)
EXPECTED = {
    "accept": ({"registered"}, {"handler"}, False),
    "decline": ({"registered"}, {"handler"}, False),
    "log_session": ({"mediating"}, {"handler", "mediator"}, False),
    "save_agreement": ({"mediating"}, {"handler", "mediator"}, False),
    "record_outcome": ({"mediating"}, {"handler", "mediator"}, False),
    "approve": ({"under_review"}, {"reviewer"}, False),
    "return_case": ({"under_review"}, {"reviewer"}, False),
    "follow_up": ({"follow_up"}, {"handler", "follower"}, False),
    "assign": ({"registered", "mediating", "follow_up"}, {"handler", "street"}, False),
    "raise_level": (OPEN, {"handler", "street"}, False),
    "assign_leader": (OPEN, {"street"}, True),
    "list_supervision": (OPEN, {"street"}, True),
    "supervise": (OPEN, {"street"}, False),
}


def test_the_table_names_every_action():
    assert set(EXPECTED) == set(workflow.RULES)


@pytest.mark.parametrize("action,state,capacity,level",
                         list(product(EXPECTED, workflow.STATES, CAPACITIES, workflow.LEVELS)))
def test_each_action_state_capacity_and_level(action, state, capacity, level):
    states, capacities, major_only = EXPECTED[action]
    expected = state in states and capacity in capacities and (level == "major" or not major_only)
    if action == "raise_level" and level == "major":
        expected = False  # nothing above major
    assert workflow.allowed(action, state=state, level=level, capacities={capacity}) is expected


def test_no_capacity_no_action():
    for state, level in product(workflow.STATES, workflow.LEVELS):
        assert workflow.allowed_actions(state=state, level=level, capacities=set()) == []


def test_nothing_happens_to_an_archived_case():
    assert workflow.allowed_actions(state="archived", level="major", capacities=set(CAPACITIES)) == []


@pytest.mark.parametrize("outcome,target", [("agreement", "follow_up"), ("partial", "follow_up"),
                                            ("failed", "archived"), ("referred", "archived"),
                                            ("withdrawn", "archived")])
def test_after_approval(outcome, target):
    assert workflow.after_approval(outcome) == target


@pytest.mark.parametrize("performance,next_step,target", [
    ("fulfilled", "", "archived"), ("fulfilled", "again", "archived"), ("partial", "again", "follow_up"),
    ("unfulfilled", "remediate", "mediating"), ("unfulfilled", "archive", "archived")])
def test_after_follow_up(performance, next_step, target):
    assert workflow.after_follow_up(performance, next_step) == target


def test_higher_levels():
    assert workflow.higher_levels("ordinary") == ("serious", "major")
    assert workflow.higher_levels("major") == ()
