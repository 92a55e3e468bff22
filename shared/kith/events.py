"""Reading what AWS hands a function: request bodies, request times, schedule times."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2


def raw_body(event: APIGatewayProxyEventV2) -> bytes:
    """The body exactly as the caller sent it: signatures are computed over these bytes."""
    body = event.body or ""
    if event.is_base64_encoded:
        return base64.b64decode(body)
    return body.encode("utf-8")


def request_time(event: APIGatewayProxyEventV2) -> datetime:
    epoch_ms = event.request_context.time_epoch
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def schedule_time(event: dict[str, Any]) -> datetime:
    """An EventBridge schedule names the instant it fired for; that instant is 'now' for the sweep."""
    return datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00")).astimezone(UTC)
