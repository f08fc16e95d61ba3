"""Parse and validate administrative boundary files (GeoJSON, EPSG:4326).

An administrator uploads a FeatureCollection describing units of the
hierarchy district > street > community > grid.  `parse_boundaries` checks
each feature on its own; `check_hierarchy` checks the units against each
other and against units already stored.  Findings are machine-readable
`Problem` records that the UI renders into messages.

Pure package: no Flask, no database.  Modules, by concept:

* `shapes`: levels, SRID, `Problem`, `UnitShape`, `ParseResult`, `to_multipolygon`
* `metric`: geodesic area, local metric projections, densification
* `geometry`: checks of one GeoJSON geometry object (rings, coordinates, validity)
* `parse`: stage 1, file-level and per-feature checks
* `hierarchy`: stage 2, parent links, containment, overlaps, gaps
"""

from grid.geo.hierarchy import check_hierarchy
from grid.geo.metric import densify_lonlat, geodesic_area_m2
from grid.geo.parse import parse_boundaries
from grid.geo.shapes import (
    ERROR,
    LEVELS,
    SRID,
    WARNING,
    ParseResult,
    Problem,
    UnitShape,
    to_multipolygon,
)

__all__ = [
    "ERROR",
    "LEVELS",
    "SRID",
    "WARNING",
    "ParseResult",
    "Problem",
    "UnitShape",
    "check_hierarchy",
    "densify_lonlat",
    "geodesic_area_m2",
    "parse_boundaries",
    "to_multipolygon",
]
