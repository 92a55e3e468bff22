"""What "see less often" and "pause until" mean (PRODUCT.md §6)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from kith.domain.actions import PauseError, further_out, pause_end
from kith.domain.models import Circle

from .builders import contact, utc


@pytest.mark.parametrize(
    ("circle", "days", "expected"),
    [
        (Circle.INNER, None, (Circle.CORE, None)),
        (Circle.CORE, None, (Circle.WIDER, None)),
        (Circle.WIDER, None, (Circle.CUSTOM, 365)),
        (Circle.CUSTOM, 30, (Circle.CORE, None)),
        (Circle.CUSTOM, 90, (Circle.WIDER, None)),
        (Circle.CUSTOM, 200, (Circle.CUSTOM, 400)),
        (Circle.CUSTOM, 3000, (Circle.CUSTOM, 3650)),
        (Circle.NEVER, None, (Circle.NEVER, None)),
    ],
)
def test_less_often_moves_one_circle_out(circle: Circle, days: int | None, expected: tuple) -> None:
    # Given a contact in a circle, When seen less often, Then it moves one step further out
    assert further_out(contact(circle=circle, cadence_days=days)) == expected


def test_a_pause_ends_at_the_start_of_the_chosen_local_day() -> None:
    # Given an owner in New York on 2026-02-02
    zone = ZoneInfo("America/New_York")
    # When they pause until 2026-02-16
    end = pause_end(date(2026, 2, 16), zone, utc(2026, 2, 2, 15))
    # Then nudges resume at local midnight that day (05:00 UTC in winter)
    assert end == utc(2026, 2, 16, 5)


@pytest.mark.parametrize(("until", "problem"), [(date(2026, 2, 2), "after today"), (date(2027, 6, 1), "a year")])
def test_a_pause_must_end_within_the_coming_year(until: date, problem: str) -> None:
    with pytest.raises(PauseError, match=problem):
        pause_end(until, ZoneInfo("UTC"), utc(2026, 2, 2, 15))
