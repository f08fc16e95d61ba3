"""The dashboard's chart geometry (grid/maps/charts.py): pure arithmetic, no database."""
from datetime import date

import pytest

from grid.maps import charts


@pytest.mark.parametrize("largest, top, ticks", [
    (0, 1, [0, 1]),
    (1, 1, [0, 1]),
    (3, 3, [0, 1, 2, 3]),
    (7, 8, [0, 2, 4, 6, 8]),
    (12, 15, [0, 5, 10, 15]),
    (45, 60, [0, 20, 40, 60]),
    (61, 80, [0, 20, 40, 60, 80]),
    (100, 100, [0, 25, 50, 75, 100]),
    (540, 600, [0, 200, 400, 600]),
    (1234, 1500, [0, 500, 1000, 1500]),
])
def test_nice_axes_cover_the_largest_value_in_at_most_four_round_steps(largest, top, ticks):
    axis = charts.nice_axis(largest)
    assert (axis.top, axis.ticks) == (top, ticks)
    assert axis.top >= largest and len(axis.ticks) <= 5


def test_fractional_axes_step_by_round_fractions():
    assert charts.nice_axis(0.7, integer=False).ticks == [0, 0.2, 0.4, 0.6, 0.8]
    assert charts.nice_axis(0.07, integer=False).ticks == [0, 0.02, 0.04, 0.06, 0.08]


def test_columns_stand_on_the_zero_line_in_their_months_slot():
    months = [date(2026, m, 1) for m in range(1, 13)]
    received = [0] * 10 + [16, 45]
    closed = [0] * 10 + [9, 13]
    chart = charts.column_chart(months, [received, closed])
    assert chart.ticks[0].y == chart.bottom and chart.ticks[-1].value == 60 and chart.ticks[-1].y == charts.TOP
    assert [slot.key for slot in chart.slots] == months
    november = chart.slots[-1]
    first, second = november.columns
    assert (first.series, first.value, second.series, second.value) == (0, 45, 1, 13)
    for column in (first, second):
        assert column.y + column.height == pytest.approx(chart.bottom)
    assert first.height == pytest.approx(45 / 60 * (chart.bottom - charts.TOP))
    # Side by side inside the slot, inside the plot.
    assert chart.left < first.x < first.x + first.width <= second.x < second.x + second.width < chart.right
    assert chart.slots[0].columns[0].height == 0


def test_a_crowded_axis_labels_every_other_month_always_including_the_current_one():
    labelled = [slot.labelled for slot in charts.column_chart(list(range(12)), [[1] * 12]).slots]
    assert labelled[-1] and labelled == [i % 2 == 1 for i in range(12)]
    assert all(slot.labelled for slot in charts.column_chart(list(range(6)), [[1] * 6]).slots)


def test_a_line_breaks_where_there_is_nothing_to_divide_and_has_a_target():
    chart = charts.line_chart(["a", "b", "c", "d", "e"], [None, 100, 90, None, 50])
    assert [[p.key for p in run] for run in chart.lines] == [["b", "c"], ["e"]]
    assert chart.points[0].y is None and chart.points[1].y == chart.target_y == charts.TOP
    assert chart.points[4].y == pytest.approx((chart.bottom + charts.TOP) / 2)
    assert [t.value for t in chart.ticks] == [0, 25, 50, 75, 100]
    assert charts.line_chart(["a"], [120], target=None).points[0].y == charts.TOP   # clipped; no target line
    assert charts.line_chart(["a"], [120], target=None).target_y is None


def test_bar_lengths_and_stacked_segments():
    assert charts.bar_length(12, 15) == 80
    assert charts.bar_length(None, 100) == charts.bar_length(0, 100) == charts.bar_length(3, 0) == 0
    assert charts.bar_length(150, 100) == 100
    segments = charts.stacked_bar([("red", 12), ("yellow", 0), ("green", 4)])
    assert [(s.key, s.start, s.length) for s in segments] == [("red", 0, 75), ("green", 75, 25)]
    assert charts.stacked_bar([("red", 0), ("green", 0)]) == []
