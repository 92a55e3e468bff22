"""Google Calendar and Microsoft Graph events read as meetings, faithfully to each provider's resource shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from kith.calendars import google, graph
from kith.domain.meetings import MeetingChange, ResponseStatus, counted_attendees
from kith.errors import Unprocessable


def _google(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "calendar#event",
        "id": "evt1",
        "status": "confirmed",
        "iCalUID": "evt1@google.com",
        "summary": "Roadmap",
        "start": {"dateTime": "2026-11-30T10:00:00+01:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-11-30T10:45:00+01:00", "timeZone": "Europe/Berlin"},
        "organizer": {"email": "me@example.com", "self": True},
        "attendees": [
            {"email": "me@example.com", "self": True, "organizer": True, "responseStatus": "accepted"},
            {"email": "Ann@Example.com", "displayName": "Ann", "responseStatus": "accepted"},
            {"email": "ben@example.com", "responseStatus": "declined"},
            {"email": "c_188@resource.calendar.google.com", "resource": True, "responseStatus": "accepted"},
            {"email": "dee@example.com", "responseStatus": "tentative", "optional": True},
        ],
        **fields,
    }


def test_a_google_event_keeps_who_when_and_title() -> None:
    meeting = google.meeting_from_event(_google())
    assert (meeting.change, meeting.external_id, meeting.ical_uid) == (MeetingChange.BOOKED, "evt1", "evt1@google.com")
    assert (meeting.start, meeting.end) == (
        datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 9, 45, tzinfo=UTC),
    )
    assert meeting.title == "Roadmap" and not meeting.all_day
    # self is the owner whatever its address; declined and rooms never count
    counted = counted_attendees(meeting.attendees, owner_email="owner@kith.example")
    assert [(a.email, a.response) for a in counted] == [
        ("ann@example.com", ResponseStatus.ACCEPTED),
        ("dee@example.com", ResponseStatus.TENTATIVE),
    ]


def test_a_google_all_day_event_starts_at_midnight_in_the_calendars_zone() -> None:
    meeting = google.meeting_from_event(
        _google(start={"date": "2026-11-30"}, end={"date": "2026-12-01"}), calendar_zone="America/New_York"
    )
    assert meeting.all_day
    assert meeting.start == datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


def test_a_google_recurring_instance_is_named_by_its_original_start() -> None:
    instance = _google(
        id="evt1_20261207T090000Z",
        recurringEventId="evt1",
        originalStartTime={"dateTime": "2026-12-07T10:00:00+01:00"},
        start={"dateTime": "2026-12-07T11:00:00+01:00"},
        end={"dateTime": "2026-12-07T11:30:00+01:00"},
    )
    meeting = google.meeting_from_event(instance)
    assert meeting.instance_start == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert meeting.start == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_a_cancelled_google_event_needs_only_its_id() -> None:
    meeting = google.meeting_from_event({"kind": "calendar#event", "id": "evt1", "status": "cancelled"})
    assert (meeting.change, meeting.external_id, meeting.start) == (MeetingChange.CANCELLED, "evt1", None)


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"id": ""}, "id"),
        ({"start": {"timeZone": "UTC"}}, "neither dateTime nor date"),
        ({"start": {"dateTime": "2026-11-30T10:00:00", "timeZone": "Mars/Base"}}, "unknown time zone"),
        ({"end": {"dateTime": "2026-11-30T08:00:00+01:00"}}, "ends before it starts"),
        ({"end": None}, "needs start and end"),
    ],
)
def test_a_broken_google_event_is_unprocessable_and_says_why(fields: dict[str, Any], fragment: str) -> None:
    with pytest.raises(Unprocessable, match=fragment):
        google.meeting_from_event(_google(**fields))


def test_an_attendee_without_a_usable_address_is_skipped() -> None:
    meeting = google.meeting_from_event(_google(attendees=[{"displayName": "A group"}, {"email": "not-an-address"}]))
    assert meeting.attendees == ()


def _graph(**fields: Any) -> dict[str, Any]:
    return {
        "id": "AAMkAGI2",
        "iCalUId": "040000008200E00074C5B7101A82E008",
        "subject": "Quarterly review",
        "isAllDay": False,
        "isCancelled": False,
        "type": "singleInstance",
        "start": {"dateTime": "2026-11-30T09:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-30T10:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"name": "Ann", "address": "ann@example.com"}},
        "attendees": [
            {
                "type": "required",
                "status": {"response": "accepted"},
                "emailAddress": {"name": "Me", "address": "Me@Example.com"},
            },
            {
                "type": "optional",
                "status": {"response": "declined"},
                "emailAddress": {"name": "Ben", "address": "ben@example.com"},
            },
            {
                "type": "resource",
                "status": {"response": "accepted"},
                "emailAddress": {"name": "Room 4", "address": "room4@example.com"},
            },
        ],
        **fields,
    }


def test_a_graph_event_in_utc_with_the_mailbox_as_owner_and_the_organizer_as_attendee() -> None:
    meeting = graph.meeting_from_event(_graph(), mailbox="me@example.com")
    assert meeting is not None
    assert (meeting.start, meeting.end) == (
        datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
    )
    counted = counted_attendees(meeting.attendees, owner_email="owner@kith.example")
    assert [a.email for a in counted] == ["ann@example.com"]


def test_graph_times_in_a_windows_zone_are_converted() -> None:
    fields = {
        "start": {"dateTime": "2026-07-01T09:00:00.0000000", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-07-01T09:30:00.0000000", "timeZone": "W. Europe Standard Time"},
    }
    meeting = graph.meeting_from_event(_graph(**fields), mailbox="me@example.com")
    assert meeting is not None and meeting.start == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def test_graph_occurrences_are_instances_and_series_masters_are_not_meetings() -> None:
    occurrence = graph.meeting_from_event(
        _graph(type="occurrence", seriesMasterId="AAMkMaster", originalStart="2026-11-30T09:00:00Z"),
        mailbox="me@example.com",
    )
    assert occurrence is not None and occurrence.instance_start == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert graph.meeting_from_event(_graph(type="seriesMaster"), mailbox="me@example.com") is None


def test_a_cancelled_or_deleted_graph_event_cancels_the_meeting() -> None:
    cancelled = graph.meeting_from_event(_graph(isCancelled=True), mailbox="me@example.com")
    assert cancelled is not None and cancelled.change is MeetingChange.CANCELLED
    assert graph.removed_meeting("AAMkAGI2").external_id == "AAMkAGI2"


def test_a_graph_event_in_an_unknown_zone_is_unprocessable() -> None:
    broken = _graph(start={"dateTime": "2026-11-30T09:00:00", "timeZone": "Atlantis Standard Time"})
    with pytest.raises(Unprocessable, match="unknown time zone"):
        graph.meeting_from_event(broken, mailbox="me@example.com")
