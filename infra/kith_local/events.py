"""The events AWS hands Kith's functions, built one way, and the reply API Gateway reads from their answer.

- An HTTP API request (payload format 2.0), with the route it matched, its path parameters as API Gateway
  gives them, and the JWT authorizer's claims when the route is behind it.
- An SQS batch, one record per message as `receive_message` returned it.
- An EventBridge scheduled event, for the instant the schedule fired.
- An SES receipt rule's Lambda action event, for a message SES received and stored (its headers, never
  its body), with the verdicts of SES's checks.

Tests, the local HTTP API, the demo and the benchmarks all build their events here; events/ holds samples
of each kind, and a test checks that these builders make exactly those samples.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formataddr, getaddresses
from typing import Any
from urllib.parse import parse_qsl

from kith_local.template import HttpRoute

ACCOUNT = "123456789012"
REGION = "us-east-1"
API_HOST = "api.kith.test"
SCHEDULE_RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/kith-tick"


@functools.cache
def _route_pattern(route_path: str) -> re.Pattern[str]:
    regex = ""
    for part in route_path.strip("/").split("/"):
        if part.endswith("+}"):
            regex += "/(?P<" + part[1:-2] + ">.+)"
        elif part.startswith("{"):
            regex += "/(?P<" + part[1:-1] + ">[^/]+)"
        else:
            regex += "/" + re.escape(part)
    # As API Gateway does: /console/ reaches the route GET /console (a route may not end in a slash).
    trailing = "" if route_path == "/" or route_path.endswith("+}") else "/?"
    return re.compile("^" + regex + trailing + "$")


def path_parameters(route_path: str, path: str) -> dict[str, str] | None:
    """The path parameters API Gateway gives for `path` on a route such as /a/{token}; None if it does not match."""
    match = _route_pattern(route_path).match(path)
    return None if match is None else match.groupdict()


def route_for(routes: Iterable[HttpRoute], method: str, path: str) -> HttpRoute | None:
    """The first route of the template that takes `method path`, as API Gateway picks it."""
    return next(
        (
            route
            for route in routes
            if route.method in {method, "ANY"} and path_parameters(route.path, path) is not None
        ),
        None,
    )


def route_key(route: str, path: str) -> tuple[str, dict[str, str]]:
    """A route key ("POST /a/{token}") and the parameters it takes from the path."""
    _, _, route_path = route.partition(" ")
    return route, path_parameters(route_path, path) or {}


def _body_fields(body: bytes, base64_body: bool) -> tuple[str | None, bool]:
    if not body:
        return None, False
    if not base64_body:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode(), True


@dataclass(frozen=True)
class Caller:
    """Who API Gateway says sent a request, and through which API."""

    host: str = API_HOST
    source_ip: str = "127.0.0.1"
    api_id: str = "local"
    request_id: str | None = None  # a new one per event unless given


def http_event(
    method: str,
    path: str,
    at: datetime,
    *,
    route: str | None = None,
    query: str = "",
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    claims: Mapping[str, str] | None = None,
    caller: Caller | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event for `method path?query` on `route` (by default the path itself).

    The body goes as text when it is UTF-8, else base64; `base64_body` sends it base64 anyway, as API
    Gateway does with form posts. `claims` are the JWT authorizer's (a route behind it).
    """
    caller = caller or Caller()
    key, parameters = route_key(route or f"{method} {path}", path)
    user_agent = next((value for name, value in (headers or {}).items() if name.lower() == "user-agent"), "")
    context: dict[str, Any] = {
        "accountId": ACCOUNT,
        "apiId": caller.api_id,
        "domainName": caller.host,
        "domainPrefix": caller.host.split(".")[0],
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": caller.source_ip,
            "userAgent": user_agent,
        },
        "requestId": caller.request_id or str(uuid.uuid4()),
        "routeKey": key,
        "stage": "$default",
        "time": at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(at.timestamp() * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": dict(headers or {}),
    }
    # As API Gateway does, what a request has none of is left out: query parameters, path parameters, a body.
    if query_parameters := dict(parse_qsl(query, keep_blank_values=True)):
        event["queryStringParameters"] = query_parameters
    event["requestContext"] = context
    if parameters:
        event["pathParameters"] = parameters
    text, encoded = _body_fields(body, base64_body)
    if text is not None:
        event["body"] = text
    event["isBase64Encoded"] = encoded
    return event


def sqs_event(messages: Iterable[Mapping[str, Any]], queue_arn: str) -> dict[str, Any]:
    """What an SQS event source mapping hands its function: the messages `receive_message` returned."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


def scheduled_event(at: datetime, *, rule: str = SCHEDULE_RULE, event_id: str | None = None) -> dict[str, Any]:
    """What an EventBridge schedule sends when it fires for the instant `at`."""
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [rule],
        "detail": {},
    }


@dataclass(frozen=True)
class SesVerdicts:
    """What SES's checks on a received message found: PASS, FAIL, GRAY or PROCESSING_FAILED each."""

    spf: str = "PASS"
    dkim: str = "PASS"
    dmarc: str = "PASS"
    spam: str = "PASS"
    virus: str = "PASS"


def _ses_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _common_headers(headers: Sequence[tuple[str, str]], source: str) -> dict[str, Any]:
    """SES's commonHeaders: From, To and Cc as lists of their addresses, Date, Message-ID and Subject as written."""
    first = {name.lower(): value for name, value in reversed(headers)}
    common: dict[str, Any] = {"returnPath": source}
    for name, key in (("from", "from"), ("to", "to"), ("cc", "cc")):
        values = [value for header, value in headers if header.lower() == name]
        if values:
            common[key] = [formataddr(pair) for pair in getaddresses(values)]
    for name, key in (("date", "date"), ("message-id", "messageId"), ("subject", "subject")):
        if name in first:
            common[key] = first[name]
    return common


def ses_receipt_event(
    headers: Sequence[tuple[str, str]],
    *,
    message_id: str,
    received_at: datetime,
    recipients: Sequence[str],
    source: str,
    verdicts: SesVerdicts,
    function_arn: str,
    processing_ms: int = 500,
) -> dict[str, Any]:
    """What a receipt rule's Lambda action (InvocationType Event) hands its function for one stored message.

    `headers` are the message's, in order; `recipients` the addresses the rule matched; `source` the
    envelope sender.
    """
    timestamp = _ses_time(received_at)
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": timestamp,
                        "source": source,
                        "messageId": message_id,
                        "destination": list(recipients),
                        "headersTruncated": False,
                        "headers": [{"name": name, "value": value} for name, value in headers],
                        "commonHeaders": _common_headers(headers, source),
                    },
                    "receipt": {
                        "timestamp": timestamp,
                        "processingTimeMillis": processing_ms,
                        "recipients": list(recipients),
                        "spamVerdict": {"status": verdicts.spam},
                        "virusVerdict": {"status": verdicts.virus},
                        "spfVerdict": {"status": verdicts.spf},
                        "dkimVerdict": {"status": verdicts.dkim},
                        "dmarcVerdict": {"status": verdicts.dmarc},
                        "action": {"type": "Lambda", "functionArn": function_arn, "invocationType": "Event"},
                    },
                },
            }
        ]
    }


class MalformedResponse(ValueError):
    """A function's answer that API Gateway cannot turn into an HTTP response."""


def _checked(response: Mapping[str, Any]) -> tuple[int, str, Mapping[str, Any]]:
    status, body, headers = response["statusCode"], response.get("body"), response.get("headers") or {}
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status!r} is not an HTTP status")
    if body is not None and not isinstance(body, str):
        raise MalformedResponse(f"body is a {type(body).__name__}, not a string")
    if not isinstance(headers, dict) or not all(isinstance(name, str) for name in headers):
        raise MalformedResponse("headers is not an object of names to values")
    return status, body or "", headers


@dataclass(frozen=True)
class Reply:
    """The HTTP answer API Gateway makes of a function's response: status, headers (lower-cased), body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    @classmethod
    def of(cls, response: Any) -> Reply:
        """The reply to a payload 2.0 response, or MalformedResponse if API Gateway could not read it."""
        if not isinstance(response, dict) or "statusCode" not in response:
            # Without a statusCode, any JSON the function returns is the body of a 200.
            try:
                text = response if isinstance(response, str) else json.dumps(response, allow_nan=False)
            except (TypeError, ValueError) as error:
                raise MalformedResponse(f"not JSON: {error}") from None
            return cls(200, {"content-type": "application/json"}, text.encode())
        status, body, headers = _checked(response)
        try:
            raw = base64.b64decode(body, validate=True) if response.get("isBase64Encoded") else body.encode()
        except ValueError as error:  # not base64, or text that cannot be encoded (a lone surrogate)
            raise MalformedResponse(f"body cannot be sent: {error}") from None
        return cls(status, {name.lower(): str(value) for name, value in headers.items()}, raw)

    @property
    def text(self) -> str:
        return self.content.decode()

    @property
    def is_json(self) -> bool:
        return self.headers.get("content-type", "application/json").startswith("application/json")

    def json(self) -> Any:
        return json.loads(self.content) if self.content else None

    def body(self) -> Any:
        """The body as a client reads it: parsed when it is JSON, else its text."""
        return self.json() if self.is_json else self.text
