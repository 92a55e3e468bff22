"""The events Kith's tests, local API, demo and benchmarks build are the ones AWS sends: each sample in
events/ is exactly what kith_local.events builds from the sample's own request, messages or schedule."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kith_local.events import Caller, Reply, SesVerdicts, http_event, scheduled_event, ses_receipt_event, sqs_event

from tests.sample_effects import SAMPLES


def _rebuilt(sample: dict[str, Any]) -> dict[str, Any]:
    if "Records" in sample and sample["Records"][0]["eventSource"] == "aws:ses":
        return _ses_receipt(sample["Records"][0]["ses"])
    if "Records" in sample:
        return sqs_event([_message(record) for record in sample["Records"]], sample["Records"][0]["eventSourceARN"])
    if sample.get("detail-type") == "Scheduled Event":
        at = datetime.fromisoformat(sample["time"].replace("Z", "+00:00"))
        return scheduled_event(at, rule=sample["resources"][0], event_id=sample["id"])
    return _request(sample)


def _ses_receipt(ses: dict[str, Any]) -> dict[str, Any]:
    """The receipt event for the same stored message: its headers, recipients and SES's verdicts."""
    mail, receipt = ses["mail"], ses["receipt"]
    return ses_receipt_event(
        [(header["name"], header["value"]) for header in mail["headers"]],
        message_id=mail["messageId"],
        received_at=datetime.fromisoformat(mail["timestamp"].replace("Z", "+00:00")),
        recipients=receipt["recipients"],
        source=mail["source"],
        verdicts=SesVerdicts(
            **{name: receipt[f"{name}Verdict"]["status"] for name in ("spf", "dkim", "dmarc", "spam", "virus")}
        ),
        function_arn=receipt["action"]["functionArn"],
        processing_ms=receipt["processingTimeMillis"],
    )


def _message(record: dict[str, Any]) -> dict[str, Any]:
    """The message as `receive_message` returned it, before the event source mapping made it a record."""
    return {
        "MessageId": record["messageId"],
        "ReceiptHandle": record["receiptHandle"],
        "Body": record["body"],
        "Attributes": record["attributes"],
        "MD5OfBody": record["md5OfBody"],
    }


def _request(sample: dict[str, Any]) -> dict[str, Any]:
    context = sample["requestContext"]
    body = sample.get("body") or ""
    raw = base64.b64decode(body) if sample["isBase64Encoded"] else body.encode()
    authorizer = context.get("authorizer")
    return http_event(
        context["http"]["method"],
        sample["rawPath"],
        datetime.fromtimestamp(context["timeEpoch"] / 1000, tz=UTC),
        route=sample["routeKey"],
        query=sample["rawQueryString"],
        headers=sample["headers"],
        body=raw,
        claims=authorizer["jwt"]["claims"] if authorizer else None,
        caller=Caller(context["domainName"], context["http"]["sourceIp"], context["apiId"], context["requestId"]),
        base64_body=sample["isBase64Encoded"],
    )


@pytest.mark.parametrize("path", SAMPLES, ids=[path.stem for path in SAMPLES])
def test_each_sample_event_is_what_the_builders_make_of_its_request(path: Path) -> None:
    # Given a sample of what AWS hands a function
    sample = json.loads(path.read_text(encoding="utf-8"))
    # When the builders make the event for the same request, messages or schedule
    # Then it is the sample, field for field
    assert _rebuilt(sample) == sample


def test_a_route_s_path_parameters_are_named_as_api_gateway_names_them() -> None:
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    # Given routes with a parameter, a greedy parameter and none
    webhook = http_event("POST", "/webhooks/calcom/c-1", at, route="POST /webhooks/{provider}/{connection_id}")
    api = http_event("GET", "/v1/contacts/c-1", at, route="ANY /v1/{proxy+}", query="limit=2&cursor=")
    console = http_event("GET", "/console/", at, route="GET /console")
    # Then each event names the parameters its route takes, the query's values too, and leaves out what is absent
    assert webhook["pathParameters"] == {"provider": "calcom", "connection_id": "c-1"}
    assert (api["pathParameters"], api["queryStringParameters"]) == (
        {"proxy": "contacts/c-1"},
        {"limit": "2", "cursor": ""},
    )
    assert "pathParameters" not in console and "queryStringParameters" not in console and "body" not in console


def test_a_body_that_is_not_utf8_goes_base64_and_a_form_can_be_sent_so() -> None:
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    binary = http_event("POST", "/v1/imports", at, body=b"\xff\xfe")
    form = http_event("POST", "/a/t", at, body=b"List-Unsubscribe=One-Click", base64_body=True)
    assert (binary["body"], binary["isBase64Encoded"]) == (base64.b64encode(b"\xff\xfe").decode(), True)
    assert (base64.b64decode(form["body"]), form["isBase64Encoded"]) == (b"List-Unsubscribe=One-Click", True)


def test_a_reply_reads_a_function_s_answer_as_api_gateway_does() -> None:
    # Given answers in JSON, in base64 text with mixed-case headers, and without a statusCode
    json_reply = Reply.of({"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": '{"a": 1}'})
    text = base64.b64encode(b"name,email\n").decode()
    csv_reply = Reply.of(
        {"statusCode": 200, "headers": {"Content-Type": "text/csv"}, "body": text, "isBase64Encoded": True}
    )
    bare = Reply.of({"ok": True})
    # Then each reads as a client reads it
    assert (json_reply.status, json_reply.headers, json_reply.body()) == (
        201,
        {"content-type": "application/json"},
        {"a": 1},
    )
    assert (csv_reply.text, csv_reply.body()) == ("name,email\n", "name,email\n")
    assert (bare.status, bare.json()) == (200, {"ok": True})
