"""The OpenAPI 3.1 document of the public API: exactly what the endpoints return."""

from __future__ import annotations

from typing import Any

from popup.api.limits import DEFAULT_LIMIT, MAX_LIMIT
from popup.domain.vocabulary import SECTORS, UNIT_FEATURES, UNIT_STATUSES

NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_INTEGER = {"type": ["integer", "null"]}
NULLABLE_STRING = {"type": ["string", "null"]}

FIGURES = {
    "units": {"type": "integer", "minimum": 0, "description": "Units not archived"},
    "in_stock": {"type": "integer", "minimum": 0, "description": "Units still in the commercial stock"},
    "vacant": {"type": "integer", "minimum": 0},
    "vacancy_rate": {
        "type": ["number", "null"],
        "minimum": 0,
        "maximum": 1,
        "description": "vacant / in_stock; null when the stock is empty",
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "additionalProperties": False,
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string", "description": "What is wrong, in the request's language"},
            "status": {"type": "integer"},
            "parameter": {"type": "string", "description": "The query parameter at fault"},
        },
    },
    "Point": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"const": "Point"},
            "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        },
    },
    "Polygon": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"const": "Polygon"},
            "coordinates": {
                "type": "array",
                "items": {
                    "type": "array",
                    "minItems": 4,
                    "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                },
            },
        },
    },
    "UnitProperties": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "address",
            "status",
            "status_since",
            "floor_area_m2",
            "frontage_m",
            "ground_floor",
            "asking_rent_cents",
            "activity",
            "description",
            "features",
            "commune",
            "url",
        ],
        "properties": {
            "id": {"type": "integer"},
            "address": {"type": "string"},
            "status": {"enum": list(UNIT_STATUSES)},
            "status_since": {"type": "string", "format": "date"},
            "floor_area_m2": NULLABLE_NUMBER,
            "frontage_m": NULLABLE_NUMBER,
            "ground_floor": {"type": "boolean"},
            "asking_rent_cents": {**NULLABLE_INTEGER, "description": "Monthly asking rent in euro cents"},
            "activity": NULLABLE_STRING,
            "description": {"type": "string"},
            "features": {"type": "array", "items": {"enum": list(UNIT_FEATURES)}, "uniqueItems": True},
            "commune": {"type": "string", "description": "Slug of the commune"},
            "url": {"type": "string", "description": "The unit's public page"},
            "wishes": {
                "type": "object",
                "description": "Residents' wishes for the unit (one per person): only in the answer about one unit",
                "additionalProperties": False,
                "required": ["total", "by_sector"],
                "properties": {
                    "total": {"type": "integer", "minimum": 0},
                    "by_sector": {
                        "type": "object",
                        "propertyNames": {"enum": list(SECTORS)},
                        "additionalProperties": {"type": "integer", "minimum": 1},
                    },
                },
            },
        },
    },
    "UnitFeature": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "id": {"type": "integer"},
            "geometry": {"$ref": "#/components/schemas/Point"},
            "properties": {"$ref": "#/components/schemas/UnitProperties"},
        },
    },
    "UnitCollection": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "features", "truncated", "limit"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/UnitFeature"}},
            "truncated": {"type": "boolean", "description": "More units match than the limit let through"},
            "limit": {"type": "integer"},
        },
    },
    "CoreCollection": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["type", "id", "geometry", "properties"],
                    "properties": {
                        "type": {"const": "Feature"},
                        "id": {"type": "integer"},
                        "geometry": {"$ref": "#/components/schemas/Polygon"},
                        "properties": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["id", "name", "slug", "commune", *FIGURES],
                            "properties": {
                                "id": {"type": "integer"},
                                "name": {"type": "string"},
                                "slug": {"type": "string"},
                                "commune": {"type": "string"},
                                **FIGURES,
                            },
                        },
                    },
                },
            },
        },
    },
    "Stats": {
        "type": "object",
        "additionalProperties": False,
        "required": ["commune", "name", *FIGURES, "by_status", "cores", "streets"],
        "properties": {
            "commune": {"type": "string"},
            "name": {"type": "string"},
            **FIGURES,
            "by_status": {
                "type": "object",
                "propertyNames": {"enum": list(UNIT_STATUSES)},
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "cores": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "name", *FIGURES],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, **FIGURES},
                },
            },
            "streets": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["street", *FIGURES],
                    "properties": {"street": {"type": "string"}, **FIGURES},
                },
            },
        },
    },
}


def _json(schema: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _geojson(schema: str) -> dict:
    return {"application/geo+json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _param(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


ERRORS = {
    "400": {"description": "A parameter is malformed", "content": _json("Error")},
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document served at /api/v1/openapi.json."""
    list_of = {"type": "string", "description": "Comma-separated list"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "popup public API",
            "version": "1.0.0",
            "description": "Commercial units, commercial cores and vacancy figures. Public fields only. "
            "Coordinates are WGS84 longitude, latitude (RFC 7946).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/units": {
                "get": {
                    "summary": "Units in a bounding box, filtered",
                    "parameters": [
                        _param(
                            "bbox",
                            "minlon,minlat,maxlon,maxlat (WGS84)",
                            {"type": "string", "pattern": r"^[^,]+,[^,]+,[^,]+,[^,]+$"},
                        ),
                        _param("status", "Statuses, comma-separated: " + ", ".join(UNIT_STATUSES), list_of),
                        _param(
                            "limit",
                            f"At most this many units (default {DEFAULT_LIMIT})",
                            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                        ),
                        _param("commune", "Slug of a commune", {"type": "string"}),
                        _param("area_min", "Smallest floor area, m²", {"type": "number", "minimum": 0}),
                        _param("area_max", "Largest floor area, m²", {"type": "number", "minimum": 0}),
                        _param("rent_min", "Lowest monthly asking rent, euros", {"type": "string"}),
                        _param("rent_max", "Highest monthly asking rent, euros", {"type": "string"}),
                        _param("core", "Id of a commercial core", {"type": "integer"}),
                        _param("features", "Features, comma-separated: " + ", ".join(UNIT_FEATURES), list_of),
                        _param("q", "Text in the address, activity or reference", {"type": "string"}),
                    ],
                    "responses": {
                        "200": {"description": "GeoJSON FeatureCollection", "content": _geojson("UnitCollection")},
                        **ERRORS,
                    },
                }
            },
            "/units/{unit_id}": {
                "get": {
                    "summary": "One unit",
                    "parameters": [{"name": "unit_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {"description": "GeoJSON Feature", "content": _geojson("UnitFeature")},
                        "404": {"description": "No public unit has this id", "content": _json("Error")},
                    },
                }
            },
            "/cores": {
                "get": {
                    "summary": "Commercial cores with their vacancy",
                    "parameters": [_param("commune", "Slug of a commune", {"type": "string"})],
                    "responses": {
                        "200": {"description": "GeoJSON FeatureCollection", "content": _geojson("CoreCollection")},
                        "404": {"description": "Unknown commune", "content": _json("Error")},
                    },
                }
            },
            "/stats": {
                "get": {
                    "summary": "Vacancy figures of a commune, its cores and streets",
                    "parameters": [_param("commune", "Slug of a commune", {"type": "string"}, required=True)],
                    "responses": {
                        "200": {"description": "Figures", "content": _json("Stats")},
                        **ERRORS,
                        "404": {"description": "Unknown commune", "content": _json("Error")},
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
