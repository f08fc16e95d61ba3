"""The base map under our boundaries, from the BASEMAP_* settings: which tile
URL (and label overlay), its subdomains, attribution and datum.

none (the default) draws no tiles and contacts no tile server. Tianditu is
WGS84/CGCS2000 like our data; Gaode and Tencent are GCJ-02, so the maps shift
our geometry to GCJ-02 for display (grid.geo.gcj02) and never store it so.
The Content-Security-Policy allows exactly the hosts named here.
Pure module: it reads a config mapping, no request, no database."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

KINDS = ("none", "tianditu", "osm", "gaode", "tencent", "custom")
DATUMS = ("wgs84", "gcj02")

TIANDITU = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
            "&tk={key}")
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
GAODE = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
# Tencent's tiles count rows from the south (TMS): Leaflet fills {-y}.
TENCENT = "https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={-y}&type=vector&styleid=0"
# Leaflet's own default when a URL has {s} and no subdomains are given.
LEAFLET_SUBDOMAINS = "abc"


@dataclass(frozen=True)
class Basemap:
    kind: str
    url: str = ""
    subdomains: str = ""
    attribution: str = ""
    datum: str = "wgs84"
    labels_url: str = ""          # a second, transparent layer of place names (Tianditu's cva)
    max_zoom: int = 18

    @property
    def is_gcj02(self) -> bool:
        return self.datum == "gcj02"

    @property
    def hosts(self) -> list[str]:
        """scheme://host of every tile server the browser may be sent to, {s} expanded."""
        found: list[str] = []
        for template in (self.url, self.labels_url):
            if not template:
                continue
            for sub in (self.subdomains or LEAFLET_SUBDOMAINS) if "{s}" in template else [""]:
                parts = urlsplit(template.replace("{s}", sub))
                origin = f"{parts.scheme}://{parts.netloc}"
                if origin not in found:
                    found.append(origin)
        return found

    def as_data(self) -> dict[str, str]:
        """The data-* attributes a map element carries (static/js/map.js, street-map.js)."""
        if self.kind == "none":
            return {}
        return {"basemap": self.url, "subdomains": self.subdomains, "attribution": self.attribution,
                "labels": self.labels_url, "max-zoom": str(self.max_zoom), "datum": self.datum}


class BasemapError(ValueError):
    """A base map setting that cannot work: raised at start-up, not on a page."""


def resolve(config: Mapping) -> Basemap:
    kind = str(config.get("BASEMAP") or "none").strip().lower()
    url = str(config.get("BASEMAP_URL") or "").strip()
    attribution = str(config.get("BASEMAP_ATTRIBUTION") or "").strip()
    if kind not in KINDS:
        raise BasemapError(f"GRID_BASEMAP must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "none":
        return Basemap("none")
    if kind == "tianditu":
        key = str(config.get("TIANDITU_KEY") or "").strip()
        if not key:
            raise BasemapError("GRID_BASEMAP=tianditu needs GRID_TIANDITU_KEY (a browser key from tianditu.gov.cn)")
        return Basemap(kind, TIANDITU.format(layer="vec", key=key, s="{s}", x="{x}", y="{y}", z="{z}"),
                       "01234567", attribution or "© 天地图 (国家地理信息公共服务平台)", "wgs84",
                       TIANDITU.format(layer="cva", key=key, s="{s}", x="{x}", y="{y}", z="{z}"))
    if kind == "osm":
        # A self-hosted OpenStreetMap tile server may be named in BASEMAP_URL.
        return Basemap(kind, url or OSM, LEAFLET_SUBDOMAINS if "{s}" in (url or OSM) else "",
                       attribution or "© OpenStreetMap contributors", "wgs84", max_zoom=19)
    if kind == "gaode":
        return Basemap(kind, GAODE, "1234", attribution or "© 高德地图 AutoNavi", "gcj02")
    if kind == "tencent":
        return Basemap(kind, TENCENT, "0123", attribution or "© 腾讯地图 Tencent", "gcj02")
    datum = str(config.get("BASEMAP_CRS") or "wgs84").strip().lower()
    if not url.startswith(("https://", "http://")):
        raise BasemapError("GRID_BASEMAP=custom needs GRID_BASEMAP_URL, an http(s) tile URL with {z}/{x}/{y}")
    if not attribution:
        raise BasemapError("GRID_BASEMAP=custom needs GRID_BASEMAP_ATTRIBUTION (who the tiles are from)")
    if datum not in DATUMS:
        raise BasemapError(f"GRID_BASEMAP_CRS must be wgs84 or gcj02, not {datum!r}")
    return Basemap(kind, url, LEAFLET_SUBDOMAINS if "{s}" in url else "", attribution, datum)
