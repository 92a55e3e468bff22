"""Circles, cadences and when a contact falls due (PRODUCT.md §1)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from kith.domain.cadence import (
    CadenceError,
    cadence_days,
    due_at,
    is_due,
    is_overdue,
    overdue_at,
    overdue_ratio,
)
from kith.domain.models import Circle

from .builders import contact, utc

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(("circle", "days"), [(Circle.INNER, 21), (Circle.CORE, 60), (Circle.WIDER, 180)])
def test_named_circles_have_their_cadence(circle: Circle, days: int) -> None:
    # Given a named circle, When its cadence is asked for, Then it is the product's number of days
    assert cadence_days(circle, None) == days


@pytest.mark.parametrize("days", [1, 45, 3650])
def test_custom_circle_uses_its_own_days(days: int) -> None:
    # Given a custom circle with days in range, When asked, Then those days are the cadence
    assert cadence_days(Circle.CUSTOM, days) == days


@pytest.mark.parametrize("days", [None, 0, -3, 3651])
def test_custom_circle_rejects_missing_or_out_of_range_days(days: int | None) -> None:
    # Given a custom circle without sensible days, When asked, Then it is a CadenceError
    with pytest.raises(CadenceError):
        cadence_days(Circle.CUSTOM, days)


def test_never_circle_has_no_cadence() -> None:
    # Given the "never" circle (even with days set), When asked, Then there is no cadence at all
    assert cadence_days(Circle.NEVER, 30) is None


def test_due_from_start_of_local_day_cadence_days_after_last_interaction() -> None:
    # Given an inner contact last seen on a Tuesday afternoon
    person = contact(circle=Circle.INNER, last_interaction_at=utc(2026, 1, 6, 15, 30))
    # When its due instant is computed in UTC
    due = due_at(person, UTC_ZONE)
    # Then it is the start of the Tuesday three weeks later, not 15:30
    assert due == utc(2026, 1, 27)


def test_added_at_is_the_anchor_when_there_was_no_interaction() -> None:
    # Given a core contact never met, added on 5 January
    person = contact(circle=Circle.CORE, added_at=utc(2026, 1, 5, 18))
    # When due is computed, Then it counts 60 days from the day it was added
    assert due_at(person, UTC_ZONE) == utc(2026, 3, 6)


def test_anchor_day_is_the_owners_local_day_not_the_utc_day() -> None:
    # Given a meeting at 23:30 UTC, which is already the next day in Berlin
    person = contact(circle=Circle.CUSTOM, cadence_days=7, last_interaction_at=utc(2026, 1, 6, 23, 30))
    # When due is computed for Berlin and for New York (where it is still the 6th)
    berlin, new_york = due_at(person, BERLIN), due_at(person, NEW_YORK)
    # Then each counts from its own local day: 14 Jan in Berlin, 13 Jan in New York
    assert berlin == utc(2026, 1, 13, 23)  # 2026-01-14 00:00 CET
    assert new_york == utc(2026, 1, 13, 5)  # 2026-01-13 00:00 EST


@pytest.mark.parametrize(
    ("zone", "last", "days", "expected"),
    [
        # Berlin spring forward 2026-03-29: due on the transition day (midnight still CET), then the day after (CEST)
        ("Europe/Berlin", utc(2026, 3, 10, 12), 19, utc(2026, 3, 28, 23)),
        ("Europe/Berlin", utc(2026, 3, 10, 12), 20, utc(2026, 3, 29, 22)),
        ("Europe/Berlin", utc(2026, 3, 10, 12), 21, utc(2026, 3, 30, 22)),
        # Berlin fall back 2026-10-25: midnight of that day is still CEST, the next one is CET
        ("Europe/Berlin", utc(2026, 10, 4, 12), 21, utc(2026, 10, 24, 22)),
        ("Europe/Berlin", utc(2026, 10, 4, 12), 22, utc(2026, 10, 25, 23)),
        # New York spring forward 2026-03-08
        ("America/New_York", utc(2026, 2, 20, 17), 16, utc(2026, 3, 8, 5)),
        ("America/New_York", utc(2026, 2, 20, 17), 17, utc(2026, 3, 9, 4)),
        # New York fall back 2026-11-01
        ("America/New_York", utc(2026, 10, 20, 17), 12, utc(2026, 11, 1, 4)),
        ("America/New_York", utc(2026, 10, 20, 17), 13, utc(2026, 11, 2, 5)),
    ],
)
def test_due_at_local_midnight_across_daylight_saving(zone: str, last: datetime, days: int, expected: datetime) -> None:
    # Given a contact whose cadence window spans a daylight-saving change in the owner's zone
    person = contact(circle=Circle.CUSTOM, cadence_days=days, last_interaction_at=last)
    # When its due instant is computed
    due = due_at(person, ZoneInfo(zone))
    # Then it is exactly local midnight of the due day, whatever the offset became
    assert due == expected
    assert due is not None
    local = due.astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute) == (0, 0)


def test_inner_contact_due_after_berlin_spring_forward_is_22_utc_not_23() -> None:
    # Given an inner contact last met in Berlin winter time
    person = contact(circle=Circle.INNER, last_interaction_at=utc(2026, 3, 20, 10))
    # When it falls due in summer time (10 April)
    due = due_at(person, BERLIN)
    # Then local midnight is 22:00 UTC; a fixed +1 offset would have said 23:00
    assert due == utc(2026, 4, 9, 22)
    assert due != utc(2026, 4, 9, 23)


def test_inner_contact_due_after_berlin_fall_back_is_23_utc_not_22() -> None:
    # Given an inner contact last met in Berlin summer time
    person = contact(circle=Circle.INNER, last_interaction_at=utc(2026, 10, 15, 10))
    # When it falls due after the autumn change (5 November)
    # Then local midnight is 23:00 UTC the evening before
    assert due_at(person, BERLIN) == utc(2026, 11, 4, 23)


@pytest.mark.parametrize(
    ("circle", "custom", "overdue_after_days"),
    [(Circle.INNER, None, 32), (Circle.CORE, None, 90), (Circle.WIDER, None, 270), (Circle.CUSTOM, 7, 11)],
)
def test_overdue_from_ceil_one_and_a_half_cadences(circle: Circle, custom: int | None, overdue_after_days: int) -> None:
    # Given a contact last seen on 5 January
    person = contact(circle=circle, cadence_days=custom, last_interaction_at=utc(2026, 1, 5, 9))
    # When its overdue instant is computed
    # Then it is the start of the day ceil(1.5 x cadence) days later
    assert overdue_at(person, UTC_ZONE) == utc(2026, 1, 5) + timedelta(days=overdue_after_days)


def test_is_due_flips_exactly_at_the_due_instant() -> None:
    # Given an inner contact due at 2026-01-26 00:00 UTC
    person = contact(circle=Circle.INNER, last_interaction_at=utc(2026, 1, 5, 9))
    due = utc(2026, 1, 26)
    # When asked one second before and at the instant, Then it is not yet due, then due
    assert not is_due(person, UTC_ZONE, due - timedelta(seconds=1))
    assert is_due(person, UTC_ZONE, due)


def test_is_overdue_flips_exactly_at_the_overdue_instant() -> None:
    # Given an inner contact (overdue 32 days after 5 January)
    person = contact(circle=Circle.INNER, last_interaction_at=utc(2026, 1, 5, 9))
    overdue = utc(2026, 2, 6)
    # When asked around that instant, Then it is due but not overdue just before, overdue at it
    assert is_due(person, UTC_ZONE, overdue - timedelta(seconds=1))
    assert not is_overdue(person, UTC_ZONE, overdue - timedelta(seconds=1))
    assert is_overdue(person, UTC_ZONE, overdue)


def test_overdue_ratio_counts_local_days_in_cadences() -> None:
    # Given an inner contact last seen 42 local days ago
    person = contact(circle=Circle.INNER, last_interaction_at=utc(2026, 1, 5, 23))
    # When the ratio is computed, Then it is two cadences; at the due day exactly one
    assert overdue_ratio(person, UTC_ZONE, utc(2026, 2, 16, 1)) == pytest.approx(2.0)
    assert overdue_ratio(person, UTC_ZONE, utc(2026, 1, 26, 0)) == pytest.approx(1.0)


def test_snooze_pushes_due_out() -> None:
    # Given a contact due on 26 January, snoozed until 9 February 10:00
    snoozed = utc(2026, 2, 9, 10)
    person = contact(circle=Circle.INNER, last_interaction_at=utc(2026, 1, 5, 9), snoozed_until=snoozed)
    # When due is computed, Then it is the end of the snooze
    assert due_at(person, UTC_ZONE) == snoozed
    assert not is_due(person, UTC_ZONE, utc(2026, 2, 1))


def test_snooze_never_pulls_due_in() -> None:
    # Given a contact due on 26 January with a snooze that ended earlier
    person = contact(circle=Circle.INNER, last_interaction_at=utc(2026, 1, 5, 9), snoozed_until=utc(2026, 1, 10))
    # When due is computed, Then the cadence decides, not the old snooze
    assert due_at(person, UTC_ZONE) == utc(2026, 1, 26)
    assert not is_due(person, UTC_ZONE, utc(2026, 1, 20))


def test_never_contact_is_never_due() -> None:
    # Given a contact who opted out, last seen years ago
    person = contact(circle=Circle.NEVER, last_interaction_at=utc(2016, 1, 1))
    now = utc(2026, 1, 1)
    # When every question is asked, Then the answer is "not due", "not overdue", no instant, ratio 0
    assert due_at(person, UTC_ZONE) is None
    assert overdue_at(person, UTC_ZONE) is None
    assert not is_due(person, UTC_ZONE, now)
    assert not is_overdue(person, UTC_ZONE, now)
    assert overdue_ratio(person, UTC_ZONE, now) == 0.0


def test_a_spread_first_due_day_decides_when_a_contact_never_met_falls_due() -> None:
    # Given a core contact added on 5 January whose bulk add placed its first due day on 20 January
    person = contact(circle=Circle.CORE, added_at=utc(2026, 1, 5, 12), first_due_on=utc(2026, 1, 20).date())
    # When due and overdue are computed in Berlin
    # Then it is due from local midnight of 20 January and overdue half a cadence (30 days) later
    assert due_at(person, BERLIN) == utc(2026, 1, 19, 23)
    assert overdue_at(person, BERLIN) == utc(2026, 2, 18, 23)
    # And the ratio is exactly one cadence on its first due day
    assert overdue_ratio(person, BERLIN, utc(2026, 1, 20, 9)) == pytest.approx(1.0)


def test_an_interaction_supersedes_the_spread_first_due_day() -> None:
    # Given a spread contact that was then met on 10 January
    person = contact(
        circle=Circle.CORE,
        added_at=utc(2026, 1, 5, 12),
        first_due_on=utc(2026, 1, 20).date(),
        last_interaction_at=utc(2026, 1, 10, 12),
    )
    # When due is computed, Then the meeting's clock counts: 60 days after 10 January
    assert due_at(person, UTC_ZONE) == utc(2026, 3, 11)


def test_a_shorter_cadence_caps_the_spread_first_due_day() -> None:
    # Given a contact spread to day 50 of the core window, later moved to the inner circle (21 days)
    person = contact(circle=Circle.INNER, added_at=utc(2026, 1, 5, 12), first_due_on=utc(2026, 2, 24).date())
    # When due is computed, Then it is never later than the plain rule: 21 days after the add
    assert due_at(person, UTC_ZONE) == utc(2026, 1, 26)


def test_a_snooze_still_pushes_a_spread_contact_out() -> None:
    # Given a spread contact due on 20 January, snoozed until 1 February
    person = contact(
        added_at=utc(2026, 1, 5, 12), first_due_on=utc(2026, 1, 20).date(), snoozed_until=utc(2026, 2, 1, 8)
    )
    # When due is computed, Then the snooze decides
    assert due_at(person, UTC_ZONE) == utc(2026, 2, 1, 8)
