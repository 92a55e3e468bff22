"""The one place where Kith's errors become HTTP statuses and JSON bodies."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from kith.calendars.errors import ProviderError
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
    UnsupportedMediaType,
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
    UnsupportedMediaType: 415,
    InvalidInput: 422,
    Unprocessable: 422,
    Retryable: 503,
    # After Retryable: a provider that is down is a 503; one that answered what it documents no answer as, a 502.
    ProviderError: 502,
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
    unreadable = next((error for error in errors if error.get("type") == "json_invalid"), None)
    if unreadable is not None:
        problem = (unreadable.get("ctx") or {}).get("error")
        return json_response(
            400, {"error": f"body is not valid JSON: {problem}" if problem else "body is not valid JSON"}
        )
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


_JSON_MEDIA = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


def is_json_media_type(content_type: str | None) -> bool:
    """No Content-Type (curl's -d without -H) counts as JSON; `application/json; charset=utf-8` is JSON."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return not media or _JSON_MEDIA.match(media) is not None


def read_bodies_as_json_only(app: APIGatewayHttpResolver) -> None:
    """Bodies a route validates are JSON: any other Content-Type is a 415 in Kith's error shape.

    Powertools reads form and multipart bodies as forms instead, and raises ValueError (a 500) on a
    multipart type without a boundary. Its request validation runs before any middleware Kith adds, so
    the body is checked where Powertools reads it.
    """
    from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
        OpenAPIRequestValidationMiddleware,
    )

    class JsonBodies(OpenAPIRequestValidationMiddleware):
        def _get_body(self, app: Any) -> Any:
            content_type = app.current_event.headers.get("content-type")
            if not is_json_media_type(content_type):
                raise UnsupportedMediaType(
                    f"Content-Type {str(content_type)[:100]!r}: send the body as application/json"
                )
            document = self._parse_json_data(app)
            # Powertools reads a list given for an object as its first item: `[{...}, {...}]` was a 2xx.
            if isinstance(document, list):
                raise Unprocessable("body: a JSON object is expected, not an array")
            return document

    app._request_validation_middleware = JsonBodies()
