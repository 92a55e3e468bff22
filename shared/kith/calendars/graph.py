"""Microsoft Graph (Outlook) events, read as MeetingEvents, and sent messages, read as SentMessages.

Graph writes times as a wall-clock `dateTime` plus a `timeZone` name, which is
"UTC" when events are fetched with `Prefer: outlook.timezone="UTC"` (as Kith
does), an IANA name, or a Windows name; the common Windows names are mapped.
The mailbox's own address is the owner; the organizer, when someone else,
is an attendee like any other. Only who, when and the title are kept.

A message from Sent Items is read for its recipients (To, Cc, Bcc), when it was sent, its
Internet Message-ID and its subject; Kith never asks Graph for a body or the headers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from kith.calendars.bodies import unprocessable
from kith.domain.mail import MailSource, SentMessage
from kith.domain.meetings import MeetingAttendee, MeetingChange, MeetingEvent, ResponseStatus
from kith.domain.models import normalise_email
from kith.errors import Unprocessable

SOURCE = "outlook"
PREFER_UTC = 'outlook.timezone="UTC"'

_RESPONSES = {
    "accepted": ResponseStatus.ACCEPTED,
    "organizer": ResponseStatus.ACCEPTED,
    "tentativelyAccepted": ResponseStatus.TENTATIVE,
    "none": ResponseStatus.NEEDS_ACTION,
    "notResponded": ResponseStatus.NEEDS_ACTION,
    "declined": ResponseStatus.DECLINED,
}
# Windows time zone names Graph may use when an event keeps its own zone.
_WINDOWS_ZONES = {
    "UTC": "UTC",
    "GMT Standard Time": "Europe/London",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "Pacific Standard Time": "America/Los_Angeles",
    "India Standard Time": "Asia/Kolkata",
    "China Standard Time": "Asia/Shanghai",
    "Tokyo Standard Time": "Asia/Tokyo",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "Lord Howe Standard Time": "Australia/Lord_Howe",
}


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(_WINDOWS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


class _When(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    date_time: datetime = Field(alias="dateTime")
    time_zone: str = Field(default="UTC", alias="timeZone")

    def instant(self) -> datetime:
        if self.date_time.tzinfo is not None:
            return self.date_time.astimezone(UTC)
        return self.date_time.replace(tzinfo=_zone(self.time_zone)).astimezone(UTC)


class _Address(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    address: str | None = None


class _Status(BaseModel):
    model_config = ConfigDict(extra="ignore")

    response: str = "none"


class _Attendee(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    type: str = "required"
    status: _Status = _Status()
    email_address: _Address = Field(alias="emailAddress")


class _Organizer(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    email_address: _Address = Field(alias="emailAddress")


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(min_length=1)
    ical_uid: str | None = Field(default=None, alias="iCalUId")
    subject: str | None = None
    is_all_day: bool = Field(default=False, alias="isAllDay")
    is_cancelled: bool = Field(default=False, alias="isCancelled")
    start: _When
    end: _When
    attendees: list[_Attendee] = []
    organizer: _Organizer | None = None
    kind: str = Field(default="singleInstance", alias="type")
    original_start: datetime | None = Field(default=None, alias="originalStart")


def _person(address: _Address, response: str, resource: bool, mailbox: str, organizer: bool) -> MeetingAttendee | None:
    if not address.address:
        return None
    try:
        email = normalise_email(address.address)
        return MeetingAttendee(
            email=email,
            name=address.name,
            response=_RESPONSES.get(response, ResponseStatus.NEEDS_ACTION),
            is_resource=resource,
            is_organizer=organizer,
            is_owner=email == mailbox,
        )
    except ValueError:
        return None


def meeting_from_event(raw: dict[str, Any], mailbox: str) -> MeetingEvent | None:
    """A Graph event as a MeetingEvent; None for a series master (its occurrences are the meetings)."""
    try:
        event = _Event.model_validate(raw)
        if event.kind == "seriesMaster":
            return None
        owner = normalise_email(mailbox)
        instance_start = None
        if event.kind in {"occurrence", "exception"} and event.original_start is not None:
            instance_start = event.original_start.astimezone(UTC)
        if event.is_cancelled:
            return MeetingEvent(
                change=MeetingChange.CANCELLED,
                source=SOURCE,
                external_id=event.id,
                ical_uid=event.ical_uid,
                instance_start=instance_start,
            )
        people = [
            _person(a.email_address, a.status.response, a.type == "resource", owner, organizer=False)
            for a in event.attendees
        ]
        if event.organizer is not None:
            people.append(_person(event.organizer.email_address, "organizer", False, owner, organizer=True))
        return MeetingEvent(
            change=MeetingChange.BOOKED,
            source=SOURCE,
            external_id=event.id,
            ical_uid=event.ical_uid,
            instance_start=instance_start,
            title=event.subject,
            start=event.start.instant(),
            end=event.end.instant(),
            all_day=event.is_all_day,
            attendees=tuple(filter(None, people)),
        )
    except ValidationError as exc:
        raise unprocessable(exc, prefix="Graph event") from exc
    except (ValueError, OverflowError) as exc:  # OverflowError: a time that leaves the calendar once in UTC
        raise Unprocessable(f"Graph event: {exc}") from exc


def removed_meeting(event_id: str) -> MeetingEvent:
    """A `deleted` change notification: the event is gone, and Graph can no longer say more than its id."""
    return MeetingEvent(change=MeetingChange.CANCELLED, source=SOURCE, external_id=event_id)


# What Kith reads of a sent message: who it went to, when, and its name wherever it is seen (Mail.ReadBasic).
MESSAGE_FIELDS = (
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "from",
    "sentDateTime",
    "internetMessageId",
    "subject",
)


class _Recipient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    email_address: _Address = Field(default_factory=_Address, alias="emailAddress")


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sent_at: AwareDatetime = Field(alias="sentDateTime")
    internet_message_id: str | None = Field(default=None, alias="internetMessageId")
    subject: str | None = None
    sender: _Recipient | None = Field(default=None, alias="from")
    to: list[_Recipient] | None = Field(default=None, alias="toRecipients")
    cc: list[_Recipient] | None = Field(default=None, alias="ccRecipients")
    bcc: list[_Recipient] | None = Field(default=None, alias="bccRecipients")


def sent_message(raw: dict[str, Any]) -> SentMessage:
    """A message from the owner's Sent Items: Graph vouches that they sent it."""
    try:
        message = _Message.model_validate(raw)
    except ValidationError as exc:
        raise unprocessable(exc, prefix="Graph message") from exc
    written = [*(message.to or ()), *(message.cc or ()), *(message.bcc or ())]
    return SentMessage(
        source=MailSource.OUTLOOK,
        message_id=message.internet_message_id,
        sent_at=message.sent_at.astimezone(UTC),
        sender=message.sender.email_address.address if message.sender else None,
        recipients=tuple(r.email_address.address for r in written if r.email_address.address),
        from_sent_folder=True,
        subject=message.subject,
    )
