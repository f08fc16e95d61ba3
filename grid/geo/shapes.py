"""Vocabulary shared by the boundary checks: levels, problems, unit shapes.

`Problem` is the machine-readable finding the UI renders into messages;
`UnitShape` is one administrative unit as the validator sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely import MultiPolygon, Polygon

SRID = 4326
LEVELS = ("district", "street", "community", "grid")

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about an uploaded file.

    `severity` is "error" (blocks the import) or "warning"; `kind` is a
    stable machine-readable identifier; `code`/`index` locate the feature
    (None when unknown); `params` carries the values a message needs.
    """

    severity: str
    kind: str
    code: str | None
    index: int | None
    params: dict = field(default_factory=dict)


@dataclass
class UnitShape:
    """One administrative unit as the validator sees it.

    `geometry` is always a valid MultiPolygon in EPSG:4326 lon/lat;
    `index` is the feature position in the uploaded file, or None for a
    unit already stored in the database.
    """

    code: str
    name: str
    level: str
    parent_code: str | None
    geometry: MultiPolygon
    index: int | None = None


@dataclass
class ParseResult:
    """Units that passed every per-feature check, plus all problems found."""

    units: list[UnitShape]
    problems: list[Problem]

    @property
    def has_errors(self) -> bool:
        """True when any problem has severity "error"."""
        return any(p.severity == ERROR for p in self.problems)



def to_multipolygon(geom) -> MultiPolygon:
    """Return the polygonal part of `geom` as a MultiPolygon.

    Polygon is wrapped, MultiPolygon returned as is, the polygons of a
    GeometryCollection (typical overlay output) are collected; empty or
    purely non-polygonal input yields an empty MultiPolygon.
    """
    if geom is None or geom.is_empty:
        return MultiPolygon()
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if hasattr(geom, "geoms"):
        parts: list[Polygon] = []
        for part in geom.geoms:
            parts.extend(to_multipolygon(part).geoms)
        return MultiPolygon(parts)
    return MultiPolygon()
