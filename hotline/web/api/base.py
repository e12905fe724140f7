"""What every API module shares: the blueprint, the refusal type, the runtime, the calling
client and the scope decorator (the package's ``init_api`` wires them to the app)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, request

from hotline.partners.api_clients import Caller
from hotline.platform.runtime import Runtime

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    """A refused request: HTTP status, a stable machine code and an English message."""

    def __init__(self, status: int, code: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def runtime() -> Runtime:
    return current_app.extensions["hotline"]


def caller() -> Caller:
    return g.api_caller


def scope(needed: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view needs this scope; the scope is recorded on the view for the OpenAPI test."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not caller().may(needed):
                raise ApiError(403, "forbidden", f"this client lacks the scope {needed}")
            return view(*args, **kwargs)

        wrapper.scope = needed  # type: ignore[attr-defined]
        return wrapper

    return decorate


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body
