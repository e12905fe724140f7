"""What every API module shares: the blueprint, the refusal type, the runtime, the calling
client and the scope decorator (the package's ``init_api`` wires them to the app)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, current_app, g, request

from hotline.partners.api_clients import Caller
from hotline.platform.runtime import Runtime

bp = Blueprint("api", __name__, url_prefix="/api/v1")

P = ParamSpec("P")
R = TypeVar("R")


class ApiError(Exception):
    """A refused request: HTTP status, a stable machine code and an English message."""

    def __init__(self, status: int, code: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def runtime() -> Runtime:
    return current_app.extensions["hotline"]


def caller() -> Caller:
    return g.api_caller


def scope(needed: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The view needs this scope; the scope is recorded on the view for the OpenAPI test."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not caller().may(needed):
                raise ApiError(403, "forbidden", f"this client lacks the scope {needed}")
            return view(*args, **kwargs)

        wrapper.__dict__["scope"] = needed  # a function attribute: no type says it, tests read it
        return wrapper

    return decorate


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body
