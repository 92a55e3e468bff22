"""Realistic Cal.com webhook bodies, as Cal.com sends them, and a signer for them.

Each builder returns a fresh dict so a test can break one field and serialise it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

SECRET = "whsec-test-7f3a9c"
ORGANIZER_EMAIL = "olivia@example.com"


def _booking(uid: str = "bk_8f2c1d7e", status: str = "ACCEPTED") -> dict[str, Any]:
    return {
        "type": "30min",
        "title": "30 Min Meeting between Olivia Owner and Ana Lima",
        "description": "",
        "startTime": "2026-01-06T10:00:00Z",
        "endTime": "2026-01-06T10:30:00Z",
        "organizer": {
            "id": 11,
            "name": "Olivia Owner",
            "email": ORGANIZER_EMAIL,
            "timeZone": "Europe/Berlin",
            "language": {"locale": "en"},
        },
        "attendees": [
            {"name": "Ana Lima", "email": "Ana.Lima@Example.com", "timeZone": "America/Sao_Paulo"},
            {"name": "Ben Okafor", "email": "ben@example.org", "timeZone": "Africa/Lagos"},
        ],
        "location": "integrations:daily",
        "uid": uid,
        "iCalUID": f"{uid}@Cal.com",
        "bookingId": 4242,
        "status": status,
        "responses": {"name": {"label": "your_name", "value": "Ana Lima"}},
    }


def booking_created() -> dict[str, Any]:
    return {"triggerEvent": "BOOKING_CREATED", "createdAt": "2026-01-02T09:14:03.511Z", "payload": _booking()}


def booking_rescheduled() -> dict[str, Any]:
    payload = _booking(uid="bk_new_51a0")
    payload.update(
        {
            "startTime": "2026-01-08T15:00:00+01:00",
            "endTime": "2026-01-08T15:30:00+01:00",
            "rescheduleUid": "bk_8f2c1d7e",
            "rescheduleStartTime": "2026-01-06T10:00:00Z",
            "rescheduleEndTime": "2026-01-06T10:30:00Z",
        }
    )
    return {"triggerEvent": "BOOKING_RESCHEDULED", "createdAt": "2026-01-03T11:00:00.000Z", "payload": payload}


def booking_cancelled() -> dict[str, Any]:
    payload = _booking(status="CANCELLED")
    payload["cancellationReason"] = "Something came up"
    return {"triggerEvent": "BOOKING_CANCELLED", "createdAt": "2026-01-04T08:00:00.000Z", "payload": payload}


def meeting_ended_wrapped() -> dict[str, Any]:
    return {"triggerEvent": "MEETING_ENDED", "createdAt": "2026-01-06T10:30:05.000Z", "payload": _booking()}


def meeting_ended_flat() -> dict[str, Any]:
    """The scheduled MEETING_ENDED job sends the booking fields with no `payload` wrapper."""
    body = _booking()
    body.update({"triggerEvent": "MEETING_ENDED", "createdAt": "2026-01-06T10:30:05.000Z"})
    return body


def ping() -> dict[str, Any]:
    return {
        "triggerEvent": "PING",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "payload": {
            "type": "Test",
            "title": "Test trigger event",
            "startTime": "2026-01-01T00:00:00.000Z",
            "endTime": "2026-01-01T00:00:00.000Z",
            "attendees": [{"email": "JohnDoe@example.com", "name": "John Doe", "timeZone": "Europe/London"}],
            "organizer": {"name": "Cal", "email": "no-reply@cal.com", "timeZone": "Europe/London"},
        },
    }


def encode(document: object) -> bytes:
    return json.dumps(document).encode()


def sign(body: bytes, secret: str = SECRET) -> str:
    """What Cal.com puts in X-Cal-Signature-256, computed here independently of Kith."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
