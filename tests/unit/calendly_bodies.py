"""Realistic Calendly webhook (v2) bodies, as Calendly sends them (kith_local.provider_payloads), and a signer.

Each sample returns a fresh dict so a test can break one field and serialise it. The shapes follow
developer.calendly.com (webhook payloads, "Webhook Payloads for Rescheduled Events", "Webhook
Signatures"): the payload is the Invitee, with its scheduled_event embedded. Beside what Kith reads,
they carry what Calendly adds (notes, answers, a phone number, tracking, the calendar event).
"""

from __future__ import annotations

from typing import Any

from kith_local.provider_payloads import CALENDLY_API as API
from kith_local.provider_payloads import calendly_delivery, calendly_event, calendly_invitee, calendly_signature
from kith_local.provider_payloads import encode as encode

SECRET = "calendly-signing-key-4b1d"
HOST_EMAIL = "olivia@example.com"
HOST_URI = f"{API}/users/AAAAHOSTOLIVIA01"
COHOST_EMAIL = "cory@example.com"
EVENT_UUID = "GBGBDCAADAEDCRZ2"
EVENT_URI = f"{API}/scheduled_events/{EVENT_UUID}"
INVITEE_UUID = "AAAAINVITEEANA01"
INVITEE_URI = f"{EVENT_URI}/invitees/{INVITEE_UUID}"
NEW_EVENT_UUID = "HCHCEDBBEBFEDSA3"
NEW_EVENT_URI = f"{API}/scheduled_events/{NEW_EVENT_UUID}"
NEW_INVITEE_URI = f"{NEW_EVENT_URI}/invitees/BBBBINVITEEANA02"
ADDED = "2026-01-02T09:14:03Z"


def scheduled_event(
    uuid: str = EVENT_UUID,
    *,
    name: str = "30 Minute Meeting",
    start: str = "2026-01-06T10:00:00.000000Z",
    end: str = "2026-01-06T10:30:00.000000Z",
    guests: tuple[str, ...] = ("Ben@Example.org",),
    status: str = "active",
) -> dict[str, Any]:
    event = calendly_event(
        uuid,
        start,
        end=end,
        title=name,
        status=status,
        hosts=[("Olivia Owner", HOST_EMAIL)],
        guests=guests,
        event_type="EVTYPE30MIN0001",
        location={"type": "zoom", "status": "pushed", "join_url": "https://calendly.zoom.us/j/123456789"},
        booked_at="2026-01-02T09:14:03.101010Z",
        updated_at="2026-01-02T09:14:03.202020Z",
        guests_added_at=ADDED,
    )
    event["event_memberships"][0]["user"] = HOST_URI
    event["invitees_counter"]["active"] = 1
    for guest in event["event_guests"]:
        guest["updated_at"] = ADDED
    return event | {
        "meeting_notes_plain": "Bring the Q1 numbers",
        "meeting_notes_html": "<p>Bring the Q1 numbers</p>",
        "calendar_event": {"kind": "google", "external_id": "8suu9k3hj00mni03ss12ba0ce0"},
    }


def invitee(
    event: dict[str, Any] | None = None,
    *,
    uuid: str = INVITEE_UUID,
    email: str = "Ana.Lima@Example.com",
    name: str = "Ana Lima",
    rescheduled: bool = False,
    old_invitee: str | None = None,
) -> dict[str, Any]:
    payload = calendly_invitee(
        event if event is not None else scheduled_event(),
        (name, email),
        uuid=uuid,
        time_zone="America/Sao_Paulo",
        rescheduled=rescheduled,
        old_invitee=old_invitee,
        created_at="2026-01-02T09:14:03.327602Z",
        updated_at="2026-01-02T09:14:03.341657Z",
    )
    payload.pop("cancellation", None)
    first, _, last = name.partition(" ")
    return payload | {
        "first_name": first,
        "last_name": last,
        "cancel_url": f"https://calendly.com/cancellations/{uuid}",
        "reschedule_url": f"https://calendly.com/reschedulings/{uuid}",
        "questions_and_answers": [{"question": "What should we cover?", "answer": "Hiring plans", "position": 0}],
        "text_reminder_number": "+55 11 5555-0100",
        "tracking": {"utm_campaign": None, "utm_source": None, "utm_medium": None, "salesforce_uuid": None},
        "routing_form_submission": None,
        "payment": None,
        "no_show": None,
        "reconfirmation": None,
        "scheduling_method": None,
        "invitee_scheduled_by": None,
    }


def _cancellation(reason: str = "Something came up") -> dict[str, Any]:
    return {
        "canceled_by": "Ana Lima",
        "reason": reason,
        "canceler_type": "invitee",
        "created_at": "2026-01-04T08:00:00.000000Z",
    }


def _wrap(kind: str, payload: dict[str, Any], created_at: str = "2026-01-02T09:14:04.000000Z") -> dict[str, Any]:
    return calendly_delivery(kind, payload, created_at, created_by=HOST_URI)


def invitee_created() -> dict[str, Any]:
    return _wrap("invitee.created", invitee())


def invitee_canceled() -> dict[str, Any]:
    """The invitee cancelled outright: rescheduled is false and no new invitee exists."""
    payload = invitee(scheduled_event(status="canceled"))
    payload["cancellation"] = _cancellation()
    payload["scheduled_event"]["cancellation"] = _cancellation()
    return _wrap("invitee.canceled", payload, "2026-01-04T08:00:01.000000Z")


def rescheduled_cancel() -> dict[str, Any]:
    """The old half of a reschedule: the old booking is cancelled, pointing at the new invitee."""
    payload = invitee(scheduled_event(status="canceled"), rescheduled=True)
    payload["new_invitee"] = NEW_INVITEE_URI
    payload["cancellation"] = _cancellation("Rescheduled")
    return _wrap("invitee.canceled", payload, "2026-01-03T11:00:00.000000Z")


def rescheduled_create() -> dict[str, Any]:
    """The new half of a reschedule: a new scheduled event, its invitee naming the old invitee."""
    event = scheduled_event(NEW_EVENT_UUID, start="2026-01-08T15:00:00+01:00", end="2026-01-08T15:30:00+01:00")
    payload = invitee(event, uuid="BBBBINVITEEANA02", old_invitee=INVITEE_URI)
    return _wrap("invitee.created", payload, "2026-01-03T11:00:00.500000Z")


def group_event_second_invitee() -> dict[str, Any]:
    """A group event: a second person books the same scheduled event and gets their own invitee.created."""
    event = scheduled_event(name="Founders' Office Hours", guests=())
    event["invitees_counter"] = {"total": 2, "active": 2, "limit": 10}
    payload = invitee(event, uuid="CCCCINVITEEBEN03", email="ben@example.org", name="Ben Okafor")
    return _wrap("invitee.created", payload)


def routing_form_submission() -> dict[str, Any]:
    return _wrap(
        "routing_form_submission.created",
        {
            "uri": f"{API}/routing_form_submissions/RFSUBMISSION0001",
            "routing_form": f"{API}/routing_forms/ROUTINGFORM00001",
            "questions_and_answers": [],
            "submitter": None,
        },
    )


def sign(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    """What Calendly puts in Calendly-Webhook-Signature, computed independently of Kith."""
    return calendly_signature(secret, body, timestamp)
