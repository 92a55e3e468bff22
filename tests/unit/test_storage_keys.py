"""Key layout helpers of the single table."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from kith.storage import keys

from .builders import utc

NOW = utc(2026, 3, 29, 1, 0, 0)


def test_instant_is_utc_seconds_with_z() -> None:
    # Given an aware instant in another zone with microseconds
    moment = utc(2026, 3, 29, 1).astimezone(ZoneInfo("Europe/Berlin")).replace(microsecond=999_999)
    # When written as a key part, Then it is the UTC second, ISO-like, ending in Z
    assert keys.instant(moment) == "2026-03-29T01:00:00Z"


@pytest.mark.parametrize("moment", [utc(2026, 1, 1), utc(2026, 12, 31, 23, 59, 59), utc(2000, 2, 29, 12, 30, 1)])
def test_instant_round_trips(moment: datetime) -> None:
    # Given a whole-second UTC instant, When written and read back, Then it is the same aware instant
    text = keys.instant(moment)
    assert keys.parse_instant(text) == moment
    assert keys.parse_instant(text).utcoffset() == timedelta(0)


def test_instants_sort_like_time() -> None:
    # Given instants in time order, When written, Then their strings sort in the same order
    moments = [utc(2025, 12, 31, 23, 59, 59), utc(2026, 1, 1), utc(2026, 1, 1, 0, 0, 1), utc(2026, 10, 1)]
    assert sorted(keys.instant(moment) for moment in moments) == [keys.instant(moment) for moment in moments]


@pytest.mark.parametrize("suffix", ["o-1", "zzzz", "~~~", "\u00ff", "owner#interaction", "ÿÿ#ÿÿ"])
def test_upto_includes_every_key_at_now(suffix: str) -> None:
    # Given a due key at exactly now with any ordinary suffix, When compared with upto(now)
    # Then it sorts before, so "due_sk <= upto(now)" includes it
    assert f"{keys.instant(NOW)}#{suffix}" <= keys.upto(NOW)


def test_upto_excludes_the_next_second() -> None:
    # Given a key one second after now, Then it sorts after upto(now) even with the smallest suffix
    assert f"{keys.instant(NOW + timedelta(seconds=1))}#" > keys.upto(NOW)
    assert f"{keys.instant(NOW - timedelta(seconds=1))}#zzz" < keys.upto(NOW)


def test_shard_of_is_stable_across_processes() -> None:
    # Given fixed owner ids, When sharded, Then the values are the ones pinned here (sha256, not hash())
    assert keys.shard_of("owner-1", 4) == 3
    assert keys.shard_of("owner-2", 4) == 2
    assert keys.shard_of("owner-1", 64) == 11


def test_shard_of_stays_in_range_and_spreads() -> None:
    # Given many owners, When sharded into 8, Then every shard is in range and every shard is used
    shards = {keys.shard_of(f"owner-{index}", 8) for index in range(400)}
    assert shards == set(range(8))
    assert keys.shard_of("anyone", 1) == 0


def test_link_keys_sort_by_meeting_end() -> None:
    # Given two interactions with one contact, When their link keys are made
    earlier = keys.link_sk("c-1", utc(2026, 1, 5, 10), "zzz")
    later = keys.link_sk("c-1", utc(2026, 1, 6, 10), "aaa")
    # Then they share the contact's prefix and the newest sorts last
    assert earlier.startswith(keys.link_prefix("c-1")) and later.startswith(keys.link_prefix("c-1"))
    assert earlier < later
