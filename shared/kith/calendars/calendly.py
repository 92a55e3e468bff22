"""Calendly webhooks (v2).

Calendly signs `t + "." + raw body` with the subscription's signing key and sends
`Calendly-Webhook-Signature: t=<unix seconds>,v1=<lowercase hex HMAC-SHA256>`.
Bodies look like `{"event": "invitee.created", "created_at": ..., "payload": {invitee}}`,
the invitee carrying its `scheduled_event`. Calendly speaks per invitee: a reschedule is an
invitee.canceled (rescheduled: true) for the old booking plus an invitee.created (old_invitee
set) for the new one, and a group event sends one notification per invitee for the same
scheduled event. Only who, when and the title are kept (PRODUCT.md §10).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from kith.calendars.bodies import load_object, unprocessable
from kith.calendars.signing import header_value, hmac_sha256_hex, signature_matches
from kith.domain.meetings import MeetingAttendee, MeetingChange, MeetingEvent
from kith.domain.models import EmailAddress
from kith.errors import Unauthorized, Unprocessable

SIGNATURE_HEADER = "calendly-webhook-signature"
SOURCE = "calendly"
TOLERANCE = timedelta(minutes=3)

_INVITEE_URI = re.compile(r"https://[^/\s]+/scheduled_events/[^/\s]+/invitees/[^/\s]+")
_TIMESTAMP = re.compile(r"[0-9]{1,15}")


def _invitee_uri(value: str) -> str:
    if not _INVITEE_URI.fullmatch(value):
        raise ValueError("not a Calendly invitee URI (…/scheduled_events/<uuid>/invitees/<uuid>)")
    return value


InviteeUri = Annotated[str, AfterValidator(_invitee_uri)]


class _Membership(BaseModel):
    """A host of the scheduled event: the connection's owner or a colleague, never a contact."""

    model_config = ConfigDict(extra="ignore")

    user_email: EmailAddress


class _Guest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: EmailAddress


class _ScheduledEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    uri: str = Field(min_length=1)
    name: str | None = None
    start_time: AwareDatetime
    end_time: AwareDatetime
    event_memberships: list[_Membership] = []
    event_guests: list[_Guest] = []


class _Invitee(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: EmailAddress
    name: str | None = None
    rescheduled: bool
    old_invitee: InviteeUri | None = None
    scheduled_event: _ScheduledEvent


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """The signature is checked before the timestamp, so a forged body learns nothing about the clock."""
    presented = header_value(headers, SIGNATURE_HEADER)
    if presented is None:
        raise Unauthorized("missing Calendly-Webhook-Signature header")
    timestamp, signatures = _read_signature_header(presented)
    expected = hmac_sha256_hex(secret, timestamp.encode() + b"." + body)
    matched = False
    for signature in signatures:
        matched |= signature_matches(expected, signature)
    if not matched:
        raise Unauthorized("Calendly-Webhook-Signature does not match the body")
    # int and float compare exactly in Python, however large the presented number.
    if not (now - TOLERANCE).timestamp() <= int(timestamp) <= (now + TOLERANCE).timestamp():
        raise Unauthorized("Calendly-Webhook-Signature timestamp is more than 3 minutes off")


def _read_signature_header(value: str) -> tuple[str, list[str]]:
    """`t=<seconds>,v1=<hex>[,v1=<hex>...]`; other schemes are ignored, as a newer sender may add them."""
    timestamps: list[str] = []
    signatures: list[str] = []
    for part in value.split(","):
        key, separator, item = part.partition("=")
        key, item = key.strip(), item.strip()
        if not separator or not key:
            raise Unauthorized("malformed Calendly-Webhook-Signature header: expected t=<seconds>,v1=<signature>")
        if key == "t":
            timestamps.append(item)
        elif key == "v1" and item:
            signatures.append(item)
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]):
        raise Unauthorized("malformed Calendly-Webhook-Signature header: one t=<unix seconds> is required")
    if not signatures:
        raise Unauthorized("malformed Calendly-Webhook-Signature header: no v1 signature")
    return timestamps[0], signatures


def parse(body: bytes) -> MeetingEvent:
    """Read a verified Calendly body as a MeetingEvent, or say exactly what is wrong with it."""
    document = load_object(body)
    kind = document.get("event")
    if not isinstance(kind, str):
        raise Unprocessable("event: a string is required")
    if kind not in ("invitee.created", "invitee.canceled"):
        raise Unprocessable(f"event: {kind!r} is not supported")
    raw = document.get("payload")
    if not isinstance(raw, dict):
        raise Unprocessable("payload: an object is required")
    try:
        invitee = _Invitee.model_validate(raw)
    except ValidationError as exc:
        raise unprocessable(exc) from exc
    meeting = invitee.scheduled_event
    if meeting.end_time < meeting.start_time:
        raise Unprocessable("payload.scheduled_event.end_time: the meeting ends before it starts")
    previous = None
    if kind == "invitee.canceled":
        change = MeetingChange.SUPERSEDED if invitee.rescheduled else MeetingChange.WITHDRAWN
    elif invitee.old_invitee is None:
        change = MeetingChange.BOOKED
    else:
        change = MeetingChange.RESCHEDULED
        previous = _scheduled_event_of(invitee.old_invitee)
    try:
        return MeetingEvent(
            change=change,
            source=SOURCE,
            external_id=meeting.uri,
            previous_external_id=previous,
            title=meeting.name,
            start=meeting.start_time,
            end=meeting.end_time,
            attendees=_attendees(invitee),
            # Each notification speaks for one invitee: the other invitees of a group event stay.
            attendees_complete=False,
        )
    except ValidationError as exc:  # a meeting Kith cannot keep: a year outside the ones it records
        raise unprocessable(exc) from exc


def _scheduled_event_of(invitee_uri: str) -> str:
    """`…/scheduled_events/<event>/invitees/<invitee>` names its scheduled event before `/invitees/`."""
    return invitee_uri.rpartition("/invitees/")[0]


def _attendees(invitee: _Invitee) -> tuple[MeetingAttendee, ...]:
    """The invitee and the guests they added; the hosts are the owner's side, never attendees."""
    hosts = {membership.user_email for membership in invitee.scheduled_event.event_memberships}
    people = [MeetingAttendee(email=invitee.email, name=invitee.name)]
    people += [MeetingAttendee(email=guest.email) for guest in invitee.scheduled_event.event_guests]
    first: dict[str, MeetingAttendee] = {}
    for person in people:
        first.setdefault(person.email, person)
    return tuple(person for person in first.values() if person.email not in hosts)
