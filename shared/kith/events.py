"""Reading what AWS hands a function: request bodies, request times, schedule times."""

from __future__ import annotations

import base64
import json
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
    """json.loads, and a JSONDecodeError for two things it does not refuse itself.

    A lone surrogate (`"\\ud800"`) is half a UTF-16 pair and no character: UTF-8, so DynamoDB and SQS,
    cannot carry it. Nesting deeper than Python's stack raises RecursionError, which would be a 500.
    """
    try:
        document = json.loads(text)
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise UnreadableJson("arrays or objects nested too deeply") from None
    except UnicodeEncodeError:
        raise UnreadableJson("a string holds a lone surrogate (\\ud800 to \\udfff), which is no character") from None
    return document


def request_time(event: APIGatewayProxyEventV2) -> datetime:
    epoch_ms = event.request_context.time_epoch
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def schedule_time(event: dict[str, Any]) -> datetime:
    """An EventBridge schedule names the instant it fired for; that instant is 'now' for the sweep."""
    return datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00")).astimezone(UTC)
