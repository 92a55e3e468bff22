"""Realistic Cal.com webhook bodies, as Cal.com sends them (kith_local.provider_payloads), and a signer for them.

Each sample returns a fresh dict so a test can break one field and serialise it. Beside what Kith reads,
the bookings carry what Cal.com adds (a description, a location, the organizer's id and language, answers).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kith_local.provider_payloads import calcom_booking, calcom_delivery, calcom_ping, calcom_signature
from kith_local.provider_payloads import encode as encode

SECRET = "whsec-test-7f3a9c"
ORGANIZER_EMAIL = "olivia@example.com"
ATTENDEES = [
    ("Ana Lima", "Ana.Lima@Example.com", "America/Sao_Paulo"),
    ("Ben Okafor", "ben@example.org", "Africa/Lagos"),
]
START = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)


def _booking(uid: str = "bk_8f2c1d7e", status: str = "ACCEPTED", **times: str) -> dict[str, Any]:
    booking = calcom_booking(
        uid,
        times.get("start", START),
        ATTENDEES,
        end=times.get("end"),
        title="30 Min Meeting between Olivia Owner and Ana Lima",
        organizer=("Olivia Owner", ORGANIZER_EMAIL),
        status=status,
    )
    booking["organizer"] = {"id": 11, **booking["organizer"], "language": {"locale": "en"}}
    return booking | {
        "description": "",
        "location": "integrations:daily",
        "bookingId": 4242,
        "responses": {"name": {"label": "your_name", "value": "Ana Lima"}},
    }


def booking_created() -> dict[str, Any]:
    return calcom_delivery("BOOKING_CREATED", _booking(), "2026-01-02T09:14:03.511Z")


def booking_rescheduled() -> dict[str, Any]:
    payload = _booking(uid="bk_new_51a0", start="2026-01-08T15:00:00+01:00", end="2026-01-08T15:30:00+01:00")
    payload |= {
        "rescheduleUid": "bk_8f2c1d7e",
        "rescheduleStartTime": "2026-01-06T10:00:00Z",
        "rescheduleEndTime": "2026-01-06T10:30:00Z",
    }
    return calcom_delivery("BOOKING_RESCHEDULED", payload, "2026-01-03T11:00:00.000Z")


def booking_cancelled() -> dict[str, Any]:
    payload = _booking(status="CANCELLED") | {"cancellationReason": "Something came up"}
    return calcom_delivery("BOOKING_CANCELLED", payload, "2026-01-04T08:00:00.000Z")


def meeting_ended_wrapped() -> dict[str, Any]:
    return calcom_delivery("MEETING_ENDED", _booking(), "2026-01-06T10:30:05.000Z")


def meeting_ended_flat() -> dict[str, Any]:
    """The scheduled MEETING_ENDED job sends the booking fields with no `payload` wrapper."""
    return calcom_delivery("MEETING_ENDED", _booking(), "2026-01-06T10:30:05.000Z", flat=True)


def ping() -> dict[str, Any]:
    ping = calcom_ping("2026-01-01T00:00:00.000Z")
    ping["payload"] |= {
        "startTime": "2026-01-01T00:00:00.000Z",
        "endTime": "2026-01-01T00:00:00.000Z",
        "attendees": [{"email": "JohnDoe@example.com", "name": "John Doe", "timeZone": "Europe/London"}],
        "organizer": {"name": "Cal", "email": "no-reply@cal.com", "timeZone": "Europe/London"},
    }
    return ping


def sign(body: bytes, secret: str = SECRET) -> str:
    """What Cal.com puts in X-Cal-Signature-256, computed independently of Kith."""
    return calcom_signature(secret, body)
