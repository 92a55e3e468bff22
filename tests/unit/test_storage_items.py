"""Domain models <-> stored items, and the sparse due index (keys.py docstring)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from kith.domain.models import (
    Attendee,
    Circle,
    FollowUp,
    FollowUpStatus,
    Interaction,
    InteractionKind,
    OwnerSettings,
    WorkingHours,
)
from kith.storage import items, keys

from .builders import contact, owner, utc

BERLIN = ZoneInfo("Europe/Berlin")
SHARDS = 4


def test_owner_round_trip_with_settings_and_digest_due_keys() -> None:
    # Given an owner with non-default settings and a next digest
    settings = OwnerSettings(
        time_zone="Asia/Kolkata", digest_weekdays=(4, 0), digest_hour=7, digest_limit=3,
        working_hours=WorkingHours(days=(0, 1, 2), start_hour=8, end_hour=24),
    )  # fmt: skip
    person = owner(settings=settings, next_digest_at=utc(2026, 1, 5, 1, 30))
    # When stored and read back
    item = items.owner_to_item(person, SHARDS)
    # Then it is the same owner, and it sits in the digest due index at that instant
    assert items.owner_from_item(item) == person
    assert (item["pk"], item["sk"]) == ("OWNER#o-1", "PROFILE")
    assert item["due_pk"] == f"DIGEST#{keys.shard_of('o-1', SHARDS)}"
    assert item["due_sk"] == "2026-01-05T01:30:00Z#o-1"


def test_owner_without_next_digest_is_not_in_the_due_index() -> None:
    # Given an owner with no digest scheduled, When stored, Then the item has no due keys
    item = items.owner_to_item(owner(), SHARDS)
    assert "due_pk" not in item and "due_sk" not in item
    assert items.owner_from_item(item).next_digest_at is None


def test_contact_round_trip_with_every_field() -> None:
    # Given a contact with every optional field set
    person = contact(
        emails=("ana@example.com", "ana.lima@work.example"),
        company="Acme", title="CTO", circle=Circle.CUSTOM, cadence_days=45, goal="partnerships",
        tags=("berlin", "climate"), notes="Met at re:Invent",
        last_interaction_at=utc(2026, 1, 20, 18), last_interaction_title="Dinner",
        snoozed_until=utc(2026, 3, 20, 10), planned_meeting_at=utc(2026, 4, 1, 9), version=7,
    )  # fmt: skip
    # When stored and read back
    item = items.contact_to_item(person, BERLIN)
    # Then nothing is lost, and it sits in the contact due index at its (snoozed) due instant
    assert items.contact_from_item(item) == person
    assert item["due_pk"] == "CDUE#o-1"
    assert item["due_sk"] == "2026-03-20T10:00:00Z#c-ana"


def test_minimal_contact_item_has_no_empty_attributes() -> None:
    # Given a contact with only required fields, When stored
    item = items.contact_to_item(contact(emails=()), BERLIN)
    # Then absent values are absent, not null or empty, and it reads back the same
    assert not {"emails", "tags", "company", "goal", "snoozed_until", "cadence_days"} & item.keys()
    assert None not in item.values()
    assert items.contact_from_item(item) == contact(emails=())


def test_contact_due_key_is_local_midnight_in_utc() -> None:
    # Given an inner contact last met before Berlin's spring change, When stored
    item = items.contact_to_item(contact(circle=Circle.INNER, last_interaction_at=utc(2026, 3, 20, 10)), BERLIN)
    # Then the due key is 10 April 00:00 CEST written in UTC
    assert item["due_sk"] == "2026-04-09T22:00:00Z#c-ana"


def test_a_spread_contact_keeps_its_first_due_day_and_is_indexed_at_it() -> None:
    # Given a contact a bulk add placed on 20 January (Berlin), When stored and read back
    person = contact(first_due_on=date(2026, 1, 20))
    item = items.contact_to_item(person, BERLIN)
    # Then the day is kept as a plain date, and the due key is that day's local midnight in UTC
    assert item["first_due_on"] == "2026-01-20"
    assert items.contact_from_item(item) == person
    assert item["due_sk"] == "2026-01-19T23:00:00Z#c-ana"


def test_never_contact_is_left_out_of_the_due_index() -> None:
    # Given a contact who opted out, When stored
    item = items.contact_to_item(contact(circle=Circle.NEVER), BERLIN)
    # Then the item has no due_pk or due_sk (sparse index), and still reads back
    assert "due_pk" not in item and "due_sk" not in item
    assert items.contact_from_item(item).circle is Circle.NEVER


def _interaction(**overrides: object) -> Interaction:
    fields: dict[str, object] = {
        "interaction_id": "i-1",
        "owner_id": "o-1",
        "contact_ids": ("c-ana", "c-ben"),
        "start": utc(2026, 1, 6, 10),
        "end": utc(2026, 1, 6, 10, 30),
        "title": "Coffee",
        "source": "calcom",
        "external_id": "bk_1",
        "recorded_at": utc(2026, 1, 6, 10, 31),
    }
    fields.update(overrides)
    return Interaction(**fields)  # type: ignore[arg-type]


def test_interaction_round_trip_keeps_a_false_cadence_flag() -> None:
    # Given a call that does not count for cadence, When stored and read back
    interaction = _interaction(kind=InteractionKind.CALL, counts_for_cadence=False, title=None)
    item = items.interaction_to_item(interaction)
    # Then it is identical: False is kept, not dropped like an empty value
    assert item["counts_for_cadence"] is False
    assert items.interaction_from_item(item) == interaction
    assert item["sk"] == "INTERACTION#i-1"


def test_link_item_points_contact_to_interaction_by_end() -> None:
    # Given an interaction, When a link is made for one contact
    item = items.link_to_item(_interaction(), "c-ben")
    # Then its sort key lists the contact, the end instant and the interaction
    assert item["sk"] == "LINK#c-ben#2026-01-06T10:30:00Z#i-1"
    assert (item["contact_id"], item["interaction_id"]) == ("c-ben", "i-1")


def _follow_up(status: FollowUpStatus) -> FollowUp:
    return FollowUp(
        owner_id="o-1",
        interaction_id="i-1",
        due_at=utc(2026, 1, 6, 11, 30),
        status=status,
        contact_ids=("c-ana",),
        new_attendees=(Attendee(email="cy@example.com", name="Cy"), Attendee(email="dee@example.com")),
        title="Coffee",
        meeting_end=utc(2026, 1, 6, 10, 30),
    )


def test_pending_follow_up_round_trips_and_is_due_indexed() -> None:
    # Given a pending follow-up, When stored and read back
    follow_up = _follow_up(FollowUpStatus.PENDING)
    item = items.follow_up_to_item(follow_up, SHARDS)
    # Then it is identical, and it sits in the follow-up due index at its due instant
    assert items.follow_up_from_item(item) == follow_up
    assert item["due_pk"] == f"FOLLOWUP#{keys.shard_of('o-1', SHARDS)}"
    assert item["due_sk"] == "2026-01-06T11:30:00Z#o-1#i-1"
    assert item["due_sk"] <= keys.upto(utc(2026, 1, 6, 11, 30))


def test_sent_and_cancelled_follow_ups_leave_the_due_index() -> None:
    # Given follow-ups that were sent or cancelled, When stored
    for status in (FollowUpStatus.SENT, FollowUpStatus.CANCELLED):
        item = items.follow_up_to_item(_follow_up(status), SHARDS)
        # Then they carry no due keys, and still read back with their status
        assert "due_pk" not in item and "due_sk" not in item
        assert items.follow_up_from_item(item).status is status
