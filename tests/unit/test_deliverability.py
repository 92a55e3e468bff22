"""Reading SES bounce and complaint events from their SNS envelope (PRODUCT.md §8)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kith.domain.models import Suppression, SuppressionReason
from kith.usecases.deliverability import MalformedNotification, parse_notification, suppressions_for

from .builders import utc


def _envelope(ses_event: dict[str, Any]) -> str:
    """What the SES events queue receives: SNS's envelope, its Message the SES event as a JSON string."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "m-1",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:kith-dev-ses-events",
            "Message": json.dumps(ses_event),
            "Timestamp": "2026-01-05T09:16:02.300Z",
        }
    )


def _bounce(bounce_type: str, *addresses: str) -> dict[str, Any]:
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address, "status": "5.1.1"} for address in addresses],
            "timestamp": "2026-01-05T09:16:02.112Z",
        },
        "mail": {"messageId": "ses-1", "destination": list(addresses), "commonHeaders": {"subject": "secret"}},
    }


def test_a_permanent_bounce_suppresses_each_recipient_lower_cased() -> None:
    # Given a permanent bounce for two recipients, one in mixed case
    body = _envelope(_bounce("Permanent", "Gone.Away@Example.com", "old@example.com"))
    # When parsed
    suppressions = suppressions_for(parse_notification(body))
    # Then both addresses are suppressed, lower-cased, for a bounce, as of the bounce
    when = utc(2026, 1, 5, 9, 16, 2).replace(microsecond=112000)
    assert suppressions == [
        Suppression(address="gone.away@example.com", reason=SuppressionReason.BOUNCE, since=when),
        Suppression(address="old@example.com", reason=SuppressionReason.BOUNCE, since=when),
    ]


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_a_bounce_that_is_not_permanent_suppresses_nobody(bounce_type: str) -> None:
    # Given a transient (mailbox full) or undetermined bounce
    event = parse_notification(_envelope(_bounce(bounce_type, "full@example.com")))
    # When read, Then nobody is suppressed: sending stays on
    assert event.event_type == "Bounce"
    assert suppressions_for(event) == []


def test_a_complaint_suppresses_the_complaining_recipient() -> None:
    # Given a complaint (the recipient marked the email as spam)
    body = _envelope(
        {
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": "Annoyed@example.com"}],
                "timestamp": "2026-01-06T10:00:00Z",
                "complaintFeedbackType": "abuse",
            },
            "mail": {"messageId": "ses-2"},
        }
    )
    # When parsed, Then the address is suppressed for a complaint
    assert suppressions_for(parse_notification(body)) == [
        Suppression(address="annoyed@example.com", reason=SuppressionReason.COMPLAINT, since=utc(2026, 1, 6, 10)),
    ]


@pytest.mark.parametrize("event_type", ["Delivery", "Send", "Open", "DeliveryDelay"])
def test_other_event_types_are_read_and_ignored(event_type: str) -> None:
    # Given an event of a kind Kith does not act on
    event = parse_notification(_envelope({"eventType": event_type, "mail": {"messageId": "ses-3"}}))
    # When read, Then it suppresses nobody
    assert event.event_type == event_type
    assert suppressions_for(event) == []


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        json.dumps({"Type": "Notification", "Message": "{not json"}),
        json.dumps({"Type": "SubscriptionConfirmation", "Message": json.dumps({"eventType": "Delivery"})}),
        _envelope({"eventType": "Bounce"}),
        _envelope({"eventType": "Complaint", "complaint": {"timestamp": "2026-01-06T10:00:00Z"}}),
        _envelope({"eventType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": []}}),
        _envelope(_bounce("Sometimes", "x@example.com")),
        _envelope({"mail": {"messageId": "no event type"}}),
    ],
    ids=[
        "not-json",
        "message-not-json",
        "not-a-notification",
        "bounce-without-details",
        "complaint-without-recipients",
        "bounce-without-recipients",
        "unknown-bounce-type",
        "no-event-type",
    ],
)
def test_a_malformed_notification_raises_a_typed_error_that_names_no_address(body: str) -> None:
    # Given a queue message that is not an SES event in an SNS envelope
    # When parsed, Then it raises (so the message is retried, then dead-lettered)
    with pytest.raises(MalformedNotification) as raised:
        parse_notification(body)
    assert "@" not in str(raised.value)
