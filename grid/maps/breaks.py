"""Class breaks and colours for the map's choropleth. Pure: no Flask, no database.

Shares (visit coverage) use fixed breaks that mean something against the
100 % target: below 60 %, 60-80 %, 80-95 %, 95 % and above, the same on every
map and every month. Counts give 0 its own class (nothing to do there) and
split the positive values at their quartiles, rounded to 1, 2 or 5 x 10^n so
the legend reads like a person wrote it; at most five classes in all.

Palettes are sequential from light to dark and stay apart for the common
colour-vision deficiencies (one hue family, monotone lightness). "Worse" is
darker: for a measure where less is worse the order is reversed."""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

MAX_CLASSES = 5
SHARE_BREAKS = (0.6, 0.8, 0.95)
# Light to dark; written for this app (after the usual ColorBrewer ramps).
WARM = ("#fef0d9", "#fdc38d", "#f88b51", "#d7462c", "#99180f")
COOL = ("#eff4fa", "#c0d6ec", "#83b0d9", "#4180bd", "#184a8b")
NO_DATA = "#d5d9df"
PALETTES = {"more_is_worse": WARM, "less_is_worse": WARM, "neutral": COOL}


@dataclass(frozen=True)
class Classes:
    """Classes by their lower bounds: class i holds lowers[i] <= value < lowers[i+1]
    (the first also holds anything below, the last anything above)."""

    lowers: tuple[float, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]

    def classify(self, value: float | None) -> int | None:
        if value is None:
            return None
        return max(bisect_right(self.lowers, value) - 1, 0)

    def colour(self, value: float | None) -> str:
        index = self.classify(value)
        return NO_DATA if index is None else self.colours[index]


def nice(x: float) -> float:
    """The nearest of 1, 2 or 5 x 10^n (n may be negative); 0 for x <= 0."""
    if x <= 0:
        return 0
    power = 10 ** math.floor(math.log10(x))
    candidates = [m * power for m in (1, 2, 5, 10)]
    best = min(candidates, key=lambda c: (abs(c - x), c))
    return int(best) if best >= 1 else best


def quantile(ordered: list[float], q: float) -> float:
    """Linear-interpolated quantile of a sorted, non-empty list."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(palette: tuple[str, ...], n: int) -> tuple[str, ...]:
    """n colours from the palette, always its lightest and (n > 1) its darkest."""
    if n == 1:
        return palette[:1]
    last = len(palette) - 1
    return tuple(palette[round(i * last / (n - 1))] for i in range(n))


def colours_for(direction: str, n: int) -> tuple[str, ...]:
    colours = spread(PALETTES[direction], n)
    return tuple(reversed(colours)) if direction == "less_is_worse" else colours


def share_classes(direction: str = "less_is_worse") -> Classes:
    lowers = (0.0, *SHARE_BREAKS)
    percents = [round(b * 100) for b in SHARE_BREAKS]
    labels = [f"<{percents[0]}%"]
    labels += [f"{a}–{b}%" for a, b in zip(percents, percents[1:])]
    labels.append(f"≥{percents[-1]}%")
    return Classes(lowers, tuple(labels), colours_for(direction, len(lowers)))


def count_breaks(values: Iterable[float | None], max_classes: int = MAX_CLASSES) -> tuple[float, ...]:
    """Lower bounds for counts: 0, 1, then the quartiles of the positive values
    rounded to nice numbers (kept only where they split something)."""
    positives = sorted(v for v in values if v is not None and v > 0)
    if not positives:
        return (0,)
    lowers = [0, 1]
    top = positives[-1]
    inner = max_classes - 2            # classes left after "0" and the first positive one
    for i in range(1, inner + 1):
        cut = nice(quantile(positives, i / (inner + 1)))
        if lowers[-1] < cut <= top:
            lowers.append(cut)
    return tuple(lowers)


def count_labels(lowers: tuple[float, ...]) -> tuple[str, ...]:
    labels = []
    for i, low in enumerate(lowers):
        if i == len(lowers) - 1:
            labels.append("0" if low == 0 else f"≥{low:g}")
            continue
        high = lowers[i + 1] - 1        # counts are whole numbers
        labels.append(f"{low:g}" if high <= low else f"{low:g}–{high:g}")
    return tuple(labels)


def count_classes(values: Iterable[float | None], direction: str = "more_is_worse") -> Classes:
    lowers = count_breaks(values)
    return Classes(lowers, count_labels(lowers), colours_for(direction, len(lowers)))
