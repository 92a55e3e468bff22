"""Spreading a bulk add's first due days over each circle's cadence window (PRODUCT.md §7)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from kith.domain.cadence import cadence_days, due_at
from kith.domain.models import Circle, Contact
from kith.domain.spreading import spread_first_due

from .builders import contact, utc

BERLIN = ZoneInfo("Europe/Berlin")
ADDED = utc(2026, 1, 5, 12)  # a Monday, 13:00 in Berlin


def bulk(count: int, prefix: str = "c", added_at: datetime = ADDED, **fields: object) -> list[Contact]:
    return [contact(contact_id=f"{prefix}-{n:04d}", added_at=added_at, **fields) for n in range(count)]


def newly_due_per_local_day(contacts: list[Contact], zone: ZoneInfo) -> Counter[date]:
    days: Counter[date] = Counter()
    for person in contacts:
        due = due_at(person, zone)
        assert due is not None
        days[due.astimezone(zone).date()] += 1
    return days


def window(added_at: datetime, days: int, zone: ZoneInfo) -> list[date]:
    first = added_at.astimezone(zone).date()
    return [first + timedelta(days=offset) for offset in range(1, days + 1)]


def test_500_contacts_added_at_once_load_no_day_with_more_than_twice_the_average() -> None:
    # Given 500 core contacts (60 days) imported at once by an owner in Berlin
    imported = bulk(500, circle=Circle.CORE)
    # When their first due days are spread
    spread = spread_first_due(imported, BERLIN)
    # Then, counting newly due contacts per local day over the cadence window, no day exceeds twice the average
    per_day = newly_due_per_local_day(spread, BERLIN)
    days = window(ADDED, 60, BERLIN)
    assert set(per_day) <= set(days)
    average = len(spread) / len(days)
    assert max(per_day[day] for day in days) <= 2 * average


def test_the_load_is_even_not_merely_random() -> None:
    # Given 500 core contacts imported at once
    spread = spread_first_due(bulk(500, circle=Circle.CORE), BERLIN)
    # When counted per local day, Then every day of the window gets 8 or 9 (500 / 60), none more, none fewer
    per_day = newly_due_per_local_day(spread, BERLIN)
    assert sorted({per_day[day] for day in window(ADDED, 60, BERLIN)}) == [8, 9]


def test_without_spreading_they_would_all_fall_due_on_one_day() -> None:
    # Given the same 500 contacts added one by one (no spreading), Then they all fall due on one day
    per_day = newly_due_per_local_day(bulk(500, circle=Circle.CORE), BERLIN)
    assert list(per_day.values()) == [500]


def test_the_same_contacts_get_the_same_days_whatever_their_order() -> None:
    # Given a bulk add, and the same contacts in another order
    imported = bulk(120, circle=Circle.INNER)
    shuffled = list(imported)
    random.Random(7).shuffle(shuffled)
    # When both are spread
    first = {person.contact_id: person.first_due_on for person in spread_first_due(imported, BERLIN)}
    second = {person.contact_id: person.first_due_on for person in spread_first_due(shuffled, BERLIN)}
    # Then each contact gets the same day both times, and the input order is kept
    assert first == second
    assert [person.contact_id for person in spread_first_due(shuffled, BERLIN)] == [p.contact_id for p in shuffled]


def test_the_order_depends_on_the_owner_too() -> None:
    # Given the same contact ids added by two owners
    mine = spread_first_due(bulk(60, circle=Circle.CORE, owner_id="o-1"), BERLIN)
    theirs = spread_first_due(bulk(60, circle=Circle.CORE, owner_id="o-2"), BERLIN)
    # Then each owner's contacts are placed in their own order (one per day either way)
    assert [p.first_due_on for p in mine] != [p.first_due_on for p in theirs]
    assert sorted(p.first_due_on for p in mine) == sorted(p.first_due_on for p in theirs)


def test_a_batch_of_one_falls_due_where_a_single_add_would() -> None:
    # Given one core contact added in a batch of its own
    alone = contact(circle=Circle.CORE)
    # When spread, Then it falls due a whole cadence after the add, as a single add does
    [spread] = spread_first_due([alone], BERLIN)
    assert spread.first_due_on == date(2026, 3, 6)
    assert due_at(spread, BERLIN) == due_at(alone, BERLIN)


def test_the_last_of_a_circle_lands_on_its_cadence_day_and_none_before_day_one() -> None:
    # Given three inner contacts added together
    spread = spread_first_due(bulk(3, circle=Circle.INNER), BERLIN)
    # Then they fall due on days 7, 14 and 21 after the add
    offsets = sorted((p.first_due_on - date(2026, 1, 5)).days for p in spread if p.first_due_on)
    assert offsets == [7, 14, 21]


def test_a_stated_last_interaction_keeps_its_real_clock_and_takes_no_place() -> None:
    # Given ten inner contacts never met and five with a stated last interaction, added together
    met = bulk(5, prefix="met", circle=Circle.INNER, last_interaction_at=utc(2025, 12, 20, 9))
    spread = spread_first_due([*met, *bulk(10, circle=Circle.INNER)], BERLIN)
    # Then those met keep their clock: no first due day, due 21 days after the interaction
    assert spread[:5] == met
    assert {due_at(p, BERLIN) for p in spread[:5]} == {utc(2026, 1, 9, 23)}
    # And the ten others share the window among themselves: ceil(i * 21 / 10) days after the add
    offsets = sorted((p.first_due_on - date(2026, 1, 5)).days for p in spread[5:] if p.first_due_on)
    assert offsets == [3, 5, 7, 9, 11, 13, 15, 17, 19, 21]


def test_never_contacts_are_untouched() -> None:
    # Given contacts who opted out, added in bulk with others
    never = bulk(4, prefix="never", circle=Circle.NEVER)
    spread = spread_first_due([*never, *bulk(4, circle=Circle.CORE)], BERLIN)
    # Then they get no first due day and are never due
    assert spread[:4] == never
    assert all(due_at(p, BERLIN) is None for p in spread[:4])


@pytest.mark.parametrize(
    ("circle", "custom", "count"),
    [(Circle.INNER, None, 50), (Circle.CORE, None, 130), (Circle.WIDER, None, 200), (Circle.CUSTOM, 7, 30)],
)
def test_mixed_circles_each_spread_over_their_own_window(circle: Circle, custom: int | None, count: int) -> None:
    # Given a bulk add mixing every circle, and custom contacts of two different cadences
    imported = [
        *bulk(50, prefix="inner", circle=Circle.INNER),
        *bulk(130, prefix="core", circle=Circle.CORE),
        *bulk(200, prefix="wider", circle=Circle.WIDER),
        *bulk(30, prefix="custom7", circle=Circle.CUSTOM, cadence_days=7),
        *bulk(30, prefix="custom45", circle=Circle.CUSTOM, cadence_days=45),
        *bulk(10, prefix="never", circle=Circle.NEVER),
    ]
    spread = spread_first_due(imported, BERLIN)
    # When one circle's contacts are counted per local day
    members = [p for p in spread if p.circle is circle and p.cadence_days == custom]
    assert len(members) == count
    days = cadence_days(circle, custom)
    assert days is not None
    per_day = newly_due_per_local_day(members, BERLIN)
    # Then they fall due only inside their own window, evenly: no day above twice the circle's average
    assert set(per_day) <= set(window(ADDED, days, BERLIN))
    average = count / days
    assert max(per_day.values()) <= 2 * average
    assert max(per_day.values()) - min(per_day[day] for day in window(ADDED, days, BERLIN)) <= 1


def test_days_are_local_days_across_daylight_saving() -> None:
    # Given 21 inner contacts added at 23:30 UTC on 20 March, already 21 March in Berlin; clocks go forward on the 29th
    spread = spread_first_due(bulk(21, circle=Circle.INNER, added_at=utc(2026, 3, 20, 23, 30)), BERLIN)
    # Then each local day from 22 March to 11 April gets exactly one, counted from the Berlin day of the add
    per_day = newly_due_per_local_day(spread, BERLIN)
    assert sorted(per_day) == [date(2026, 3, 22) + timedelta(days=n) for n in range(21)]
    assert set(per_day.values()) == {1}
    # And each is due at local midnight, whatever the offset that day: 23:00 UTC in winter, 22:00 UTC in summer
    dues = sorted(d for d in (due_at(p, BERLIN) for p in spread) if d is not None)
    assert all((d.astimezone(BERLIN).hour, d.astimezone(BERLIN).minute) == (0, 0) for d in dues)
    assert utc(2026, 3, 28, 23) in dues and utc(2026, 3, 29, 22) in dues
