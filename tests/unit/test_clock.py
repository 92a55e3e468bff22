"""A contact's clock as the rule reads (PRODUCT.md §1, §3, §6): forward only, given back on removal, held by plans."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from kith.domain.clock import (
    GivenBack,
    LastInteraction,
    PastInteraction,
    after_removal,
    hold,
    last_interaction,
    met,
    moved,
    released,
    set_by,
)
from kith.domain.models import Interaction, InteractionKind
from kith.usecases.clocks import done

from .builders import contact, utc

NOW = utc(2026, 11, 30, 10)
EARLIER = LastInteraction(utc(2026, 10, 1, 12), "Lunch")


def _meeting(start: datetime, minutes: int = 30, *, counts: bool = True, title: str | None = "Sync") -> Interaction:
    return Interaction(
        interaction_id="m-1",
        owner_id="o-1",
        contact_ids=("c-ana",),
        start=start,
        end=start + timedelta(minutes=minutes),
        kind=InteractionKind.MEETING,
        title=title,
        source="google",
        external_id="evt-1",
        counts_for_cadence=counts,
        recorded_at=start,
    )


# -- moving forward -------------------------------------------------------------------------------


def test_given_an_older_clock_when_an_interaction_is_recorded_then_the_clock_moves_to_it() -> None:
    by = LastInteraction(NOW - timedelta(hours=1), "Coffee")
    assert moved(EARLIER, by) == by


def test_given_no_clock_yet_when_an_interaction_is_recorded_then_it_starts_the_clock() -> None:
    by = LastInteraction(NOW, None)
    assert moved(None, by) == by


def test_given_a_later_interaction_recorded_when_an_earlier_one_arrives_then_the_later_one_stands() -> None:
    later = LastInteraction(NOW, "Dinner")
    assert moved(later, LastInteraction(NOW - timedelta(days=1), "Coffee")) is None


def test_given_an_interaction_at_the_same_moment_when_another_arrives_then_the_first_one_stands() -> None:
    first = LastInteraction(NOW, "Call")
    assert moved(first, LastInteraction(NOW, "Marked done")) is None


def test_when_a_meeting_ends_then_it_sets_the_clock_to_its_end_with_its_title() -> None:
    meeting = _meeting(NOW - timedelta(hours=2))
    assert set_by(meeting, NOW) == LastInteraction(NOW - timedelta(hours=1, minutes=30), "Sync")


def test_when_a_meeting_is_marked_ended_before_its_end_then_the_clock_stops_at_that_moment() -> None:
    meeting = _meeting(NOW - timedelta(minutes=10), minutes=60)
    assert set_by(meeting, NOW) == LastInteraction(NOW, "Sync")


def test_when_a_meeting_does_not_count_then_it_sets_no_clock() -> None:
    assert set_by(_meeting(NOW - timedelta(hours=2), counts=False), NOW) is None


def test_a_met_attendee_starts_at_the_meeting_end_or_now_if_sooner() -> None:
    assert met(NOW - timedelta(hours=1), "Intro", NOW) == LastInteraction(NOW - timedelta(hours=1), "Intro")
    assert met(NOW + timedelta(hours=1), "Intro", NOW) == LastInteraction(NOW, "Intro")


def test_a_contact_without_a_last_interaction_has_no_clock() -> None:
    assert last_interaction(contact()) is None
    stated = contact(last_interaction_at=EARLIER.at, last_interaction_title="Lunch")
    assert last_interaction(stated) == EARLIER


# -- giving back ----------------------------------------------------------------------------------


def test_given_a_meeting_set_the_clock_when_it_is_removed_then_the_previous_counted_interaction_is_given_back() -> None:
    meeting = _meeting(NOW - timedelta(hours=2))
    current = set_by(meeting, NOW)
    remaining = [PastInteraction(EARLIER.at, "Lunch")]
    assert after_removal(current, meeting, remaining, NOW) == GivenBack(EARLIER)


def test_given_the_stated_last_interaction_is_all_that_remains_when_removed_then_it_is_given_back() -> None:
    # The owner said when they last met, adding the contact: that is on the timeline as any meeting is.
    meeting = _meeting(NOW - timedelta(hours=2))
    stated = PastInteraction(utc(2026, 9, 1), None)
    assert after_removal(set_by(meeting, NOW), meeting, [stated], NOW) == GivenBack(LastInteraction(utc(2026, 9, 1)))


def test_given_nothing_else_on_the_timeline_when_the_meeting_is_removed_then_the_clock_is_empty() -> None:
    meeting = _meeting(NOW - timedelta(hours=2))
    assert after_removal(set_by(meeting, NOW), meeting, [], NOW) == GivenBack(None)


def test_when_given_back_then_interactions_that_do_not_count_are_passed_over() -> None:
    meeting = _meeting(NOW - timedelta(hours=2))
    all_day = PastInteraction(NOW - timedelta(days=3), "Offsite", counts=False)
    remaining = [all_day, PastInteraction(EARLIER.at, "Lunch")]
    assert after_removal(set_by(meeting, NOW), meeting, remaining, NOW) == GivenBack(EARLIER)


def test_when_given_back_then_interactions_not_ended_yet_are_passed_over() -> None:
    meeting = _meeting(NOW - timedelta(hours=2))
    tomorrow = PastInteraction(NOW + timedelta(days=1), "Planned")
    remaining = [tomorrow, PastInteraction(EARLIER.at, "Lunch")]
    assert after_removal(set_by(meeting, NOW), meeting, remaining, NOW) == GivenBack(EARLIER)


def test_given_a_later_interaction_set_the_clock_when_a_meeting_is_removed_then_the_clock_stays() -> None:
    meeting = _meeting(NOW - timedelta(days=2))
    later = LastInteraction(NOW - timedelta(hours=1), "Call")
    assert after_removal(later, meeting, [PastInteraction(EARLIER.at)], NOW) is None


def test_given_no_clock_when_a_meeting_is_removed_then_there_is_nothing_to_give_back() -> None:
    assert after_removal(None, _meeting(NOW - timedelta(hours=2)), [PastInteraction(EARLIER.at)], NOW) is None


def test_when_given_back_then_the_timeline_is_read_only_up_to_the_first_counted_interaction() -> None:
    meeting = _meeting(NOW - timedelta(hours=2))
    read: list[PastInteraction] = []

    def timeline() -> Iterator[PastInteraction]:
        for past in (PastInteraction(EARLIER.at, "Lunch"), PastInteraction(utc(2026, 1, 1), "Older")):
            read.append(past)
            yield past

    assert after_removal(set_by(meeting, NOW), meeting, timeline(), NOW) == GivenBack(EARLIER)
    assert len(read) == 1


# -- holds ----------------------------------------------------------------------------------------


def test_given_no_hold_when_a_meeting_is_planned_then_it_holds_the_nudge_until_it_starts() -> None:
    start = NOW + timedelta(days=2)
    assert hold(None, start, NOW) == start


def test_given_a_later_planned_meeting_holds_when_an_earlier_one_is_planned_then_the_earlier_one_holds() -> None:
    later, earlier = NOW + timedelta(days=5), NOW + timedelta(days=2)
    assert hold(later, earlier, NOW) == earlier


def test_given_an_earlier_planned_meeting_holds_when_a_later_one_is_planned_then_the_earlier_one_stands() -> None:
    earlier, later = NOW + timedelta(days=2), NOW + timedelta(days=5)
    assert hold(earlier, later, NOW) is None


def test_given_a_meeting_already_holds_when_it_is_told_of_again_then_nothing_changes() -> None:
    start = NOW + timedelta(days=2)
    assert hold(start, start, NOW) is None


def test_given_the_holding_meeting_started_when_another_is_planned_then_the_new_one_holds() -> None:
    spent, upcoming = NOW - timedelta(hours=1), NOW + timedelta(days=3)
    assert hold(spent, upcoming, NOW) == upcoming


def test_when_a_meeting_already_started_then_it_holds_nothing_back() -> None:
    assert hold(None, NOW, NOW) is None
    assert hold(None, NOW - timedelta(minutes=5), NOW) is None


def test_when_a_meeting_ends_or_is_cancelled_then_it_releases_its_own_hold_only() -> None:
    start = NOW + timedelta(days=2)
    assert released(start, start)
    assert not released(start + timedelta(days=1), start)
    assert not released(None, start)


# -- a Done click on a contact --------------------------------------------------------------------


def test_given_an_older_clock_when_done_is_clicked_then_the_contact_was_in_touch_now() -> None:
    before = contact(last_interaction_at=EARLIER.at, last_interaction_title="Lunch", version=3)
    after = done(before, NOW, "Marked done")
    assert (after.last_interaction_at, after.last_interaction_title) == (NOW, "Marked done")
    assert after.version == before.version


def test_given_a_later_interaction_when_done_is_clicked_then_the_contact_is_unchanged() -> None:
    before = contact(last_interaction_at=NOW + timedelta(minutes=1), last_interaction_title="Call")
    assert done(before, NOW, "Marked done") == before
