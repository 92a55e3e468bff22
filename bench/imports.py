"""Part 7: a 5,000-row LinkedIn Connections.csv through POST /v1/imports, in process on moto.

The ApiFunction's handler is invoked with the API Gateway event a client's upload makes: the dry run,
the import, and the same file again. DynamoDB requests are counted on the function's own client;
times are perf_counter around each invocation.

moto copies its whole table for every TransactWriteItems (seconds each once it holds thousands of
items), which no DynamoDB does. So each transaction the import sends is counted as sent, then stored
through moto's BatchWriteItem instead (the same items; this bench has no conflicting writer, so the
conditions would all hold). The figure is Kith's own rate with a fast store behind it; on DynamoDB
add the round trips: the request count times a transaction's latency.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import boto3
from kith.imports.detect import parse_contacts_file
from kith_local.events import Caller, http_event
from kith_local.lambdas import LocalLambdas
from kith_local.stack import create_stack
from moto import mock_aws

from bench.counting import RequestLog

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
OWNER = "owner-import"
_PREAMBLE = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. You will '
    "only see email addresses for connections who have allowed their connections to see or download their email "
    'address using this setting https://www.linkedin.com/psettings/privacy/email."\r\n\r\n'
)
_FIRST = ("Ana", "Ben", "Chiara", "Dmitri", "Eun-ji", "Farah", "Gabriel", "Hana", "Ifeoma", "Jonas", "Zoë", "Łukasz")
_LAST = ("Lima", "Okafor", "Bianchi", "Ivanov", "Kim", "Haddad", "Costa", "Sato", "Nwosu", "Weber", "Müller", "Nowak")
_COMPANIES = ("Lumen", "Fjord Labs", "Ponte Ventures", "Kestrel Analytics", "Quill", "Northwind", "Acme, Inc.")


def linkedin_export(rows: int, seed: int = 7) -> bytes:
    """A Connections.csv as LinkedIn writes it: notes first, then about a third of rows with an address."""
    rng = random.Random(seed)
    lines = [_PREAMBLE + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"]
    for index in range(rows):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        slug = f"{first}-{last}-{index:05d}".lower().replace("ë", "e").replace("ł", "l").replace("ü", "u")
        email = f"{slug}@example.com" if rng.random() < 0.35 else ""
        company = rng.choice(_COMPANIES)
        connected = datetime(2015 + rng.randrange(11), 1 + rng.randrange(12), 1 + rng.randrange(28))
        lines.append(
            f'{first},{last},https://www.linkedin.com/in/{slug},{email},"{company}",Engineer,{connected:%d %b %Y}\r\n'
        )
    return "".join(lines).encode()


@dataclass
class ImportRun:
    label: str
    status: int
    seconds: float
    report: dict[str, Any]
    requests: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportBench:
    rows: int
    file_bytes: int
    parse_seconds: float
    plan_seconds: float
    runs: list[ImportRun]


def _event(body: bytes, dry_run: bool) -> dict[str, Any]:
    return http_event(
        "POST",
        "/v1/imports",
        NOW,
        route="ANY /v1/{proxy+}",
        query=f"dry_run={'true' if dry_run else 'false'}&filename=Connections.csv",
        headers={"content-type": "text/csv"},
        body=body,
        claims={"sub": OWNER},
        caller=Caller(request_id="bench"),
        base64_body=True,
    )


def import_costs(rows: int = 5000) -> ImportBench:
    data = linkedin_export(rows)
    started = time.perf_counter()
    parsed = parse_contacts_file(data, "Connections.csv")
    parse_seconds = time.perf_counter() - started
    with mock_aws():
        stack = create_stack()
        lambdas = LocalLambdas(stack)
        owner = {"email": "olive@example.com", "name": "Olive Owner", "time_zone": "Europe/Berlin"}
        put_owner = _event(json.dumps(owner).encode(), dry_run=True)
        put_owner.update(rawPath="/v1/owner", rawQueryString="", queryStringParameters=None)
        put_owner["requestContext"]["http"].update(method="PUT", path="/v1/owner")
        put_owner["headers"] = {"content-type": "application/json"}
        assert lambdas.invoke("ApiFunction", put_owner)["statusCode"] == 200
        runtime = lambdas.modules["ApiFunction"].runtime
        log = RequestLog().attach(runtime.dynamodb)
        _store_transactions_in_batches(runtime.dynamodb)

        from kith.usecases.imports import plan_import

        started = time.perf_counter()
        plan_import(runtime.import_store, OWNER, parsed, NOW)
        plan_seconds = time.perf_counter() - started
        log.clear()

        runs = []
        for label, dry_run in (("dry run", True), ("import", False), ("same file again", False)):
            started = time.perf_counter()
            response = lambdas.invoke("ApiFunction", _event(data, dry_run))
            seconds = time.perf_counter() - started
            report = json.loads(response["body"])
            runs.append(ImportRun(label, response["statusCode"], seconds, report, log.summary()))
            log.clear()
    return ImportBench(rows, len(data), parse_seconds, plan_seconds, runs)


def _store_transactions_in_batches(client: Any) -> None:
    """After the transaction is counted (before-call), moto's answer comes from batch writes of its items."""

    def write(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        steps = json.loads(params["body"])["TransactItems"]
        puts = [step["Put"] for step in steps if "Put" in step]
        if len(puts) != len(steps):
            raise AssertionError("the import bench expects puts only")
        for start in range(0, len(puts), 25):
            chunk = puts[start : start + 25]
            pending: Any = {chunk[0]["TableName"]: [{"PutRequest": {"Item": put["Item"]}} for put in chunk]}
            while pending:
                pending = real_batch_write(RequestItems=pending).get("UnprocessedItems")
        return SimpleNamespace(status_code=200, headers={}), {}

    # A client of its own, so the stand-in's batch writes are not counted as the function's requests.
    real_batch_write = boto3.client("dynamodb").batch_write_item
    # botocore's before-call hook may answer instead of sending: the request is still counted by RequestLog.
    client.meta.events.register("before-call.dynamodb.TransactWriteItems", lambda params, **kw: write(params))
