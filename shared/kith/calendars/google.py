"""Google Calendar events, read as MeetingEvents.

Faithful to the Events resource of the Calendar API v3: `status: cancelled`
(incremental sync returns cancelled events with little more than their id),
attendees with `responseStatus`, `self`, `organizer` and `resource`, timed
(`dateTime`) versus all-day (`date`) events, and recurring instances named by
`recurringEventId` and `originalStartTime`. Only who, when and the title are
kept (PRODUCT.md §10).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kith.calendars.bodies import unprocessable
from kith.domain.meetings import MeetingAttendee, MeetingChange, MeetingEvent, ResponseStatus
from kith.errors import Unprocessable

SOURCE = "google"

_RESPONSES = {
    "accepted": ResponseStatus.ACCEPTED,
    "tentative": ResponseStatus.TENTATIVE,
    "needsAction": ResponseStatus.NEEDS_ACTION,
    "declined": ResponseStatus.DECLINED,
}


class _When(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    date_time: datetime | None = Field(default=None, alias="dateTime")
    day: date | None = Field(default=None, alias="date")
    time_zone: str | None = Field(default=None, alias="timeZone")

    def instant(self, calendar_zone: str | None) -> datetime:
        if self.date_time is not None:
            if self.date_time.tzinfo is None:
                return self.date_time.replace(tzinfo=_zone(self.time_zone or calendar_zone)).astimezone(UTC)
            return self.date_time.astimezone(UTC)
        if self.day is not None:
            # An all-day event starts at midnight where the calendar lives.
            return datetime.combine(self.day, time(0, 0), tzinfo=_zone(self.time_zone or calendar_zone)).astimezone(UTC)
        raise ValueError("neither dateTime nor date is given")


class _Person(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    email: str | None = None
    display_name: str | None = Field(default=None, alias="displayName")
    response_status: str = Field(default="needsAction", alias="responseStatus")
    is_self: bool = Field(default=False, alias="self")
    organizer: bool = False
    resource: bool = False


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(min_length=1)
    status: str = "confirmed"
    ical_uid: str | None = Field(default=None, alias="iCalUID")
    summary: str | None = None
    start: _When | None = None
    end: _When | None = None
    attendees: list[_Person] = []
    recurring_event_id: str | None = Field(default=None, alias="recurringEventId")
    original_start_time: _When | None = Field(default=None, alias="originalStartTime")


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def _attendee(person: _Person) -> MeetingAttendee | None:
    """An attendee, or None for one with no usable address (a group, a malformed entry): they cannot be matched."""
    if not person.email:
        return None
    try:
        return MeetingAttendee(
            email=person.email,
            name=person.display_name,
            response=_RESPONSES.get(person.response_status, ResponseStatus.NEEDS_ACTION),
            is_resource=person.resource,
            is_organizer=person.organizer,
            is_owner=person.is_self,
        )
    except ValidationError:
        return None


def meeting_from_event(raw: dict[str, Any], calendar_zone: str | None = None) -> MeetingEvent:
    """One event of events.list as a MeetingEvent; a cancelled event needs no more than its id."""
    try:
        event = _Event.model_validate(raw)
        instance_start = (
            event.original_start_time.instant(calendar_zone)
            if event.recurring_event_id and event.original_start_time
            else None
        )
        if event.status == "cancelled":
            return MeetingEvent(
                change=MeetingChange.CANCELLED,
                source=SOURCE,
                external_id=event.id,
                ical_uid=event.ical_uid,
                instance_start=instance_start,
            )
        if event.start is None or event.end is None:
            raise ValueError("a confirmed event needs start and end")
        attendees = tuple(filter(None, (_attendee(person) for person in event.attendees)))
        return MeetingEvent(
            change=MeetingChange.BOOKED,
            source=SOURCE,
            external_id=event.id,
            ical_uid=event.ical_uid,
            instance_start=instance_start,
            title=event.summary,
            start=event.start.instant(calendar_zone),
            end=event.end.instant(calendar_zone),
            all_day=event.start.day is not None,
            attendees=attendees,
        )
    except ValidationError as exc:
        raise unprocessable(exc, prefix="Google event") from exc
    except (ValueError, OverflowError) as exc:  # OverflowError: a time that leaves the calendar once in UTC
        raise Unprocessable(f"Google event: {exc}") from exc
