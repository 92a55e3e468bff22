"""The things Kith talks about, as the product names them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from kith.domain.bounds import (
    LONGEST_ZONE_NAME,
    DigestLimit,
    FollowUpDelayMinutes,
    Hour,
    MeetingSizeLimit,
    Weekday,
)
from kith.errors import Unauthorized


class Circle(StrEnum):
    INNER = "inner"
    CORE = "core"
    WIDER = "wider"
    CUSTOM = "custom"
    NEVER = "never"


CIRCLE_CADENCE_DAYS: dict[Circle, int] = {Circle.INNER: 21, Circle.CORE: 60, Circle.WIDER: 180}
CIRCLE_ORDER: tuple[Circle, ...] = (Circle.INNER, Circle.CORE, Circle.CUSTOM, Circle.WIDER, Circle.NEVER)


_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


def normalise_email(value: str) -> str:
    """E-mail addresses are compared case-insensitively everywhere in Kith."""
    candidate = value.strip().lower()
    if len(candidate) > 254 or not _EMAIL.match(candidate) or not candidate.isprintable():
        raise ValueError("not a valid e-mail address")
    return candidate


EmailAddress = Annotated[str, AfterValidator(normalise_email)]

_LINKEDIN_PROFILE = re.compile(
    r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/in/([^/?#\s]+)/?(?:[?#].*)?$", re.IGNORECASE
)


def normalise_linkedin_url(value: str) -> str:
    """A LinkedIn profile as https://www.linkedin.com/in/<id>, so two spellings of one profile compare equal."""
    found = _LINKEDIN_PROFILE.match(value.strip())
    if found is None:
        raise ValueError("not a LinkedIn profile URL (https://www.linkedin.com/in/...)")
    return f"https://www.linkedin.com/in/{found.group(1).lower()}"


LinkedInUrl = Annotated[str, AfterValidator(normalise_linkedin_url)]


# The instants Kith keeps: any real meeting, interaction, snooze or pause. Outside them a year is not written
# with four digits in a table key, or adding a cadence (up to ten years) leaves the calendar Python counts in.
EARLIEST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)


def check_instant(moment: datetime) -> datetime:
    if not EARLIEST_INSTANT <= moment < LATEST_INSTANT:
        raise ValueError(f"{moment.isoformat()} is outside the years Kith keeps (1900 to 2199)")
    return moment


Instant = Annotated[AwareDatetime, AfterValidator(check_instant)]


def check_time_zone(name: str) -> str:
    if len(name) > LONGEST_ZONE_NAME:
        raise ValueError(f"unknown IANA time zone: longer than {LONGEST_ZONE_NAME} characters")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # ZoneInfo reads a file named after the zone: a name the file system refuses is an OSError.
        raise ValueError(f"unknown IANA time zone {name!r}") from exc
    return name


class WorkingHours(BaseModel):
    model_config = ConfigDict(frozen=True)

    days: tuple[Weekday, ...] = (0, 1, 2, 3, 4)
    start_hour: Hour = 9
    end_hour: Annotated[int, Field(ge=1, le=24)] = 17

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start_hour >= self.end_hour:
            raise ValueError("working hours must start before they end")
        if not self.days:
            raise ValueError("working hours need at least one day")
        return self


class OwnerSettings(BaseModel):
    """What an owner chooses about when and how much Kith writes to them."""

    model_config = ConfigDict(frozen=True)

    time_zone: str = "UTC"
    digest_weekdays: tuple[Weekday, ...] = (0,)
    digest_hour: Hour = 8
    digest_limit: DigestLimit = 5
    working_hours: WorkingHours = WorkingHours()
    follow_up_delay_minutes: FollowUpDelayMinutes = 60
    meeting_size_limit: MeetingSizeLimit = 8
    # A vacation: no digest and no follow-up goes out before this instant; follow-ups wait for it.
    paused_until: datetime | None = None
    # Email as interactions: the owner's other addresses (a BCC or forward from one counts), and whether
    # a message's subject is kept as its interaction's title (off: who and when only).
    other_addresses: tuple[EmailAddress, ...] = ()
    keep_email_subjects: bool = False

    def paused_at(self, moment: datetime) -> bool:
        return self.paused_until is not None and moment < self.paused_until

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)

    @field_validator("digest_weekdays")
    @classmethod
    def _some_weekday(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            raise ValueError("at least one digest weekday is needed")
        return tuple(sorted(set(value)))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


# Every id Kith gives out (a contact's, an interaction's, a connection's) is shorter: one longer names
# nothing, and could not be a DynamoDB key (a sort key holds at most 1,024 bytes).
MAX_ID_LENGTH = 128

# An identity provider's subject names the owner in every key: a Cognito sub is a UUID, others
# (auth0|..., 10769150350006150715113082367) are short ASCII too. "#" separates the parts of a key.
_SUBJECT = re.compile(r"^[!-\"$-~]{1,128}$")


def owner_id_from_subject(subject: object) -> str:
    """The owner a token's `sub` names, or Unauthorized for one Kith cannot key a table by."""
    if not subject:
        raise Unauthorized("a token with a subject is required")
    if not isinstance(subject, str) or not _SUBJECT.match(subject):
        raise Unauthorized("the token's subject is not one Kith can use: 1 to 128 printable ASCII characters, no #")
    return subject


class Owner(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: str
    email: EmailAddress
    name: str
    settings: OwnerSettings = OwnerSettings()
    created_at: datetime
    next_digest_at: datetime | None = None
    # Set by the unsubscribe link (RFC 8058): no email goes out until the owner subscribes again.
    unsubscribed_at: datetime | None = None


# "A few goals" (PRODUCT.md §2): enough to name what matters this season, few enough to stay a focus.
MAX_GOALS = 10


class Goal(BaseModel):
    """Something the owner works towards (PRODUCT.md §2); contacts serving an active one rank higher."""

    model_config = ConfigDict(frozen=True)

    name: str
    active: bool = True


class ContactDetails(BaseModel):
    """What the owner says of a contact: the fields they give when adding it and may change later."""

    model_config = ConfigDict(frozen=True)

    name: str
    emails: tuple[EmailAddress, ...] = ()
    linkedin_url: LinkedInUrl | None = None
    company: str | None = None
    title: str | None = None
    circle: Circle = Circle.CORE
    cadence_days: int | None = None
    goal: str | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None


class Contact(ContactDetails):
    contact_id: str
    owner_id: str
    added_at: datetime
    # Bulk adds only (PRODUCT.md §7): the owner's local day the contact first falls due, spread over its cadence.
    first_due_on: date | None = None
    last_interaction_at: datetime | None = None
    last_interaction_title: str | None = None
    snoozed_until: datetime | None = None
    planned_meeting_at: datetime | None = None
    version: int = 1


class InteractionKind(StrEnum):
    MEETING = "meeting"
    CALL = "call"
    MESSAGE = "message"
    NOTE = "note"
    # A message the owner sent, seen in their Gmail or Outlook, or BCC'd to Kith.
    EMAIL = "email"


class Attendee(BaseModel):
    """Someone at a meeting who is not (yet) a contact, kept only to offer adding them."""

    model_config = ConfigDict(frozen=True)

    email: EmailAddress
    name: str | None = None


class Interaction(BaseModel):
    model_config = ConfigDict(frozen=True)

    interaction_id: str
    owner_id: str
    contact_ids: tuple[str, ...]
    start: datetime
    end: datetime
    kind: InteractionKind = InteractionKind.MEETING
    title: str | None = None
    source: str
    external_id: str
    ical_uid: str | None = None
    counts_for_cadence: bool = True
    recorded_at: datetime


class FollowUpStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    # Due, but not sent: no contact was left, or the owner's address is on the suppression list.
    SKIPPED = "skipped"


class FollowUp(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: str
    interaction_id: str
    due_at: datetime
    status: FollowUpStatus = FollowUpStatus.PENDING
    contact_ids: tuple[str, ...]
    new_attendees: tuple[Attendee, ...] = ()
    title: str | None = None
    meeting_end: datetime


class DigestEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    contact: Contact
    due_at: datetime
    overdue: bool
    score: float


class Digest(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner: Owner
    slot: datetime
    entries: tuple[DigestEntry, ...]


class EmailKind(StrEnum):
    DIGEST = "digest"
    FOLLOW_UP = "follow_up"


class SentEmail(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: str
    email_key: str
    kind: EmailKind
    recipient: str
    subject: str
    sent_at: datetime
    message_id: str


class SuppressionReason(StrEnum):
    BOUNCE = "bounce"
    COMPLAINT = "complaint"


class Suppression(BaseModel):
    """An address Kith never mails again: it bounced for good, or its owner complained."""

    model_config = ConfigDict(frozen=True)

    address: str
    reason: SuppressionReason
    since: datetime
