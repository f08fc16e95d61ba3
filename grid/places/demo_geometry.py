"""Boundaries of the demo district: a made-up district in Hangzhou.

`build_demo_district` returns a GeoJSON FeatureCollection (plain dict) with
one district, 2 street offices, 6 communities and 40 grids whose polygons
are irregular yet tile their parent exactly: siblings share edges built
from identical coordinates, and every parent is the union of its children.

How: random sites inside a hand-drawn outline give a Voronoi diagram; its
edges and the outline are noded together on a 1e-7 degree grid (snap
rounding, so the output can be written with 7 decimals without breaking
the tiling) and polygonized into ~1200 small cells.  Cells are split
top-down into connected regions grown from spread-out seeds, and every unit
is the union of its cells.  Pure module: no Flask, no database.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import MultiPolygon, Polygon

DISTRICT_CODE = "330199"
DISTRICT_NAME = "示范区"

# Hand-drawn outline around Hangzhou (about 6 km x 5 km), lon/lat, closed.
OUTLINE = (
    (120.1302, 30.2771), (120.1388, 30.2693), (120.1495, 30.2688), (120.1589, 30.2652),
    (120.1702, 30.2679), (120.1811, 30.2664), (120.1897, 30.2738), (120.1884, 30.2841),
    (120.1918, 30.2937), (120.1853, 30.3061), (120.1741, 30.3118), (120.1627, 30.3079),
    (120.1519, 30.3124), (120.1398, 30.3087), (120.1324, 30.2989), (120.1347, 30.2872),
    (120.1302, 30.2771),
)

# Street name, then (community name, number of grids) for each of its communities.
STREETS: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    ("东新街道", (("朝晖社区", 7), ("新村社区", 6), ("东园社区", 7))),
    ("和睦街道", (("和睦社区", 6), ("大关社区", 7), ("华丰社区", 7))),
)

SITE_COUNT = 1200
# Coordinates live on this grid so that 7-decimal output is exact.
GRID_SIZE = 1e-7
DECIMALS = 7
# Seed-relaxation rounds when splitting cells; makes regions compact and balanced.
RELAX_ROUNDS = 6
# Fresh seed draws before giving up on a split with holes or disconnected parts.
MAX_SPLIT_ATTEMPTS = 50

# Kilometres per degree at the outline's latitude, for isotropic distances.
KM_PER_DEG_LAT = 110.9
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(30.29))


def build_demo_district(seed: int = 2026) -> dict:
    """GeoJSON FeatureCollection of the demo district; same seed, same output.

    Features (district, streets, communities, grids in that order) carry
    properties code, name, level and parent (None for the district);
    geometries are Polygons with closed, counter-clockwise exterior rings
    and coordinates rounded to 7 decimals.
    """
    rng = random.Random(seed)
    outline = Polygon(OUTLINE)
    cells = build_cells(outline, rng)
    mesh = CellMesh(cells)

    district = DemoUnit(DISTRICT_CODE, DISTRICT_NAME, "district", None)
    street_regions = mesh.split(list(range(len(cells))), len(STREETS), rng)
    for s, ((street_name, communities), street_cells) in enumerate(zip(STREETS, street_regions), start=1):
        street = district.add(DemoUnit(f"{DISTRICT_CODE}{s:03d}", street_name, "street", DISTRICT_CODE))
        community_regions = mesh.split(street_cells, len(communities), rng)
        for c, ((community_name, grid_count), community_cells) in enumerate(
            zip(communities, community_regions), start=1
        ):
            community = street.add(DemoUnit(f"{street.code}{c:03d}", community_name, "community", street.code))
            short_name = community_name.removesuffix("社区")
            for g, grid_cells in enumerate(mesh.split(community_cells, grid_count, rng), start=1):
                grid = community.add(DemoUnit(f"{community.code}{g:03d}", f"{short_name}第{g}网格", "grid",
                                          community.code))
                grid.shape = union_shapes([cells[i] for i in grid_cells])

    # Parents are unions of their children's shapes, so they match exactly.
    district.shape_from_children()
    return {"type": "FeatureCollection", "features": [unit.to_feature() for unit in district.walk()]}


@dataclass
class DemoUnit:
    """One unit of the demo tree while it is being built."""

    code: str
    name: str
    level: str
    parent: str | None
    children: list[DemoUnit] = field(default_factory=list)
    shape: Polygon | MultiPolygon | None = None

    def add(self, child: DemoUnit) -> DemoUnit:
        """Append and return `child`."""
        self.children.append(child)
        return child

    def shape_from_children(self) -> None:
        """Fill in shapes bottom-up as unions of the children's shapes."""
        if not self.children:
            return
        for child in self.children:
            child.shape_from_children()
        self.shape = union_shapes([child.shape for child in self.children])

    def walk(self) -> Iterator[DemoUnit]:
        """Units by level, top-down: district, streets, communities, grids."""
        level = [self]
        while level:
            yield from level
            level = [child for unit in level for child in unit.children]

    def to_feature(self) -> dict:
        """The unit as a GeoJSON Feature dict."""
        return {
            "type": "Feature",
            "properties": {"code": self.code, "name": self.name, "level": self.level, "parent": self.parent},
            "geometry": to_geojson_geometry(shapely.orient_polygons(self.shape)),
        }


def sample_sites(outline: Polygon, rng: random.Random, count: int) -> list[tuple[float, float]]:
    """`count` uniformly random points inside `outline` (rejection sampling)."""
    xmin, ymin, xmax, ymax = outline.bounds
    shapely.prepare(outline)
    sites: list[tuple[float, float]] = []
    while len(sites) < count:
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if outline.contains_properly(shapely.Point(x, y)):
            sites.append((x, y))
    return sites


def build_cells(outline: Polygon, rng: random.Random) -> list[Polygon]:
    """Voronoi cells of random sites, clipped to `outline`, as exactly tiling polygons.

    Clipping each cell on its own would compute the shared crossing points
    twice, possibly differently; noding all edges in one snap-rounded union
    and polygonizing gives every shared edge one set of coordinates.
    """
    sites = shapely.MultiPoint(sample_sites(outline, rng, SITE_COUNT))
    edges = shapely.voronoi_polygons(sites, extend_to=outline.envelope.buffer(0.01), only_edges=True)
    linework = shapely.union_all([edges, outline.boundary], grid_size=GRID_SIZE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    inside = shapely.contains(outline, shapely.point_on_surface(faces))
    return [shapely.orient_polygons(face) for face in faces[inside]]


class CellMesh:
    """Cells with their adjacency, split into connected regions.

    Cells are indexed by position; two cells are neighbours when they share
    an edge, which is exact because shared edges have identical coordinates.
    """

    def __init__(self, cells: Sequence[Polygon]) -> None:
        centroids = shapely.get_coordinates(shapely.centroid(np.asarray(cells, dtype=object)))
        # Local kilometres, so that distances are isotropic.
        self.points = [(x * KM_PER_DEG_LON, y * KM_PER_DEG_LAT) for x, y in centroids]
        self.vertices: list[set[tuple]] = []
        self.edges: list[set[tuple]] = []
        owners: dict[tuple, list[int]] = {}
        for index, cell in enumerate(cells):
            ring = list(cell.exterior.coords)
            edges = {(a, b) if a < b else (b, a) for a, b in zip(ring[:-1], ring[1:])}
            self.vertices.append(set(ring))
            self.edges.append(edges)
            for edge in edges:
                owners.setdefault(edge, []).append(index)
        self.neighbours: list[set[int]] = [set() for _ in cells]
        for sharing in owners.values():
            for i in sharing:
                self.neighbours[i].update(j for j in sharing if j != i)

    def split(self, cell_ids: Sequence[int], count: int, rng: random.Random) -> list[list[int]]:
        """Split `cell_ids` into `count` connected, hole-free, compact regions.

        Regions are ordered west to east (then south to north) so that codes
        follow the map.  Raises RuntimeError if no acceptable split is found.
        """
        for _ in range(MAX_SPLIT_ATTEMPTS):
            regions = self.relax_regions(cell_ids, count, rng)
            if all(self.is_disc(region) for region in regions):
                return sorted(regions, key=self.locate_region)
        raise RuntimeError(f"could not split {len(cell_ids)} cells into {count} simple regions")

    def locate_region(self, region: Sequence[int]) -> tuple[float, float]:
        """Mean cell position of a region, rounded to 100 m."""
        xs, ys = zip(*(self.points[i] for i in region))
        return round(sum(xs) / len(xs), 1), round(sum(ys) / len(ys), 1)

    def is_disc(self, region: Sequence[int]) -> bool:
        """True when the region (connected by construction) has no hole.

        Euler characteristic V - E + F of the cells' complex is 1 for a disc
        and drops by one per hole, pinch points included; far cheaper than
        building the union polygon.
        """
        vertices = set().union(*(self.vertices[i] for i in region))
        edges = set().union(*(self.edges[i] for i in region))
        return len(vertices) - len(edges) + len(region) == 1

    def relax_regions(self, cell_ids: Sequence[int], count: int, rng: random.Random) -> list[list[int]]:
        """Grow regions from spread-out seeds, then move seeds to region centres a few times."""
        seeds = self.spread_seeds(cell_ids, count, rng)
        regions = self.grow_regions(cell_ids, seeds, [self.points[s] for s in seeds])
        for _ in range(RELAX_ROUNDS):
            centres = [self.locate_centre(region) for region in regions]
            # The seed must be a cell of its own region, or regions could swap or vanish.
            seeds = [min(region, key=lambda i, c=centre: math.dist(self.points[i], c))
                     for region, centre in zip(regions, centres)]
            regions = self.grow_regions(cell_ids, seeds, centres)
        return regions

    def locate_centre(self, region: Sequence[int]) -> tuple[float, float]:
        """Unrounded mean cell position of a region."""
        xs, ys = zip(*(self.points[i] for i in region))
        return sum(xs) / len(xs), sum(ys) / len(ys)

    def spread_seeds(self, cell_ids: Sequence[int], count: int, rng: random.Random) -> list[int]:
        """A random first cell, then repeatedly the cell farthest from all chosen ones."""
        seeds = [rng.choice(list(cell_ids))]
        nearest = {i: math.dist(self.points[i], self.points[seeds[0]]) for i in cell_ids}
        while len(seeds) < count:
            seeds.append(max(cell_ids, key=nearest.__getitem__))
            for i in cell_ids:
                nearest[i] = min(nearest[i], math.dist(self.points[i], self.points[seeds[-1]]))
        return seeds

    def grow_regions(
        self, cell_ids: Sequence[int], seeds: Sequence[int], centres: Sequence[tuple[float, float]]
    ) -> list[list[int]]:
        """Assign every cell to a region by growing from the seeds through shared edges.

        A cell goes to the region whose centre is nearest among the regions
        that reach it first, so regions are connected by construction.
        """
        allowed = set(cell_ids)
        owner: dict[int, int] = {}
        heap = [(0.0, region, seed) for region, seed in enumerate(seeds)]
        while heap:
            _, region, cell = heapq.heappop(heap)
            if cell in owner:
                continue
            owner[cell] = region
            centre = centres[region]
            for other in self.neighbours[cell]:
                if other in allowed and other not in owner:
                    heapq.heappush(heap, (math.dist(self.points[other], centre), region, other))
        if len(owner) != len(allowed):
            raise RuntimeError("cells are not connected")
        regions: list[list[int]] = [[] for _ in seeds]
        for cell in cell_ids:
            regions[owner[cell]].append(cell)
        return regions


def union_shapes(shapes: Sequence[Polygon | MultiPolygon]) -> Polygon | MultiPolygon:
    """Union on the coordinate grid, so that no off-grid vertex appears."""
    return shapely.union_all(list(shapes), grid_size=GRID_SIZE)


def to_geojson_geometry(shape) -> dict:
    """GeoJSON Polygon/MultiPolygon dict with coordinates rounded to 7 decimals."""
    def ring(coords) -> list[list[float]]:
        return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in coords]

    def polygon(p: Polygon) -> list:
        return [ring(p.exterior.coords), *(ring(h.coords) for h in p.interiors)]

    if isinstance(shape, Polygon):
        return {"type": "Polygon", "coordinates": polygon(shape)}
    if isinstance(shape, MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [polygon(p) for p in shape.geoms]}
    raise TypeError(f"not polygonal: {shape.geom_type}")
