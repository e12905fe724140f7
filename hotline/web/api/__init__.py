"""REST API v1 for partner systems: JSON only, a bearer token per client, scopes and areas.

``init_api(app)`` registers the blueprint (CSRF-exempt: no session, no cookie, a token instead)
and a JSON error handler for everything under ``/api/``, so a malformed request gets a 4xx in
JSON, never an HTML page or a 5xx. Every action is audited with the actor "api:<client id>".
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from hotline.partners.api_clients import authenticate, over_rate_limit
from hotline.web.api.base import ApiError, bp, runtime

log = logging.getLogger(__name__)
PUBLIC_ENDPOINTS = {"api.openapi_document"}


def init_api(app: Flask) -> None:
    from hotline.web.api import openapi, reports, workers  # noqa: F401  (routes register on bp)
    from hotline.web.console.base import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)
    app.register_error_handler(HTTPException, http_error)


@bp.before_request
def authenticate_client() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    found = authenticate(runtime(), token.strip()) if kind.lower() == "bearer" else None
    if found is None:
        raise ApiError(
            401,
            "unauthorized",
            "a valid bearer token is required",
            **{"WWW-Authenticate": 'Bearer realm="hotline"'},
        )
    wait = over_rate_limit(runtime(), found)
    if wait is not None:
        raise ApiError(429, "rate_limited", "too many requests; retry later", **{"Retry-After": str(wait)})
    g.api_caller = found


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, error.headers)


@bp.errorhandler(Exception)
def unexpected_error(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return http_error(error)
    # Only the exception's type: its message could hold what the request carried.
    log.error("api %s failed: %s", request.endpoint, type(error).__name__)
    return error_response(500, "internal_error", "internal error")


def http_error(error: HTTPException) -> Any:
    """JSON for any HTTP error under /api/ (routing 404/405, body too large); others untouched."""
    if not request.path.startswith("/api/"):
        return error
    code = (error.name or "error").lower().replace(" ", "_")
    headers = (
        {"Allow": error.response.headers["Allow"]}
        if error.response is not None and "Allow" in error.response.headers
        else {}
    )
    if error.code == 405 and not headers:
        headers = {k: v for k, v in error.get_headers() if k == "Allow"}
    return error_response(error.code or 500, code, error.description or code, headers)


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response
