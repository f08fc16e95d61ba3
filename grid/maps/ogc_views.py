"""OGC API - Features for GIS tools (QGIS, GDAL's OAPIF driver).

JSON only (no HTML representation: the app's own map is the page for
people). GET only. A personal API token (Bearer, or the password of HTTP
Basic) or a login session signs in; without either the answer is a 401 with
a challenge, never the login page. Errors use OGC's exception shape
{"code", "description"}."""
from datetime import datetime, timezone

from flask import Blueprint, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException, NotFound

from grid.accounts import tokens
from grid.maps import ogc, ogc_openapi, ogc_params
from grid.maps.ogc_params import InvalidParameter, ItemsQuery, check_format, parse_items_query

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
tokens.accept_tokens(bp)

JSON = "application/json"
GEOJSON = "application/geo+json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
CHALLENGE = 'Bearer realm="grid", Basic realm="grid"'


def ogc_error(status: int, code: str, description: str, **headers):
    response = document({"code": code, "description": description})
    response.status_code = status
    response.headers.update(headers)
    return response


@bp.before_request
def require_api_user():
    if not current_user.is_authenticated:
        challenge = CHALLENGE
        if tokens.has_credential(request):
            # RFC 6750: tell the client its token was refused, not merely missing.
            challenge = 'Bearer realm="grid", error="invalid_token", Basic realm="grid"'
        return ogc_error(401, "Unauthorized", _("Sign in with a personal API token (make one at %(url)s), sent "
                                                "as a Bearer token or as the password of HTTP Basic.",
                                                url=url_for("api_tokens.index", _external=True)),
                         **{"WWW-Authenticate": challenge})
    if not tokens.may_use_api(current_user):
        raise NotFound()
    check_format(request.args.get("f"))


@bp.errorhandler(InvalidParameter)
def invalid_parameter(error: InvalidParameter):
    return ogc_error(400, "InvalidParameterValue", error.message)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    code = "NotFound" if error.code == 404 else error.name.replace(" ", "")
    return ogc_error(error.code or 500, code, _("This collection or feature does not exist or you do not "
                                                "have access to it.") if error.code == 404 else error.description)


def link(href: str, rel: str, media_type: str, title: str | None = None) -> dict:
    found = {"href": href, "rel": rel, "type": media_type}
    if title:
        found["title"] = title
    return found


def document(body: dict, media_type: str = JSON):
    # Keys in the order written (GDAL and QGIS take a layer's field order from
    # the first feature's properties), Chinese names as they are (UTF-8), compact.
    body = current_app.json.dumps(body, sort_keys=False, ensure_ascii=False, separators=(",", ":"))
    return current_app.response_class(body, mimetype=media_type)


def collection_or_404(collection_id: str) -> ogc.Collection:
    collection = ogc.COLLECTIONS.get(collection_id)
    if collection is None:
        raise NotFound()
    return collection


def api_title() -> str:
    return _("Grid governance: units and events")


def api_description() -> str:
    return _("The units and events of your area for GIS tools, as OGC API - Features (GeoJSON, WGS 84). JSON only.")


@bp.get("", strict_slashes=False)
def landing():
    return document({
        "title": api_title(),
        "description": api_description(),
        "links": [
            link(url_for(".landing", _external=True), "self", JSON, _("This document")),
            link(url_for(".api", _external=True), "service-desc", ogc_openapi.OPENAPI_MEDIA_TYPE,
                 _("The API definition (OpenAPI 3.0)")),
            link(url_for(".conformance", _external=True), "conformance", JSON, _("Conformance classes")),
            link(url_for(".collections", _external=True), "data", JSON, _("Collections")),
        ],
    })


@bp.get("/api")
def api():
    cfg = current_app.config
    return document(ogc_openapi.openapi_document(
        url_for(".landing", _external=True), title=api_title(), description=api_description(),
        default_limit=cfg["OGC_DEFAULT_LIMIT"], max_limit=cfg["OGC_MAX_LIMIT"]), ogc_openapi.OPENAPI_MEDIA_TYPE)


@bp.get("/conformance")
def conformance():
    return document({"conformsTo": CONFORMANCE})


@bp.get("/collections")
def collections():
    now = datetime.now(timezone.utc)
    return document({
        "links": [link(url_for(".collections", _external=True), "self", JSON)],
        "collections": [describe(collection, ogc.extent(collection, current_user, now))
                        for collection in ogc.COLLECTIONS.values()],
    })


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    found = collection_or_404(collection_id)
    return document(describe(found, ogc.extent(found, current_user, datetime.now(timezone.utc))))


def describe(collection: ogc.Collection, extent: list[float] | None) -> dict:
    body = {
        "id": collection.id,
        "title": str(collection.title),
        "description": str(collection.description),
        "itemType": "feature",
        "crs": [ogc.CRS84],
        "links": [
            link(url_for(".collection", collection_id=collection.id, _external=True), "self", JSON),
            link(url_for(".items", collection_id=collection.id, _external=True), "items", GEOJSON,
                 str(collection.title)),
            # Relation types are case-insensitive (RFC 8288); GDAL 3.6 looks for this spelling.
            link(url_for(".schema", collection_id=collection.id, _external=True), "describedBy",
                 ogc_openapi.SCHEMA_MEDIA_TYPE),
        ],
    }
    if extent is not None:
        body["extent"] = {"spatial": {"bbox": [extent], "crs": ogc.CRS84}}
    return body


@bp.get("/collections/<collection_id>/schema")
def schema(collection_id: str):
    return document(ogc_openapi.feature_schema(collection_or_404(collection_id)), ogc_openapi.SCHEMA_MEDIA_TYPE)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    found = collection_or_404(collection_id)
    cfg = current_app.config
    query = parse_items_query(request.args, filters=found.filters, default_limit=cfg["OGC_DEFAULT_LIMIT"],
                              max_limit=cfg["OGC_MAX_LIMIT"])
    moment = datetime.now(timezone.utc)
    page = ogc.items(found, current_user, query, now=moment)
    return document({
        "type": "FeatureCollection",
        "features": page.features,
        "links": page_links(found, query, page),
        "numberMatched": page.number_matched,
        "numberReturned": len(page.features),
        "timeStamp": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
    }, GEOJSON)


def page_links(collection: ogc.Collection, query: ItemsQuery, page: ogc.Page) -> list[dict]:
    """self and collection always; next while more match, prev after the first page."""
    found = [link(page_url(collection, query.offset, query.limit), "self", GEOJSON),
             link(url_for(".collection", collection_id=collection.id, _external=True), "collection", JSON)]
    if query.offset + len(page.features) < page.number_matched:
        found.append(link(page_url(collection, query.offset + query.limit, query.limit), "next", GEOJSON,
                          _("Next page")))
    if query.offset > 0:
        found.append(link(page_url(collection, max(query.offset - query.limit, 0), query.limit), "prev", GEOJSON,
                          _("Previous page")))
    return found


def page_url(collection: ogc.Collection, offset: int, limit: int) -> str:
    """This request's URL at another offset: filters kept, the effective limit spelt out."""
    params = {name: value for name, value in request.args.items() if name not in ("offset", "limit")}
    if offset:
        params["offset"] = offset
    return url_for(".items", collection_id=collection.id, limit=limit, **params, _external=True)


@bp.get("/collections/<collection_id>/items/<int:feature_id>")
def item(collection_id: str, feature_id: int):
    found = collection_or_404(collection_id)
    if feature_id > ogc_params.MAX_ID:
        raise NotFound()  # no such row, and PostgreSQL would refuse the number
    feature = ogc.item(found, current_user, feature_id, now=datetime.now(timezone.utc))
    if feature is None:
        raise NotFound()
    feature["links"] = [
        link(url_for(".item", collection_id=found.id, feature_id=feature_id, _external=True), "self", GEOJSON),
        link(url_for(".collection", collection_id=found.id, _external=True), "collection", JSON),
    ]
    return document(feature, GEOJSON)
