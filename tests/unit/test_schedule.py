"""Digest slots and follow-up times in the owner's own time (PRODUCT.md §4, §5)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from kith.domain.models import OwnerSettings, WorkingHours
from kith.domain.schedule import follow_up_due_at, next_digest_slot

from .builders import utc

MONDAY = 0
WEDNESDAY = 2
FRIDAY = 4
SUNDAY = 6


def test_next_slot_later_the_same_day() -> None:
    # Given Monday 08:00 UTC digests, When asked just before eight on a Monday
    settings = OwnerSettings(digest_weekdays=(MONDAY,), digest_hour=8)
    # Then the slot is that same morning
    assert next_digest_slot(settings, utc(2026, 1, 5, 7, 59)) == utc(2026, 1, 5, 8)


def test_next_slot_is_strictly_after() -> None:
    # Given Monday 08:00 UTC digests, When asked exactly at a slot
    settings = OwnerSettings(digest_weekdays=(MONDAY,), digest_hour=8)
    # Then the answer is the following week's slot, not the same instant again
    assert next_digest_slot(settings, utc(2026, 1, 5, 8)) == utc(2026, 1, 12, 8)


def test_next_slot_picks_the_next_chosen_weekday() -> None:
    # Given Wednesday and Friday digests at 07:00 UTC
    settings = OwnerSettings(digest_weekdays=(FRIDAY, WEDNESDAY), digest_hour=7)
    # When asked on Wednesday after the slot, Then Friday comes next; after Friday, the next Wednesday
    assert next_digest_slot(settings, utc(2026, 1, 7, 9)) == utc(2026, 1, 9, 7)
    assert next_digest_slot(settings, utc(2026, 1, 9, 7, 1)) == utc(2026, 1, 14, 7)


def test_weekday_six_is_sunday() -> None:
    # Given Sunday digests, When asked on a Monday, Then the slot is the Sunday six days later
    settings = OwnerSettings(digest_weekdays=(SUNDAY,), digest_hour=18)
    assert next_digest_slot(settings, utc(2026, 1, 5, 12)) == utc(2026, 1, 11, 18)


def test_local_hour_in_berlin_follows_daylight_saving() -> None:
    # Given Sunday 08:00 digests in Berlin
    settings = OwnerSettings(time_zone="Europe/Berlin", digest_weekdays=(SUNDAY,), digest_hour=8)
    # When asked the week before and the day of the spring change
    # Then 08:00 is 07:00 UTC in winter and 06:00 UTC on 29 March
    assert next_digest_slot(settings, utc(2026, 3, 21)) == utc(2026, 3, 22, 7)
    assert next_digest_slot(settings, utc(2026, 3, 28)) == utc(2026, 3, 29, 6)


def test_berlin_skipped_hour_resolves_to_the_instant_of_the_change() -> None:
    # Given 02:00 digests on Sundays in Berlin, an hour that does not exist on 2026-03-29
    settings = OwnerSettings(time_zone="Europe/Berlin", digest_weekdays=(SUNDAY,), digest_hour=2)
    # When the slot on that day is computed
    slot = next_digest_slot(settings, utc(2026, 3, 28, 12))
    # Then it is 01:00 UTC (03:00 summer time), the moment the clock jumps
    assert slot == utc(2026, 3, 29, 1)


def test_berlin_repeated_hour_resolves_to_first_pass_and_is_not_repeated() -> None:
    # Given 02:00 digests on Sundays in Berlin; on 2026-10-25 02:00 happens twice
    settings = OwnerSettings(time_zone="Europe/Berlin", digest_weekdays=(SUNDAY,), digest_hour=2)
    # When the slot is computed before it, Then it is the first pass (02:00 CEST = 00:00 UTC)
    assert next_digest_slot(settings, utc(2026, 10, 24, 12)) == utc(2026, 10, 25, 0)
    # When computed after the first pass, Then the second pass is skipped: next week's slot (01:00 UTC)
    assert next_digest_slot(settings, utc(2026, 10, 25, 0, 30)) == utc(2026, 11, 1, 1)


def test_kolkata_half_hour_offset() -> None:
    # Given Monday 08:00 digests in Asia/Kolkata (UTC+05:30)
    settings = OwnerSettings(time_zone="Asia/Kolkata", digest_weekdays=(MONDAY,), digest_hour=8)
    # When asked on Sunday 20:00 UTC, which is already Monday 01:30 in India
    # Then the slot is Monday 08:00 IST = 02:30 UTC
    assert next_digest_slot(settings, utc(2026, 1, 4, 20)) == utc(2026, 1, 5, 2, 30)


def test_lord_howe_half_hour_daylight_saving() -> None:
    # Given Monday 08:00 digests on Lord Howe Island (+10:30 in winter, +11:00 in summer)
    settings = OwnerSettings(time_zone="Australia/Lord_Howe", digest_weekdays=(MONDAY,), digest_hour=8)
    # When asked in July and in January, Then the UTC instant moves by thirty minutes
    assert next_digest_slot(settings, utc(2026, 7, 1)) == utc(2026, 7, 5, 21, 30)
    assert next_digest_slot(settings, utc(2026, 1, 1)) == utc(2026, 1, 4, 21)


def test_lord_howe_skipped_half_hour() -> None:
    # Given 02:00 Sunday digests on Lord Howe; on 2026-10-04 the clock jumps from 02:00 to 02:30
    settings = OwnerSettings(time_zone="Australia/Lord_Howe", digest_weekdays=(SUNDAY,), digest_hour=2)
    # When the slot on that day is computed, Then it is the moment of the jump (15:30 UTC the day before)
    assert next_digest_slot(settings, utc(2026, 10, 3)) == utc(2026, 10, 3, 15, 30)


def _weekdays_9_to_17(zone: str = "UTC", delay: int = 60) -> OwnerSettings:
    return OwnerSettings(time_zone=zone, follow_up_delay_minutes=delay, working_hours=WorkingHours())


def test_follow_up_inside_working_hours_keeps_the_delay() -> None:
    # Given a meeting ending Tuesday 10:00 with a one-hour delay, When the follow-up is scheduled
    # Then it is due at 11:00
    assert follow_up_due_at(_weekdays_9_to_17(), utc(2026, 1, 6, 10)) == utc(2026, 1, 6, 11)


def test_follow_up_at_the_start_hour_stays() -> None:
    # Given a meeting ending Tuesday 08:00, the delay lands exactly at 09:00, Then it stays there
    assert follow_up_due_at(_weekdays_9_to_17(), utc(2026, 1, 6, 8)) == utc(2026, 1, 6, 9)


def test_follow_up_before_start_moves_to_that_days_start() -> None:
    # Given a meeting ending Tuesday 06:00 (due 07:00, before work), Then it moves to Tuesday 09:00
    assert follow_up_due_at(_weekdays_9_to_17(), utc(2026, 1, 6, 6)) == utc(2026, 1, 6, 9)


@pytest.mark.parametrize(
    ("meeting_end", "expected"),
    [
        (utc(2026, 1, 6, 16, 30), utc(2026, 1, 7, 9)),  # Tue 17:30 -> Wed 09:00
        (utc(2026, 1, 6, 16, 0), utc(2026, 1, 7, 9)),  # Tue 17:00 exactly: the end is exclusive
        (utc(2026, 1, 9, 16, 30), utc(2026, 1, 12, 9)),  # Fri 17:30 -> Mon 09:00
        (utc(2026, 1, 10, 11, 0), utc(2026, 1, 12, 9)),  # Sat noon -> Mon 09:00
        (utc(2026, 1, 11, 5, 0), utc(2026, 1, 12, 9)),  # Sun early -> Mon 09:00
    ],
)
def test_follow_up_after_hours_moves_to_next_working_morning(meeting_end: datetime, expected: datetime) -> None:
    # Given a meeting whose delayed follow-up lands outside working hours
    # When scheduled, Then it is due at the next working day's start hour
    assert follow_up_due_at(_weekdays_9_to_17(), meeting_end) == expected


def test_follow_up_just_inside_the_end_hour_stays() -> None:
    # Given a follow-up that would land at 16:59, Then it is not moved
    assert follow_up_due_at(_weekdays_9_to_17(), utc(2026, 1, 6, 15, 59)) == utc(2026, 1, 6, 16, 59)


def test_follow_up_next_morning_is_local_across_daylight_saving() -> None:
    # Given a Berlin owner and a meeting ending Friday 2026-03-27 17:30 CET (16:30 UTC)
    settings = _weekdays_9_to_17("Europe/Berlin")
    # When the follow-up is scheduled (18:30 local, after hours)
    due = follow_up_due_at(settings, utc(2026, 3, 27, 16, 30))
    # Then it is Monday 09:00 summer time, i.e. 07:00 UTC (08:00 UTC would be 10:00 local)
    assert due == utc(2026, 3, 30, 7)


def test_follow_up_respects_custom_days_and_hours() -> None:
    # Given someone working Saturday and Sunday, 10 to 14, with a 30-minute delay
    settings = OwnerSettings(
        follow_up_delay_minutes=30, working_hours=WorkingHours(days=(5, 6), start_hour=10, end_hour=14)
    )
    # When a meeting ends on a Monday, Then the follow-up waits for Saturday 10:00
    assert follow_up_due_at(settings, utc(2026, 1, 5, 11)) == utc(2026, 1, 10, 10)
    # When a meeting ends Saturday 12:00, Then the delay is kept
    assert follow_up_due_at(settings, utc(2026, 1, 10, 12)) == utc(2026, 1, 10, 12) + timedelta(minutes=30)
