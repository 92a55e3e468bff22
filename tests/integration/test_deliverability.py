"""Bounces and complaints reach the suppression list through SNS and SQS, and the mailer honours it (§8)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

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


def test_a_malformed_notification_fails_alone_and_reaches_the_dead_letter_queue(kith: Kith) -> None:
    # Given a malformed notification on the queue beside a good one
    _ses_publishes(kith, {"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}}, _bounce("x@example.com"))
    messages = kith.take("SesEventsQueue")
    malformed = next(message for message in messages if "bouncedRecipients" not in message["Body"])
    # When the function reads the batch, Then only the malformed record is reported as a failure
    result = kith.deliver("SesEventsQueue", messages)
    assert result == {"batchItemFailures": [{"itemIdentifier": malformed["MessageId"]}]}
    assert _suppression(kith, "x@example.com") is not None
    # And when SQS keeps redelivering it, after five receives it moves to the dead-letter queue, no crash loop
    kith.sqs.send_message(QueueUrl=kith.stack.queue_url("SesEventsQueue"), MessageBody=malformed["Body"])
    drained = kith.lambdas.drain(kith.sqs, "SesEventsQueue")
    assert (drained.delivered, drained.failed) == (0, 5)
    (dead,) = kith.take("SesEventsDeadLetterQueue")
    assert dead["Body"] == malformed["Body"]
