"""The build is what Lambda runs: every function, from `sam build`'s output, with its sample event.

Each function runs in a fresh python3.13 whose sys.path holds only the standard
library, the function's built folder and the layer (kith_local.sandbox), against
the stack created from template.yaml on an embedded moto server.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from kith_local.aws import local_aws, sent_emails
from kith_local.sandbox import FunctionInitFailed, Sandbox, built_function, lambda_environment, run
from kith_local.stack import LocalStack, create_stack
from kith_local.template import REPOSITORY, functions, load_template

EVENTS = REPOSITORY / "events"


@dataclasses.dataclass
class Deployed:
    stack: LocalStack
    sandbox: Sandbox
    session: boto3.session.Session

    def items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.session.client("dynamodb").scan(TableName=self.stack.table_name)["Items"]
        return items

    def queued(self, queue: str) -> list[dict[str, Any]]:
        sqs = self.session.client("sqs")
        messages: list[dict[str, Any]] = sqs.receive_message(
            QueueUrl=self.stack.queue_url(queue), MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages", [])
        return messages


@pytest.fixture
def deployed(build_dir: Path, python313: Path) -> Iterator[Deployed]:
    with local_aws() as endpoint:
        session = boto3.session.Session()
        stack = create_stack(session)
        yield Deployed(stack, Sandbox(stack, endpoint, build_dir, python313), session)


def _http_json(result: dict[str, Any]) -> tuple[int, Any]:
    assert result["headers"]["Content-Type"] == "application/json"
    return result["statusCode"], json.loads(result["body"])


def _webhook_for_an_unknown_connection(result: Any, deployed: Deployed) -> None:
    assert _http_json(result) == (404, {"error": "unknown calendar connection"})
    assert deployed.queued("MeetingQueue") == []


def _meeting_for_an_unknown_owner(result: Any, deployed: Deployed) -> None:
    assert result == {"batchItemFailures": []}
    assert deployed.items() == []


def _tick_on_an_empty_stack(result: Any, deployed: Deployed) -> None:
    assert result == {"digests_queued": 0, "follow_ups_queued": 0, "renewals_queued": 0, "queue_requests": 0}
    assert deployed.queued("MailQueue") == []


def _digest_for_an_unknown_owner(result: Any, deployed: Deployed) -> None:
    assert result == {"batchItemFailures": []}
    assert sent_emails() == []
    ((record),) = deployed.items()
    assert record["status"] == {"S": "COMPLETED"}
    assert json.loads(record["data"]["S"]) == {
        "sent": False,
        "reason": "gone: no owner profile yet: create it with PUT /v1/owner",
    }


def _permanent_bounce_suppresses_the_address(result: Any, deployed: Deployed) -> None:
    assert result == {"batchItemFailures": []}
    ((record),) = deployed.items()
    assert record["pk"] == {"S": "SUPPRESSION#gone.away@example.com"}
    assert record["reason"] == {"S": "bounce"}
    assert record["since"] == {"S": "2026-01-05T09:16:02Z"}


def _owner_profile_not_created_yet(result: Any, deployed: Deployed) -> None:
    assert _http_json(result) == (404, {"error": "no owner profile yet: create it with PUT /v1/owner"})


def _a_link_this_stack_did_not_sign_is_refused(result: Any, deployed: Deployed) -> None:
    # The sample's link was signed with a key the stack's generated secret does not hold.
    assert result["statusCode"] == 403
    assert result["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "not one Kith signed" in result["body"]
    assert deployed.items() == []


EXPECTED: dict[str, tuple[str, Callable[[Any, Deployed], None]]] = {
    "WebhookFunction": ("webhook-calcom-booking-created.json", _webhook_for_an_unknown_connection),
    "MeetingsFunction": ("meetings-sqs.json", _meeting_for_an_unknown_owner),
    "SchedulerFunction": ("scheduler-tick.json", _tick_on_an_empty_stack),
    "MailerFunction": ("mailer-sqs.json", _digest_for_an_unknown_owner),
    "SesEventsFunction": ("ses-events-sqs.json", _permanent_bounce_suppresses_the_address),
    "ApiFunction": ("api-get-owner.json", _owner_profile_not_created_yet),
    "ActionsFunction": ("actions-one-click-unsubscribe.json", _a_link_this_stack_did_not_sign_is_refused),
}


def test_every_function_has_a_sample_event() -> None:
    assert set(EXPECTED) == set(functions(load_template()))
    for event_file, _ in EXPECTED.values():
        assert (EVENTS / event_file).is_file()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_built_function_handles_its_sample_event(name: str, deployed: Deployed) -> None:
    event_file, expect = EXPECTED[name]
    event = json.loads((EVENTS / event_file).read_text(encoding="utf-8"))

    invocation = deployed.sandbox.invoke(name, event)

    expect(invocation.result, deployed)


def test_a_function_built_without_its_layer_fails_to_import_with_the_traceback(
    build_dir: Path, python313: Path, deployed: Deployed
) -> None:
    function = dataclasses.replace(built_function("SchedulerFunction", build_dir), layers=())
    environment = lambda_environment(deployed.stack, function, deployed.sandbox.endpoint)

    with pytest.raises(FunctionInitFailed) as failure:
        run(function, {}, environment, python313)

    assert failure.value.error["errorType"] == "Runtime.ImportModuleError"
    assert "No module named 'aws_lambda_powertools'" in failure.value.error["errorMessage"]
    assert "Traceback (most recent call last)" in failure.value.stderr
    assert "ModuleNotFoundError" in str(failure.value)
