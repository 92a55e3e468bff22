"""Mail queue messages: round trips and idempotency keys (PRODUCT.md §5: never sent twice)."""

from __future__ import annotations

import json

import pytest
from kith.usecases.jobs import DigestJob, FollowUpJob, idempotency_key, parse_job
from pydantic import ValidationError

from .builders import utc

SLOT = utc(2026, 1, 5, 7)


def test_digest_job_round_trips_through_the_queue() -> None:
    # Given a digest job, When written as a message body and parsed back
    job = DigestJob(owner_id="o-1", slot=SLOT, as_of=utc(2026, 1, 5, 7, 2))
    parsed = parse_job(json.dumps(job.to_message()))
    # Then it is the same job, of the same kind
    assert isinstance(parsed, DigestJob)
    assert parsed == job


def test_follow_up_job_round_trips_through_the_queue() -> None:
    # Given a follow-up job, When written and parsed back, Then it is the same follow-up job
    job = FollowUpJob(owner_id="o-1", interaction_id="i-9", as_of=utc(2026, 1, 6, 12))
    parsed = parse_job(json.dumps(job.to_message()))
    assert isinstance(parsed, FollowUpJob)
    assert parsed == job


def test_two_ticks_for_the_same_slot_share_one_idempotency_key() -> None:
    # Given the same owner and slot seen by two sweeps at different times (a catch-up after an outage)
    first = DigestJob(owner_id="o-1", slot=SLOT, as_of=utc(2026, 1, 5, 7, 0, 5))
    second = DigestJob(owner_id="o-1", slot=SLOT, as_of=utc(2026, 1, 5, 9, 45))
    # When keyed, Then the keys match, so the second send is recognised as a duplicate
    assert idempotency_key(first) == idempotency_key(second)


def test_different_slot_or_owner_gives_a_different_key() -> None:
    # Given jobs differing only in slot or only in owner, When keyed, Then every key differs
    base = DigestJob(owner_id="o-1", slot=SLOT, as_of=SLOT)
    next_week = DigestJob(owner_id="o-1", slot=utc(2026, 1, 12, 7), as_of=SLOT)
    other_owner = DigestJob(owner_id="o-2", slot=SLOT, as_of=SLOT)
    assert len({idempotency_key(job) for job in (base, next_week, other_owner)}) == 3


def test_follow_up_key_ignores_as_of_and_differs_from_digest_key() -> None:
    # Given two deliveries of the same follow-up, When keyed, Then they match, and differ from a digest's
    first = FollowUpJob(owner_id="o-1", interaction_id="i-9", as_of=utc(2026, 1, 6, 12))
    again = FollowUpJob(owner_id="o-1", interaction_id="i-9", as_of=utc(2026, 1, 6, 13))
    assert idempotency_key(first) == idempotency_key(again)
    assert idempotency_key(first) != idempotency_key(DigestJob(owner_id="o-1", slot=SLOT, as_of=SLOT))


def test_slot_in_another_zone_gives_the_same_key() -> None:
    # Given the same slot written with a +01:00 offset, When keyed, Then it is the UTC slot's key
    job = parse_job(
        '{"kind": "digest", "owner_id": "o-1", "slot": "2026-01-05T08:00:00+01:00", "as_of": "2026-01-05T07:00:00Z"}'
    )
    assert idempotency_key(job) == idempotency_key(DigestJob(owner_id="o-1", slot=SLOT, as_of=SLOT))


@pytest.mark.parametrize(
    "body",
    [
        '{"kind": "newsletter", "owner_id": "o-1"}',
        '{"kind": "digest", "owner_id": "o-1", "slot": "2026-01-05T07:00:00", "as_of": "2026-01-05T07:00:00Z"}',
        '{"kind": "follow_up", "owner_id": "o-1", "as_of": "2026-01-05T07:00:00Z"}',
        "not json",
    ],
    ids=["unknown kind", "naive slot", "no interaction", "not json"],
)
def test_bad_messages_are_rejected(body: str) -> None:
    # Given a message that is not a valid job, When parsed, Then it is a ValidationError
    with pytest.raises(ValidationError):
        parse_job(body)
