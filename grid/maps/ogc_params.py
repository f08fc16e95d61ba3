"""The query parameters of OGC API - Features (Part 1: Core), parsed and
checked without Flask or the database. A wrong value is a 400 that names the
parameter, so a GIS user sees what to change instead of an empty layer."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from grid.workdays import SHANGHAI

# Parameters every items request may carry; collections add their own filters.
COMMON = frozenset({"f", "bbox", "limit", "offset", "datetime"})
FORMATS = frozenset({"json", "geojson"})
# Timestamps are stored to the microsecond: an instant or a closed end is [t, t + TICK).
TICK = timedelta(microseconds=1)


class InvalidParameter(ValueError):
    """A query parameter the API does not know or cannot read (OGC code InvalidParameterValue)."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class ItemsQuery:
    limit: int
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    # [start, end): either end open (None).
    interval: tuple[datetime | None, datetime | None] | None = None
    filters: tuple[tuple[str, str], ...] = ()


def check_format(value: str | None) -> None:
    if value is not None and value not in FORMATS:
        raise InvalidParameter("f", f"f={value} is not offered: this API serves JSON only (f=json).")


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """minLon,minLat,maxLon,maxLat in WGS 84 (CRS84). Six numbers (with heights)
    are accepted and the heights ignored: features here are flat."""
    parts = text.split(",")
    if len(parts) not in (4, 6):
        raise InvalidParameter("bbox", "bbox needs 4 numbers: minLon,minLat,maxLon,maxLat (WGS 84).")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise InvalidParameter("bbox", "bbox needs 4 numbers: minLon,minLat,maxLon,maxLat (WGS 84).") from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    west, south, east, north = numbers
    if not all(-180 <= lon <= 180 for lon in (west, east)) or not all(-90 <= lat <= 90 for lat in (south, north)):
        raise InvalidParameter("bbox", "bbox is outside -180..180 longitude / -90..90 latitude: "
                                       "give longitude first, in degrees (WGS 84).")
    if south > north:
        raise InvalidParameter("bbox", "bbox: the second number (south) is larger than the fourth (north).")
    if west > east:
        # Legal in OGC (crossing the antimeridian) but never meant in China: say so plainly.
        raise InvalidParameter("bbox", "bbox: the first number (west) is larger than the third (east).")
    return west, south, east, north


# The largest offset (and feature id) PostgreSQL takes as an integer; above it
# the query would fail instead of answering 400 (or 404 for an id).
MAX_OFFSET = MAX_ID = 2**31 - 1


def parse_limit(text: str | None, *, default: int, maximum: int) -> int:
    """The page size. Above `maximum` the maximum is used, as the standard asks."""
    if text is None:
        return min(default, maximum)
    if not is_digits(text) or int(text) < 1:
        raise InvalidParameter("limit", "limit must be a whole number of at least 1.")
    return min(int(text), maximum)


def parse_offset(text: str | None) -> int:
    if text is None:
        return 0
    if not is_digits(text):
        raise InvalidParameter("offset", "offset must be a whole number of at least 0.")
    if int(text) > MAX_OFFSET:
        raise InvalidParameter("offset", f"offset must be at most {MAX_OFFSET}.")
    return int(text)


def is_digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes "²" or "٣", which int() refuses or reads."""
    return text.isascii() and text.isdigit()


def is_date(text: str) -> bool:
    # GDAL 3.6 sends a date as "2026-11-01T" (a date-time without the time).
    return "T" not in text.removesuffix("T") and " " not in text


def parse_instant(text: str) -> datetime:
    """An RFC 3339 date-time (a time zone is required) or a plain date: a day
    in Asia/Shanghai, the day people here mean."""
    try:
        if is_date(text):
            return datetime.fromisoformat(text.removesuffix("T")).replace(tzinfo=SHANGHAI)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidParameter("datetime", f"datetime: {text!r} is not an RFC 3339 date-time, "
                                           "e.g. 2026-11-01T00:00:00Z.") from None
    if moment.tzinfo is None:
        raise InvalidParameter("datetime", "datetime: give a time zone, e.g. 2026-11-01T00:00:00+08:00.")
    return moment


def parse_datetime(text: str) -> tuple[datetime | None, datetime | None]:
    """An instant or an interval `start/end`, `..` (or nothing) for an open end,
    as a half-open [start, end). Ends are included: a date-time end up to that
    moment, a date end up to the end of that day."""
    first, slash, second = text.partition("/")
    if not slash:
        return parse_instant(text), end_after(text)
    start = None if first in ("", "..") else parse_instant(first)
    end = None if second in ("", "..") else end_after(second)
    if start is None and end is None:
        raise InvalidParameter("datetime", "datetime: at least one end of the interval must be given.")
    if start is not None and end is not None and start >= end:
        raise InvalidParameter("datetime", "datetime: the interval ends before it starts.")
    return start, end


def end_after(text: str) -> datetime:
    """The first moment after the instant or day `text`."""
    return parse_instant(text) + (timedelta(days=1) if is_date(text) else TICK)


def parse_items_query(args, *, filters: dict[str, tuple[str, ...]], default_limit: int,
                      max_limit: int) -> ItemsQuery:
    """The whole items request. `args` is a multidict of query parameters;
    `filters` maps the properties this collection filters on to their allowed
    values (empty: any value)."""
    unknown = sorted(set(args) - COMMON - set(filters))
    if unknown:
        known = ", ".join(sorted(COMMON | set(filters)))
        raise InvalidParameter(unknown[0], f"Unknown parameter {unknown[0]!r}. Known: {known}.")
    check_format(args.get("f"))
    for name, allowed in filters.items():
        if allowed and name in args and args[name] not in allowed:
            raise InvalidParameter(name, f"{name} must be one of: {', '.join(allowed)}.")
    bbox = args.get("bbox")
    moment = args.get("datetime")
    return ItemsQuery(
        limit=parse_limit(args.get("limit"), default=default_limit, maximum=max_limit),
        offset=parse_offset(args.get("offset")),
        bbox=parse_bbox(bbox) if bbox is not None else None,
        interval=parse_datetime(moment) if moment is not None else None,
        filters=tuple((name, args[name]) for name in sorted(filters) if name in args),
    )
