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


def _weekly_slots(settings: OwnerSettings, after: datetime, count: int) -> list[datetime]:
    """The next `count` digest instants, each asked for just as the one before it went out."""
    slots: list[datetime] = []
    for _ in range(count):
        after = next_digest_slot(settings, after)
        slots.append(after)
    return slots


def test_new_york_spring_forward_week_before_of_and_after() -> None:
    # Given Sunday 08:00 digests in New York, which moves from EST (-5) to EDT (-4) on Sunday 2026-03-08
    settings = OwnerSettings(time_zone="America/New_York", digest_weekdays=(SUNDAY,), digest_hour=8)
    # When three weekly slots are computed from the Saturday before the week before
    slots = _weekly_slots(settings, utc(2026, 2, 28), 3)
    # Then 08:00 is 13:00 UTC on 1 March, and 12:00 UTC on the day of the change and the week after
    assert slots == [utc(2026, 3, 1, 13), utc(2026, 3, 8, 12), utc(2026, 3, 15, 12)]


def test_new_york_local_saturday_night_is_still_before_sundays_slot() -> None:
    # Given Sunday 08:00 digests in New York, When asked Saturday 23:00 EST (already Sunday 04:00 UTC)
    settings = OwnerSettings(time_zone="America/New_York", digest_weekdays=(SUNDAY,), digest_hour=8)
    # Then the slot is that local Sunday's 08:00, in summer time (12:00 UTC), not a week later
    assert next_digest_slot(settings, utc(2026, 3, 8, 4)) == utc(2026, 3, 8, 12)


def test_new_york_skipped_hour_resolves_to_the_instant_of_the_change() -> None:
    # Given 02:00 Sunday digests in New York; on 2026-03-08 the clock jumps from 02:00 EST to 03:00 EDT
    settings = OwnerSettings(time_zone="America/New_York", digest_weekdays=(SUNDAY,), digest_hour=2)
    # When three weekly slots are computed from the week before
    slots = _weekly_slots(settings, utc(2026, 2, 28), 3)
    # Then the week before is 07:00 UTC (02:00 EST); the day of the change is also 07:00 UTC, the moment of
    # the jump (03:00 EDT); the week after is 06:00 UTC (02:00 EDT)
    assert slots == [utc(2026, 3, 1, 7), utc(2026, 3, 8, 7), utc(2026, 3, 15, 6)]


def test_new_york_fall_back_week_before_of_and_after() -> None:
    # Given Sunday 08:00 digests in New York, which moves from EDT (-4) back to EST (-5) on Sunday 2026-11-01
    settings = OwnerSettings(time_zone="America/New_York", digest_weekdays=(SUNDAY,), digest_hour=8)
    # When three weekly slots are computed from the Saturday before the week before
    slots = _weekly_slots(settings, utc(2026, 10, 24), 3)
    # Then 08:00 is 12:00 UTC on 25 October, and 13:00 UTC on the day of the change and the week after
    assert slots == [utc(2026, 10, 25, 12), utc(2026, 11, 1, 13), utc(2026, 11, 8, 13)]


def test_new_york_repeated_hour_resolves_to_first_pass_and_is_not_repeated() -> None:
    # Given 01:00 Sunday digests in New York; on 2026-11-01 01:00 happens twice (05:00 UTC in EDT, 06:00 UTC in EST)
    settings = OwnerSettings(time_zone="America/New_York", digest_weekdays=(SUNDAY,), digest_hour=1)
    # When three weekly slots are computed from the week before
    slots = _weekly_slots(settings, utc(2026, 10, 24), 3)
    # Then the week before is 05:00 UTC, the day of the change is its first pass (05:00 UTC), and the next
    # slot is a week later at 06:00 UTC (01:00 EST): the second pass is not a slot of its own
    assert slots == [utc(2026, 10, 25, 5), utc(2026, 11, 1, 5), utc(2026, 11, 8, 6)]
    # When asked during either pass of the repeated hour, Then the answer is the next week's slot
    assert next_digest_slot(settings, utc(2026, 11, 1, 5, 30)) == utc(2026, 11, 8, 6)
    assert next_digest_slot(settings, utc(2026, 11, 1, 6, 30)) == utc(2026, 11, 8, 6)


def test_new_york_weekday_digests_around_the_spring_change() -> None:
    # Given Monday-to-Friday 07:00 digests in New York
    settings = OwnerSettings(time_zone="America/New_York", digest_weekdays=(0, 1, 2, 3, 4), digest_hour=7)
    # When the slots after Thursday 2026-03-05's are computed
    slots = _weekly_slots(settings, utc(2026, 3, 5, 12), 3)
    # Then Friday is 12:00 UTC (EST); the weekend is skipped; Monday and Tuesday are 11:00 UTC (EDT)
    assert slots == [utc(2026, 3, 6, 12), utc(2026, 3, 9, 11), utc(2026, 3, 10, 11)]


def test_lord_howe_fall_back_half_hour() -> None:
    # Given Sunday 08:00 digests on Lord Howe, which moves from +11:00 back to +10:30 on Sunday 2026-04-05
    settings = OwnerSettings(time_zone="Australia/Lord_Howe", digest_weekdays=(SUNDAY,), digest_hour=8)
    # When three weekly slots are computed from the week before
    slots = _weekly_slots(settings, utc(2026, 3, 27), 3)
    # Then 08:00 is 21:00 UTC the day before in summer time, and 21:30 UTC from the day of the change on
    assert slots == [utc(2026, 3, 28, 21), utc(2026, 4, 4, 21, 30), utc(2026, 4, 11, 21, 30)]


def test_lord_howe_hours_around_the_repeated_half_hour() -> None:
    # Given Lord Howe on 2026-04-05: at 02:00 (+11:00, 15:00 UTC) the clock goes back to 01:30, so only
    # 01:30-02:00 happens twice and no whole hour is ambiguous
    one = OwnerSettings(time_zone="Australia/Lord_Howe", digest_weekdays=(SUNDAY,), digest_hour=1)
    two = OwnerSettings(time_zone="Australia/Lord_Howe", digest_weekdays=(SUNDAY,), digest_hour=2)
    # When the slots on that day are computed
    # Then 01:00 is still summer time (14:00 UTC) and 02:00 already winter time (15:30 UTC): 90 minutes apart
    assert next_digest_slot(one, utc(2026, 4, 4)) == utc(2026, 4, 4, 14)
    assert next_digest_slot(two, utc(2026, 4, 4)) == utc(2026, 4, 4, 15, 30)
    # When asked just after that day's 01:00 slot, Then the next one is a week later at +10:30 (14:30 UTC)
    assert next_digest_slot(one, utc(2026, 4, 4, 14)) == utc(2026, 4, 11, 14, 30)


def test_kolkata_keeps_the_same_utc_instant_week_after_week() -> None:
    # Given Monday 08:00 digests in Asia/Kolkata (+05:30 all year, no daylight saving)
    settings = OwnerSettings(time_zone="Asia/Kolkata", digest_weekdays=(MONDAY,), digest_hour=8)
    # When five weekly slots are computed across March 2026, while Europe and America change their clocks
    slots = _weekly_slots(settings, utc(2026, 3, 1), 5)
    # Then every one is 02:30 UTC
    assert slots == [utc(2026, 3, day, 2, 30) for day in (2, 9, 16, 23, 30)]


def test_kolkata_early_hour_falls_on_the_previous_utc_day() -> None:
    # Given Monday 02:00 digests in Asia/Kolkata, which is Sunday 20:30 UTC
    settings = OwnerSettings(time_zone="Asia/Kolkata", digest_weekdays=(MONDAY,), digest_hour=2)
    # When three weekly slots are computed from a Saturday
    slots = _weekly_slots(settings, utc(2026, 3, 7), 3)
    # Then each lands on the Sunday in UTC, at 20:30, for the local Monday
    assert slots == [utc(2026, 3, 8, 20, 30), utc(2026, 3, 15, 20, 30), utc(2026, 3, 22, 20, 30)]


def test_kolkata_two_weekdays_over_two_weeks() -> None:
    # Given Monday and Thursday 21:00 digests in Asia/Kolkata (15:30 UTC)
    settings = OwnerSettings(time_zone="Asia/Kolkata", digest_weekdays=(MONDAY, 3), digest_hour=21)
    # When four slots are computed from Sunday 2026-10-18
    slots = _weekly_slots(settings, utc(2026, 10, 18), 4)
    # Then Monday, Thursday, Monday, Thursday, all at 15:30 UTC, across Europe's change on 25 October
    assert slots == [utc(2026, 10, day, 15, 30) for day in (19, 22, 26, 29)]


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
