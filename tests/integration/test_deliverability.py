"""Bounces and complaints reach the suppression list through SNS or EventBridge and SQS, and the mailer honours it (§8).

An unreadable record goes to the dead-letter queue on its first receipt; a failure to act on a readable one is
retried by SQS.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from kith.adapters.dead_letters import REASON

from tests.fixtures.ses import fixture
from tests.integration.support import Kith

MONDAY_0800_BERLIN = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def _bounce(address: str, bounce_type: str = "Permanent") -> dict[str, Any]:
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address, "action": "failed", "status": "5.1.1"}],
            "timestamp": "2026-11-29T09:00:00.000Z",
        },
        "mail": {"messageId": "ses-1", "destination": [address]},
    }


def _complaint(address: str) -> dict[str, Any]:
    return {
        "eventType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": address}], "timestamp": "2026-11-29T10:00:00Z"},
        "mail": {"messageId": "ses-2", "destination": [address]},
    }


def _ses_publishes(kith: Kith, *events: dict[str, Any]) -> None:
    """What SES does with a configuration set's events: publish them to its SNS topic (JSON in Message)."""
    sns = boto3.client("sns")
    for event in events:
        sns.publish(TopicArn=kith.stack.references["SesEventsTopic"], Message=json.dumps(event))


def _suppression(kith: Kith, address: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = kith.dynamodb.get_item(
        TableName=kith.stack.table_name, Key={"pk": {"S": f"SUPPRESSION#{address}"}, "sk": {"S": "SUPPRESSION"}}
    ).get("Item")
    return item


def _process_ses_events(kith: Kith) -> dict[str, Any]:
    messages = kith.take("SesEventsQueue")
    assert messages, "SNS delivered nothing to the SES events queue"
    return kith.deliver("SesEventsQueue", messages)


def _digest_result(kith: Kith) -> dict[str, Any]:
    (record,) = [item for item in kith.items() if item["pk"]["S"] == "IDEMPOTENCY#mail"]
    result: dict[str, Any] = json.loads(record["data"]["S"])
    return result


@pytest.fixture
def owner(kith: Kith) -> dict[str, Any]:
    kith.clock.set(MONDAY_0800_BERLIN - timedelta(days=1))
    owner = kith.create_owner(digest_weekdays=[0], digest_hour=8)
    kith.create_contact("Ann Overdue", "ann@example.com", circle="inner", last_interaction_at="2026-09-01T12:00:00Z")
    return owner


def test_a_permanent_bounce_suppresses_the_owner_and_the_digest_is_not_sent(kith: Kith, owner: dict[str, Any]) -> None:
    # Given SES reports a permanent bounce for the owner's address (in another case), delivered twice by SQS
    _ses_publishes(kith, _bounce("Owner@Example.com"), _bounce("owner@example.com"))
    # When the SES events function reads the queue
    assert _process_ses_events(kith) == {"batchItemFailures": []}
    # Then the lower-cased address is on the suppression list once, with the reason and the time, nothing more
    stored = _suppression(kith, "owner@example.com")
    assert stored is not None
    assert {name: value for name, value in stored.items() if name not in {"pk", "sk"}} == {
        "type": {"S": "suppression"},
        "address": {"S": "owner@example.com"},
        "reason": {"S": "bounce"},
        "since": {"S": "2026-11-29T09:00:00Z"},
    }
    # And when the owner's digest falls due, nothing is sent and nothing is recorded as sent
    assert kith.tick(MONDAY_0800_BERLIN + timedelta(minutes=5))["digests_queued"] == 1
    assert kith.send_mail() == {"batchItemFailures": []}
    assert kith.sent() == []
    assert kith.http("GET", "/v1/sent")[1]["sent"] == []
    assert _digest_result(kith) == {"sent": False, "reason": "suppressed"}


def test_a_complaint_stops_sending_too(kith: Kith, owner: dict[str, Any]) -> None:
    # Given the owner marked a Kith email as spam
    _ses_publishes(kith, _complaint("owner@example.com"))
    assert _process_ses_events(kith) == {"batchItemFailures": []}
    # When the digest falls due, Then it is not sent
    kith.tick(MONDAY_0800_BERLIN + timedelta(minutes=5))
    kith.send_mail()
    assert kith.sent() == []
    assert _suppression(kith, "owner@example.com")["reason"] == {"S": "complaint"}  # type: ignore[index]


def test_a_transient_bounce_leaves_sending_on(kith: Kith, owner: dict[str, Any]) -> None:
    # Given the owner's mailbox was full once (a transient bounce)
    _ses_publishes(kith, _bounce("owner@example.com", bounce_type="Transient"))
    assert _process_ses_events(kith) == {"batchItemFailures": []}
    # When the digest falls due, Then it goes out as usual
    assert _suppression(kith, "owner@example.com") is None
    kith.tick(MONDAY_0800_BERLIN + timedelta(minutes=5))
    assert kith.send_mail() == {"batchItemFailures": []}
    assert len(kith.sent()) == 1
    assert _digest_result(kith)["sent"] is True


def test_a_bounce_for_an_address_kith_never_mailed_is_handled_without_error(kith: Kith, owner: dict[str, Any]) -> None:
    # Given a bounce for an address that is no owner's (a stale or foreign notification) and an unknown event type
    _ses_publishes(kith, _bounce("stranger@example.org"), {"eventType": "Delivery", "mail": {"messageId": "m"}})
    # When the SES events function reads them, Then neither fails
    assert _process_ses_events(kith) == {"batchItemFailures": []}
    # And the owner's mail is unaffected
    kith.tick(MONDAY_0800_BERLIN + timedelta(minutes=5))
    kith.send_mail()
    assert len(kith.sent()) == 1


def _dead_letters(kith: Kith) -> list[dict[str, Any]]:
    url = kith.stack.queue_url("SesEventsDeadLetterQueue")
    letters: list[dict[str, Any]] = []
    while batch := kith.sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        VisibilityTimeout=300,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", []):
        letters.extend(batch)
    return letters


def test_an_unreadable_record_reaches_the_dead_letter_queue_once_and_a_good_one_beside_it_is_read(kith: Kith) -> None:
    # Given a malformed bounce on the queue beside a good one, as SNS delivers them
    _ses_publishes(kith, {"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}}, _bounce("x@example.com"))
    # When SQS hands the queue to the function until it is empty
    drained = kith.lambdas.drain(kith.sqs, "SesEventsQueue")
    # Then both records were taken in one invocation, neither failed, so nothing is received again
    assert (drained.delivered, drained.failed) == (2, 0)
    assert kith.lambdas.invocations["SesEventsFunction"] == 1
    assert kith.receive("SesEventsQueue") == []
    # And the good record suppressed its address
    assert _suppression(kith, "x@example.com") is not None
    # And the malformed one is in the dead-letter queue exactly once, unchanged, saying where it was wrong
    (letter,) = _dead_letters(kith)
    assert json.loads(json.loads(letter["Body"])["Message"]) == {
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent"},
    }
    assert letter["Attributes"]["ApproximateReceiveCount"] == "1"
    reason = letter["MessageAttributes"][REASON]["StringValue"]
    assert "sns.Message.bounce.bouncedRecipients" in reason
    assert "@" not in reason


def _throttle(kith: Kith, service: str, operation: str) -> list[str]:
    """Make the SES events function's `service` refuse `operation` (throttled) until the list is cleared."""
    runtime = kith.lambdas.modules["SesEventsFunction"].runtime
    client = runtime.dynamodb if service == "dynamodb" else runtime.sqs
    refusing = [operation]

    def refuse(**_: Any) -> None:
        if refusing:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, operation)

    client.meta.events.register(f"before-call.{client.meta.service_model.endpoint_prefix}.{operation}", refuse)
    return refusing


def test_a_throttled_write_is_retried_by_sqs_and_not_dead_lettered(kith: Kith) -> None:
    # Given DynamoDB throttles the suppression write once
    refusing = _throttle(kith, "dynamodb", "PutItem")
    _ses_publishes(kith, _bounce("owner@example.com"))
    messages = kith.take("SesEventsQueue")
    # When the function reads the bounce, Then the record is reported as failed, for SQS to retry
    assert kith.deliver("SesEventsQueue", messages) == {
        "batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]
    }
    assert _dead_letters(kith) == []
    # And when DynamoDB recovers and SQS delivers it again, the address is suppressed
    refusing.clear()
    assert kith.deliver("SesEventsQueue", messages) == {"batchItemFailures": []}
    assert _suppression(kith, "owner@example.com") is not None


def test_an_unreadable_record_the_dead_letter_queue_refused_is_retried_not_lost(kith: Kith) -> None:
    # Given SQS refuses the dead letter once
    refusing = _throttle(kith, "sqs", "SendMessage")
    _ses_publishes(kith, {"eventType": "Complaint"})
    messages = kith.take("SesEventsQueue")
    # When the function reads the unreadable record, Then it is failed, for SQS to hand over again
    assert kith.deliver("SesEventsQueue", messages) == {
        "batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]
    }
    # And the next time it reaches the dead-letter queue, once
    refusing.clear()
    assert kith.deliver("SesEventsQueue", messages) == {"batchItemFailures": []}
    assert [letter["Body"] for letter in _dead_letters(kith)] == [messages[0]["Body"]]


def _ses_puts_on_the_bus(kith: Kith, detail_type: str, detail: dict[str, Any]) -> None:
    """What SES does with an EventBridge event destination: put the record on the default bus as aws.ses."""
    events = boto3.client("events")
    answer = events.put_events(
        Entries=[
            {"Source": "aws.ses", "DetailType": detail_type, "Detail": json.dumps(detail), "EventBusName": "default"}
        ]
    )
    assert answer["FailedEntryCount"] == 0


def _of_this_configuration_set(kith: Kith, record: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    tags = {**record["mail"]["tags"], "ses:configuration-set": [name or kith.stack.references["ConfigurationSet"]]}
    return {**record, "mail": {**record["mail"], "tags": tags}}


def test_bounces_and_complaints_through_eventbridge_suppress_their_addresses(kith: Kith, owner: dict[str, Any]) -> None:
    # Given SES puts a bounce and a complaint of Kith's configuration set on the default event bus
    bounce = _of_this_configuration_set(kith, fixture("event-publishing-bounce.json"))
    complaint = _of_this_configuration_set(kith, fixture("event-publishing-complaint.json"))
    _ses_puts_on_the_bus(kith, "Email Bounced", bounce)
    _ses_puts_on_the_bus(kith, "Email Complaint Received", complaint)
    # When the SES events rule has put them on the queue and the function reads it
    messages = kith.take("SesEventsQueue")
    assert sorted(json.loads(message["Body"])["detail-type"] for message in messages) == [
        "Email Bounced",
        "Email Complaint Received",
    ]
    assert kith.deliver("SesEventsQueue", messages) == {"batchItemFailures": []}
    # Then both addresses are suppressed, each for its reason
    assert _suppression(kith, "gone.away@example.com")["reason"] == {"S": "bounce"}  # type: ignore[index]
    assert _suppression(kith, "annoyed@example.com")["reason"] == {"S": "complaint"}  # type: ignore[index]


def test_the_rule_takes_only_this_configuration_sets_bounces_and_complaints(kith: Kith) -> None:
    # Given another sender's bounce in the same account, and a delivery of Kith's own
    _ses_puts_on_the_bus(
        kith, "Email Bounced", _of_this_configuration_set(kith, fixture("event-publishing-bounce.json"), "someone-else")
    )
    delivery = {
        "eventType": "Delivery",
        "mail": _of_this_configuration_set(kith, fixture("event-publishing-bounce.json"))["mail"],
    }
    _ses_puts_on_the_bus(kith, "Email Delivered", delivery)
    # When the bus has routed them, Then neither reached Kith's queue
    assert kith.take("SesEventsQueue") == []


def test_identity_notifications_through_sns_suppress_too(kith: Kith) -> None:
    # Given the sender identity's feedback notifications point at the SES events topic: a bounce and a complaint
    _ses_publishes(kith, fixture("identity-bounce.json"), fixture("identity-complaint.json"))
    # When the function reads them
    assert _process_ses_events(kith) == {"batchItemFailures": []}
    # Then both addresses are suppressed
    assert _suppression(kith, "gone.away@example.com") is not None
    assert _suppression(kith, "annoyed@example.com") is not None


def test_an_sns_subscription_confirmation_on_the_queue_is_read_and_ignored(kith: Kith) -> None:
    # Given SNS's own subscription confirmation arrives on the queue
    kith.sqs.send_message(
        QueueUrl=kith.stack.queue_url("SesEventsQueue"),
        MessageBody=json.dumps(fixture("sns-subscription-confirmation.json")),
    )
    # When the function reads it, Then it neither fails nor is dead-lettered
    drained = kith.lambdas.drain(kith.sqs, "SesEventsQueue")
    assert (drained.delivered, drained.failed) == (1, 0)
    assert _dead_letters(kith) == []
