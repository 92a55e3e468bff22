"""Identities that outlive the key layout: a meeting's interaction id and an email's key.

The expected strings are the ones Kith has stored since these ids were first written:
an existing meeting must keep its id, and a sent email its key, whatever the table's keys become.
"""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from kith.domain import identities
from kith.domain.meetings import MeetingChange, MeetingEvent
from kith.storage import keys
from kith.usecases.jobs import DigestJob, FollowUpJob

from .builders import utc

NINE = utc(2026, 1, 2, 9)
# 10:30:15.123456 at +01:30 is 09:00:15 UTC
ELSEWHERE = utc(2026, 1, 2, 9, 0, 15).astimezone(timezone(timedelta(hours=1, minutes=30))).replace(microsecond=123_456)


def _event(source: str, external_id: str, **fields: object) -> MeetingEvent:
    return MeetingEvent(change=MeetingChange.BOOKED, source=source, external_id=external_id, **fields)  # type: ignore[arg-type]


def test_an_instant_is_the_utc_second_ending_in_z() -> None:
    # Given moments in UTC and in another offset with microseconds, When written, Then each is its UTC second
    assert identities.instant(NINE) == "2026-01-02T09:00:00Z"
    assert identities.instant(ELSEWHERE) == "2026-01-02T09:00:15Z"


def test_storage_writes_instants_as_the_domain_does() -> None:
    # Given the same moments, When storage writes them into keys, Then it writes the domain's form
    assert keys.instant(NINE) == identities.instant(NINE)
    assert keys.instant(ELSEWHERE) == identities.instant(ELSEWHERE)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param(_event("google", "evt-1"), "ad4d61d8c3efd0992df7fab2bc", id="provider id"),
        pytest.param(
            _event("google", "evt-1", ical_uid="uid-1@example.com"), "ebc10493ed1dcce0efaf16b0e8", id="ical uid"
        ),
        pytest.param(_event("calcom", "uid-1@example.com"), "7845e3be5de43c803c86659650", id="another source's id"),
        pytest.param(
            _event("google", "evt-1", instance_start=NINE), "96f1773636fb79d13972fba27c", id="one recurring instance"
        ),
        pytest.param(
            _event("outlook", "x", ical_uid="uid-2", instance_start=ELSEWHERE),
            "b5dc0308a23e2fbde5a0ce1d5e",
            id="ical instance in another offset",
        ),
    ],
)
def test_a_meeting_keeps_the_interaction_id_it_was_stored_under(event: MeetingEvent, expected: str) -> None:
    # Given a meeting as a provider tells of it, When it is named, Then it is the id stored for it since the start
    assert identities.meeting_interaction_id(event) == expected
    assert identities.interaction_id(event.source, event.external_id, event.ical_uid, event.instance_start) == expected


def test_the_ical_uid_names_a_meeting_whichever_provider_tells_of_it() -> None:
    # Given the same meeting from Google and from Outlook, each with its own provider id
    google = _event("google", "g-1", ical_uid="shared@example.com")
    outlook = _event("outlook", "o-1", ical_uid="shared@example.com")
    # When named, Then both are one interaction
    assert identities.meeting_interaction_id(google) == identities.meeting_interaction_id(outlook)


def test_an_instance_is_named_by_its_original_start_to_the_second() -> None:
    # Given two instances of one series, and the first again with another offset and microseconds
    first = _event("google", "series", instance_start=utc(2026, 1, 2, 9, 0, 15))
    second = _event("google", "series", instance_start=utc(2026, 1, 9, 9, 0, 15))
    again = _event("google", "series", instance_start=ELSEWHERE)
    # Then the instances differ, and the same instant is the same id
    assert identities.meeting_interaction_id(first) != identities.meeting_interaction_id(second)
    assert identities.meeting_interaction_id(first) == identities.meeting_interaction_id(again)


def test_a_digest_is_keyed_by_its_slot_and_a_follow_up_by_its_interaction() -> None:
    # Given a digest slot and a follow-up's interaction, When keyed, Then the keys are the ones sent history holds
    assert identities.digest_email_key(ELSEWHERE) == "digest#2026-01-02T09:00:15Z"
    assert identities.follow_up_email_key("abc") == "follow_up#abc"


def test_mail_jobs_are_keyed_by_the_domain_identities() -> None:
    # Given a digest job and a follow-up job, When keyed, Then each key is the domain's
    digest = DigestJob(owner_id="o-1", slot=ELSEWHERE, as_of=NINE)
    follow_up = FollowUpJob(owner_id="o-1", interaction_id="abc", as_of=NINE)
    assert digest.email_key == "digest#2026-01-02T09:00:15Z"
    assert follow_up.email_key == "follow_up#abc"
