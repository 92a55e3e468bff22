"""What each sample in events/ does to a local stack seeded with what the samples speak of (kith_local.samples).

Shared by the invoke of the source (tests/e2e) and of `sam build`'s output (tests/template).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from kith.runtime import Runtime
from kith_local import samples
from kith_local.aws import sent_emails
from kith_local.stack import LocalStack
from kith_local.template import REPOSITORY, functions, load_template


def function_for(sample: Path) -> str:
    """The function a sample is for, by its name: ses-events-sqs.json is SesEventsFunction's."""
    names = {
        "".join("-" + c.lower() if c.isupper() else c for c in name.removesuffix("Function")).lstrip("-"): name
        for name in functions(load_template())
    }
    return names[max((kebab for kebab in names if sample.stem.startswith(kebab + "-")), key=len)]


SAMPLES = sorted(path for path in (REPOSITORY / "events").glob("*.json") if path.name != "env.local.json")


def _runtime(stack: LocalStack) -> Runtime:
    return Runtime(environ=stack.environment("ApiFunction"))


def _queued(stack: LocalStack, queue: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=stack.queue_url(queue), AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def _suppressed(stack: LocalStack, address: str) -> None:
    assert _runtime(stack).mail_store.get_suppression(address) is not None


# What each sample does to the stack, beyond its answer.
EFFECTS: dict[str, Callable[[LocalStack, Any], None]] = {
    "actions-one-click-unsubscribe": lambda stack, _: _assert(
        _runtime(stack).contact_store.get_owner(samples.OWNER_ID).unsubscribed_at is not None
    ),
    "api-get-owner": lambda _, result: _assert(json.loads(result["body"])["name"] == "Olivia Owner"),
    "console-get-index": lambda _, result: _assert(_console_page(result).startswith(b"<!doctype html>")),
    "mailer-sqs": lambda *_: _assert([message.destinations[0] for message in sent_emails()] == ["olivia@example.com"]),
    "meetings-sqs": lambda stack, _: _assert(
        [item.title for item in _runtime(stack).erasure_store.list_interactions(samples.OWNER_ID)]
        == ["30 Min Meeting between Olivia Owner and Ana Lima"]
    ),
    "scheduler-tick": lambda _, result: _assert(result["digests_queued"] == 1),
    "inbound-ses": lambda stack, result: _logged_to_ana(stack, result),
    "ses-events-sqs": lambda stack, _: _suppressed(stack, "gone.away@example.com"),
    "ses-events-eventbridge": lambda stack, _: _suppressed(stack, "gone.away@example.com"),
    "webhook-calcom-booking-created": lambda stack, _: _assert(_queued(stack, "MeetingQueue") == 1),
}


def _logged_to_ana(stack: LocalStack, result: Any) -> None:
    """Olivia's message to Ana is her email interaction with Ana, and the stored message is gone."""
    assert result["logged"] == 1
    interactions = _runtime(stack).erasure_store.list_interactions(samples.OWNER_ID)
    assert [(item.kind.value, item.source) for item in interactions] == [("email", "bcc")]
    listed = boto3.client("s3").list_objects_v2(Bucket=stack.environment("InboundFunction")["KITH_INBOUND_BUCKET"])
    assert listed.get("KeyCount", 0) == 0


def _console_page(result: Any) -> bytes:
    """The page the console answered: gzipped, as the sample's browser accepts, and base64 as Lambda returns it."""
    assert result["headers"]["Content-Encoding"] == "gzip"
    return gzip.decompress(base64.b64decode(result["body"]))


def _assert(holds: bool) -> None:
    assert holds


def assert_succeeded(result: Any) -> None:
    """A function's answer to its sample: a 2xx, and no record of a batch failed."""
    if isinstance(result, dict) and "statusCode" in result:
        assert 200 <= result["statusCode"] < 300, result
    if isinstance(result, dict):
        assert result.get("batchItemFailures", []) == [], result
