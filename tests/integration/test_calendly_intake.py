"""Calendly end to end: connect, receive signed invitee notifications, and record what they say."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from kith_local.provider_payloads import calendly_body, calendly_invitee_uri

from tests.integration.support import NOW, Kith

ANN = ("Ann Attendee", "ann@example.com")
BEN = ("Ben Builder", "BEN@example.com")
STRANGER = ("Gus Guest", "gus@elsewhere.example")


@pytest.fixture
def connection(kith: Kith) -> dict:
    kith.create_owner()
    kith.create_contact("Ann Attendee", "ann@example.com", circle="inner", last_interaction_at="2026-10-01T12:00:00Z")
    kith.create_contact("Ben Builder", "ben@example.com", circle="core", last_interaction_at="2026-09-01T12:00:00Z")
    return kith.connect("calendly")


def _snapshot(kith: Kith) -> tuple[int, int]:
    return len(kith.items()), len(kith.receive("MeetingQueue"))


def _contacts(kith: Kith) -> dict[str, dict]:
    _, body = kith.http("GET", "/v1/contacts")
    return {contact["name"]: contact for contact in body["contacts"]}


def _interactions(kith: Kith) -> list[dict]:
    _, body = kith.http("GET", "/v1/interactions")
    return body["interactions"]  # type: ignore[no-any-return]


def _deliver(kith: Kith, connection: dict, body: bytes) -> None:
    status, answer = kith.calendly_webhook(connection, body)
    assert status == 202, answer
    assert kith.process_meetings() == {"batchItemFailures": []}


# -- connecting and receiving -----------------------------------------------------------------------


def test_a_calendly_connection_returns_its_webhook_url_and_a_secret_shown_once(kith: Kith, connection: dict) -> None:
    # Given an owner who connected Calendly (the fixture), Then the answer has what to paste into Calendly
    assert connection["provider"] == "calendly"
    assert connection["webhook_url"] == f"https://api.kith.test/webhooks/calendly/{connection['connection_id']}"
    assert len(connection["signing_secret"]) >= 32
    # And the secret is never shown again
    listed = kith.http("GET", "/v1/connections")[1]["connections"]
    assert listed == [
        {
            "connection_id": connection["connection_id"],
            "provider": "calendly",
            "state": "active",
            "created_at": "2026-11-30T10:00:00Z",
            "account_email": None,
            "expires_at": None,
            "mail": False,
        }
    ]


def test_a_signed_invitee_created_is_queued_before_the_answer(kith: Kith, connection: dict) -> None:
    # When a correctly signed invitee.created arrives
    body = calendly_body("invitee.created", "EV1", NOW + timedelta(days=1), ANN, guests=["owner@example.com"])
    status, answer = kith.calendly_webhook(connection, body)
    # Then it is answered 202 and the parsed meeting is on the queue, without the host
    assert (status, answer) == (202, {"status": "queued"})
    (message,) = kith.receive("MeetingQueue")
    queued = json.loads(message["Body"])
    assert queued["owner_id"] == "owner-1"
    assert queued["connection_id"] == connection["connection_id"]
    assert queued["event"]["source"] == "calendly"
    assert queued["event"]["change"] == "booked"
    assert queued["event"]["external_id"] == "https://api.calendly.com/scheduled_events/EV1"
    assert [attendee["email"] for attendee in queued["event"]["attendees"]] == ["ann@example.com"]
    assert "meet.google.com" not in message["Body"]


@pytest.mark.parametrize(
    ("signature", "signed_at", "expected_error"),
    [
        (None, None, "missing Calendly-Webhook-Signature header"),
        ("v1=" + "0" * 64, None, "malformed Calendly-Webhook-Signature header: one t=<unix seconds> is required"),
        (f"t={int(NOW.timestamp())},v1={'0' * 64}", None, "Calendly-Webhook-Signature does not match the body"),
        ("valid", NOW - timedelta(minutes=10), "Calendly-Webhook-Signature timestamp is more than 3 minutes off"),
        ("valid", NOW + timedelta(seconds=181), "Calendly-Webhook-Signature timestamp is more than 3 minutes off"),
    ],
    ids=["missing", "malformed", "forged", "stale", "from the future"],
)
def test_a_forged_missing_or_stale_signature_is_401_and_changes_nothing(
    kith: Kith, connection: dict, signature: str | None, signed_at: datetime | None, expected_error: str
) -> None:
    before = _snapshot(kith)
    body = calendly_body("invitee.created", "EV1", NOW - timedelta(hours=1), ANN)
    status, answer = kith.calendly_webhook(connection, body, now=signed_at, signature=signature)
    assert (status, answer) == (401, {"error": expected_error})
    assert _snapshot(kith) == before
    assert kith.process_meetings() == {"batchItemFailures": []}
    assert _interactions(kith) == []


def test_a_body_signed_with_another_key_is_refused(kith: Kith, connection: dict) -> None:
    before = _snapshot(kith)
    other = {**connection, "signing_secret": "someone-elses-signing-key"}
    status, answer = kith.calendly_webhook(other, calendly_body("invitee.created", "EV1", NOW, ANN))
    assert (status, answer) == (401, {"error": "Calendly-Webhook-Signature does not match the body"})
    assert _snapshot(kith) == before


def test_a_calendly_connection_is_not_reachable_as_calcom(kith: Kith, connection: dict) -> None:
    # Given a Calendly connection, When a delivery arrives on the Cal.com path with the same id
    status, answer = kith.webhook(connection, calendly_body("invitee.created", "EV1", NOW, ANN))
    # Then the connection is unknown there
    assert (status, answer) == (404, {"error": "unknown calendar connection"})


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b'["invitee.created"]', 400, "JSON object"),
        (json.dumps({"event": "routing_form_submission.created", "payload": {}}).encode(), 422, "event: "),
        (json.dumps({"event": "invitee.created", "payload": []}).encode(), 422, "payload: an object is required"),
        (
            calendly_body("invitee.created", "EV1", NOW, ANN).replace(b'"start_time": "2026', b'"start_time": "soon'),
            422,
            "payload.scheduled_event.start_time",
        ),
        (
            calendly_body("invitee.created", "EV1", NOW, ("Ann", "ann-at-example.com")),
            422,
            "payload.email",
        ),
    ],
    ids=["not json", "not an object", "unsupported event", "payload not an object", "bad start", "bad email"],
)
def test_malformed_bodies_get_a_4xx_that_says_what_is_wrong(
    kith: Kith, connection: dict, body: bytes, status: int, fragment: str
) -> None:
    before = _snapshot(kith)
    got_status, answer = kith.calendly_webhook(connection, body)
    assert got_status == status
    assert fragment in answer["error"]
    assert _snapshot(kith) == before


# -- what the meetings say ------------------------------------------------------------------------


def test_a_meeting_that_ended_records_one_interaction_and_never_counts_the_host(kith: Kith, connection: dict) -> None:
    # Given a meeting that ended an hour ago: Ann booked it, added a stranger, and listed the hosts as guests
    body = calendly_body(
        "invitee.created",
        "EV1",
        NOW - timedelta(hours=1),
        ANN,
        guests=["gus@elsewhere.example", "Owner@Example.com", "cory@example.com"],
        hosts=[("Olive Owner", "owner@example.com"), ("Cory Host", "cory@example.com")],
        title="Roadmap",
    )
    # When it is delivered twice and processed
    kith.calendly_webhook(connection, body)
    _deliver(kith, connection, body)
    # Then there is one interaction, with Ann, from Calendly
    (interaction,) = _interactions(kith)
    assert (interaction["title"], interaction["source"]) == ("Roadmap", "calendly")
    assert interaction["contact_ids"] == [_contacts(kith)["Ann Attendee"]["contact_id"]]
    # And the follow-up offers only the stranger: neither the owner nor the co-host
    _, follow_ups = kith.http("GET", "/v1/follow-ups")
    (follow_up,) = follow_ups["follow_ups"]
    assert [attendee["email"] for attendee in follow_up["new_attendees"]] == ["gus@elsewhere.example"]
    # And Ann's clock moved to the meeting's end
    ann = _contacts(kith)["Ann Attendee"]
    assert (ann["last_interaction_at"], ann["last_interaction_title"]) == ("2026-11-30T09:30:00Z", "Roadmap")


def test_a_group_event_gathers_each_invitee_into_one_meeting(kith: Kith, connection: dict) -> None:
    # Given a group event two contacts book separately (one invitee.created each)
    start = NOW + timedelta(days=1)
    _deliver(kith, connection, calendly_body("invitee.created", "GROUP", start, ANN, title="Office hours"))
    _deliver(kith, connection, calendly_body("invitee.created", "GROUP", start, BEN, title="Office hours"))
    # Then it is one meeting with both, and both nudges are held back
    (interaction,) = _interactions(kith)
    contacts = _contacts(kith)
    assert sorted(interaction["contact_ids"]) == sorted(c["contact_id"] for c in contacts.values())
    assert {c["planned_meeting_at"] for c in contacts.values()} == {"2026-12-01T10:00:00Z"}


def test_the_only_invitee_withdrawing_removes_the_meeting_and_restores_the_clock(kith: Kith, connection: dict) -> None:
    # Given an earlier and a later meeting with Ann, both ended
    _deliver(kith, connection, calendly_body("invitee.created", "EARLY", NOW - timedelta(days=3), ANN, title="Early"))
    _deliver(kith, connection, calendly_body("invitee.created", "LATE", NOW - timedelta(hours=2), ANN, title="Late"))
    assert _contacts(kith)["Ann Attendee"]["last_interaction_title"] == "Late"
    # When Ann cancels the later one outright (rescheduled: false)
    _deliver(kith, connection, calendly_body("invitee.canceled", "LATE", NOW - timedelta(hours=2), ANN, title="Late"))
    # Then only the earlier meeting remains, and Ann's clock is back at its end
    assert [interaction["title"] for interaction in _interactions(kith)] == ["Early"]
    ann = _contacts(kith)["Ann Attendee"]
    assert (ann["last_interaction_at"], ann["last_interaction_title"]) == ("2026-11-27T10:30:00Z", "Early")
    _, follow_ups = kith.http("GET", "/v1/follow-ups")
    assert sorted(f["status"] for f in follow_ups["follow_ups"]) == ["cancelled", "pending"]


def test_one_invitee_withdrawing_from_a_group_event_leaves_the_others(kith: Kith, connection: dict) -> None:
    # Given a future group event booked by Ann and Ben
    start = NOW + timedelta(days=1)
    _deliver(kith, connection, calendly_body("invitee.created", "GROUP", start, ANN))
    _deliver(kith, connection, calendly_body("invitee.created", "GROUP", start, BEN))
    # When Ann cancels her place
    _deliver(kith, connection, calendly_body("invitee.canceled", "GROUP", start, ANN))
    # Then the meeting stands with Ben only, and only Ben's nudge is held back
    (interaction,) = _interactions(kith)
    contacts = _contacts(kith)
    assert interaction["contact_ids"] == [contacts["Ben Builder"]["contact_id"]]
    assert contacts["Ben Builder"]["planned_meeting_at"] == "2026-12-01T10:00:00Z"
    assert contacts["Ann Attendee"]["planned_meeting_at"] is None


@pytest.mark.parametrize("cancel_first", [True, False], ids=["canceled then created", "created then canceled"])
def test_a_reschedule_moves_the_meeting(kith: Kith, connection: dict, cancel_first: bool) -> None:
    # Given a future meeting with Ben
    start = NOW + timedelta(days=2)
    _deliver(kith, connection, calendly_body("invitee.created", "OLD", start, BEN, invitee_uuid="BEN1"))
    # When Ben reschedules it: Calendly sends the old half (superseded) and the new half (old_invitee set)
    moved = start + timedelta(days=1)
    old_half = calendly_body(
        "invitee.canceled",
        "OLD",
        start,
        BEN,
        invitee_uuid="BEN1",
        rescheduled=True,
        new_invitee=calendly_invitee_uri("NEW", "BEN2"),
    )
    new_half = calendly_body(
        "invitee.created", "NEW", moved, BEN, invitee_uuid="BEN2", old_invitee=calendly_invitee_uri("OLD", "BEN1")
    )
    for body in (old_half, new_half) if cancel_first else (new_half, old_half):
        _deliver(kith, connection, body)
    # Then there is one meeting, at the new time, holding Ben's nudge until then
    (interaction,) = _interactions(kith)
    assert interaction["start"] == "2026-12-03T10:00:00Z"
    assert _contacts(kith)["Ben Builder"]["planned_meeting_at"] == "2026-12-03T10:00:00Z"
    # And the only pending follow-up is for the new time
    _, follow_ups = kith.http("GET", "/v1/follow-ups")
    pending = [f for f in follow_ups["follow_ups"] if f["status"] == "pending"]
    assert [f["meeting_end"] for f in pending] == ["2026-12-03T10:30:00Z"]
