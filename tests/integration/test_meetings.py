"""Meetings become interactions, move clocks and create follow-ups; replays and cancellations are exact."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from kith_local.provider_payloads import calcom_body

from tests.integration.support import NOW, Kith

ANN = ("Ann Attendee", "ann@example.com")
BEN = ("Ben Builder", "BEN@example.com")
GUEST = ("Gus Guest", "gus@elsewhere.example")


@pytest.fixture
def connection(kith: Kith) -> dict:
    kith.create_owner()
    kith.create_contact("Ann Attendee", "ann@example.com", circle="inner", last_interaction_at="2026-10-01T12:00:00Z")
    kith.create_contact("Ben Builder", "ben@example.com", circle="core", last_interaction_at="2026-09-01T12:00:00Z")
    return kith.connect()


def _contacts(kith: Kith) -> dict[str, dict]:
    _, body = kith.http("GET", "/v1/contacts")
    return {contact["name"]: contact for contact in body["contacts"]}


def test_the_same_webhook_three_times_records_one_interaction(kith: Kith, connection: dict) -> None:
    # Given a meeting that ended an hour ago with two contacts and a guest
    body = calcom_body("BOOKING_CREATED", "bk-1", NOW - timedelta(hours=1), [ANN, BEN, GUEST], title="Roadmap")
    # When the provider delivers it three times and every delivery is processed
    for _ in range(3):
        assert kith.webhook(connection, body)[0] == 202
    assert len(kith.receive("MeetingQueue")) == 3
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then there is exactly one interaction and one follow-up
    _, interactions = kith.http("GET", "/v1/interactions")
    assert len(interactions["interactions"]) == 1
    (interaction,) = interactions["interactions"]
    assert interaction["title"] == "Roadmap"
    assert len(interaction["contact_ids"]) == 2
    _, follow_ups = kith.http("GET", "/v1/follow-ups")
    (follow_up,) = follow_ups["follow_ups"]
    # the guest who is not a contact is offered, the owner (organizer) is not
    assert [attendee["email"] for attendee in follow_up["new_attendees"]] == ["gus@elsewhere.example"]
    # And both contacts' clocks moved to the meeting's end, once
    contacts = _contacts(kith)
    assert contacts["Ann Attendee"]["last_interaction_at"] == "2026-11-30T09:30:00Z"
    assert contacts["Ben Builder"]["last_interaction_title"] == "Roadmap"


def test_a_future_meeting_holds_the_nudge_and_ending_it_moves_the_clock(kith: Kith, connection: dict) -> None:
    start = NOW + timedelta(days=1)
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "bk-2", start, [ANN]))
    kith.process_meetings()
    ann = _contacts(kith)["Ann Attendee"]
    assert ann["planned_meeting_at"] == "2026-12-01T10:00:00Z"
    assert ann["last_interaction_at"] == "2026-10-01T12:00:00Z"
    # When the meeting ends (Cal.com's flat MEETING_ENDED shape, an old createdAt)
    kith.clock.set(start + timedelta(minutes=40))
    kith.webhook(connection, calcom_body("MEETING_ENDED", "bk-2", start, [ANN], flat=True))
    kith.process_meetings()
    ann = _contacts(kith)["Ann Attendee"]
    assert ann["last_interaction_at"] == "2026-12-01T10:30:00Z"
    assert ann["planned_meeting_at"] is None


def test_a_cancellation_removes_the_meeting_and_restores_the_previous_clock(kith: Kith, connection: dict) -> None:
    # Given an earlier meeting and a later one, both ended
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "early", NOW - timedelta(days=3), [ANN], title="Early"))
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "late", NOW - timedelta(hours=2), [ANN], title="Late"))
    kith.process_meetings()
    assert _contacts(kith)["Ann Attendee"]["last_interaction_title"] == "Late"
    # When the later one is cancelled
    kith.webhook(connection, calcom_body("BOOKING_CANCELLED", "late", NOW - timedelta(hours=2), [ANN], title="Late"))
    kith.process_meetings()
    # Then only the earlier one remains, and the clock is back at its end
    _, interactions = kith.http("GET", "/v1/interactions")
    assert [interaction["title"] for interaction in interactions["interactions"]] == ["Early"]
    ann = _contacts(kith)["Ann Attendee"]
    assert (ann["last_interaction_at"], ann["last_interaction_title"]) == ("2026-11-27T10:30:00Z", "Early")
    _, follow_ups = kith.http("GET", "/v1/follow-ups")
    assert sorted(f["status"] for f in follow_ups["follow_ups"]) == ["cancelled", "pending"]


def test_a_reschedule_moves_the_meeting(kith: Kith, connection: dict) -> None:
    start = NOW + timedelta(days=2)
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "old-uid", start, [BEN]))
    kith.process_meetings()
    moved = start + timedelta(days=1)
    kith.webhook(connection, calcom_body("BOOKING_RESCHEDULED", "new-uid", moved, [BEN], reschedule_uid="old-uid"))
    kith.process_meetings()
    _, interactions = kith.http("GET", "/v1/interactions")
    (interaction,) = interactions["interactions"]
    assert interaction["start"] == "2026-12-03T10:00:00Z"
    assert _contacts(kith)["Ben Builder"]["planned_meeting_at"] == "2026-12-03T10:00:00Z"
    _, follow_ups = kith.http("GET", "/v1/follow-ups")
    pending = [f for f in follow_ups["follow_ups"] if f["status"] == "pending"]
    assert [f["meeting_end"] for f in pending] == ["2026-12-03T10:30:00Z"]


def test_a_meeting_over_the_size_limit_is_stored_but_moves_no_clock(kith: Kith, connection: dict) -> None:
    crowd = [ANN] + [(f"Guest {n}", f"guest{n}@example.com") for n in range(8)]
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "all-hands", NOW - timedelta(hours=1), crowd))
    kith.process_meetings()
    _, interactions = kith.http("GET", "/v1/interactions")
    assert interactions["interactions"][0]["counts_for_cadence"] is False
    assert _contacts(kith)["Ann Attendee"]["last_interaction_at"] == "2026-10-01T12:00:00Z"


def test_a_meeting_with_no_contacts_records_nothing(kith: Kith, connection: dict) -> None:
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "strangers", NOW - timedelta(hours=1), [GUEST]))
    assert kith.process_meetings() == {"batchItemFailures": []}
    assert kith.http("GET", "/v1/interactions")[1] == {"interactions": [], "next_cursor": None}
    assert kith.http("GET", "/v1/follow-ups")[1] == {"follow_ups": [], "next_cursor": None}


def test_a_follow_up_after_hours_is_due_the_next_working_morning(kith: Kith, connection: dict) -> None:
    # A meeting ending Friday 2026-12-04 17:30 Berlin (16:30 UTC), + 1 h, is after hours:
    # due Monday 09:00 Berlin (08:00 UTC)
    start = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "friday", start, [ANN]))
    kith.process_meetings()
    _, follow_ups = kith.http("GET", "/v1/follow-ups")
    assert follow_ups["follow_ups"][0]["due_at"] == "2026-12-07T08:00:00Z"


def test_a_cancellation_that_overtakes_its_booking_keeps_the_meeting_cancelled(kith: Kith, connection: dict) -> None:
    # Given the cancellation is processed before the booking it cancels (queues do not keep order)
    start = NOW - timedelta(hours=3)
    kith.webhook(connection, calcom_body("BOOKING_CANCELLED", "overtaken", start, [ANN]))
    kith.process_meetings()
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "overtaken", start, [ANN]))
    kith.process_meetings()
    # Then no interaction, no follow-up, and Ann's clock did not move
    assert kith.http("GET", "/v1/interactions")[1] == {"interactions": [], "next_cursor": None}
    assert kith.http("GET", "/v1/follow-ups")[1] == {"follow_ups": [], "next_cursor": None}
    assert _contacts(kith)["Ann Attendee"]["last_interaction_at"] == "2026-10-01T12:00:00Z"


def test_a_booking_replayed_after_its_cancellation_stays_cancelled(kith: Kith, connection: dict) -> None:
    start = NOW + timedelta(days=1)
    booking = calcom_body("BOOKING_CREATED", "replayed", start, [ANN])
    kith.webhook(connection, booking)
    kith.process_meetings()
    kith.webhook(connection, calcom_body("BOOKING_CANCELLED", "replayed", start, [ANN]))
    kith.process_meetings()
    kith.webhook(connection, booking)
    kith.process_meetings()
    assert kith.http("GET", "/v1/interactions")[1] == {"interactions": [], "next_cursor": None}
    assert _contacts(kith)["Ann Attendee"]["planned_meeting_at"] is None


def _count_requests(kith: Kith, function: str) -> Counter[str]:
    calls: Counter[str] = Counter()
    client = kith.lambdas.modules[function].runtime.dynamodb
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
    return calls


def test_matching_attendees_costs_the_same_round_trips_for_1_or_20_attendees(kith: Kith) -> None:
    # Given an owner who allows large meetings, with 20 contacts
    kith.create_owner(meeting_size_limit=50)
    guests = [(f"Guest {n}", f"guest{n}@example.com") for n in range(20)]
    for name, address in guests:
        kith.create_contact(name, address)
    connection = kith.connect()
    calls = _count_requests(kith, "MeetingsFunction")
    reads = []
    # When a meeting with 1 and then one with 20 of them is processed
    for uid, attendees in (("one", guests[:1]), ("twenty", guests)):
        calls.clear()
        kith.webhook(connection, calcom_body("BOOKING_CREATED", uid, NOW - timedelta(hours=1), attendees))
        kith.process_meetings()
        reads.append((calls["BatchGetItem"], calls["GetItem"], calls["Query"]))
    # Then the reads are the same two batch reads and one owner read, whatever the number of attendees
    assert reads[0] == reads[1] == (2, 1, 0)
