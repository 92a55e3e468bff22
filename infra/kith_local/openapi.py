"""openapi.json: the HTTP API's OpenAPI 3.1 document, generated from the functions' own routes and models.

Each function behind the HTTP API (the owner's API, the webhooks, the one-click links) describes its
routes through Powertools; the documents are merged into one. The /v1 routes carry the JWT
authorizer's bearer scheme; webhooks and links carry their own proof and no scheme.
`make openapi` writes it; a test fails when the committed file and the code differ.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from kith_local.template import REPOSITORY, functions, load_template

OPENAPI_FILE = REPOSITORY / "openapi.json"
TITLE = "Kith"
VERSION = "0.1.0"
SCHEME = "ownerJwt"


def _app_of(name: str, module_file: Path) -> Any:
    """The function's Powertools resolver, or None for one that has none (the console, which serves files)."""
    spec = importlib.util.spec_from_file_location(f"kith_openapi_{name.lower()}", module_file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {module_file}")
    module = importlib.util.module_from_spec(spec)
    # Registered, so the routes' postponed annotations (Response[str]) resolve against the module.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return getattr(module, "app", None)


# Routes that read their body as it comes (a file, a form, a provider's signed bytes): Powertools sees no model.
_RAW_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("/v1/imports", "post"): {
        "description": "The contact file, as it is: LinkedIn Connections.csv, Google Contacts CSV, vCard or Kith CSV.",
        "required": True,
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}}
            for kind in ("text/csv", "text/vcard", "application/octet-stream")
        },
    },
    ("/a/{token}", "post"): {
        "description": "The confirmation page's form; mail providers send `List-Unsubscribe=One-Click` (RFC 8058).",
        "required": False,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "until": {"type": "string", "format": "date", "description": "pause: the day nudges resume"},
                        "circle": {"type": "string", "enum": ["inner", "core", "wider"], "description": "add"},
                        "List-Unsubscribe": {"type": "string", "enum": ["One-Click"]},
                    },
                }
            }
        },
    },
    ("/webhooks/{provider}/{connection_id}", "post"): {
        "description": "The provider's notification, verified over its raw bytes (signature, channel token or "
        "clientState, per provider).",
        "required": False,
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
}


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = {}
    for name, spec in sorted(functions(load_template()).items()):
        app = _app_of(name, spec.module_file) if spec.routes else None
        if app is None:
            continue
        schema = json.loads(
            app.get_openapi_json_schema(
                title=TITLE,
                version=VERSION,
                description="Kith's HTTP API: contacts, interactions, goals, settings, calendar connections, "
                "imports, export and erasure under /v1 (JWT); calendar webhooks; one-click email links.",
                security_schemes={SCHEME: HTTPBearer(bearerFormat="JWT")},
            )
        )
        if not document:
            document = schema
            continue
        document["paths"].update(schema.get("paths", {}))
        components = document.setdefault("components", {})
        for kind, entries in schema.get("components", {}).items():
            components.setdefault(kind, {}).update(entries)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/v1/"):
                operation["security"] = [{SCHEME: []}]
            if (path, method) in _RAW_BODIES:
                operation["requestBody"] = _RAW_BODIES[(path, method)]
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


def rendered(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_openapi(path: Path = OPENAPI_FILE) -> Path:
    path.write_text(rendered(openapi_document()), encoding="utf-8")
    return path
