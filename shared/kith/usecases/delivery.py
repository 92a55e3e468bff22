"""What became of one digest or follow-up: the value the mailer returns and its once-per-email record keeps."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from kith.domain.models import SentEmail


class DeliveryStatus(StrEnum):
    SENT = "sent"
    # Nothing to send, or nothing any more: nothing due, paused, gone, the follow-up closed or without contacts.
    SKIPPED = "skipped"
    # The owner unsubscribed, or their address bounced for good or complained.
    SUPPRESSED = "suppressed"
    # SES refused the message for good: kept as failed, not retried.
    FAILED = "failed"


class NotSent(StrEnum):
    """Why an email was not sent, as the once-per-email record has always said it."""

    NOTHING_DUE = "nothing due"
    PAUSED = "paused"
    GONE = "gone"
    NO_LONGER_PENDING = "follow-up no longer pending"
    NO_CONTACT_LEFT = "no contact left"
    UNSUBSCRIBED = "unsubscribed"
    SUPPRESSED = "suppressed"
    REJECTED = "rejected"

    @property
    def status(self) -> DeliveryStatus:
        if self is NotSent.REJECTED:
            return DeliveryStatus.FAILED
        if self in (NotSent.UNSUBSCRIBED, NotSent.SUPPRESSED):
            return DeliveryStatus.SUPPRESSED
        return DeliveryStatus.SKIPPED


class Delivery(BaseModel):
    """One email's outcome. Its record is {"sent": true, "message_id": ...} or {"sent": false, "reason": ...}."""

    model_config = ConfigDict(frozen=True)

    sent: bool
    message_id: str | None = None
    reason: NotSent | None = None
    # What was gone, or what SES said when it refused.
    detail: str | None = None
    # The sent-history line the sending run could not write; written once the record is kept (keep_in_history).
    unrecorded: SentEmail | None = None

    @classmethod
    def of_message(cls, message_id: str, unrecorded: SentEmail | None = None) -> Delivery:
        return cls(sent=True, message_id=message_id, unrecorded=unrecorded)

    @classmethod
    def not_sent(cls, reason: NotSent, detail: str | None = None) -> Delivery:
        return cls(sent=False, reason=reason, detail=detail)

    @property
    def status(self) -> DeliveryStatus:
        return DeliveryStatus.SENT if self.reason is None else self.reason.status

    def record(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def of_record(cls, record: Mapping[str, Any]) -> Delivery:
        return cls.model_validate(record)

    @model_validator(mode="before")
    @classmethod
    def _earlier_gone(cls, data: Any) -> Any:
        """Records kept before the detail had its own field said "gone: <what>" in the reason."""
        if isinstance(data, Mapping) and str(data.get("reason", "")).startswith("gone: "):
            return {**data, "reason": NotSent.GONE.value, "detail": str(data["reason"]).removeprefix("gone: ")}
        return data

    @model_validator(mode="after")
    def _sent_or_why_not(self) -> Delivery:
        if self.sent != (self.reason is None) or self.sent != (self.message_id is not None):
            raise ValueError("a delivery is sent with a message id, or not sent with a reason")
        return self
