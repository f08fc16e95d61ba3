"""The re-gridding benchmark's boundary file: the administrator's export of
every unit with the shared edge of some pairs of neighbouring grids moved.

Of each pair, one grid gives the other a triangle: the shared edge, and an
apex part of the way from the edge's middle to the giver's centroid. The
district fixture's grids are Voronoi cells, convex, so the triangle lies
inside the giver; both new shapes are snapped to the fixture's 1e-7 degree
coordinate grid, so the pair still tiles exactly what it tiled and no other
grid, community or street office changes. Which pairs, and which way, is
chosen by weight: the benchmark weighs each triangle by the households in it."""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import shapely
from shapely.geometry import mapping, shape

from grid.places.demo_geometry import GRID_SIZE

# How far the new edge's apex goes into the giving grid, as a share of the way
# from the old edge's middle to that grid's centroid.
BULGE = 0.6
# Pairs taken from one community at most, so that the change spans a few communities.
PAIRS_PER_COMMUNITY = 10
# Edges shorter than this (degrees, about 100 m) are left alone: too short to move much.
MIN_EDGE = 0.001
# Weighs candidate triangles (lon/lat polygons): one number each, larger is preferred, 0 never taken.
Weigh = Callable[[list[shapely.Polygon]], list[float]]


@dataclass(frozen=True)
class Pair:
    community: str
    gainer: str
    giver: str
    gainer_shape: shapely.Polygon
    giver_shape: shapely.Polygon


def edit_export(export: dict, grids: int, weigh: Weigh | None = None) -> tuple[dict, list[Pair]]:
    """The export with the edges of grids // 2 pairs moved (a new dict), and the
    pairs. Of the possible moves, those that `weigh` gives most weight (say,
    the households in the triangle) are chosen; by default, the largest."""
    wanted = grids // 2
    by_community: dict[str, list[tuple[str, shapely.Polygon]]] = {}
    for feature in export["features"]:
        props = feature["properties"]
        if props["level"] == "grid":
            polygon = shape(feature["geometry"])
            if len(polygon.geoms) == 1:
                by_community.setdefault(props["parent"], []).append((props["code"], polygon.geoms[0]))
    pairs: list[Pair] = []
    for community in sorted(by_community):
        if len(pairs) == wanted:
            break
        pairs += community_pairs(community, sorted(by_community[community]),
                                 min(PAIRS_PER_COMMUNITY, wanted - len(pairs)), weigh or areas)
    if len(pairs) < wanted:
        raise RuntimeError(f"only {len(pairs)} pairs of neighbouring grids found, {wanted} wanted")
    shapes = {p.gainer: p.gainer_shape for p in pairs} | {p.giver: p.giver_shape for p in pairs}
    features = [{**f, "geometry": mapping(shapely.MultiPolygon([shapes[f["properties"]["code"]]]))}
                if f["properties"]["code"] in shapes else f for f in export["features"]]
    return {**export, "features": features}, pairs


def areas(triangles: list[shapely.Polygon]) -> list[float]:
    return [t.area for t in triangles]


def community_pairs(community: str, grids: list[tuple[str, shapely.Polygon]], limit: int, weigh: Weigh) -> list[Pair]:
    """Up to `limit` disjoint pairs of the community's neighbouring grids, each
    moving its shared edge one way or the other: the heaviest moves first."""
    moves = []
    for (code_a, a), (code_b, b) in itertools.combinations(grids, 2):
        if a.distance(b) > 0:
            continue
        edge = shapely.line_merge(shapely.intersection(a.boundary, b.boundary))
        if not isinstance(edge, shapely.LineString) or edge.length < MIN_EDGE:
            continue
        for gainer, giver in (((code_a, a), (code_b, b)), ((code_b, b), (code_a, a))):
            moved = move_edge(gainer[1], giver[1], edge)
            if moved is not None:
                moves.append((gainer[0], giver[0], *moved))
    weights = weigh([triangle for *_codes, triangle, _grown, _shrunk in moves]) if moves else []
    pairs, used = [], set()
    ranked = sorted(zip(weights, moves), key=lambda m: (-m[0], m[1][:2]))
    for weight, (gainer, giver, _triangle, grown, shrunk) in ranked:
        if len(pairs) == limit or weight <= 0:
            break
        if gainer not in used and giver not in used:
            pairs.append(Pair(community, gainer, giver, grown, shrunk))
            used |= {gainer, giver}
    return pairs


def move_edge(gainer: shapely.Polygon, giver: shapely.Polygon,
              edge: shapely.LineString) -> tuple[shapely.Polygon, shapely.Polygon, shapely.Polygon] | None:
    """The triangle over `edge` passed from giver to gainer, and the two new
    shapes; None when they would not be two valid single polygons."""
    middle = edge.interpolate(0.5, normalized=True)
    centre = giver.centroid
    apex = (round(middle.x + BULGE * (centre.x - middle.x), 7), round(middle.y + BULGE * (centre.y - middle.y), 7))
    triangle = shapely.Polygon([*edge.coords, apex])
    if not triangle.is_valid or not giver.buffer(1e-9).contains(triangle):
        return None
    grown = shapely.union(gainer, triangle, grid_size=GRID_SIZE)
    shrunk = shapely.difference(giver, triangle, grid_size=GRID_SIZE)
    if not all(isinstance(s, shapely.Polygon) and s.is_valid for s in (grown, shrunk)):
        return None
    if abs(grown.area + shrunk.area - gainer.area - giver.area) > 1e-12:
        return None
    return triangle, shapely.orient_polygons(grown), shapely.orient_polygons(shrunk)
