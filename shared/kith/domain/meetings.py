"""Which meeting attendees count, and whether a meeting moves a cadence (PRODUCT.md §3)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from kith.domain.models import EmailAddress, Instant
from kith.domain.text import one_line

# A calendar's text cannot be refused (the meeting happened): control characters become spaces, blanks None.
ProviderText = Annotated[str | None, AfterValidator(one_line)]


class MeetingChange(StrEnum):
    """What a calendar told us about a meeting, in provider-neutral words."""

    BOOKED = "booked"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    # Some attendees withdrew (a Calendly invitee cancelled); the meeting stands for the others.
    WITHDRAWN = "withdrawn"
    # The booking gives way to a new one that arrives on its own (the old half of a Calendly reschedule).
    SUPERSEDED = "superseded"
    ENDED = "ended"
    TEST = "test"
    # A notification that says nothing about who met whom (a payment, a recording): acknowledged, dropped.
    UNRELATED = "unrelated"


class ResponseStatus(StrEnum):
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    NEEDS_ACTION = "needs_action"
    DECLINED = "declined"


class MeetingAttendee(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: EmailAddress
    name: ProviderText = None
    response: ResponseStatus = ResponseStatus.ACCEPTED
    is_resource: bool = False
    is_organizer: bool = False
    # The calendar's own account (Google's `self`, the Outlook mailbox): the owner, whatever address it uses.
    is_owner: bool = False


class MeetingEvent(BaseModel):
    """One calendar notification, parsed and verified, ready to be recorded."""

    model_config = ConfigDict(frozen=True)

    change: MeetingChange
    source: str
    external_id: str
    previous_external_id: str | None = None
    ical_uid: str | None = None
    # For one instance of a recurring meeting: the instance's original start, which names it for good.
    instance_start: Instant | None = None
    title: ProviderText = None
    start: Instant | None = None
    end: Instant | None = None
    all_day: bool = False
    attendees: tuple[MeetingAttendee, ...] = ()
    # False when the notification names only some attendees (a Calendly invitee): others stay.
    attendees_complete: bool = True

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> MeetingEvent:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("the meeting ends before it starts")
        return self


def counted_attendees(attendees: Iterable[MeetingAttendee], owner_email: str) -> tuple[MeetingAttendee, ...]:
    """Attendees who count: not declined, not the owner, not a room or resource; each once."""
    seen: set[str] = set()
    counted: list[MeetingAttendee] = []
    for attendee in attendees:
        if attendee.response is ResponseStatus.DECLINED or attendee.is_resource or attendee.is_owner:
            continue
        if attendee.email == owner_email or attendee.email in seen:
            continue
        seen.add(attendee.email)
        counted.append(attendee)
    return tuple(counted)


def moves_cadence(event: MeetingEvent, counted: int, size_limit: int) -> bool:
    """All-day events and meetings over the size limit are kept but move no clock.

    The limit counts people in the room: the counted attendees plus the owner.
    """
    return not event.all_day and counted + 1 <= size_limit
