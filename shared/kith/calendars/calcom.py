"""Cal.com webhooks.

Cal.com signs the raw body: `X-Cal-Signature-256` is the lowercase-hex
HMAC-SHA256 of it under the webhook's secret. Bodies look like
`{"triggerEvent": "BOOKING_CREATED", "createdAt": "...", "payload": {...}}`;
the scheduled MEETING_ENDED job sends the booking fields flat, with no
`payload` wrapper. Only who, when and the title are kept (PRODUCT.md §10).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from kith.calendars.bodies import load_object, unprocessable
from kith.calendars.signing import header_value, hmac_sha256_hex, signature_matches
from kith.domain.meetings import MeetingAttendee, MeetingChange, MeetingEvent
from kith.domain.models import EmailAddress
from kith.errors import MalformedBody, Unauthorized, Unprocessable

SIGNATURE_HEADER = "x-cal-signature-256"
SOURCE = "calcom"

_CHANGES = {
    "BOOKING_CREATED": MeetingChange.BOOKED,
    "BOOKING_RESCHEDULED": MeetingChange.RESCHEDULED,
    "BOOKING_CANCELLED": MeetingChange.CANCELLED,
    # A requested booking the host turned down never becomes a meeting.
    "BOOKING_REJECTED": MeetingChange.CANCELLED,
    "MEETING_ENDED": MeetingChange.ENDED,
    "PING": MeetingChange.TEST,
}
# Triggers that say nothing about who met whom: acknowledged (so Cal.com does not retry them) and dropped.
# A requested booking counts once it is confirmed (BOOKING_CREATED); payments and starts change nothing.
_UNRELATED = frozenset(
    {
        "BOOKING_REQUESTED",
        "BOOKING_PAYMENT_INITIATED",
        "BOOKING_PAID",
        "MEETING_STARTED",
        "RECORDING_READY",
        "RECORDING_TRANSCRIPTION_GENERATED",
        "INSTANT_MEETING",
        "FORM_SUBMITTED",
        "FORM_SUBMITTED_NO_EVENT",
        "ROUTING_FORM_FALLBACK_HIT",
        "OOO_CREATED",
        "AFTER_HOSTS_CAL_VIDEO_NO_SHOW",
        "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
        "DELEGATION_CREDENTIAL_ERROR",
        "WRONG_ASSIGNMENT_REPORT",
    }
)
NO_SHOW = "BOOKING_NO_SHOW_UPDATED"


class _Person(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: EmailAddress
    name: str | None = None


class _Booking(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    uid: str = Field(min_length=1)
    title: str | None = None
    start_time: AwareDatetime = Field(alias="startTime")
    end_time: AwareDatetime = Field(alias="endTime")
    organizer: _Person | None = None
    attendees: list[_Person] = []
    ical_uid: str | None = Field(default=None, alias="iCalUID")
    reschedule_uid: str | None = Field(default=None, alias="rescheduleUid")
    status: str | None = None


# Cal.com signs the body and nothing else, so a captured delivery verifies forever: its signed
# createdAt is what dates it. Cal.com sends a delivery once, when it happens.
REPLAY_WINDOW = timedelta(hours=24)


class _Delivery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    created_at: AwareDatetime = Field(alias="createdAt")


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """The signature over the body, then the signed createdAt of a wrapped event: at most a day old.

    The flat MEETING_ENDED shape (no `payload`) carries the booking's own createdAt, old by nature, so
    nothing in it dates the delivery; replayed, it names the meeting its booking recorded already.
    """
    presented = header_value(headers, SIGNATURE_HEADER)
    if presented is None:
        raise Unauthorized("missing X-Cal-Signature-256 header")
    if not signature_matches(hmac_sha256_hex(secret, body), presented):
        raise Unauthorized("X-Cal-Signature-256 does not match the body")
    try:
        document = load_object(body)
    except MalformedBody:
        return  # signed, but unreadable: parse refuses it with what is wrong
    if "payload" not in document:
        return
    try:
        created_at = _Delivery.model_validate(document).created_at
    except ValidationError:
        raise Unprocessable("createdAt: a wrapped Cal.com event needs the time it was created") from None
    if created_at < now - REPLAY_WINDOW:
        raise Unauthorized("this Cal.com delivery was created more than 24 hours ago: a replay is refused")


def parse(body: bytes) -> MeetingEvent:
    """Read a verified Cal.com body as a MeetingEvent, or say exactly what is wrong with it."""
    document = load_object(body)
    trigger = document.get("triggerEvent")
    if not isinstance(trigger, str):
        raise Unprocessable("triggerEvent: a string is required")
    if trigger in _UNRELATED:
        return MeetingEvent(change=MeetingChange.UNRELATED, source=SOURCE, external_id=trigger)
    if trigger == NO_SHOW:
        return _no_show(document.get("payload"))
    change = _CHANGES.get(trigger)
    if change is None:
        raise Unprocessable(f"triggerEvent: {trigger!r} is not supported")
    if change is MeetingChange.TEST:
        return MeetingEvent(change=change, source=SOURCE, external_id="ping")
    raw = document.get("payload")
    if raw is None and change is MeetingChange.ENDED:
        raw = document
    return _booking_event(change, raw)


def _booking_event(change: MeetingChange, raw: object) -> MeetingEvent:
    if not isinstance(raw, dict):
        raise Unprocessable("payload: an object is required")
    try:
        booking = _Booking.model_validate(raw)
        # The organizer of a Cal.com booking is the connection's owner: never a contact.
        organizer = booking.organizer.email if booking.organizer else None
        attendees = tuple(
            MeetingAttendee(email=person.email, name=person.name)
            for person in booking.attendees
            if person.email != organizer
        )
    except ValidationError as exc:
        raise unprocessable(exc) from exc
    if booking.end_time < booking.start_time:
        raise Unprocessable("payload.endTime: the meeting ends before it starts")
    try:
        return MeetingEvent(
            change=change,
            source=SOURCE,
            external_id=booking.uid,
            previous_external_id=booking.reschedule_uid if change is MeetingChange.RESCHEDULED else None,
            ical_uid=booking.ical_uid,
            title=booking.title,
            start=booking.start_time,
            end=booking.end_time,
            attendees=attendees,
        )
    except ValidationError as exc:  # a meeting Kith cannot keep: a year outside the ones it records
        raise unprocessable(exc) from exc


class _NoShowAttendee(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    email: EmailAddress
    no_show: bool = Field(alias="noShow")


class _NoShow(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    booking_uid: str = Field(min_length=1, alias="bookingUid")
    attendees: list[_NoShowAttendee] = []


def _no_show(raw: object) -> MeetingEvent:
    """Attendees marked as no-shows did not meet the owner: they withdraw from the meeting."""
    if not isinstance(raw, dict):
        raise Unprocessable("payload: an object is required")
    try:
        update = _NoShow.model_validate(raw)
    except ValidationError as exc:
        raise unprocessable(exc) from exc
    absent = tuple(MeetingAttendee(email=person.email) for person in update.attendees if person.no_show)
    if not absent:
        return MeetingEvent(change=MeetingChange.UNRELATED, source=SOURCE, external_id=update.booking_uid)
    return MeetingEvent(
        change=MeetingChange.WITHDRAWN,
        source=SOURCE,
        external_id=update.booking_uid,
        attendees=absent,
        attendees_complete=False,
    )
