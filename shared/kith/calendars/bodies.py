"""Reading provider webhook bodies: JSON objects in, errors that name the field out."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from kith.errors import MalformedBody, Unprocessable
from kith.events import read_json


def load_object(body: bytes) -> dict[str, Any]:
    """Unreadable bytes and JSON that is not an object are a 400, not a 422."""
    try:
        document = read_json(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedBody(f"body is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise MalformedBody("body must be a JSON object")
    return document


def unprocessable(exc: ValidationError, prefix: str = "payload") -> Unprocessable:
    """Every problem in the details; the first one, with its full path, in the message."""
    details: list[dict[str, object]] = [
        {"field": ".".join(str(part) for part in error["loc"]), "problem": error["msg"]} for error in exc.errors()
    ]
    first = details[0]
    where = f"{prefix}.{first['field']}" if first["field"] else prefix
    return Unprocessable(f"{where}: {first['problem']}", details)
