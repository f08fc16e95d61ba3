"""What the OGC API - Features serves: two collections, narrowed to what the
user may see, as GeoJSON built in PostGIS (one round trip per page).

`units` are the street offices, communities and grids of the user's scope;
`events` are the events the user may see, with their public fields only:
never the description, the address, the reporter or the requester (names,
phones) and never photos. Coordinates are WGS 84 longitude/latitude (CRS84)."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Select, func, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from grid.accounts.access import units_in_scope
from grid.accounts.models import User
from grid.events.models import Event, EventCategory
from grid.events.queries import light_sql
from grid.events.scope import visible
from grid.events.services import PRIORITIES
from grid.events.workflow import STATES
from grid.extensions import db
from grid.geo import LEVELS, SRID
from grid.maps.ogc_params import ItemsQuery
from grid.places.models import Unit

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
# The values of events.queries.light_sql.
LIGHTS = ("red", "yellow", "green")
# ~0.1 m: finer than any boundary survey here, and a third smaller than full precision.
DIGITS = 6


@dataclass(frozen=True)
class Property:
    """A feature property as the API describes it (OpenAPI, JSON Schema) and filters on it."""

    name: str
    description: str
    format: str | None = None            # "date-time"
    values: tuple[str, ...] = ()         # the only values it takes, if a fixed list
    nullable: bool = False
    # Whether ?name=value narrows the items (exact match).
    is_filter: bool = False


@dataclass(frozen=True)
class Collection:
    id: str
    title: object
    description: object
    properties: tuple[Property, ...]
    geometry: str                        # the GeoJSON geometry type of every feature
    # The property `datetime` filters on; None: the parameter is accepted and ignored.
    temporal: str | None

    @property
    def filters(self) -> dict[str, tuple[str, ...]]:
        """Filterable property names and their allowed values (empty: any)."""
        return {p.name: p.values for p in self.properties if p.is_filter}


COLLECTIONS = {
    "units": Collection(
        "units", _l("Units"),
        _l("The street offices, communities and grids of your area: code, name, level and the parent's code."),
        (Property("code", "The unit's code (unique).", is_filter=True),
         Property("name", "The unit's name."),
         Property("level", "Where the unit sits in the hierarchy.", values=LEVELS, is_filter=True),
         Property("parent_code", "The code of the unit it belongs to (none for the district).", nullable=True,
                  is_filter=True)),
        "MultiPolygon", None),
    "events": Collection(
        "events", _l("Events"),
        _l("The events of your area: number, category, state, priority, traffic light, reported and due "
           "dates, grid. Descriptions, addresses, photos and people's names and phones are never included."),
        (Property("number", "The event's number, e.g. 20261122-0007."),
         Property("category_code", "The category's code.", is_filter=True),
         Property("category", "The category's name (Chinese)."),
         Property("state", "Where the event stands in its workflow.", values=STATES, is_filter=True),
         Property("priority", "urgent or normal.", values=PRIORITIES, is_filter=True),
         Property("light", "The current step's traffic light; none when closed or without a deadline.",
                  values=LIGHTS, nullable=True, is_filter=True),
         Property("reported_at", "When it was reported (RFC 3339); `datetime` filters on it.", "date-time"),
         Property("due_at", "When the current step is due (RFC 3339).", "date-time", nullable=True),
         Property("grid_code", "The code of the grid it lies in.", is_filter=True)),
        "Point", "reported_at"),
}
@dataclass(frozen=True)
class Page:
    features: list[dict]
    number_matched: int


def unit_rows(user: User) -> Select:
    """The units the user may see, one column per property plus id and geometry."""
    parent = aliased(Unit)
    stmt = (select(Unit.id, Unit.code, Unit.name, Unit.level, parent.code.label("parent_code"),
                   Unit.boundary.label("geometry"), Unit.code.label("sort_key"))
            .outerjoin(parent, Unit.parent_id == parent.id))
    return units_in_scope(user, stmt)


def event_rows(user: User, now: datetime) -> Select:
    """The events the user may see, public fields only (the light as of `now`)."""
    grid = aliased(Unit)
    return (select(Event.id, Event.number, EventCategory.code.label("category_code"),
                   EventCategory.name_zh.label("category"), Event.state, Event.priority,
                   light_sql(now).label("light"), Event.reported_at, Event.due_at, grid.code.label("grid_code"),
                   Event.location.label("geometry"), Event.id.label("sort_key"))
            .join(EventCategory, Event.category_id == EventCategory.id)
            .join(grid, Event.grid_id == grid.id)
            .where(visible(user)))


def rows_of(collection: Collection, user: User, now: datetime) -> Select:
    if collection.id == "units":
        return unit_rows(user)
    return event_rows(user, now)


def narrowed(collection: Collection, user: User, now: datetime, query: ItemsQuery):
    """The collection's rows for `user`, narrowed by the request, as a subquery."""
    rows = rows_of(collection, user, now).subquery()
    stmt = select(rows)
    if query.bbox is not None:
        # ST_Intersects uses the geometry's spatial index through its built-in && test.
        stmt = stmt.where(func.ST_Intersects(rows.c.geometry, func.ST_MakeEnvelope(*query.bbox, SRID)))
    if query.interval is not None and collection.temporal is not None:
        start, end = query.interval
        column = rows.c[collection.temporal]
        if start is not None:
            stmt = stmt.where(column >= start)
        if end is not None:
            stmt = stmt.where(column < end)
    for name, value in query.filters:
        stmt = stmt.where(rows.c[name] == value)
    return stmt.subquery()


def feature_json(rows, collection: Collection):
    """One row as a GeoJSON Feature, in SQL."""
    properties = []
    for prop in collection.properties:
        properties += [prop.name, rows.c[prop.name]]
    return func.json_build_object(
        "type", "Feature", "id", rows.c.id,
        "geometry", func.ST_AsGeoJSON(rows.c.geometry, DIGITS).cast(JSON),
        "properties", func.json_build_object(*properties),
    )


def items(collection: Collection, user: User, query: ItemsQuery, *, now: datetime) -> Page:
    """One page of the collection for `user`: features in a stable order
    (unit code, event id) and how many match the whole request."""
    matching = narrowed(collection, user, now, query)
    page = (select(matching).order_by(matching.c.sort_key).limit(query.limit).offset(query.offset)).subquery()
    features = select(func.coalesce(func.json_agg(aggregate_order_by(feature_json(page, collection), page.c.sort_key)),
                                    text("'[]'::json"))).scalar_subquery()
    matched = select(func.count()).select_from(matching).scalar_subquery()
    found, count = db.session.execute(select(features, matched)).one()
    return Page(features=found, number_matched=count)


def item(collection: Collection, user: User, feature_id: int, *, now: datetime) -> dict | None:
    """One feature, or None when it does not exist for `user`."""
    rows = rows_of(collection, user, now).subquery()
    one = select(rows).where(rows.c.id == feature_id).subquery()
    return db.session.scalar(select(feature_json(one, collection)))


def area_extent(user: User) -> list[float] | None:
    """[west, south, east, north] of the user's area, or None when it is empty."""
    box = func.ST_Extent(Unit.boundary)
    row = db.session.execute(units_in_scope(user, select(func.ST_XMin(box), func.ST_YMin(box),
                                                         func.ST_XMax(box), func.ST_YMax(box)))).one()
    return None if row[0] is None else list(row)


def events_extent(user: User, now: datetime) -> list[float] | None:
    """[west, south, east, north] of the events the user may see, or None when
    there are none. Not the area's: an open event whose point a boundary change
    left outside every grid keeps its old grid (grid/events/regrid.py), so it
    may lie outside the grids. One aggregate over the points' bounding boxes."""
    rows = event_rows(user, now).subquery()
    box = func.ST_Extent(rows.c.geometry)
    row = db.session.execute(select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box),
                                    func.ST_YMax(box))).one()
    return None if row[0] is None else list(row)


def extent(collection: Collection, user: User, now: datetime) -> list[float] | None:
    """The collection's spatial extent for `user`."""
    if collection.id == "units":
        return area_extent(user)
    return events_extent(user, now)
