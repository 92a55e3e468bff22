"""openapi.json is the HTTP API as the code describes it: committed, and failing here when they differ."""

from __future__ import annotations

import json

from kith_local.openapi import OPENAPI_FILE, SCHEME, openapi_document, rendered
from kith_local.template import functions, load_template


def test_the_committed_document_is_the_one_the_code_generates() -> None:
    committed = OPENAPI_FILE.read_text(encoding="utf-8")
    generated = rendered(openapi_document())
    assert committed == generated, "openapi.json is stale: run `make openapi` and commit it"


def test_it_is_openapi_3_1_and_every_route_of_the_template_is_in_it() -> None:
    document = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    assert document["openapi"] == "3.1.0"
    described = {(path, method.upper()) for path, operations in document["paths"].items() for method in operations}
    routed = {
        (route.path, route.method)
        for name, spec in functions(load_template()).items()
        for route in spec.routes
        if route.method != "ANY" and name != "ConsoleFunction"
    }
    # Every route the template gives its own function is described; the API's /v1/{proxy+} is described route by
    # route; the console's files (/, /console, /console/{proxy+}) are pages, not API
    assert routed <= described
    assert {path for path, _ in described if path.startswith("/v1/")} >= {"/v1/contacts", "/v1/imports", "/v1/export"}


def test_the_owner_routes_need_the_jwt_and_webhooks_and_links_do_not() -> None:
    document = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    assert document["components"]["securitySchemes"][SCHEME] == {
        "bearerFormat": "JWT",
        "scheme": "bearer",
        "type": "http",
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            expected = [{SCHEME: []}] if path.startswith("/v1/") else None
            assert operation.get("security") == expected, f"{method.upper()} {path}"
