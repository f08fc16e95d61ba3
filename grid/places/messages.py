"""Words for boundary-import problems (grid.geo reports kinds and numbers only)."""
from flask_babel import gettext as _

from grid.geo import Problem


def level_name(level: str) -> str:
    return {"district": _("district"), "street": _("street office"), "community": _("community"),
            "grid": _("grid")}.get(level, level)


def field_label(field: str) -> str:
    """A changed field of a unit, as the history lists it."""
    return {"name": _("name"), "level": _("level"), "parent": _("parent"), "boundary": _("boundary")}.get(field, field)


def where(p: dict) -> str:
    if "lon" in p and "lat" in p:
        return _(" at %(lon).6f, %(lat).6f", lon=p["lon"], lat=p["lat"])
    return ""


def geos_reason(reason: str) -> str:
    """GEOS explains invalid geometry in English; say it in the user's language."""
    reasons = {
        "Self-intersection": _("the boundary crosses itself"),
        "Ring Self-intersection": _("a ring touches itself"),
        "Too few points": _("too few points"),
        "Hole lies outside shell": _("a hole lies outside the outer ring"),
        "Nested holes": _("holes are nested"),
        "Interior is disconnected": _("the interior is split into pieces"),
        "Nested shells": _("polygons are nested"),
        "Duplicate Rings": _("a ring is repeated"),
        "Invalid Coordinate": _("a coordinate is not a number"),
        "Ring is not closed": _("a ring is not closed"),
    }
    return reasons.get(reason, reason)


def ring_label(ring: str | None, polygon=None) -> str:
    """"exterior" / "hole 2" (and the part of a MultiPolygon) in words."""
    if not ring:
        return ""
    if ring == "exterior":
        label = _("the outer ring")
    elif ring.startswith("hole "):
        label = _("inner ring %(n)s", n=ring.split(" ", 1)[1])
    else:
        label = ring
    return _("part %(n)s, %(ring)s", n=polygon, ring=label) if polygon else label


def coordinates_problem(p: dict) -> str:
    reasons = {
        "not_array": _("coordinates must be nested arrays"),
        "empty": _("the polygon has no rings"),
        "bad_position": _("a position is not a pair of numbers"),
        "too_few_positions": _("a ring needs at least 4 positions"),
    }
    ring = ring_label(p.get("ring"), p.get("polygon"))
    where_ring = _(" (ring %(ring)s)", ring=ring) if ring else ""
    return _("The coordinates cannot be read: %(reason)s%(ring)s.",
             reason=reasons.get(p.get("reason"), p.get("reason", "")), ring=where_ring)


def describe(problem: Problem) -> str:
    """One sentence for an administrator: what is wrong, and where."""
    p = problem.params
    kind = problem.kind
    if kind == "too_large":
        return _("The file is %(size)s bytes; the limit is %(limit)s bytes.", size=p.get("size"), limit=p.get("max_bytes"))
    if kind == "json":
        return _("Not valid JSON: line %(line)s, column %(column)s (%(msg)s).",
                 line=p.get("line"), column=p.get("column"), msg=p.get("message", ""))
    if kind == "encoding":
        return _("The file is not UTF-8 text.")
    if kind == "not_feature_collection":
        return _("The file must be a GeoJSON FeatureCollection.")
    if kind == "too_many_vertices":
        return _("The file has %(count)s vertices; the limit is %(limit)s. Simplify the boundaries first.",
                 count=p.get("count"), limit=p.get("max_vertices"))
    if kind == "missing_field":
        return _("The property “%(field)s” is missing or empty.", field=p.get("field"))
    if kind == "bad_level":
        return _("Unknown level “%(level)s” (use district, street, community or grid).", level=p.get("level"))
    if kind == "duplicate_code":
        return _("The code is also used by feature #%(n)s.", n=(p.get("first_index") or 0) + 1)
    if kind == "no_geometry":
        return _("The feature has no geometry.")
    if kind == "geometry_type":
        return _("The geometry is a %(type)s; a boundary must be a Polygon or MultiPolygon.", type=p.get("type"))
    if kind == "not_feature":
        return _("This entry of “features” is not a GeoJSON Feature.")
    if kind == "bad_coordinates":
        return coordinates_problem(p)
    if kind == "unclosed_ring":
        return _("Ring %(ring)s is not closed: its last point differs from its first%(where)s.",
                 ring=ring_label(p.get("ring"), p.get("polygon")), where=where(p))
    if kind == "invalid":
        return _("Invalid geometry: %(reason)s%(where)s.", reason=geos_reason(p.get("reason", "")), where=where(p))
    if kind == "swapped":
        return _("The coordinates look like latitude/longitude swapped%(where)s; GeoJSON is longitude first.",
                 where=where(p))
    if kind == "out_of_china":
        return _("The coordinates lie outside China%(where)s; expected longitude/latitude in EPSG:4326.",
                 where=where(p))
    if kind == "unknown_parent":
        return _("The parent code %(parent)s is neither in the file nor in the system.", parent=p.get("parent"))
    if kind == "bad_parent_level":
        return _("The parent %(parent)s is a %(actual)s; it must be a %(expected)s.", parent=p.get("parent"),
                 actual=level_name(p.get("parent_level", "")), expected=level_name(p.get("expected", "")))
    if kind == "root_has_parent":
        return _("A district cannot have a parent.")
    if kind == "missing_parent":
        return _("The parent code is missing.")
    if kind == "outside_parent":
        return _("Reaches %(d).1f m outside its parent %(parent)s (%(a).1f m² outside).",
                 d=p.get("distance_m", 0), parent=p.get("parent"), a=p.get("area_m2", 0))
    if kind == "overlap":
        return _("Overlaps %(other)s by %(a).1f m²%(where)s.", other=p.get("other"), a=p.get("area_m2", 0),
                 where=where(p))
    if kind == "gap":
        return _("%(a).1f m² of this unit is not covered by any of its children (largest gap%(where)s).",
                 a=p.get("area_m2", 0), where=where(p))
    return describe_change(problem) or kind


def describe_change(problem: Problem) -> str | None:
    """Problems of a boundary change for one community, and of what follows a change."""
    p = problem.params
    kind = problem.kind
    if kind == "outside_community":
        return _("Not a grid of community %(community)s: a boundary change for a community may hold only its "
                 "grids and the community itself.", community=p.get("community"))
    if kind == "grid_elsewhere":
        return _("This grid belongs to community %(other)s: a boundary change cannot move grids between "
                 "communities.", other=p.get("other"))
    if kind == "grid_missing":
        return _("This grid of the community is missing from the file. A boundary change cannot remove a grid (its "
                 "households would be left without one): include it, with its new boundary.")
    if kind == "community_moved":
        return _("The community may change its name and boundary here, not its level or street office.")
    if kind == "disputes_need_person":
        return _("%(count)s open disputes would move to another grid, and a dispute's history names who moved it: "
                 "apply this file signed in, on the boundaries page.", count=p.get("count"))
    return None
