"""What the calendar providers send and hold, in their documented shapes: the one set of builders for the unit
and integration tests, the demo and the benchmarks.

- Cal.com: `{"triggerEvent", "createdAt", "payload": booking}`, or the booking flat for the scheduled
  MEETING_ENDED job; signed in `X-Cal-Signature-256` (HMAC-SHA256 of the body, lowercase hex).
- Calendly (webhooks v2): `{"event", "created_at", "created_by", "payload": invitee}`, the invitee with its
  scheduled event embedded; signed in `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>`, an
  HMAC-SHA256 of `t + "." + body`.
- Google Calendar: an events resource, and the `X-Goog-*` headers of a push notification (empty body).
- Microsoft Graph: an event resource, times written in UTC; a message in Sent Items.

Builders of documents return fresh dicts, so a test can break one field before `encode`; the `*_body`
functions return the bytes a provider sends. Signatures are computed here with hmac, independently of Kith.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

Person = tuple[str, str]  # (name, e-mail address)
Attendee = tuple[str, str] | tuple[str, str, str]  # (name, e-mail address[, time zone])
OWNER: Person = ("Olive Owner", "owner@example.com")
ZONE = "Europe/Berlin"
CALCOM_SIGNATURE = "x-cal-signature-256"
CALENDLY_SIGNATURE = "Calendly-Webhook-Signature"
CALENDLY_API = "https://api.calendly.com"
SENT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when a delivery says it was sent, unless told


def instant(moment: datetime | str, fraction: str = "") -> str:
    """An instant as the providers write it: in UTC with a Z (and `fraction`), or with the offset it was given."""
    if isinstance(moment, str):
        return moment
    if moment.utcoffset() != timedelta(0):
        return moment.isoformat()
    return moment.strftime(f"%Y-%m-%dT%H:%M:%S{fraction}Z")


def encode(document: object) -> bytes:
    return json.dumps(document).encode()


def _hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


# -- Cal.com ------------------------------------------------------------------------------------------------


def calcom_booking(
    uid: str,
    start: datetime | str,
    attendees: Sequence[Attendee],
    *,
    end: datetime | str | None = None,
    minutes: int = 30,
    title: str = "Coffee",
    organizer: Person = OWNER,
    time_zone: str = ZONE,
    status: str = "ACCEPTED",
    reschedule_uid: str | None = None,
) -> dict[str, Any]:
    """A booking: the organizer (the owner) and attendees, each in `time_zone` unless an attendee names one."""
    if end is None:
        assert isinstance(start, datetime), "a booking given as text names its end"
        end = start + timedelta(minutes=minutes)
    booking: dict[str, Any] = {
        "type": "30min",
        "title": title,
        "startTime": instant(start),
        "endTime": instant(end),
        "organizer": {"name": organizer[0], "email": organizer[1], "timeZone": time_zone},
        "attendees": [
            {"name": person[0], "email": person[1], "timeZone": person[2] if len(person) > 2 else time_zone}
            for person in attendees
        ],
        "uid": uid,
        "iCalUID": f"{uid}@Cal.com",
        "status": status,
    }
    if reschedule_uid:
        booking["rescheduleUid"] = reschedule_uid
    return booking


def calcom_delivery(
    trigger: str, booking: Mapping[str, Any], created_at: datetime | str = SENT, *, flat: bool = False
) -> dict[str, Any]:
    """What Cal.com POSTs for `trigger`: the booking wrapped in `payload`, or flat (the MEETING_ENDED job)."""
    if flat:
        return {**booking, "triggerEvent": trigger, "createdAt": instant(created_at)}
    return {"triggerEvent": trigger, "createdAt": instant(created_at), "payload": dict(booking)}


def calcom_body(
    trigger: str,
    uid: str,
    start: datetime,
    attendees: Sequence[Attendee],
    *,
    created_at: datetime | str = SENT,
    flat: bool = False,
    **booking: Any,
) -> bytes:
    """A Cal.com delivery as sent; `created_at` dates it (a wrapped one more than a day old is refused as a replay).

    `booking` takes calcom_booking's options: minutes, title, organizer, time_zone, reschedule_uid.
    """
    return encode(calcom_delivery(trigger, calcom_booking(uid, start, attendees, **booking), created_at, flat=flat))


def calcom_ping(created_at: datetime | str) -> dict[str, Any]:
    """The test delivery Cal.com sends when a webhook is saved."""
    payload = {"type": "Test", "title": "Test trigger event"}
    return {"triggerEvent": "PING", "createdAt": instant(created_at), "payload": payload}


def calcom_signature(secret: str, body: bytes) -> str:
    """What Cal.com puts in X-Cal-Signature-256."""
    return _hex(secret, body)


# -- Calendly -----------------------------------------------------------------------------------------------


def calendly_invitee_uri(event_uuid: str, invitee_uuid: str) -> str:
    return f"{CALENDLY_API}/scheduled_events/{event_uuid}/invitees/{invitee_uuid}"


def calendly_event(
    event_uuid: str,
    start: datetime | str,
    *,
    end: datetime | str | None = None,
    minutes: int = 30,
    title: str = "Coffee",
    status: str = "active",
    hosts: Sequence[Person] = (OWNER,),
    guests: Sequence[str] = (),
    event_type: str = "COFFEE30",
    location: Mapping[str, Any] | None = None,
    booked_at: str = "2026-11-01T00:00:00.000000Z",
    updated_at: str | None = None,
    guests_added_at: str = "2026-11-01T00:00:00Z",
) -> dict[str, Any]:
    """A scheduled event its hosts hold: one invitee (see `invitees_counter`), guests the invitee added."""
    if end is None:
        assert isinstance(start, datetime), "an event given as text names its end"
        end = start + timedelta(minutes=minutes)
    active = 0 if status == "canceled" else 1
    return {
        "uri": f"{CALENDLY_API}/scheduled_events/{event_uuid}",
        "name": title,
        "status": status,
        "start_time": instant(start, ".%f"),
        "end_time": instant(end, ".%f"),
        "event_type": f"{CALENDLY_API}/event_types/{event_type}",
        "location": dict(location or {"type": "google_conference", "join_url": "https://meet.google.com/abc-defg-hij"}),
        "invitees_counter": {"total": 1, "active": active, "limit": 1},
        "created_at": booked_at,
        "updated_at": updated_at or booked_at,
        "event_memberships": [
            {"user": f"{CALENDLY_API}/users/HOST{n}", "user_email": email, "user_name": name}
            for n, (name, email) in enumerate(hosts)
        ],
        "event_guests": [{"email": guest, "created_at": guests_added_at} for guest in guests],
    }


def calendly_invitee(
    event: Mapping[str, Any],
    invitee: Person,
    *,
    uuid: str | None = None,
    time_zone: str = ZONE,
    rescheduled: bool = False,
    old_invitee: str | None = None,
    new_invitee: str | None = None,
    created_at: str | None = None,
    updated_at: str | None = None,
    cancellation_reason: str | None = None,
) -> dict[str, Any]:
    """An invitee of `event` (canceled with it); a canceled one says who canceled and why."""
    name, email = invitee
    uuid = uuid or f"INV-{event['uri'].rsplit('/', 1)[1]}-{email.split('@')[0].upper()}"
    status = "canceled" if event["status"] == "canceled" else "active"
    payload: dict[str, Any] = {
        "uri": f"{event['uri']}/invitees/{uuid}",
        "email": email,
        "name": name,
        "status": status,
        "timezone": time_zone,
        "event": event["uri"],
        "created_at": created_at or event["created_at"],
        "updated_at": updated_at or event["updated_at"],
        "rescheduled": rescheduled,
        "old_invitee": old_invitee,
        "new_invitee": new_invitee,
        "questions_and_answers": [],
        "tracking": {"utm_source": None},
        "scheduled_event": dict(event),
    }
    if status == "canceled":
        payload["cancellation"] = {"canceled_by": name, "reason": cancellation_reason, "canceler_type": "invitee"}
    return payload


def calendly_delivery(
    kind: str, payload: Mapping[str, Any], created_at: datetime | str = SENT, *, created_by: str | None = None
) -> dict[str, Any]:
    """What Calendly POSTs for `kind` (invitee.created, invitee.canceled, routing_form_submission.created)."""
    return {
        "created_at": instant(created_at, ".%f"),
        "created_by": created_by or f"{CALENDLY_API}/users/HOST0",
        "event": kind,
        "payload": dict(payload),
    }


def calendly_body(
    kind: str,
    event_uuid: str,
    start: datetime,
    invitee: Person,
    *,
    invitee_uuid: str | None = None,
    created_at: datetime | str = SENT,
    time_zone: str = ZONE,
    rescheduled: bool = False,
    old_invitee: str | None = None,
    new_invitee: str | None = None,
    **event: Any,
) -> bytes:
    """An invitee.created / invitee.canceled delivery as sent; the owner hosts unless `hosts` says otherwise.

    `event` takes calendly_event's options: minutes, title, hosts, guests, event_type, booked_at.
    """
    status = "canceled" if kind == "invitee.canceled" else "active"
    scheduled = calendly_event(event_uuid, start, status=status, **event)
    payload = calendly_invitee(
        scheduled,
        invitee,
        uuid=invitee_uuid,
        time_zone=time_zone,
        rescheduled=rescheduled,
        old_invitee=old_invitee,
        new_invitee=new_invitee,
    )
    return encode(calendly_delivery(kind, payload, created_at))


def calendly_signature(secret: str, body: bytes, sent_at: datetime | int) -> str:
    """What Calendly puts in Calendly-Webhook-Signature for a body it signs at `sent_at` (or unix seconds)."""
    sent = sent_at if isinstance(sent_at, int) else int(sent_at.timestamp())
    return f"t={sent},v1={_hex(secret, f'{sent}.'.encode() + body)}"


# -- Google Calendar ----------------------------------------------------------------------------------------


def google_event(
    event_id: str,
    title: str,
    start: datetime,
    minutes: int,
    guests: Sequence[str],
    *,
    calendar: str,
    time_zone: str = ZONE,
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


GOOGLE_HEADERS = {
    "channel_id": "X-Goog-Channel-ID",
    "token": "X-Goog-Channel-Token",
    "resource_id": "X-Goog-Resource-ID",
    "resource_state": "X-Goog-Resource-State",
}


def google_push_headers(
    channel: Mapping[str, Any],
    state: str,
    message_number: int,
    *,
    expiration: str | None = None,
    **changes: str | None,
) -> dict[str, str]:
    """What Google sends to a channel's address (with an empty body) when the calendar changes.

    The expiration is the channel's unless given; `changes` replaces headers by their short names
    (GOOGLE_HEADERS), or leaves them out with None: `token="forged"`, `token=None`, `resource_id="r0"`.
    """
    if expiration is None:
        expires = datetime.fromtimestamp(int(channel["expiration"]) / 1000, tz=UTC)
        expiration = format_datetime(expires, usegmt=True)
    headers: dict[str, str | None] = {
        "X-Goog-Channel-ID": channel["id"],
        "X-Goog-Channel-Token": channel.get("token"),
        "X-Goog-Channel-Expiration": expiration,
        "X-Goog-Message-Number": str(message_number),
        "X-Goog-Resource-ID": channel["resourceId"],
        "X-Goog-Resource-State": state,
        "X-Goog-Resource-URI": channel["resourceUri"],
    }
    for name, value in changes.items():
        headers[GOOGLE_HEADERS[name]] = value
    return {name: value for name, value in headers.items() if value is not None}


# -- Microsoft Graph ----------------------------------------------------------------------------------------


def graph_event(
    event_id: str, subject: str, start: datetime, minutes: int, attendees: Sequence[Person], *, organizer: Person
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


def graph_message(
    message_id: str,
    sent_at: datetime,
    to: Sequence[Person],
    *,
    cc: Sequence[Person] = (),
    bcc: Sequence[Person] = (),
    subject: str = "Catching up",
    sender: Person = OWNER,
    internet_message_id: str | None = None,
) -> dict[str, Any]:
    """A message in the owner's Sent Items as Graph holds it, body and headers too (Kith must not ask for them)."""

    def people(persons: Sequence[Person]) -> list[dict[str, Any]]:
        return [{"emailAddress": {"name": name, "address": email}} for name, email in persons]

    return {
        "id": message_id,
        "createdDateTime": instant(sent_at),
        "lastModifiedDateTime": instant(sent_at),
        "sentDateTime": instant(sent_at),
        "receivedDateTime": instant(sent_at),
        "internetMessageId": internet_message_id or f"<{message_id.lower()}@outlook.example>",
        "subject": subject,
        "bodyPreview": "Lovely to see you last week",
        "body": {"contentType": "html", "content": "<p>Lovely to see you last week</p>"},
        "internetMessageHeaders": [{"name": "X-Mailer", "value": "Microsoft Outlook 16.0"}],
        "isDraft": False,
        "isRead": True,
        "hasAttachments": False,
        "from": people([sender])[0],
        "sender": people([sender])[0],
        "toRecipients": people(to),
        "ccRecipients": people(cc),
        "bccRecipients": people(bcc),
        "replyTo": [],
        "conversationId": f"AAQk{message_id}",
        "parentFolderId": "AQMkSentItems",
    }
