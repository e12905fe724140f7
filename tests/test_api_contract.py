"""The API keeps to its OpenAPI document: schemathesis generates requests from
/api/v1/openapi.json (valid and invalid ones) and runs them against the app in-process, with a
token holding every scope. No answer may be a 5xx, every status code must be documented, and
every body must match its schema."""

from __future__ import annotations

from itertools import count

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from hotline.partners.api_clients import SCOPES, create_client
from hotline.web.api.openapi import DOCUMENT
from tests.support.builders import REPORTER_PHONE, kwilu_team, report

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12  # per operation and mode: 14 runs, well under a minute together


@pytest.fixture
def world(runtime):  # type: ignore[no-untyped-def]
    """Reports worth reading (one with a consenting reporter), a roster, and a token."""
    kwilu_team(runtime)
    made = [
        report(runtime, phone=REPORTER_PHONE, contact="callback", description="texte"),
        report(runtime, urgent=True),
        report(runtime, location="CD-KN/gombe"),
    ]
    with runtime.session() as db:
        _, token = create_client(db, runtime, "contract test", list(SCOPES), [])
        db.commit()
    return {"token": token, "references": [r.reference for r in made]}


OPERATIONS = [
    (path, method.upper())
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if method != "parameters"
]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=lambda v: v)
def test_the_api_keeps_to_its_openapi_document(app, world, clock, path, method, mode):  # type: ignore[no-untyped-def]
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    calls = count()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):  # type: ignore[no-untyped-def]
        clock.advance(seconds=61)  # a fresh rate window: the contract, not the limit, is tested
        n = next(calls)
        if case.path_parameters and n % 2:
            # Half the calls on a real report, so the answers about one are checked too.
            case.path_parameters["reference"] = world["references"][n % 3]
        case.call_and_validate(headers={"Authorization": f"Bearer {world['token']}"}, checks=CHECKS)

    check()


def test_the_document_is_served_and_names_every_route(client, app):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.json == DOCUMENT
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<reference>", "{reference}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes - {"/openapi.json"} == set(DOCUMENT["paths"])
