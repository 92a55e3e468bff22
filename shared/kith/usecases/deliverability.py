"""Bounces and complaints from SES put addresses on the suppression list (PRODUCT.md §8).

SES feedback reaches the SES events queue two ways, and each queue message's body is one of:
- an SNS envelope (`Type: Notification`) whose Message is the SES record as a JSON string, from the
  configuration set's SNS destination or from the sender identity's feedback notifications;
- an EventBridge event (`source: aws.ses`) whose detail is the SES record, from the configuration set's
  EventBridge destination through the SES events rule.
The record itself names its kind `eventType` (configuration-set event publishing) or `notificationType`
(identity feedback notifications); the bounce and complaint inside have one shape in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Annotated, Any, Literal, Protocol

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    Discriminator,
    Field,
    Json,
    Tag,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from kith.domain.models import Suppression, SuppressionReason
from kith.errors import MalformedBody
from kith.ports import MailStore

UNREADABLE = "Unreadable"


class MalformedNotification(MalformedBody):
    """A queue message that holds no SES record Kith can read: retrying it can never help."""


class _Recipient(BaseModel):
    # Far below DynamoDB's key limit, far above any real address (with its display name).
    email_address: str = Field(alias="emailAddress", min_length=3, max_length=320)


class _Bounce(BaseModel):
    bounce_type: Literal["Permanent", "Transient", "Undetermined"] = Field(alias="bounceType")
    recipients: list[_Recipient] = Field(alias="bouncedRecipients", min_length=1, max_length=100)
    timestamp: AwareDatetime


class _Complaint(BaseModel):
    recipients: list[_Recipient] = Field(alias="complainedRecipients", min_length=1, max_length=100)
    timestamp: AwareDatetime


class SesEvent(BaseModel):
    """The parts of an SES record Kith reads; never the message's content or headers."""

    event_type: str = Field(validation_alias=AliasChoices("eventType", "notificationType"), max_length=64)
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None

    @model_validator(mode="after")
    def _has_its_details(self) -> SesEvent:
        if self.event_type == "Bounce" and self.bounce is None:
            raise ValueError("a Bounce event without its bounce")
        if self.event_type == "Complaint" and self.complaint is None:
            raise ValueError("a Complaint event without its complaint")
        return self


class _SnsNotification(BaseModel):
    type: Literal["Notification"] = Field(alias="Type")
    message: Json[SesEvent] = Field(alias="Message")

    def ses_event(self) -> SesEvent:
        return self.message


class _SnsControlMessage(BaseModel):
    """SNS's own messages about the subscription: nothing from SES in them."""

    type: Literal["SubscriptionConfirmation", "UnsubscribeConfirmation"] = Field(alias="Type")

    def ses_event(self) -> SesEvent:
        return SesEvent.model_validate({"eventType": f"Sns{self.type}"})


class _EventBridgeEvent(BaseModel):
    source: Literal["aws.ses"]
    detail_type: str = Field(alias="detail-type")
    detail: SesEvent

    def ses_event(self) -> SesEvent:
        return self.detail


def _envelope_of(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    if body.get("Type") == "Notification":
        return "sns"
    if "Type" in body:
        return "sns-control"
    if "detail-type" in body or "source" in body:
        return "eventbridge"
    return None


_QueueMessage: TypeAdapter[_SnsNotification | _SnsControlMessage | _EventBridgeEvent] = TypeAdapter(
    Annotated[
        Annotated[_SnsNotification, Tag("sns")]
        | Annotated[_SnsControlMessage, Tag("sns-control")]
        | Annotated[_EventBridgeEvent, Tag("eventbridge")],
        Discriminator(
            _envelope_of,
            custom_error_type="envelope",
            custom_error_message="neither an SNS envelope nor an EventBridge event",
        ),
    ]
)


def parse_notification(body: str) -> SesEvent:
    """The SES record in one queue message's body, whichever way it came."""
    try:
        return _QueueMessage.validate_json(body).ses_event()
    except ValidationError as invalid:
        fields = sorted({".".join(str(part) for part in error["loc"]) or error["type"] for error in invalid.errors()})
        raise MalformedNotification(f"no SES record Kith can read ({', '.join(fields)[:200]})") from None
    except ValueError:
        raise MalformedNotification("no SES record Kith can read (not JSON Kith accepts)") from None


def _address(raw: str) -> str:
    return (parseaddr(raw)[1] or raw).strip().lower()


def suppressions_for(event: SesEvent) -> list[Suppression]:
    """Who must not be mailed again after this event: permanent bounces and complaints; nobody otherwise."""
    if event.bounce is not None and event.event_type == "Bounce":
        if event.bounce.bounce_type != "Permanent":
            return []
        reason, recipients, since = SuppressionReason.BOUNCE, event.bounce.recipients, event.bounce.timestamp
    elif event.complaint is not None and event.event_type == "Complaint":
        reason, recipients, since = SuppressionReason.COMPLAINT, event.complaint.recipients, event.complaint.timestamp
    else:
        return []
    addresses = dict.fromkeys(_address(recipient.email_address) for recipient in recipients)
    return [Suppression(address=address, reason=reason, since=since) for address in addresses]


@dataclass(frozen=True)
class DeliverabilityOutcome:
    event_type: str
    suppressed: list[str] = field(default_factory=list)
    already_suppressed: list[str] = field(default_factory=list)
    dead_lettered: bool = False


class DeadLetters(Protocol):
    def park(self, body: str, reason: str) -> None: ...


def record_ses_event(store: MailStore, event: SesEvent) -> DeliverabilityOutcome:
    """Suppress the addresses the event calls for; a replayed event changes nothing."""
    outcome = DeliverabilityOutcome(event.event_type)
    for suppression in suppressions_for(event):
        added = store.suppress(suppression)
        (outcome.suppressed if added else outcome.already_suppressed).append(suppression.address)
    return outcome


def read_ses_message(store: MailStore, dead_letters: DeadLetters, body: str) -> DeliverabilityOutcome:
    """Act on one queue message. One Kith cannot read goes to the dead-letter queue now: a retry would read
    the same bytes, so SQS's five receives would only delay it. A failure to act (a throttled write) raises."""
    try:
        event = parse_notification(body)
    except MalformedNotification as unreadable:
        dead_letters.park(body, str(unreadable))
        return DeliverabilityOutcome(UNREADABLE, dead_lettered=True)
    return record_ses_event(store, event)
