"""The one place where Kith's errors become HTTP statuses and JSON bodies."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from kith.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidCursor,
    InvalidInput,
    InvalidLink,
    KithError,
    MalformedBody,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    Retryable,
    Unauthorized,
    Unprocessable,
)

_STATUS: dict[type[KithError], int] = {
    MalformedBody: 400,
    InvalidLink: 400,
    InvalidCursor: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    PreconditionFailed: 412,
    PayloadTooLarge: 413,
    InvalidInput: 422,
    Unprocessable: 422,
    Retryable: 503,
}


def status_for(error: KithError) -> int:
    for kind, status in _STATUS.items():
        if isinstance(error, kind):
            return status
    return 500


def json_response(status: int, body: Any) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def etag(version: int) -> str:
    """A versioned thing's entity tag: its version, quoted (RFC 9110)."""
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header asks for: `"3"` or a bare 3; None without one, or for `*` (any)."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value.isdigit() or not value.isascii():
        raise InvalidInput('If-Match: give the version an ETag showed, as "3" or 3')
    return int(value)


def error_response(error: KithError) -> Response[str]:
    body: dict[str, Any] = {"error": str(error)}
    if isinstance(error, Unprocessable) and error.details:
        body["details"] = error.details
    return json_response(status_for(error), body)


def validation_response(errors: list[dict[str, Any]]) -> Response[str]:
    """Powertools validation errors: unreadable JSON is a 400, the wrong shape a 422."""
    if any(error.get("type") == "json_invalid" for error in errors):
        return json_response(400, {"error": "body is not valid JSON"})
    details = [
        {
            "field": ".".join(str(part) for part in _without_location(error.get("loc", ()))),
            "problem": error.get("msg", ""),
        }
        for error in errors
    ]
    first = details[0] if details else {"field": "body", "problem": "invalid"}
    return json_response(422, {"error": f"{first['field'] or 'body'}: {first['problem']}", "details": details})


_LOCATIONS = frozenset({"body", "query", "header", "path"})


def _without_location(loc: Any) -> list[Any]:
    """Powertools puts where a value came from first; the field's own name is what a client can act on."""
    parts = list(loc)
    return parts[1:] if parts and parts[0] in _LOCATIONS else parts
