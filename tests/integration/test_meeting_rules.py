"""Meeting rules, the same for every provider (PRODUCT.md §3), through the meetings use case on the real table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kith.domain.meetings import MeetingAttendee, MeetingChange, MeetingEvent, ResponseStatus
from kith.usecases.meetings import apply_meeting_event

from tests.integration.support import NOW, OWNER, Kith

ANN = MeetingAttendee(email="ann@example.com", name="Ann")
BEN = MeetingAttendee(email="ben@example.com", name="Ben")
STRANGER = MeetingAttendee(email="stranger@elsewhere.example", name="Stranger")
EARLIER = "2026-10-01T12:00:00Z"


@pytest.fixture
def store(kith: Kith) -> Any:
    kith.create_owner()
    kith.create_contact("Ann", "ann@example.com", circle="inner", last_interaction_at=EARLIER)
    kith.create_contact("Ben", "ben@example.com", circle="core", last_interaction_at=EARLIER)
    return kith.lambdas.modules["MeetingsFunction"].runtime.meeting_store


def _event(
    external_id: str, start: datetime, attendees: tuple[MeetingAttendee, ...] = (ANN,), **fields: Any
) -> MeetingEvent:
    values: dict[str, Any] = {
        "change": MeetingChange.BOOKED,
        "source": "google",
        "external_id": external_id,
        "title": "Sync",
        "start": start,
        "end": start + timedelta(minutes=30),
        "attendees": attendees,
    }
    return MeetingEvent.model_validate({**values, **fields})


def _apply(store: Any, event: MeetingEvent, now: datetime = NOW) -> Any:
    return apply_meeting_event(store, OWNER, event, now)


def _interactions(kith: Kith) -> list[dict]:
    return kith.http("GET", "/v1/interactions")[1]["interactions"]  # type: ignore[no-any-return]


def _contact(kith: Kith, name: str) -> dict:
    return next(c for c in kith.http("GET", "/v1/contacts")[1]["contacts"] if c["name"] == name)


def _pending_follow_ups(kith: Kith) -> list[dict]:
    return [f for f in kith.http("GET", "/v1/follow-ups")[1]["follow_ups"] if f["status"] == "pending"]


def test_the_same_meeting_from_two_providers_is_one_interaction(kith: Kith, store: Any) -> None:
    # Given a meeting booked through Cal.com and written into Google Calendar with the same iCalUID
    start = NOW - timedelta(hours=2)
    _apply(store, _event("bk-1", start, source="calcom", ical_uid="bk-1@Cal.com"))
    _apply(store, _event("google-event-9", start, (ANN, BEN), ical_uid="bk-1@Cal.com"))
    # Then there is one interaction, with both contacts, and one follow-up
    (interaction,) = _interactions(kith)
    assert len(interaction["contact_ids"]) == 2
    assert len(_pending_follow_ups(kith)) == 1
    # When Google's copy is cancelled, the one meeting is gone and both clocks are given back
    _apply(store, _event("google-event-9", start, change=MeetingChange.CANCELLED))
    assert _interactions(kith) == []
    assert _contact(kith, "Ann")["last_interaction_at"] == EARLIER
    assert _contact(kith, "Ben")["last_interaction_at"] == EARLIER


def test_each_instance_of_a_recurring_meeting_is_its_own_interaction(kith: Kith, store: Any) -> None:
    weekly = [NOW - timedelta(days=14), NOW - timedelta(days=7)]
    for start in weekly:
        _apply(store, _event(f"series_{start:%Y%m%d}", start, ical_uid="series@google.com", instance_start=start))
    assert sorted(i["start"] for i in _interactions(kith)) == ["2026-11-16T10:00:00Z", "2026-11-23T10:00:00Z"]
    assert _contact(kith, "Ann")["last_interaction_at"] == "2026-11-23T10:30:00Z"


def test_a_moved_meeting_moves_its_hold_follow_up_and_clock(kith: Kith, store: Any) -> None:
    # Given a meeting that took place an hour ago and moved Ann's clock
    start = NOW - timedelta(hours=1, minutes=30)
    _apply(store, _event("evt", start))
    assert _contact(kith, "Ann")["last_interaction_at"] == "2026-11-30T09:00:00Z"
    # When the provider says it is actually tomorrow (the same event, updated)
    tomorrow = NOW + timedelta(days=1)
    outcome = _apply(store, _event("evt", tomorrow))
    # Then the interaction moved, the clock went back, the nudge is held for tomorrow, the follow-up follows
    assert outcome.revised
    assert [i["start"] for i in _interactions(kith)] == ["2026-12-01T10:00:00Z"]
    ann = _contact(kith, "Ann")
    assert (ann["last_interaction_at"], ann["planned_meeting_at"]) == (EARLIER, "2026-12-01T10:00:00Z")
    assert [f["meeting_end"] for f in _pending_follow_ups(kith)] == ["2026-12-01T10:30:00Z"]
    # And the same update again changes nothing
    assert not _apply(store, _event("evt", tomorrow)).revised


def test_an_attendee_removed_from_the_meeting_gets_their_clock_back(kith: Kith, store: Any) -> None:
    start = NOW - timedelta(hours=2)
    _apply(store, _event("evt", start, (ANN, BEN)))
    _apply(store, _event("evt", start, (ANN, BEN.model_copy(update={"response": ResponseStatus.DECLINED}))))
    (interaction,) = _interactions(kith)
    assert len(interaction["contact_ids"]) == 1
    assert _contact(kith, "Ben")["last_interaction_at"] == EARLIER
    assert _contact(kith, "Ann")["last_interaction_at"] == "2026-11-30T08:30:00Z"
    assert len(_pending_follow_ups(kith)[0]["contact_ids"]) == 1


def test_invitees_arriving_one_by_one_join_the_same_meeting_and_can_withdraw(kith: Kith, store: Any) -> None:
    # Given a group booking whose invitees arrive in separate notifications (Calendly)
    start = NOW + timedelta(days=2)
    partial = {"source": "calendly", "attendees_complete": False}
    _apply(store, _event("group", start, (ANN,), **partial))
    _apply(store, _event("group", start, (BEN, STRANGER), **partial))
    (interaction,) = _interactions(kith)
    assert len(interaction["contact_ids"]) == 2
    assert [a["email"] for a in _pending_follow_ups(kith)[0]["new_attendees"]] == ["stranger@elsewhere.example"]
    # When Ann withdraws, the meeting stands for Ben, and Ann's hold is released
    _apply(store, _event("group", start, (ANN,), change=MeetingChange.WITHDRAWN, **partial))
    (interaction,) = _interactions(kith)
    assert len(interaction["contact_ids"]) == 1
    assert _contact(kith, "Ann")["planned_meeting_at"] is None
    assert _contact(kith, "Ben")["planned_meeting_at"] == "2026-12-02T10:00:00Z"
    # When Ben withdraws too, the meeting is gone
    _apply(store, _event("group", start, (BEN,), change=MeetingChange.WITHDRAWN, **partial))
    assert _interactions(kith) == []
    assert _contact(kith, "Ben")["planned_meeting_at"] is None


def test_a_superseded_booking_changes_nothing(kith: Kith, store: Any) -> None:
    start = NOW + timedelta(days=1)
    _apply(store, _event("old", start, source="calendly"))
    _apply(store, _event("old", start, source="calendly", change=MeetingChange.SUPERSEDED))
    assert len(_interactions(kith)) == 1


def test_all_day_events_are_stored_but_move_no_clock(kith: Kith, store: Any) -> None:
    day = datetime(2026, 11, 28, tzinfo=UTC)
    _apply(store, _event("offsite", day, all_day=True, end=day + timedelta(days=1)))
    (interaction,) = _interactions(kith)
    assert interaction["counts_for_cadence"] is False
    assert _contact(kith, "Ann")["last_interaction_at"] == EARLIER


def test_rooms_the_owner_and_declined_people_never_count(kith: Kith, store: Any) -> None:
    room = MeetingAttendee(email="room-4@resource.example", is_resource=True)
    owner = MeetingAttendee(email="owner@example.com", name="Olive")
    declined = BEN.model_copy(update={"response": ResponseStatus.DECLINED})
    outcome = _apply(store, _event("evt", NOW - timedelta(hours=3), (ANN, room, owner, declined)))
    assert outcome.contacts_matched == 1
    assert _pending_follow_ups(kith)[0]["new_attendees"] == []


def test_an_interaction_counts_once_the_meeting_has_ended(kith: Kith, store: Any) -> None:
    start = NOW + timedelta(hours=1)
    _apply(store, _event("evt", start))
    assert _contact(kith, "Ann")["last_interaction_at"] == EARLIER
    _apply(store, _event("evt", start, change=MeetingChange.ENDED), now=start + timedelta(minutes=31))
    assert _contact(kith, "Ann")["last_interaction_at"] == "2026-11-30T11:30:00Z"
