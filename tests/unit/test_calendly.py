"""Calendly webhooks: signatures with a timestamp, and invitee notifications read as MeetingEvents (PRODUCT.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from kith.calendars import calendly
from kith.domain.meetings import MeetingChange
from kith.errors import MalformedBody, Unauthorized, Unprocessable

from .builders import utc
from .calendly_bodies import (
    COHOST_EMAIL,
    EVENT_URI,
    HOST_EMAIL,
    NEW_EVENT_URI,
    SECRET,
    encode,
    group_event_second_invitee,
    invitee_canceled,
    invitee_created,
    rescheduled_cancel,
    rescheduled_create,
    routing_form_submission,
    sign,
)

NOW = datetime(2026, 1, 2, 9, 14, 4, tzinfo=UTC)
SENT = int(NOW.timestamp())
BODY = encode(invitee_created())
DIGEST = sign(BODY, SENT).partition("v1=")[2]


# -- verify ----------------------------------------------------------------------------------------


def test_a_fresh_correct_signature_passes() -> None:
    # Given a body signed by Calendly just now, When verified, Then nothing is raised
    calendly.verify({"Calendly-Webhook-Signature": sign(BODY, SENT)}, BODY, SECRET, NOW)


@pytest.mark.parametrize(
    "name", ["calendly-webhook-signature", "CALENDLY-WEBHOOK-SIGNATURE", "Calendly-Webhook-Signature"]
)
def test_header_name_is_case_insensitive(name: str) -> None:
    # Given the signature under any spelling of the header name, When verified, Then it passes
    calendly.verify({"Content-Type": "application/json", name: sign(BODY, SENT)}, BODY, SECRET, NOW)


@pytest.mark.parametrize(
    "value",
    [f"t={SENT}, v1={DIGEST}", f" t={SENT} ,  v1={DIGEST} ", f"t = {SENT},v1 = {DIGEST}"],
    ids=["space after comma", "spaces around", "spaces around ="],
)
def test_spaces_around_the_parts_are_tolerated(value: str) -> None:
    # Given a correct header with spaces around its commas, When verified, Then it passes
    calendly.verify({"calendly-webhook-signature": value}, BODY, SECRET, NOW)


def test_missing_header_is_unauthorized_and_says_so() -> None:
    # Given no signature header (a subscription made without a signing key), When verified
    with pytest.raises(Unauthorized, match=r"^missing Calendly-Webhook-Signature header$"):
        calendly.verify({"content-type": "application/json"}, BODY, SECRET, NOW)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        f"v1={DIGEST}",
        f"t={SENT}",
        f"t={SENT},v1=",
        f"t=soon,v1={DIGEST}",
        f"t={SENT}.5,v1={DIGEST}",
        f"t=-{SENT},v1={DIGEST}",
        f"t={SENT},t={SENT},v1={DIGEST}",
        f"t={SENT},v1={DIGEST},",
        f"t={SENT};v1={DIGEST}",
        f"t=9{'9' * 40},v1={DIGEST}",
    ],
    ids=[
        "empty",
        "garbage",
        "no t",
        "no v1",
        "empty v1",
        "t not a number",
        "t fractional",
        "t negative",
        "two t",
        "trailing comma",
        "semicolon",
        "t absurdly long",
    ],
)
def test_malformed_header_is_unauthorized_and_says_so(value: str) -> None:
    # Given a header Calendly would never send, When verified, Then it is refused as malformed
    with pytest.raises(Unauthorized, match=r"^malformed Calendly-Webhook-Signature header"):
        calendly.verify({"calendly-webhook-signature": value}, BODY, SECRET, NOW)


def test_wrong_secret_is_unauthorized() -> None:
    # Given a body signed with another subscription's key, When verified, Then it does not match
    with pytest.raises(Unauthorized, match=r"^Calendly-Webhook-Signature does not match the body$"):
        calendly.verify({"calendly-webhook-signature": sign(BODY, SENT, "another-key")}, BODY, SECRET, NOW)


def test_any_one_of_several_v1_values_may_match() -> None:
    # Given a header with a stale signature and the right one (a key being rotated)
    wrong = sign(BODY, SENT, "old-key").partition("v1=")[2]
    for value in (f"t={SENT},v1={wrong},v1={DIGEST}", f"t={SENT},v1={DIGEST},v1={wrong}"):
        # When verified, Then it passes whichever comes first
        calendly.verify({"calendly-webhook-signature": value}, BODY, SECRET, NOW)


def test_several_v1_values_none_matching_is_unauthorized() -> None:
    others = [sign(BODY, SENT, key).partition("v1=")[2] for key in ("k1", "k2")]
    with pytest.raises(Unauthorized, match="does not match"):
        calendly.verify({"calendly-webhook-signature": f"t={SENT},v1={others[0]},v1={others[1]}"}, BODY, SECRET, NOW)


def test_unknown_schemes_beside_v1_are_ignored() -> None:
    # Given a header that also carries a scheme Kith does not know, When verified, Then v1 decides
    calendly.verify({"calendly-webhook-signature": f"t={SENT},v0=deadbeef,v1={DIGEST}"}, BODY, SECRET, NOW)


@pytest.mark.parametrize("seconds", [-180, -179, 0, 179, 180])
def test_a_timestamp_up_to_3_minutes_off_is_accepted(seconds: int) -> None:
    # Given a correct signature made `seconds` from now (either clock may run ahead)
    header = {"calendly-webhook-signature": sign(BODY, SENT + seconds)}
    # When verified, Then it passes
    calendly.verify(header, BODY, SECRET, NOW)


@pytest.mark.parametrize("seconds", [-181, 181, -86_400, 86_400, -SENT])
def test_a_timestamp_more_than_3_minutes_off_is_refused(seconds: int) -> None:
    # Given a correct signature made `seconds` from now (a replay, or a sender clock far off)
    header = {"calendly-webhook-signature": sign(BODY, SENT + seconds)}
    # When verified, Then it is refused for its timestamp
    with pytest.raises(Unauthorized, match=r"^Calendly-Webhook-Signature timestamp is more than 3 minutes off$"):
        calendly.verify(header, BODY, SECRET, NOW)


def test_a_forged_body_with_a_fresh_timestamp_is_refused() -> None:
    # Given a genuine signed delivery, and a forger who changes the body and sets a fresh t
    forged = encode({**invitee_created(), "event": "invitee.canceled"})
    genuine_digest = sign(BODY, SENT - 3600).partition("v1=")[2]
    for header in (f"t={SENT},v1={genuine_digest}", f"t={SENT},v1={sign(forged, SENT, 'guess').partition('v1=')[2]}"):
        # When verified, Then the signature does not match
        with pytest.raises(Unauthorized, match="does not match"):
            calendly.verify({"calendly-webhook-signature": header}, forged, SECRET, NOW)


def test_a_genuine_old_signature_with_its_timestamp_moved_is_refused_as_not_matching() -> None:
    # Given a delivery captured an hour ago, replayed with only t changed to now
    old = sign(BODY, SENT - 3600).partition("v1=")[2]
    # When verified, Then the signature no longer matches (t is signed)
    with pytest.raises(Unauthorized, match="does not match"):
        calendly.verify({"calendly-webhook-signature": f"t={SENT},v1={old}"}, BODY, SECRET, NOW)


def test_the_signature_is_checked_before_the_timestamp() -> None:
    # Given a forged body with a stale timestamp
    forged = BODY + b" "
    # When verified, Then the answer is about the signature, revealing nothing about the clock
    with pytest.raises(Unauthorized, match="does not match"):
        calendly.verify({"calendly-webhook-signature": sign(BODY, SENT - 3600)}, forged, SECRET, NOW)


# -- parse -----------------------------------------------------------------------------------------


def test_invitee_created_is_a_booked_meeting() -> None:
    # Given an invitee.created body with no old invitee, When parsed
    event = calendly.parse(encode(invitee_created()))
    # Then the scheduled event is the meeting; who, when and the title are kept
    assert event.change is MeetingChange.BOOKED
    assert event.source == "calendly"
    assert event.external_id == EVENT_URI
    assert event.previous_external_id is None
    assert event.title == "30 Minute Meeting"
    assert (event.start, event.end) == (utc(2026, 1, 6, 10), utc(2026, 1, 6, 10, 30))


def test_attendees_are_the_invitee_and_their_guests() -> None:
    # Given an invitee who added a guest, When parsed
    event = calendly.parse(encode(invitee_created()))
    # Then both are attendees, normalised; the guest has no name
    assert [(a.email, a.name) for a in event.attendees] == [
        ("ana.lima@example.com", "Ana Lima"),
        ("ben@example.org", None),
    ]


def test_nothing_but_who_when_and_title_is_kept() -> None:
    # Given a body carrying a location, answers, notes and a phone number, When parsed
    dumped = calendly.parse(encode(invitee_created())).model_dump_json()
    # Then none of it is in the event
    for private in ("zoom", "Hiring plans", "Q1 numbers", "5555", "Sao_Paulo", "cancellations"):
        assert private not in dumped


def test_invitee_created_with_old_invitee_is_a_reschedule_of_the_old_scheduled_event() -> None:
    # Given the invitee.created half of a reschedule, times in +01:00, When parsed
    event = calendly.parse(encode(rescheduled_create()))
    # Then the new scheduled event replaces the one the old invitee belonged to
    assert event.change is MeetingChange.RESCHEDULED
    assert event.external_id == NEW_EVENT_URI
    assert event.previous_external_id == EVENT_URI
    assert (event.start, event.end) == (utc(2026, 1, 8, 14), utc(2026, 1, 8, 14, 30))


def test_invitee_canceled_because_rescheduled_is_superseded() -> None:
    # Given the invitee.canceled half of a reschedule (rescheduled: true), When parsed
    event = calendly.parse(encode(rescheduled_cancel()))
    # Then the old booking gives way; it names the old scheduled event and no previous one
    assert event.change is MeetingChange.SUPERSEDED
    assert event.external_id == EVENT_URI
    assert event.previous_external_id is None


def test_invitee_canceled_outright_is_that_invitee_withdrawing() -> None:
    # Given an invitee.canceled with rescheduled: false, When parsed
    event = calendly.parse(encode(invitee_canceled()))
    # Then that invitee and their guest withdraw from the scheduled event; nothing else is claimed
    assert event.change is MeetingChange.WITHDRAWN
    assert event.external_id == EVENT_URI
    assert [a.email for a in event.attendees] == ["ana.lima@example.com", "ben@example.org"]


def test_old_invitee_is_ignored_on_a_cancellation() -> None:
    # Given an invitee.canceled whose invitee had itself come from a reschedule
    document = invitee_canceled()
    document["payload"]["old_invitee"] = f"{NEW_EVENT_URI}/invitees/ZZZZ"
    # When parsed, Then it is still a withdrawal from this scheduled event only
    event = calendly.parse(encode(document))
    assert (event.change, event.previous_external_id) == (MeetingChange.WITHDRAWN, None)


def test_group_event_second_invitee_names_the_same_meeting_and_only_that_invitee() -> None:
    # Given a second person booking the same group event, When parsed
    first = calendly.parse(encode(invitee_created()))
    second = calendly.parse(encode(group_event_second_invitee()))
    # Then it is the same meeting, and names only the new invitee
    assert second.change is MeetingChange.BOOKED
    assert second.external_id == first.external_id
    assert second.title == "Founders' Office Hours"
    assert [a.email for a in second.attendees] == ["ben@example.org"]


@pytest.mark.parametrize("build", [invitee_created, invitee_canceled, rescheduled_cancel, rescheduled_create])
def test_every_notification_speaks_for_its_invitee_only(build: Callable[[], dict[str, Any]]) -> None:
    # Given any Calendly notification, When parsed
    event = calendly.parse(encode(build()))
    # Then it does not claim to list everyone at the meeting: other invitees of a group event stay
    assert event.attendees_complete is False


def _with_people(guests: list[str], invitee_email: str | None = None) -> dict[str, Any]:
    document = invitee_created()
    event = document["payload"]["scheduled_event"]
    event["event_memberships"].append({"user": "https://api.calendly.com/users/CO", "user_email": COHOST_EMAIL})
    event["event_guests"] = [{"email": email} for email in guests]
    if invitee_email:
        document["payload"]["email"] = invitee_email
    return document


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_with_people(["Olivia@Example.com", "ben@example.org"]), ["ana.lima@example.com", "ben@example.org"]),
        (_with_people([COHOST_EMAIL.upper()]), ["ana.lima@example.com"]),
        (_with_people(["ben@example.org"], invitee_email=HOST_EMAIL), ["ben@example.org"]),
        (_with_people(["ana.lima@example.com", "ben@example.org"]), ["ana.lima@example.com", "ben@example.org"]),
    ],
    ids=["host as guest", "co-host as guest", "host booked own event", "invitee repeated as guest"],
)
def test_hosts_are_never_attendees_and_no_one_is_listed_twice(document: dict[str, Any], expected: list[str]) -> None:
    # Given hosts (event memberships) showing up among the invitee or guests, When parsed
    event = calendly.parse(encode(document))
    # Then no host is an attendee, and each person appears once
    assert [a.email for a in event.attendees] == expected


def test_no_memberships_and_no_guests_leaves_the_invitee() -> None:
    document = invitee_created()
    del document["payload"]["scheduled_event"]["event_memberships"]
    del document["payload"]["scheduled_event"]["event_guests"]
    assert [a.email for a in calendly.parse(encode(document)).attendees] == ["ana.lima@example.com"]


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe\x00", b'{"event": "invitee.created"'])
def test_malformed_json_is_malformed_body(body: bytes) -> None:
    with pytest.raises(MalformedBody, match="not valid JSON"):
        calendly.parse(body)


@pytest.mark.parametrize("body", [b"[]", b'[{"event": "invitee.created"}]', b'"invitee.created"', b"7", b"null"])
def test_json_that_is_not_an_object_is_malformed_body(body: bytes) -> None:
    with pytest.raises(MalformedBody, match="object"):
        calendly.parse(body)


@pytest.mark.parametrize(
    ("document", "pattern"),
    [
        (routing_form_submission(), r"^event: 'routing_form_submission.created' is not supported$"),
        ({**invitee_created(), "event": "invitee_no_show.created"}, r"^event: 'invitee_no_show.created'"),
        ({k: v for k, v in invitee_created().items() if k != "event"}, r"^event: a string is required$"),
        ({**invitee_created(), "event": 7}, r"^event: a string is required$"),
        ({k: v for k, v in invitee_created().items() if k != "payload"}, r"^payload: an object is required$"),
        ({**invitee_created(), "payload": "nope"}, r"^payload: an object is required$"),
    ],
    ids=["routing form", "no-show", "no event", "event not a string", "no payload", "payload not an object"],
)
def test_unsupported_or_missing_envelope_is_unprocessable_and_named(document: dict[str, Any], pattern: str) -> None:
    with pytest.raises(Unprocessable, match=pattern):
        calendly.parse(encode(document))


def _broken(change: Callable[[dict[str, Any]], None]) -> bytes:
    document = invitee_created()
    change(document["payload"])
    return encode(document)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_broken(lambda p: p.pop("email")), "payload.email"),
        (_broken(lambda p: p.update(email="not-an-address")), "payload.email"),
        (_broken(lambda p: p.pop("rescheduled")), "payload.rescheduled"),
        (_broken(lambda p: p.update(old_invitee="https://api.calendly.com/users/X")), "payload.old_invitee"),
        (_broken(lambda p: p.update(old_invitee=p["uri"] + "\n")), "payload.old_invitee"),
        (_broken(lambda p: p.pop("scheduled_event")), "payload.scheduled_event"),
        (_broken(lambda p: p["scheduled_event"].pop("uri")), "payload.scheduled_event.uri"),
        (_broken(lambda p: p["scheduled_event"].update(uri="")), "payload.scheduled_event.uri"),
        (_broken(lambda p: p["scheduled_event"].update(start_time="soon")), "payload.scheduled_event.start_time"),
        (
            _broken(lambda p: p["scheduled_event"].update(start_time="2026-01-06T10:00:00")),
            "payload.scheduled_event.start_time",
        ),
        (
            _broken(lambda p: p["scheduled_event"].update(end_time="2026-01-06T10:30:00")),
            "payload.scheduled_event.end_time",
        ),
        (
            _broken(lambda p: p["scheduled_event"].update(end_time="2026-01-06T09:59:59Z")),
            "payload.scheduled_event.end_time",
        ),
        (
            _broken(lambda p: p["scheduled_event"]["event_guests"][0].update(email="nope")),
            "payload.scheduled_event.event_guests.0.email",
        ),
        (
            _broken(lambda p: p["scheduled_event"]["event_memberships"][0].update(user_email="@")),
            "payload.scheduled_event.event_memberships.0.user_email",
        ),
    ],
    ids=[
        "no email",
        "bad email",
        "no rescheduled",
        "old_invitee not an invitee",
        "old_invitee with a newline",
        "no scheduled_event",
        "no uri",
        "empty uri",
        "bad start",
        "naive start",
        "naive end",
        "end before start",
        "bad guest email",
        "bad host email",
    ],
)
def test_unprocessable_names_the_field(body: bytes, field: str) -> None:
    # Given an invitee with one field missing or wrong, When parsed
    with pytest.raises(Unprocessable) as caught:
        calendly.parse(body)
    # Then the message starts with that field's full path
    assert str(caught.value).startswith(f"{field}:")


def test_validation_details_list_each_problem() -> None:
    document = invitee_created()
    del document["payload"]["email"], document["payload"]["scheduled_event"]["start_time"]
    with pytest.raises(Unprocessable) as caught:
        calendly.parse(encode(document))
    assert {detail["field"] for detail in caught.value.details} == {"email", "scheduled_event.start_time"}


def test_a_meeting_of_no_length_is_accepted() -> None:
    document = invitee_created()
    document["payload"]["scheduled_event"]["end_time"] = document["payload"]["scheduled_event"]["start_time"]
    event = calendly.parse(encode(document))
    assert event.start == event.end == utc(2026, 1, 6, 10)
