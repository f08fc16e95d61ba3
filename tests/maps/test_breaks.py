"""Class breaks: fixed for shares, 0 apart and nice quartiles for counts."""
import pytest

from grid.maps import breaks


@pytest.mark.parametrize(("x", "expected"), [
    (0, 0), (-3, 0), (1, 1), (1.4, 1), (1.6, 2), (3, 2), (3.6, 5), (7, 5), (8, 10), (14, 10), (16, 20),
    (36, 50), (240, 200), (0.03, 0.02),
])
def test_nice_numbers_are_one_two_or_five_times_a_power_of_ten(x, expected):
    assert breaks.nice(x) == pytest.approx(expected)


def test_share_breaks_are_fixed_and_meaningful():
    classes = breaks.share_classes()
    assert classes.lowers == (0.0, 0.6, 0.8, 0.95)
    assert classes.labels == ("<60%", "60–80%", "80–95%", "≥95%")
    assert [classes.classify(v) for v in (0, 0.59, 0.6, 0.79, 0.8, 0.949, 0.95, 1.0)] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert classes.classify(None) is None
    # Less is worse: the lowest coverage gets the darkest colour.
    assert classes.colours[0] == breaks.WARM[-1] and classes.colours[-1] == breaks.WARM[0]


def test_counts_put_zero_in_its_own_class():
    lowers = breaks.count_breaks([0, 0, 3, 7, 12, 40, 41, 90, None])
    assert lowers[:2] == (0, 1)
    classes = breaks.count_classes([0, 0, 3, 7, 12, 40, 41, 90])
    assert classes.classify(0) == 0 and classes.labels[0] == "0"
    assert classes.classify(1) == 1
    assert classes.colours[0] == breaks.WARM[0]          # nothing to do: the lightest


def test_count_breaks_are_rounded_quartiles_of_the_positive_values():
    values = list(range(1, 101))                  # quartiles 25.75, 50.5, 75.25
    assert breaks.count_breaks(values) == (0, 1, 20, 50, 100)
    classes = breaks.count_classes(values)
    assert classes.labels == ("0", "1–19", "20–49", "50–99", "≥100")
    assert len(classes.colours) == 5 == breaks.MAX_CLASSES


def test_few_distinct_counts_make_few_classes():
    assert breaks.count_breaks([0, 1, 1, 1]) == (0, 1)
    assert breaks.count_classes([0, 1, 1]).labels == ("0", "≥1")
    # Positive quartiles 1.75, 2 and 2.75 all round to 2.
    assert breaks.count_breaks([0, 1, 2, 2, 5]) == (0, 1, 2)
    assert breaks.count_classes([0, 1, 2, 2, 5]).labels == ("0", "1", "≥2")
    assert breaks.count_classes([0, 1, 2, 4, 9, 12]).labels == ("0", "1", "2–4", "5–9", "≥10")


def test_all_zero_or_no_values_is_one_class():
    for values in ([], [0, 0], [None]):
        classes = breaks.count_classes(values)
        assert classes.lowers == (0,) and classes.labels == ("0",) and len(classes.colours) == 1


def test_classes_never_exceed_five_and_break_strictly_upwards():
    for values in ([1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144], [5] * 10 + [500], [1, 1000, 1001, 1002], list(range(0, 9))):
        lowers = breaks.count_breaks(values)
        assert len(lowers) <= breaks.MAX_CLASSES
        assert list(lowers) == sorted(set(lowers))
        assert lowers[-1] <= max(values)


def test_palettes_run_light_to_dark_and_spread_over_fewer_classes():
    for palette in (breaks.WARM, breaks.COOL):
        lightness = [sum(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in palette]
        assert lightness == sorted(lightness, reverse=True)
    assert breaks.spread(breaks.WARM, 1) == (breaks.WARM[0],)
    assert breaks.spread(breaks.WARM, 2) == (breaks.WARM[0], breaks.WARM[-1])
    assert breaks.spread(breaks.WARM, 3) == (breaks.WARM[0], breaks.WARM[2], breaks.WARM[4])
    neutral = breaks.count_classes([0, 4, 9], "neutral")
    assert set(neutral.colours) <= set(breaks.COOL)
