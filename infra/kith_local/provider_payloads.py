"""What the calendar providers send and hold, in their documented shapes, for the demo.

- Cal.com: `{"triggerEvent", "createdAt", "payload": booking}`, or the booking flat for the scheduled
  MEETING_ENDED job; signed in `X-Cal-Signature-256` (HMAC-SHA256 of the body, lowercase hex).
- Calendly (webhooks v2): `{"event", "created_at", "created_by", "payload": invitee}`; signed in
  `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>`, an HMAC-SHA256 of `t + "." + body`.
- Google Calendar: an events resource, and the `X-Goog-*` headers of a push notification (empty body).
- Microsoft Graph: an event resource, times written in UTC.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from kith.calendars.signing import hmac_sha256_hex

Person = tuple[str, str]  # (name, e-mail address)
CALENDLY_API = "https://api.calendly.com"


def _utc(moment: datetime, fraction: str = "") -> str:
    return moment.astimezone(UTC).strftime(f"%Y-%m-%dT%H:%M:%S{fraction}Z")


def calcom_booking(
    trigger: str,
    uid: str,
    title: str,
    start: datetime,
    minutes: int,
    attendees: list[Person],
    *,
    organizer: Person,
    time_zone: str,
    sent_at: datetime,
    flat: bool = False,
) -> bytes:
    booking = {
        "type": "30min",
        "title": title,
        "startTime": _utc(start),
        "endTime": _utc(start + timedelta(minutes=minutes)),
        "organizer": {"name": organizer[0], "email": organizer[1], "timeZone": time_zone},
        "attendees": [{"name": name, "email": address, "timeZone": time_zone} for name, address in attendees],
        "uid": uid,
        "iCalUID": f"{uid}@Cal.com",
        "status": "ACCEPTED",
    }
    if flat:
        return json.dumps({"triggerEvent": trigger, "createdAt": sent_at.isoformat(), **booking}).encode()
    return json.dumps({"triggerEvent": trigger, "createdAt": sent_at.isoformat(), "payload": booking}).encode()


def calcom_ping(sent_at: datetime) -> bytes:
    payload = {"type": "Test", "title": "Test trigger event"}
    return json.dumps({"triggerEvent": "PING", "createdAt": sent_at.isoformat(), "payload": payload}).encode()


def calendly_invitee(
    kind: str,
    event_uuid: str,
    title: str,
    start: datetime,
    minutes: int,
    invitee: Person,
    *,
    host: Person,
    time_zone: str,
    sent_at: datetime,
) -> bytes:
    """An `invitee.created` or `invitee.canceled` delivery for a one-on-one event the host (the owner) holds."""
    name, address = invitee
    event_uri = f"{CALENDLY_API}/scheduled_events/{event_uuid}"
    canceled = kind == "invitee.canceled"
    booked = _utc(sent_at - timedelta(days=1), ".%f")
    scheduled_event = {
        "uri": event_uri,
        "name": title,
        "status": "canceled" if canceled else "active",
        "start_time": _utc(start, ".%f"),
        "end_time": _utc(start + timedelta(minutes=minutes), ".%f"),
        "event_type": f"{CALENDLY_API}/event_types/CHAT30",
        "location": {"type": "google_conference", "join_url": "https://meet.google.com/abc-defg-hij"},
        "invitees_counter": {"total": 1, "active": 0 if canceled else 1, "limit": 1},
        "created_at": booked,
        "updated_at": _utc(sent_at, ".%f"),
        "event_memberships": [{"user": f"{CALENDLY_API}/users/HOST", "user_email": host[1], "user_name": host[0]}],
        "event_guests": [],
    }
    payload: dict[str, Any] = {
        "uri": f"{event_uri}/invitees/INV-{event_uuid}",
        "email": address,
        "name": name,
        "status": "canceled" if canceled else "active",
        "timezone": time_zone,
        "event": event_uri,
        "created_at": booked,
        "updated_at": _utc(sent_at, ".%f"),
        "rescheduled": False,
        "old_invitee": None,
        "new_invitee": None,
        "questions_and_answers": [],
        "scheduled_event": scheduled_event,
    }
    if canceled:
        payload["cancellation"] = {"canceled_by": name, "reason": None, "canceler_type": "invitee"}
    delivery = {
        "created_at": _utc(sent_at, ".%f"),
        "created_by": f"{CALENDLY_API}/users/HOST",
        "event": kind,
        "payload": payload,
    }
    return json.dumps(delivery).encode()


def calendly_signature(secret: str, body: bytes, sent_at: datetime) -> str:
    sent = int(sent_at.timestamp())
    return f"t={sent},v1={hmac_sha256_hex(secret, f'{sent}.'.encode() + body)}"


def google_event(
    event_id: str,
    title: str,
    start: datetime,
    minutes: int,
    guests: list[str],
    *,
    calendar: str,
    time_zone: str,
    ical_uid: str | None = None,
) -> dict[str, Any]:
    """A timed event the calendar's owner organises; every guest accepted."""
    attendees = [{"email": calendar, "organizer": True, "self": True, "responseStatus": "accepted"}]
    attendees += [{"email": guest, "responseStatus": "accepted"} for guest in guests]
    event: dict[str, Any] = {
        "id": event_id,
        "summary": title,
        "start": {"dateTime": start.isoformat(), "timeZone": time_zone},
        "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat(), "timeZone": time_zone},
        "organizer": {"email": calendar, "self": True},
        "attendees": attendees,
    }
    if ical_uid:
        event["iCalUID"] = ical_uid
    return event


def google_push_headers(channel: Mapping[str, Any], state: str, message_number: int) -> dict[str, str]:
    """What Google sends to a channel's address (with an empty body) when the calendar changes."""
    expires = datetime.fromtimestamp(int(channel["expiration"]) / 1000, tz=UTC)
    return {
        "X-Goog-Channel-ID": channel["id"],
        "X-Goog-Channel-Token": channel["token"],
        "X-Goog-Channel-Expiration": format_datetime(expires, usegmt=True),
        "X-Goog-Message-Number": str(message_number),
        "X-Goog-Resource-ID": channel["resourceId"],
        "X-Goog-Resource-State": state,
        "X-Goog-Resource-URI": channel["resourceUri"],
    }


def graph_event(
    event_id: str, subject: str, start: datetime, minutes: int, attendees: list[Person], *, organizer: Person
) -> dict[str, Any]:
    """An Outlook event as Graph holds it; required attendees who accepted."""

    def when(moment: datetime) -> dict[str, str]:
        return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}

    return {
        "id": event_id,
        "subject": subject,
        "start": when(start),
        "end": when(start + timedelta(minutes=minutes)),
        "organizer": {"emailAddress": {"name": organizer[0], "address": organizer[1]}},
        "attendees": [
            {"type": "required", "status": {"response": "accepted"}, "emailAddress": {"name": name, "address": email}}
            for name, email in attendees
        ],
    }
