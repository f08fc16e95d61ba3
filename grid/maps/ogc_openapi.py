"""The OGC API's own description: an OpenAPI 3.0 document (the landing page's
service-desc) and a schema of each collection's features (its describedBy).

Both are made from the collections' property tables in ogc.py, so they cannot
drift from what the items really carry. GDAL reads the OpenAPI document to
learn which ?property=value filters it may send to the server instead of
filtering on the client, and the schema to know a layer's fields (and that
the dates are dates) even while the layer is empty. Schemas use the OpenAPI
3.0 dialect (`nullable`), which GDAL understands; plain type lists it does not."""
from grid.maps.ogc import COLLECTIONS, CRS84, Collection, Property

OPENAPI_MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_MEDIA_TYPE = "application/schema+json"
JSON = "application/json"
GEOJSON = "application/geo+json"


def property_schema(prop: Property) -> dict:
    schema = {"type": "string", "description": prop.description}
    if prop.format:
        schema["format"] = prop.format
    if prop.values:
        schema["enum"] = list(prop.values)
    if prop.nullable:
        schema["nullable"] = True
    return schema


def feature_schema(collection: Collection) -> dict:
    """A GeoJSON Feature of `collection`, with its properties spelt out."""
    return {
        "title": collection.id,
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer", "description": "Stable identifier; /items/{id} returns this feature."},
            "geometry": {"type": "object", "description": f"GeoJSON {collection.geometry}, WGS 84 longitude/latitude "
                                                          f"({CRS84})."},
            "properties": {"type": "object",
                           "properties": {prop.name: property_schema(prop) for prop in collection.properties}},
        },
    }


def query_parameter(name: str, description: str, schema: dict, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema, **extra}


def common_parameters(default_limit: int, max_limit: int) -> dict:
    return {
        "bbox": query_parameter("bbox", "minLon,minLat,maxLon,maxLat in WGS 84: only features that intersect it.",
                                {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
                                style="form", explode=False),
        "limit": query_parameter("limit", f"Features per page; larger values are served as {max_limit}.",
                                 {"type": "integer", "minimum": 1, "maximum": max_limit, "default": default_limit}),
        "offset": query_parameter("offset", "How many matching features to skip; follow the `next` link instead "
                                            "of counting yourself.", {"type": "integer", "minimum": 0, "default": 0}),
        "datetime": query_parameter("datetime", "An RFC 3339 instant or interval (`start/end`, `..` for an open "
                                                "end) on the collection's time property; ignored where it has none.",
                                    {"type": "string"}),
        "f": query_parameter("f", "The format: JSON only.", {"type": "string", "enum": ["json", "geojson"]}),
    }


def response(description: str, media_type: str, schema: dict | None = None) -> dict:
    return {"description": description, "content": {media_type: {"schema": schema or {"type": "object"}}}}


ERRORS = {
    "400": {"$ref": "#/components/responses/InvalidParameter"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
}


def get(summary: str, ok: dict, parameters: list | None = None) -> dict:
    operation = {"summary": summary, "responses": {"200": ok, **ERRORS}}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def collection_paths(collection: Collection) -> dict:
    base = f"/collections/{collection.id}"
    schema_ref = {"$ref": f"#/components/schemas/{collection.id}"}
    filters = [query_parameter(prop.name, f"Exact match: {prop.description}",
                               {"type": "string", **({"enum": list(prop.values)} if prop.values else {})})
               for prop in collection.properties if prop.is_filter]
    common = [{"$ref": f"#/components/parameters/{name}"} for name in ("bbox", "limit", "offset", "datetime", "f")]
    page = {"type": "object", "required": ["type", "features"],
            "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                           "features": {"type": "array", "items": schema_ref},
                           "links": {"type": "array", "items": {"type": "object"}},
                           "numberMatched": {"type": "integer"}, "numberReturned": {"type": "integer"},
                           "timeStamp": {"type": "string", "format": "date-time"}}}
    feature_id = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "integer"}}
    return {
        base: get(f"Describe {collection.id}", response("The collection", JSON)),
        f"{base}/schema": get(f"The schema of a feature of {collection.id}",
                              response("JSON Schema (OpenAPI 3.0 dialect)", SCHEMA_MEDIA_TYPE)),
        f"{base}/items": get(f"Features of {collection.id}, a page at a time",
                             response("A page of features", GEOJSON, page), common + filters),
        f"{base}/items/{{featureId}}": get(f"One feature of {collection.id}",
                                           response("The feature", GEOJSON, schema_ref), [feature_id]),
    }


def openapi_document(root_url: str, *, title: str, description: str, default_limit: int, max_limit: int) -> dict:
    """The OpenAPI 3.0 description of the API served at `root_url`."""
    paths = {
        "/": get("Landing page", response("Links to the API's parts", JSON)),
        "/api": get("This document", response("OpenAPI 3.0", OPENAPI_MEDIA_TYPE)),
        "/conformance": get("Conformance classes", response("The standards' parts the API implements", JSON)),
        "/collections": get("Collections", response("The collections", JSON)),
    }
    for collection in COLLECTIONS.values():
        paths.update(collection_paths(collection))
    error = {"type": "object", "properties": {"code": {"type": "string"}, "description": {"type": "string"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "description": description, "version": "1.0"},
        "servers": [{"url": root_url}],
        "security": [{"bearer": []}, {"basic": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token."},
                "basic": {"type": "http", "scheme": "basic",
                          "description": "Any user name (your own, by habit) and a personal API token as password."},
            },
            "parameters": common_parameters(default_limit, max_limit),
            "schemas": {collection.id: feature_schema(collection) for collection in COLLECTIONS.values()},
            "responses": {
                "InvalidParameter": response("A query parameter is unknown or has a wrong value", JSON, error),
                "Unauthorized": response("No valid token or login session", JSON, error),
                "NotFound": response("No such collection or feature, or not in your area", JSON, error),
            },
        },
    }
