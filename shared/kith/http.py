"""The one place where Kith's errors become HTTP statuses and JSON bodies."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from kith.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    InvalidLink,
    KithError,
    MalformedBody,
    NotFound,
    PayloadTooLarge,
    Retryable,
    Unauthorized,
    Unprocessable,
)

_STATUS: dict[type[KithError], int] = {
    MalformedBody: 400,
    InvalidLink: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
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
            "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body"),
            "problem": error.get("msg", ""),
        }
        for error in errors
    ]
    first = details[0] if details else {"field": "body", "problem": "invalid"}
    return json_response(422, {"error": f"{first['field'] or 'body'}: {first['problem']}", "details": details})
