"""Reading SES bounces and complaints from an SNS envelope or an EventBridge event, in either record form (§8).

The records come from tests/fixtures/ses, written after AWS's documented examples, not after Kith's code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from kith.domain.models import Suppression, SuppressionReason
from kith.usecases.deliverability import (
    UNREADABLE,
    MalformedNotification,
    parse_notification,
    read_ses_message,
    suppressions_for,
)

from tests.fixtures.ses import fixture

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


GONE_AWAY = Suppression(
    address="gone.away@example.com",
    reason=SuppressionReason.BOUNCE,
    since=utc(2026, 1, 5, 9, 16, 2).replace(microsecond=669000),
)
ANNOYED = Suppression(address="annoyed@example.com", reason=SuppressionReason.COMPLAINT, since=utc(2026, 1, 6, 10))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_envelope(fixture("event-publishing-bounce.json")), GONE_AWAY),
        (_envelope(fixture("event-publishing-complaint.json")), ANNOYED),
        (_envelope(fixture("identity-bounce.json")), GONE_AWAY),
        (_envelope(fixture("identity-complaint.json")), ANNOYED),
        (json.dumps(fixture("eventbridge-bounce.json")), GONE_AWAY),
        (json.dumps(fixture("eventbridge-complaint.json")), ANNOYED),
    ],
    ids=[
        "sns-event-publishing-bounce",
        "sns-event-publishing-complaint",
        "sns-identity-bounce",
        "sns-identity-complaint",
        "eventbridge-bounce",
        "eventbridge-complaint",
    ],
)
def test_every_route_and_record_form_suppresses_the_same_address(body: str, expected: Suppression) -> None:
    # Given a documented bounce or complaint, in an SNS envelope or as an EventBridge event,
    # named by eventType (configuration set) or by notificationType (identity notification)
    # When parsed, Then the one recipient is suppressed, lower-cased, for that reason, as of the feedback
    assert suppressions_for(parse_notification(body)) == [expected]


@pytest.mark.parametrize(
    "body",
    [
        _envelope(fixture("identity-transient-bounce.json")),
        json.dumps({**fixture("eventbridge-bounce.json"), "detail": fixture("identity-transient-bounce.json")}),
    ],
    ids=["sns", "eventbridge"],
)
def test_a_transient_bounce_by_either_route_suppresses_nobody(body: str) -> None:
    # Given a mailbox that was full (a transient bounce)
    event = parse_notification(body)
    # When read, Then it is a bounce, and sending stays on
    assert (event.event_type, suppressions_for(event)) == ("Bounce", [])


def _eventbridge(detail_type: str, event_type: str) -> str:
    event = fixture("eventbridge-bounce.json")
    return json.dumps({**event, "detail-type": detail_type, "detail": {"eventType": event_type, "mail": {}}})


@pytest.mark.parametrize(
    ("body", "event_type"),
    [
        (_envelope(fixture("identity-delivery.json")), "Delivery"),
        (_envelope(fixture("event-publishing-delivery-delay.json")), "DeliveryDelay"),
        (_envelope({"eventType": "Reject", "reject": {"reason": "Bad content"}, "mail": {}}), "Reject"),
        (
            _envelope({"eventType": "Rendering Failure", "failure": {"errorMessage": "x"}, "mail": {}}),
            "Rendering Failure",
        ),
        (_envelope({"eventType": "Click", "click": {"link": "https://kith.example/a/x"}, "mail": {}}), "Click"),
        (_eventbridge("Email Sent", "Send"), "Send"),
        (_eventbridge("Email Opened", "Open"), "Open"),
        (_eventbridge("Email Delivery Delayed", "DeliveryDelay"), "DeliveryDelay"),
        (json.dumps(fixture("sns-subscription-confirmation.json")), "SnsSubscriptionConfirmation"),
        (
            json.dumps({**fixture("sns-subscription-confirmation.json"), "Type": "UnsubscribeConfirmation"}),
            "SnsUnsubscribeConfirmation",
        ),
    ],
    ids=[
        "identity-delivery",
        "delivery-delay",
        "reject",
        "rendering-failure",
        "click",
        "eventbridge-send",
        "eventbridge-open",
        "eventbridge-delivery-delayed",
        "sns-subscription-confirmation",
        "sns-unsubscribe-confirmation",
    ],
)
def test_records_kith_does_not_act_on_are_read_and_ignored(body: str, event_type: str) -> None:
    # Given a record of a kind that says nothing about a dead or unwilling address, or SNS's own message
    event = parse_notification(body)
    # When read, Then it is known for what it is and suppresses nobody
    assert (event.event_type, suppressions_for(event)) == (event_type, [])


def _bounce_with(**changes: Any) -> dict[str, Any]:
    record = fixture("event-publishing-bounce.json")
    return {**record, "bounce": {**record["bounce"], **changes}}


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        "",
        "[]",
        '"a string"',
        json.dumps({"Type": "Notification", "Message": "{not json"}),
        json.dumps({"Type": "Notification", "Message": {"eventType": "Bounce"}}),
        json.dumps({"Type": "Telegram", "Message": json.dumps(fixture("event-publishing-bounce.json"))}),
        _envelope({"eventType": "Bounce"}),
        _envelope({"notificationType": "Complaint", "mail": {}}),
        _envelope({"eventType": "Complaint", "complaint": {"timestamp": "2026-01-06T10:00:00Z"}}),
        _envelope(_bounce_with(bouncedRecipients=[])),
        _envelope(_bounce_with(bounceType="Sometimes")),
        _envelope(_bounce_with(timestamp="2026-01-05T09:16:02")),
        _envelope(_bounce_with(bouncedRecipients=[{"emailAddress": "x" * 400 + "@example.com"}])),
        _envelope({"mail": {"messageId": "no event type"}}),
        json.dumps({**fixture("eventbridge-bounce.json"), "source": "aws.events"}),
        json.dumps({k: v for k, v in fixture("eventbridge-bounce.json").items() if k != "detail"}),
        json.dumps({**fixture("eventbridge-bounce.json"), "detail": _bounce_with(bouncedRecipients=[])}),
        json.dumps({**fixture("eventbridge-bounce.json"), "detail": "{}"}),
        json.dumps({"Records": [{"body": "an SQS event, not a message"}]}),
        '{"Type": "Notification", "Message": "{\\"eventType\\": 1' + "0" * 5000 + '}"}',
        '{"source": "aws.ses", "detail-type": 1' + "0" * 5000 + ', "detail": {}}',
        json.dumps({**fixture("eventbridge-bounce.json"), "detail": _bounce_with(timestamp=1e400)}),
        '{"source": "aws.ses", "detail-type": "Email Bounced", "detail": {"eventType": NaN}}',
        '{"source": "aws.ses", "detail-type": "Email Bounced", "detail": ' + "[" * 5000 + "]" * 5000 + "}",
    ],
    ids=[
        "not-json",
        "empty",
        "a-list",
        "a-string",
        "message-not-json",
        "message-not-a-string",
        "unknown-sns-type",
        "bounce-without-details",
        "identity-complaint-without-details",
        "complaint-without-recipients",
        "bounce-without-recipients",
        "unknown-bounce-type",
        "bounce-time-without-zone",
        "address-past-its-limit",
        "no-event-type",
        "eventbridge-not-from-ses",
        "eventbridge-without-detail",
        "eventbridge-bounce-without-recipients",
        "eventbridge-detail-a-string",
        "an-sqs-event",
        "huge-integer-in-the-message",
        "huge-integer-in-the-event",
        "infinite-timestamp",
        "nan",
        "deep-nesting",
    ],
)
def test_a_malformed_notification_raises_a_typed_error_that_names_no_address(body: str) -> None:
    # Given a queue message that holds no SES record Kith can read
    # When parsed, Then it raises the one typed error (so it is dead-lettered), naming where but no address
    with pytest.raises(MalformedNotification) as raised:
        parse_notification(body)
    assert "@" not in str(raised.value)
    assert len(str(raised.value)) < 256


class _Parked:
    def __init__(self) -> None:
        self.letters: list[tuple[str, str]] = []

    def park(self, body: str, reason: str) -> None:
        self.letters.append((body, reason))


class _NoRecords:
    def suppress(self, suppression: Suppression) -> bool:
        raise AssertionError("nothing may be suppressed for an unreadable record")


def test_an_unreadable_message_is_parked_once_with_its_body_and_why() -> None:
    # Given an EventBridge bounce that lost its recipients
    body = json.dumps({**fixture("eventbridge-bounce.json"), "detail": _bounce_with(bouncedRecipients=[])})
    parked = _Parked()
    # When read
    outcome = read_ses_message(_NoRecords(), parked, body)  # type: ignore[arg-type]
    # Then it is parked once, unchanged, with the place that was wrong, and reported as such, not raised
    assert (outcome.event_type, outcome.dead_lettered) == (UNREADABLE, True)
    ((letter, reason),) = parked.letters
    assert letter == body
    assert "eventbridge.detail.bounce.bouncedRecipients" in reason
