"""Every sample in events/ succeeds with `kith-local invoke --in-process` against a new local stack,
and does what it stands for there."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from kith.runtime import Runtime
from kith_local import samples
from kith_local.aws import sent_emails
from kith_local.cli import main
from kith_local.stack import LocalStack, open_stack
from kith_local.template import REPOSITORY, functions, load_template

EVENTS = sorted(path for path in (REPOSITORY / "events").glob("*.json") if path.name != "env.local.json")


def _function_for(event: Path) -> str:
    """The function a sample is for, by its name: ses-events-sqs.json is SesEventsFunction's."""
    names = {
        "".join("-" + c.lower() if c.isupper() else c for c in name.removesuffix("Function")).lstrip("-"): name
        for name in functions(load_template())
    }
    prefix = max((kebab for kebab in names if event.stem.startswith(kebab + "-")), key=len)
    return names[prefix]


def _repository(stack: LocalStack) -> Any:
    return Runtime(environ=stack.environment("ApiFunction")).repository


def _queued(stack: LocalStack, queue: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=stack.queue_url(queue), AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def _suppressed(stack: LocalStack, address: str) -> None:
    assert _repository(stack).get_suppression(address) is not None


# What each sample does to the stack, beyond its answer.
EFFECTS: dict[str, Callable[[LocalStack, Any], None]] = {
    "actions-one-click-unsubscribe": lambda stack, _: _assert(
        _repository(stack).get_owner(samples.OWNER_ID).unsubscribed_at is not None
    ),
    "api-get-owner": lambda _, result: _assert(json.loads(result["body"])["name"] == "Olivia Owner"),
    "mailer-sqs": lambda *_: _assert([message.destinations[0] for message in sent_emails()] == ["olivia@example.com"]),
    "meetings-sqs": lambda stack, _: _assert(
        [item.title for item in _repository(stack).list_interactions(samples.OWNER_ID)]
        == ["30 Min Meeting between Olivia Owner and Ana Lima"]
    ),
    "scheduler-tick": lambda _, result: _assert(result["digests_queued"] == 1),
    "ses-events-sqs": lambda stack, _: _suppressed(stack, "gone.away@example.com"),
    "ses-events-eventbridge": lambda stack, _: _suppressed(stack, "gone.away@example.com"),
    "webhook-calcom-booking-created": lambda stack, _: _assert(_queued(stack, "MeetingQueue") == 1),
}


def _assert(holds: bool) -> None:
    assert holds


def test_the_samples_are_named_after_the_functions_they_are_for() -> None:
    assert {_function_for(event) for event in EVENTS} == set(functions(load_template()))


@pytest.mark.parametrize("event", EVENTS, ids=[event.stem for event in EVENTS])
def test_each_sample_event_succeeds_against_a_new_local_stack(
    endpoint: str, event: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # When the sample is invoked as the README says, on an endpoint that holds no stack yet
    code = main(["invoke", _function_for(event), "-e", str(event), "--in-process", "--endpoint", endpoint])
    out, err = capsys.readouterr()
    # Then the function succeeded: a 2xx, no failed record, no error
    assert code == 0, err
    result = json.loads(out)
    if isinstance(result, dict) and "statusCode" in result:
        assert 200 <= result["statusCode"] < 300, result
    assert result.get("batchItemFailures", []) == [], result
    assert "dropped" not in err and "refused" not in err, err
    # And it did what it stands for, on the stack the invoke created and seeded
    assert event.stem in EFFECTS, f"say in EFFECTS what {event.name} does to the stack"
    EFFECTS[event.stem](open_stack(boto3.session.Session()), result)
