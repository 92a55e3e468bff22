"""Reading Cal.com bodies as MeetingEvents, or saying exactly what is wrong (PRODUCT.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kith.calendars import calcom
from kith.domain.meetings import MeetingChange
from kith.errors import MalformedBody, Unprocessable

from .builders import utc
from .calcom_bodies import (
    ORGANIZER_EMAIL,
    booking_cancelled,
    booking_created,
    booking_rescheduled,
    encode,
    meeting_ended_flat,
    meeting_ended_wrapped,
    ping,
)


def test_booking_created_becomes_a_booked_meeting() -> None:
    # Given a BOOKING_CREATED body, When parsed
    event = calcom.parse(encode(booking_created()))
    # Then who, when and the title are kept, attendees normalised, nothing else
    assert event.change is MeetingChange.BOOKED
    assert event.source == "calcom"
    assert event.external_id == "bk_8f2c1d7e"
    assert event.ical_uid == "bk_8f2c1d7e@Cal.com"
    assert event.title == "30 Min Meeting between Olivia Owner and Ana Lima"
    assert (event.start, event.end) == (utc(2026, 1, 6, 10), utc(2026, 1, 6, 10, 30))
    assert [(a.email, a.name) for a in event.attendees] == [
        ("ana.lima@example.com", "Ana Lima"),
        ("ben@example.org", "Ben Okafor"),
    ]
    assert event.previous_external_id is None


def test_organizer_is_never_among_attendees() -> None:
    # Given a booking whose organizer is the owner, When parsed
    event = calcom.parse(encode(booking_created()))
    # Then the organizer's address is not an attendee
    assert ORGANIZER_EMAIL not in {attendee.email for attendee in event.attendees}


def test_organizer_repeated_in_attendee_list_is_still_not_an_attendee() -> None:
    # Given a booking that lists the organizer among its attendees too (in another case)
    document = booking_created()
    document["payload"]["attendees"].append({"name": "Olivia", "email": "Olivia@Example.com", "timeZone": "UTC"})
    # When parsed
    event = calcom.parse(encode(document))
    # Then the organizer is still not an attendee
    assert ORGANIZER_EMAIL not in {attendee.email for attendee in event.attendees}


def test_reschedule_names_the_booking_it_replaces() -> None:
    # Given a BOOKING_RESCHEDULED body with rescheduleUid and times in +01:00
    event = calcom.parse(encode(booking_rescheduled()))
    # Then the new booking is the external id, the old one the previous id, times are exact instants
    assert event.change is MeetingChange.RESCHEDULED
    assert event.external_id == "bk_new_51a0"
    assert event.previous_external_id == "bk_8f2c1d7e"
    assert event.start == utc(2026, 1, 8, 14)


def test_reschedule_uid_is_ignored_for_other_triggers() -> None:
    # Given a BOOKING_CREATED body that happens to carry rescheduleUid
    document = booking_created()
    document["payload"]["rescheduleUid"] = "bk_old"
    # When parsed, Then it does not claim to replace anything
    assert calcom.parse(encode(document)).previous_external_id is None


def test_booking_cancelled() -> None:
    # Given a BOOKING_CANCELLED body, When parsed, Then it is a cancellation of that booking
    event = calcom.parse(encode(booking_cancelled()))
    assert (event.change, event.external_id) == (MeetingChange.CANCELLED, "bk_8f2c1d7e")


@pytest.mark.parametrize("build", [meeting_ended_wrapped, meeting_ended_flat], ids=["wrapped", "flat"])
def test_meeting_ended_with_and_without_payload_wrapper(build: Callable[[], dict[str, Any]]) -> None:
    # Given a MEETING_ENDED body, wrapped in "payload" or flat
    # When parsed, Then both read the same
    event = calcom.parse(encode(build()))
    assert event.change is MeetingChange.ENDED
    assert event.external_id == "bk_8f2c1d7e"
    assert event.end == utc(2026, 1, 6, 10, 30)
    assert [attendee.email for attendee in event.attendees] == ["ana.lima@example.com", "ben@example.org"]


def test_ping_is_a_test_change() -> None:
    # Given the PING Cal.com sends when a webhook is set up, When parsed, Then it is a TEST with no people
    event = calcom.parse(encode(ping()))
    assert event.change is MeetingChange.TEST
    assert event.attendees == ()


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe\x00", b'{"triggerEvent": "PING"'])
def test_malformed_json_is_malformed_body(body: bytes) -> None:
    # Given bytes that are not JSON, When parsed, Then it is MalformedBody (a 400)
    with pytest.raises(MalformedBody):
        calcom.parse(body)


@pytest.mark.parametrize("body", [b"[]", b'[{"triggerEvent": "PING"}]', b'"PING"', b"42", b"null"])
def test_json_that_is_not_an_object_is_malformed_body(body: bytes) -> None:
    # Given valid JSON that is not an object, When parsed, Then it is MalformedBody
    with pytest.raises(MalformedBody, match="object"):
        calcom.parse(body)


def test_unknown_trigger_is_unprocessable_and_named() -> None:
    # Given a trigger Cal.com does not have, When parsed, Then the error names triggerEvent and the value
    document = {**booking_created(), "triggerEvent": "BOOKING_EXPLODED"}
    with pytest.raises(Unprocessable, match=r"triggerEvent.*BOOKING_EXPLODED"):
        calcom.parse(encode(document))


@pytest.mark.parametrize(
    "trigger", ["BOOKING_PAYMENT_INITIATED", "BOOKING_PAID", "BOOKING_REQUESTED", "MEETING_STARTED"]
)
def test_triggers_that_say_nothing_about_meetings_are_acknowledged_as_unrelated(trigger: str) -> None:
    # Given a trigger about payments, requests or recordings, When parsed, Then it is unrelated (acknowledged, dropped)
    event = calcom.parse(encode({**booking_created(), "triggerEvent": trigger}))
    assert event.change is MeetingChange.UNRELATED


def test_a_rejected_booking_request_is_a_cancellation() -> None:
    event = calcom.parse(encode({**booking_created(), "triggerEvent": "BOOKING_REJECTED"}))
    assert event.change is MeetingChange.CANCELLED


def test_attendees_marked_no_show_withdraw_from_the_meeting() -> None:
    # Given Cal.com's no-show update for one of two attendees
    payload = {
        "message": "x",
        "bookingUid": "bk-1",
        "bookingId": 7,
        "attendees": [{"email": "Ann@Example.com", "noShow": True}, {"email": "ben@example.com", "noShow": False}],
    }
    event = calcom.parse(
        encode({"triggerEvent": "BOOKING_NO_SHOW_UPDATED", "createdAt": "2026-11-30T10:00:00Z", "payload": payload})
    )
    # Then only the absent attendee withdraws, the meeting stands for the others
    assert event.change is MeetingChange.WITHDRAWN
    assert [a.email for a in event.attendees] == ["ann@example.com"]
    assert event.attendees_complete is False
    # And an update that marks nobody absent is unrelated
    payload["attendees"] = [{"email": "ann@example.com", "noShow": False}]
    cleared = calcom.parse(
        encode({"triggerEvent": "BOOKING_NO_SHOW_UPDATED", "createdAt": "2026-11-30T10:00:00Z", "payload": payload})
    )
    assert cleared.change is MeetingChange.UNRELATED


def test_missing_trigger_is_unprocessable() -> None:
    # Given a body without triggerEvent, When parsed, Then the error names it
    document = booking_created()
    del document["triggerEvent"]
    with pytest.raises(Unprocessable, match="triggerEvent"):
        calcom.parse(encode(document))


def test_missing_payload_is_unprocessable() -> None:
    # Given a booking trigger with no payload (only MEETING_ENDED may be flat), Then the error names payload
    with pytest.raises(Unprocessable, match="payload"):
        calcom.parse(encode({"triggerEvent": "BOOKING_CREATED", "createdAt": "2026-01-02T09:14:03Z"}))


def _broken(field: str, value: object) -> bytes:
    document = booking_created()
    if value is None:
        del document["payload"][field]
    else:
        document["payload"][field] = value
    return encode(document)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_broken("uid", None), "payload.uid"),
        (_broken("uid", ""), "payload.uid"),
        (_broken("startTime", "next tuesday"), "payload.startTime"),
        (_broken("endTime", None), "payload.endTime"),
        (_broken("startTime", "2026-01-06T10:00:00"), "payload.startTime"),
        (_broken("endTime", "2026-01-06T10:30:00"), "payload.endTime"),
        (_broken("endTime", "2026-01-06T09:59:59Z"), "payload.endTime"),
    ],
    ids=["no uid", "empty uid", "bad start", "no end", "naive start", "naive end", "end before start"],
)
def test_unprocessable_names_the_field(body: bytes, field: str) -> None:
    # Given a booking with one field missing or wrong, When parsed
    with pytest.raises(Unprocessable) as caught:
        calcom.parse(body)
    # Then the message starts with that field
    assert str(caught.value).startswith(f"{field}:")


def test_validation_details_list_each_problem() -> None:
    # Given a booking missing both uid and startTime, When parsed
    document = booking_created()
    del document["payload"]["uid"], document["payload"]["startTime"]
    with pytest.raises(Unprocessable) as caught:
        calcom.parse(encode(document))
    # Then the details name both fields
    assert {detail["field"] for detail in caught.value.details} == {"uid", "startTime"}


def test_bad_attendee_email_names_its_place_in_the_list() -> None:
    # Given a booking whose second attendee has no usable e-mail
    document = booking_created()
    document["payload"]["attendees"][1]["email"] = "not-an-address"
    # When parsed, Then the error points at that attendee
    with pytest.raises(Unprocessable, match=r"^payload\.attendees\.1\.email:"):
        calcom.parse(encode(document))
