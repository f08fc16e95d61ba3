"""Geometry for the dashboard's server-rendered SVG charts: nice axis ticks,
grouped columns, a line with gaps, and the length of a horizontal bar. Pure
arithmetic on numbers in a chart's own viewBox units (the SVG scales to its
card's width); templates/maps/_charts.html draws what this returns.

The y axis grows downwards in SVG: a value's y is `bottom - value * scale`."""
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

# The viewBox of a column or line chart: about a phone card's width in CSS
# pixels, so 11-unit labels read at about 11 px on a 360 px screen.
WIDTH, HEIGHT = 320, 168
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 8, 22          # room for tick labels and the month row
LABEL_WIDTH = 26                                  # what a month label needs, in viewBox units
NICE_FRACTIONS = (1, 2, 2.5, 5, 10)


@dataclass(frozen=True)
class Axis:
    top: float                 # the value at the top of the plot
    ticks: list[float]         # from 0 to top, evenly spaced


def nice_axis(largest: float, *, max_ticks: int = 4, integer: bool = True) -> Axis:
    """An axis from 0 that covers `largest` with at most `max_ticks` steps of
    1, 2, 2.5 or 5 times a power of ten (counts never get a fractional step)."""
    if largest <= 0:
        return Axis(top=1, ticks=[0, 1])
    rough = largest / max_ticks
    power = 10 ** math.floor(math.log10(rough))
    step = next(f * power for f in NICE_FRACTIONS if f * power >= rough)
    if integer:
        step = max(1, math.ceil(step))
    top = step * math.ceil(largest / step)
    count = round(top / step)
    return Axis(top=top, ticks=[_clean(step * i) for i in range(count + 1)])


def _clean(value: float) -> float:
    """0.30000000000000004 → 0.3, and whole numbers as ints (they print without .0)."""
    value = round(value, 9)
    return int(value) if value == int(value) else value


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class Column:
    series: int                # which series (0: the first, e.g. received)
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Slot:
    key: Any                   # what the slot stands for (a month), for labels and links
    x: float                   # the slot's centre
    labelled: bool             # whether its label is drawn (crowded axes label every n-th slot)
    columns: list[Column] = field(default_factory=list)


@dataclass(frozen=True)
class Point:
    key: Any
    value: float | None
    x: float
    y: float | None            # None: no value (nothing to divide)


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    left: float
    right: float               # the plot's right edge
    top: float
    bottom: float              # the plot's bottom edge (the zero line)
    ticks: list[Tick]
    slots: list[Slot] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    lines: list[list[Point]] = field(default_factory=list)   # runs of points without gaps
    target_y: float | None = None


def _frame(axis: Axis) -> tuple[float, float, float, list[Tick]]:
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    scale = (bottom - TOP) / axis.top
    return right, bottom, scale, [Tick(value, bottom - value * scale) for value in axis.ticks]


def _label_every(count: int, plot_width: float) -> int:
    return max(1, math.ceil(count * LABEL_WIDTH / plot_width)) if count else 1


def column_chart(keys: Sequence[Any], series: Sequence[Sequence[float]]) -> Chart:
    """Grouped columns: one slot per key, one column per series in each slot."""
    axis = nice_axis(max((v for values in series for v in values), default=0))
    right, bottom, scale, ticks = _frame(axis)
    slot_width = (right - LEFT) / max(len(keys), 1)
    # A slot keeps a fifth of its width as the gap between groups.
    column_width = slot_width * 0.8 / max(len(series), 1)
    every = _label_every(len(keys), right - LEFT)
    slots = []
    for i, key in enumerate(keys):
        start = LEFT + i * slot_width + slot_width * 0.1
        columns = [Column(s, values[i], start + s * column_width, bottom - values[i] * scale, column_width,
                          values[i] * scale) for s, values in enumerate(series)]
        # Label from the newest month backwards, so the current month is always named.
        slots.append(Slot(key, LEFT + (i + 0.5) * slot_width, (len(keys) - 1 - i) % every == 0, columns))
    return Chart(WIDTH, HEIGHT, LEFT, right, TOP, bottom, ticks, slots=slots)


def line_chart(keys: Sequence[Any], values: Sequence[float | None], *, top: float = 100,
               target: float | None = 100) -> Chart:
    """A line over fixed 0..`top` (a percentage), broken where a value is
    missing, with an optional target line."""
    axis = Axis(top=top, ticks=[_clean(top * i / 4) for i in range(5)])
    right, bottom, scale, ticks = _frame(axis)
    slot_width = (right - LEFT) / max(len(keys), 1)
    every = _label_every(len(keys), right - LEFT)
    points, slots, lines, run = [], [], [], []
    for i, (key, value) in enumerate(zip(keys, values)):
        x = LEFT + (i + 0.5) * slot_width
        point = Point(key, value, x, None if value is None else bottom - min(value, top) * scale)
        points.append(point)
        slots.append(Slot(key, x, (len(keys) - 1 - i) % every == 0))
        if point.y is None:
            lines, run = lines + [run] if run else lines, []
        else:
            run = run + [point]
    if run:
        lines.append(run)
    return Chart(WIDTH, HEIGHT, LEFT, right, TOP, bottom, ticks, slots=slots, points=points, lines=lines,
                 target_y=None if target is None else bottom - target * scale)


def bar_length(value: float | None, top: float, length: float = 100) -> float:
    """A horizontal bar's length in a `length`-wide viewBox (0 for no value)."""
    if not value or top <= 0:
        return 0
    return round(min(value, top) / top * length, 2)


@dataclass(frozen=True)
class Segment:
    key: Any
    value: float
    start: float
    length: float


def stacked_bar(parts: Sequence[tuple[Any, float]], length: float = 100) -> list[Segment]:
    """Segments of one bar split by share (the open events by light); all
    zero gives no segments."""
    total = sum(value for _key, value in parts)
    segments, start = [], 0.0
    for key, value in parts:
        size = round(value / total * length, 2) if total else 0
        if size:
            segments.append(Segment(key, value, round(start, 2), size))
        start += size
    return segments
