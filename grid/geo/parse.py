"""Stage 1: parse an uploaded boundary file and check each feature on its own.

File-level checks (size, encoding, JSON, FeatureCollection, vertex count),
then per feature: fields, level, duplicate codes and the geometry (see
`grid.geo.geometry`).
"""

from __future__ import annotations

import json
from typing import Any

from grid.geo.geometry import is_number, parse_geometry
from grid.geo.shapes import ERROR, LEVELS, ParseResult, Problem, UnitShape


def parse_boundaries(data: bytes, *, max_bytes: int, max_vertices: int) -> ParseResult:
    """Parse an uploaded boundary FeatureCollection.

    File-level problems (too_large, encoding, json, not_feature_collection,
    too_many_vertices) are returned alone, immediately.  Otherwise every
    feature is checked and every problem found is reported; only features
    without any error become `units`.  Never raises on bad input.
    """
    if len(data) > max_bytes:
        return fail_file("too_large", max_bytes=max_bytes, size=len(data))
    document, problem = load_json(data)
    if problem is not None:
        return ParseResult([], [problem])
    features = read_features(document)
    if features is None:
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        return fail_file("not_feature_collection", type=found)
    count = count_vertices(features)
    if count > max_vertices:
        return fail_file("too_many_vertices", max_vertices=max_vertices, count=count)

    units: list[UnitShape] = []
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for index, feature in enumerate(features):
        unit, found_problems = parse_feature(feature, index, first_index)
        problems.extend(found_problems)
        if unit is not None and not found_problems:
            units.append(unit)
    return ParseResult(units, problems)


def fail_file(kind: str, **params: Any) -> ParseResult:
    """A ParseResult holding one file-level error."""
    return ParseResult([], [Problem(ERROR, kind, None, None, params)])


def load_json(data: bytes) -> tuple[Any, Problem | None]:
    """Decode UTF-8 (a BOM is tolerated) and parse JSON; return (document, problem)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, Problem(ERROR, "encoding", None, None,
                             {"encoding": "utf-8", "position": exc.start, "message": exc.reason})
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, Problem(ERROR, "json", None, None,
                             {"line": exc.lineno, "column": exc.colno, "message": exc.msg})
    except RecursionError:
        return None, Problem(ERROR, "json", None, None,
                             {"line": None, "column": None, "message": "nesting too deep"})


def read_features(document: Any) -> list | None:
    """The features array of a FeatureCollection, or None if it is not one."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return None
    features = document.get("features")
    return features if isinstance(features, list) else None


def count_vertices(features: list) -> int:
    """Count coordinate positions in all feature geometries, without shapely.

    A position is any array whose first element is a number; iterative so
    that odd nesting cannot exhaust the stack.
    """
    count = 0
    stack = []
    for feature in features:
        if isinstance(feature, dict) and isinstance(feature.get("geometry"), dict):
            stack.append(feature["geometry"].get("coordinates"))
    while stack:
        item = stack.pop()
        if not isinstance(item, list):
            continue
        if item and is_number(item[0]):
            count += 1
        else:
            stack.extend(item)
    return count


def read_text(value: Any) -> str | None:
    """A stripped string from a JSON string or integer; None if absent/empty/other."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def parse_feature(
    feature: Any, index: int, first_index: dict[str, int]
) -> tuple[UnitShape | None, list[Problem]]:
    """Check one feature; return its unit (None if unusable) and its problems.

    `first_index` maps codes seen so far to their feature index and is
    updated here (duplicate detection across the file).
    """
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        found = feature.get("type") if isinstance(feature, dict) else type(feature).__name__
        return None, [Problem(ERROR, "not_feature", None, index, {"type": found})]

    properties = feature.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    code = read_text(properties.get("code"))
    name = read_text(properties.get("name"))
    level = read_text(properties.get("level"))
    parent_code = read_text(properties.get("parent"))

    problems: list[Problem] = []

    def report(kind: str, **params: Any) -> None:
        problems.append(Problem(ERROR, kind, code, index, params))

    for field_name, value in (("code", code), ("name", name), ("level", level)):
        if value is None:
            report("missing_field", field=field_name)
    if level is not None and level not in LEVELS:
        report("bad_level", level=level)
    if code is not None:
        if code in first_index:
            report("duplicate_code", first_index=first_index[code])
        else:
            first_index[code] = index

    geometry, geometry_problems = parse_geometry(feature.get("geometry"))
    for kind, params in geometry_problems:
        report(kind, **params)

    if problems or geometry is None:
        return None, problems
    return UnitShape(code, name, level, parent_code, geometry, index), problems
