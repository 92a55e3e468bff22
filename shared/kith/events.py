"""Reading what AWS hands a function: request bodies, request times, schedule times."""

from __future__ import annotations

import base64
import json
import math
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2


def raw_body(event: APIGatewayProxyEventV2) -> bytes:
    """The body exactly as the caller sent it: signatures are computed over these bytes."""
    body = event.body or ""
    if event.is_base64_encoded:
        return base64.b64decode(body)
    return body.encode("utf-8")


class UnreadableJson(json.JSONDecodeError):
    """JSON that json.loads accepts or crashes on, but Kith cannot read: refused like any other bad JSON."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem, "", 0)

    def __str__(self) -> str:
        return self.msg


def read_json(text: str | bytes) -> Any:
    """json.loads, refusing with a JSONDecodeError what RFC 8259 JSON is not, or what Kith cannot keep.

    - NaN, Infinity and numbers too large for a float (1e400) are no JSON numbers;
    - an integer of more digits than Python converts (4,300) raises ValueError deep inside json;
    - a name twice in one object is read differently by different parsers, so it is refused;
    - a lone surrogate (`"\\ud800"`) is half a UTF-16 pair and no character: UTF-8, so DynamoDB and SQS,
      cannot carry it;
    - nesting deeper than Python's stack raises RecursionError, which would be a 500.
    """
    try:
        document = json.loads(
            text,
            parse_int=_integer,
            parse_float=_finite,
            parse_constant=_no_constant,
            object_pairs_hook=_unique_names,
        )
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise UnreadableJson("arrays or objects nested too deeply") from None
    except UnicodeEncodeError:
        raise UnreadableJson("a string holds a lone surrogate (\\ud800 to \\udfff), which is no character") from None
    return document


# Far past any number Kith reads, and well inside what int() converts.
MAX_NUMBER_DIGITS = 1000


def _integer(literal: str) -> int:
    if len(literal) > MAX_NUMBER_DIGITS:
        raise UnreadableJson(f"a number has more than {MAX_NUMBER_DIGITS:,} digits")
    return int(literal)


def _finite(literal: str) -> float:
    if len(literal) > MAX_NUMBER_DIGITS:
        raise UnreadableJson(f"a number has more than {MAX_NUMBER_DIGITS:,} digits")
    number = float(literal)
    if math.isinf(number):
        raise UnreadableJson(f"the number {literal[:20]} is too large to read")
    return number


def _no_constant(literal: str) -> Any:
    raise UnreadableJson(f"{literal} is not a JSON value")


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for name, value in pairs:
        if name in document:
            raise UnreadableJson(f"the name {name[:50]!r} appears twice in one object")
        document[name] = value
    return document


def request_time(event: APIGatewayProxyEventV2) -> datetime:
    epoch_ms = event.request_context.time_epoch
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def schedule_time(event: dict[str, Any]) -> datetime:
    """An EventBridge schedule names the instant it fired for; that instant is 'now' for the sweep."""
    return datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00")).astimezone(UTC)
