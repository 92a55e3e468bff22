"""Bounces and complaints from SES put addresses on the suppression list (PRODUCT.md §8).

SES publishes a configuration set's events to an SNS topic; SNS wraps each in its envelope and
delivers it to a queue, so a queue message's body is the envelope and its Message the SES event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Literal

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, Json, ValidationError, model_validator

from kith.domain.models import Suppression, SuppressionReason
from kith.errors import MalformedBody
from kith.storage.suppression import SuppressionRecords


class MalformedNotification(MalformedBody):
    """A queue message that is not an SNS envelope holding an SES event: it is retried, then dead-lettered."""


class _Recipient(BaseModel):
    email_address: str = Field(alias="emailAddress", min_length=3)


class _Bounce(BaseModel):
    bounce_type: Literal["Permanent", "Transient", "Undetermined"] = Field(alias="bounceType")
    recipients: list[_Recipient] = Field(alias="bouncedRecipients", min_length=1)
    timestamp: AwareDatetime


class _Complaint(BaseModel):
    recipients: list[_Recipient] = Field(alias="complainedRecipients", min_length=1)
    timestamp: AwareDatetime


class SesEvent(BaseModel):
    """The parts of an SES event Kith reads; never the message's content or headers."""

    # Event publishing names the kind eventType; identity notifications name it notificationType.
    event_type: str = Field(validation_alias=AliasChoices("eventType", "notificationType"))
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None

    @model_validator(mode="after")
    def _has_its_details(self) -> SesEvent:
        if self.event_type == "Bounce" and self.bounce is None:
            raise ValueError("a Bounce event without its bounce")
        if self.event_type == "Complaint" and self.complaint is None:
            raise ValueError("a Complaint event without its complaint")
        return self


class _SnsEnvelope(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    type: Literal["Notification"] = Field(alias="Type")
    message: Json[SesEvent] = Field(alias="Message")


def parse_notification(body: str) -> SesEvent:
    """The SES event inside one SNS envelope (a queue message's body)."""
    try:
        return _SnsEnvelope.model_validate_json(body).message
    except ValidationError as invalid:
        fields = sorted({".".join(str(part) for part in error["loc"]) for error in invalid.errors()})
        raise MalformedNotification(f"not an SES event in an SNS envelope ({', '.join(fields)})") from None


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


def record_ses_event(records: SuppressionRecords, event: SesEvent) -> DeliverabilityOutcome:
    """Suppress the addresses the event calls for; a replayed event changes nothing."""
    outcome = DeliverabilityOutcome(event.event_type)
    for suppression in suppressions_for(event):
        added = records.suppress(suppression)
        (outcome.suppressed if added else outcome.already_suppressed).append(suppression.address)
    return outcome
