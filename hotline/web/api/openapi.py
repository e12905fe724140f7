"""The OpenAPI 3.1 description of API v1, as data, served at /api/v1/openapi.json.

tests/test_api_contract.py runs schemathesis against it, so a change to the API that is not
made here too fails the suite.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from hotline.models import CATEGORIES, REPORT_STATUSES
from hotline.partners.api_clients import SCOPES
from hotline.web.api.base import bp
from hotline.web.api.reports import MAX_LIMIT


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    status: {"$ref": f"#/components/responses/{name}"}
    for status, name in (
        ("400", "BadRequest"),
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("404", "NotFound"),
        ("405", "NotAllowed"),
        ("413", "TooLarge"),
        ("415", "BadRequest"),
        ("429", "RateLimited"),
    )
}
REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_BOOL = {"type": ["boolean", "null"]}
NULLABLE_TEXT = {"type": ["string", "null"]}
MASKED_PHONE = r"^\+\d{3} \d\d\* \*\*\* \*\d{3}$|^\*\*\*$"  # hotline.platform.phones.mask


def _body(properties: dict[str, Any], required: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": properties, "required": [required]}
            }
        },
    }


def _op(summary: str, scope: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "summary": summary,
        "security": [{"bearer": [scope]}],
        "x-scope": scope,
        "responses": {**responses, **ERRORS},
        **extra,
    }


SUMMARY_FIELDS: dict[str, Any] = {
    "reference": {"type": "string"},
    "status": {"enum": list(REPORT_STATUSES)},
    "category": {"enum": list(CATEGORIES)},
    "urgent": {"type": "boolean"},
    "channel": {"type": "string"},
    "language": {"type": "string"},
    "location_code": {"type": "string"},
    "people_count": NULLABLE_INT,
    "children_involved": NULLABLE_BOOL,
    "contact": {"enum": ["callback", "confidential", "anonymous"]},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
    "accepted_at": NULLABLE_TIME,
    "finished_at": NULLABLE_TIME,
}
SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "ReportSummary": {
        "type": "object",
        "required": list(SUMMARY_FIELDS),
        "additionalProperties": False,
        "properties": SUMMARY_FIELDS,
    },
    "Report": {
        "type": "object",
        "required": [*SUMMARY_FIELDS, "events"],
        "properties": {
            **SUMMARY_FIELDS,
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["at", "kind"],
                    "properties": {
                        "at": {"type": "string", "format": "date-time"},
                        "kind": {"type": "string"},
                    },
                },
            },
            "description": NULLABLE_TEXT,
            "place_detail": NULLABLE_TEXT,
        },
    },
    "ReportPage": {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": _ref("ReportSummary")},
            "next_cursor": NULLABLE_TEXT,
        },
    },
    "Contact": {
        "type": "object",
        "required": ["reference", "phone", "consent"],
        "properties": {
            "reference": {"type": "string"},
            "phone": {"type": "string"},
            "consent": {"const": "callback"},
            "safe_time": NULLABLE_TEXT,
        },
    },
    "Worker": {
        "type": "object",
        "required": ["id", "name", "role", "active", "areas", "phone"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "role": {"type": "string"},
            "language": {"type": "string"},
            "active": {"type": "boolean"},
            "areas": {"type": "array", "items": {"type": "string"}},
            "phone": {"type": "string", "pattern": MASKED_PHONE},
        },
    },
    "Roster": {
        "type": "object",
        "required": ["area", "timezone", "on_call"],
        "properties": {
            "area": {"type": "string"},
            "timezone": {"type": "string"},
            "on_call": {
                "type": "object",
                "additionalProperties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "name"],
                        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                    },
                },
            },
        },
    },
}
RESPONSES = {
    name: _json(_ref("Error"), description)
    for name, description in (
        ("BadRequest", "Malformed request"),
        ("Unauthorized", "Missing, unknown or revoked token"),
        ("Forbidden", "The client lacks the scope, or the reporter did not consent"),
        ("NotFound", "No such report for this client"),
        ("NotAllowed", "Method not allowed"),
        ("TooLarge", "Body over 16 KiB"),
        ("RateLimited", "Too many requests (see Retry-After)"),
        ("Refused", "The change is not allowed in the report's current state"),
    )
}
LIST_PARAMETERS = [
    {"name": "status", "in": "query", "schema": {"enum": list(REPORT_STATUSES)}},
    {"name": "category", "in": "query", "schema": {"enum": list(CATEGORIES)}},
    {
        "name": "area",
        "in": "query",
        "description": "a location code: a province or a place",
        "schema": {"type": "string"},
    },
    {"name": "urgent", "in": "query", "schema": {"enum": ["true", "false"]}},
    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    {"name": "until", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    {"name": "cursor", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{1,10}$"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
]
REFUSED = {"422": {"$ref": "#/components/responses/Refused"}}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Hotline API",
        "version": "1.0.0",
        "description": "Reports, workers and rosters for partner systems. Every call is "
        "audited; personal data needs the reports:personal scope.",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/reports": {
            "get": _op(
                "List reports, newest first",
                "reports:read",
                {"200": _json(_ref("ReportPage"), "A page of reports")},
                parameters=LIST_PARAMETERS,
            )
        },
        "/reports/{reference}": {
            "parameters": [REFERENCE],
            "get": _op("Read one report", "reports:read", {"200": _json(_ref("Report"), "The report")}),
        },
        "/reports/{reference}/status": {
            "parameters": [REFERENCE],
            "post": _op(
                "Change a report's status",
                "reports:write",
                {"200": _json(_ref("ReportSummary"), "The report after the change"), **REFUSED},
                requestBody=_body({"status": {"enum": list(REPORT_STATUSES)}}, "status"),
            ),
        },
        "/reports/{reference}/notes": {
            "parameters": [REFERENCE],
            "post": _op(
                "Add a note to a report's timeline",
                "reports:write",
                {"201": _json(_ref("ReportSummary"), "The report"), **REFUSED},
                requestBody=_body({"text": {"type": "string", "maxLength": 2000}}, "text"),
            ),
        },
        "/reports/{reference}/contact": {
            "parameters": [REFERENCE],
            "post": _op(
                "The reporter's number, if they agreed to be called back (audited)",
                "reports:personal",
                {"200": _json(_ref("Contact"), "The contact")},
                requestBody=_body({"reason": {"type": "string", "minLength": 10}}, "reason"),
            ),
        },
        "/workers": {
            "get": _op(
                "Social workers (numbers masked)",
                "workers:read",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["items"],
                            "properties": {"items": {"type": "array", "items": _ref("Worker")}},
                        },
                        "Workers",
                    )
                },
            )
        },
        "/rosters": {
            "get": _op(
                "Who is on call now, per roster",
                "workers:read",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["at", "items"],
                            "properties": {
                                "at": {"type": "string", "format": "date-time"},
                                "items": {"type": "array", "items": _ref("Roster")},
                            },
                        },
                        "Rosters",
                    )
                },
            )
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "Scopes: " + ", ".join(SCOPES)}
        },
        "schemas": SCHEMAS,
        "responses": RESPONSES,
    },
}


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(DOCUMENT)
