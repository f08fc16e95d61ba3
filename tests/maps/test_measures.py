"""Each measure's value per grid and per community, against the numbers
worked out by hand in tests/maps/map_world.py, for users of different scope."""
import pytest

from grid.maps import measures
from tests.factories import sql_statements
from tests.maps.map_world import NOW, world  # noqa: F401  (the fixture)


def by_name(world, values: dict) -> dict:
    names = {unit.id: name for name, unit in world.units.items()}
    return {names[unit_id]: value for unit_id, value in values.items()}


def numbers(world, user, unit, key, level="grid") -> dict:
    """{short unit name: numerator or (numerator, denominator) or None}."""
    values = measures.values_by_unit(user, world.units[unit], key, level=level, now=NOW)
    measure = measures.MEASURES[key]
    return {name: (None if v is None else (v.numerator, v.denominator) if measure.kind == "share" else v.numerator)
            for name, v in by_name(world, values).items()}


def test_overdue_events_per_grid(world):
    assert numbers(world, world.street, "A", "overdue_events") == {"A1a": 1, "A1b": 1}
    assert numbers(world, world.street_b, "B", "overdue_events") == {"B1a": 2, "B1b": 0}
    assert numbers(world, world.admin, "D", "overdue_events") == {"A1a": 1, "A1b": 1, "B1a": 2, "B1b": 0}


def test_open_events_with_counts_by_light(world):
    values = by_name(world, measures.values_by_grid(world.street, world.units["A"], "open_events", now=NOW))
    assert values["A1a"].numerator == 3            # closed and standing events are not open work
    assert values["A1a"].parts == {"red": 1, "yellow": 1, "green": 1}
    assert values["A1b"].parts == {"red": 1, "yellow": 0, "green": 0}


def test_open_disputes_and_records(world):
    assert numbers(world, world.street, "A", "open_disputes") == {"A1a": 1, "A1b": 0}
    assert numbers(world, world.street, "A", "elderly_records") == {"A1a": 2, "A1b": 2}
    assert numbers(world, world.street, "A", "child_records") == {"A1a": 1, "A1b": 0}


def test_visit_coverage_this_month(world):
    assert numbers(world, world.street, "A", "visit_coverage") == {"A1a": (3, 3), "A1b": (0, 2)}
    # Roles that may not see children's records do not count them either.
    assert numbers(world, world.leader, "A1a", "visit_coverage") == {"A1a": (2, 2)}
    # A grid with no records has no coverage to show, not 0 %.
    assert numbers(world, world.street_b, "B", "visit_coverage") == {"B1a": (1, 1), "B1b": None}


def test_community_level_sums_numerators_and_denominators(world):
    assert numbers(world, world.street, "A", "visit_coverage", "community") == {"A1": (3, 5)}
    assert numbers(world, world.street, "A", "open_events", "community") == {"A1": 4}
    assert numbers(world, world.admin, "D", "overdue_events", "community") == {"A1": 2, "B1": 2}
    value = measures.values_by_unit(world.street, world.units["A"], "open_events", level="community", now=NOW)
    assert value[world.units["A1"].id].parts == {"red": 2, "yellow": 1, "green": 1}


def test_share_and_count_values_and_text(world):
    coverage, count = measures.MEASURES["visit_coverage"], measures.MEASURES["overdue_events"]
    assert coverage.value(measures.Value(3, 5)) == pytest.approx(0.6)
    assert coverage.display(measures.Value(3, 5)) == "60% (3/5)"
    assert coverage.value(None) is None
    assert count.value(None) == 0 and count.display(measures.Value(7)) == "7"


def test_child_records_exist_only_for_roles_that_may_see_them(world):
    assert "child_records" in [m.key for m in measures.available(world.street)]
    for user in (world.leader, world.admin):
        assert "child_records" not in [m.key for m in measures.available(user)]
        assert measures.get(user, "child_records") is None
        with pytest.raises(KeyError):
            measures.values_by_grid(user, world.units["A1a"], "child_records")


def test_values_never_leave_the_scope(world):
    # A community's staff asking about the whole district get their own grids only.
    assert numbers(world, world.community, "D", "overdue_events") == {"A1a": 1, "A1b": 1}
    assert numbers(world, world.community_b, "D", "open_events") == {"B1a": 2, "B1b": 0}
    assert numbers(world, world.leader, "D", "open_events", "community") == {}


def test_one_query_per_measure_whatever_the_number_of_grids(world, app):
    measures.values_by_grid(world.admin, world.units["D"], "open_events", now=NOW)   # loads the user and unit
    with sql_statements() as statements:
        for key in ("overdue_events", "open_events", "visit_coverage", "open_disputes", "elderly_records"):
            before = len(statements)
            measures.values_by_grid(world.admin, world.units["D"], key, now=NOW)
            assert len(statements) - before == 1, key


def test_what_the_panel_shows_in_red():
    m = measures.MEASURES
    assert m["overdue_events"].is_alarming(measures.Value(1)) and not m["overdue_events"].is_alarming(measures.Value(0))
    lights = {"red": 0, "yellow": 2, "green": 5}
    assert not m["open_events"].is_alarming(measures.Value(7, None, lights))
    assert m["open_disputes"].is_alarming(measures.Value(1, None, {**lights, "red": 1}))
    assert m["visit_coverage"].is_alarming(measures.Value(3, 4)) and not m["visit_coverage"].is_alarming(
        measures.Value(4, 5))
    assert not m["visit_coverage"].is_alarming(None) and not m["elderly_records"].is_alarming(measures.Value(90))
