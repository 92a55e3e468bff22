"""Which attendees count and whether a meeting moves a cadence (PRODUCT.md §3)."""

from __future__ import annotations

import pytest
from kith.domain.meetings import (
    MeetingAttendee,
    MeetingChange,
    MeetingEvent,
    ResponseStatus,
    counted_attendees,
    moves_cadence,
)
from pydantic import ValidationError

from .builders import utc

OWNER = "olivia@example.com"


def _event(all_day: bool = False) -> MeetingEvent:
    return MeetingEvent(
        change=MeetingChange.ENDED,
        source="calcom",
        external_id="b-1",
        start=utc(2026, 1, 6, 10),
        end=utc(2026, 1, 6, 11),
        all_day=all_day,
    )


def test_attendee_email_is_normalised() -> None:
    # Given an address in mixed case with spaces, When it becomes an attendee, Then it is lower case
    assert MeetingAttendee(email="  Ana.Lima@Example.COM ").email == "ana.lima@example.com"


def test_attendee_rejects_what_is_not_an_email() -> None:
    # Given a display string instead of an address, When it becomes an attendee, Then it is refused
    with pytest.raises(ValidationError):
        MeetingAttendee(email="Ana <ana@example.com>")


def test_counted_attendees_drops_declined_resources_owner_and_duplicates() -> None:
    # Given a meeting's attendee list with every kind of noise
    attendees = [
        MeetingAttendee(email="ana@example.com", name="Ana"),
        MeetingAttendee(email="ben@example.com", response=ResponseStatus.DECLINED),
        MeetingAttendee(email="room-4@resource.example.com", is_resource=True),
        MeetingAttendee(email="Olivia@Example.com"),
        MeetingAttendee(email="ANA@example.com", name="Ana again"),
        MeetingAttendee(email="cy@example.com", response=ResponseStatus.TENTATIVE),
        MeetingAttendee(email="dee@example.com", response=ResponseStatus.NEEDS_ACTION),
    ]
    # When counted
    counted = counted_attendees(attendees, OWNER)
    # Then each real person other than the owner is there once, first occurrence kept, in order
    assert [attendee.email for attendee in counted] == ["ana@example.com", "cy@example.com", "dee@example.com"]
    assert counted[0].name == "Ana"


def test_counted_attendees_of_an_owner_only_meeting_is_empty() -> None:
    # Given a meeting where only the owner appears (in another case), When counted, Then nobody counts
    assert counted_attendees([MeetingAttendee(email="OLIVIA@example.com")], OWNER) == ()


def test_all_day_event_never_moves_a_cadence() -> None:
    # Given an all-day event with one attendee, When asked, Then it moves no clock
    assert moves_cadence(_event(all_day=True), counted=1, size_limit=8) is False


@pytest.mark.parametrize(("counted", "moves"), [(1, True), (7, True), (8, False), (30, False)])
def test_size_limit_counts_attendees_plus_owner(counted: int, moves: bool) -> None:
    # Given a limit of 8 people, When a meeting has `counted` attendees plus the owner
    # Then it moves cadences only while the room holds at most 8 people
    assert moves_cadence(_event(), counted=counted, size_limit=8) is moves


def test_smallest_limit_allows_a_one_to_one() -> None:
    # Given the smallest limit (2), When a meeting is one attendee plus the owner, Then it counts; two do not
    assert moves_cadence(_event(), counted=1, size_limit=2) is True
    assert moves_cadence(_event(), counted=2, size_limit=2) is False
