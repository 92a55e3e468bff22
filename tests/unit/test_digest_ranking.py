"""Whom a digest names, and in what order (PRODUCT.md §5)."""

from __future__ import annotations

from datetime import timedelta

from kith.domain.digest import rank_due_contacts, serves_goal
from kith.domain.models import Circle, Contact, DigestEntry, Goal, OwnerSettings

from .builders import contact, utc

NOW = utc(2026, 6, 1, 8)
SETTINGS = OwnerSettings(digest_limit=5)


def _seen_days_ago(days: int, **overrides: object) -> Contact:
    fields: dict[str, object] = {"last_interaction_at": NOW - timedelta(days=days)}
    fields.update(overrides)
    return contact(**fields)


def _names(entries: tuple[DigestEntry, ...]) -> list[str]:
    return [entry.contact.name for entry in entries]


def test_nothing_due_gives_an_empty_tuple() -> None:
    # Given only contacts seen recently
    candidates = [_seen_days_ago(3, contact_id="a", name="Ana"), _seen_days_ago(10, contact_id="b", name="Ben")]
    # When ranked, Then there is nothing to say
    assert rank_due_contacts(candidates, SETTINGS, NOW) == ()


def test_only_due_contacts_are_named() -> None:
    # Given one core contact past its 60 days, one not yet, and one who opted out
    due = _seen_days_ago(61, contact_id="a", name="Due Dana")
    not_yet = _seen_days_ago(59, contact_id="b", name="Early Eli")
    never = _seen_days_ago(900, contact_id="c", name="Never Nia", circle=Circle.NEVER)
    # When ranked
    entries = rank_due_contacts([due, not_yet, never], SETTINGS, NOW)
    # Then only the due one is there, with its due instant and "not overdue"
    assert _names(entries) == ["Due Dana"]
    assert entries[0].due_at <= NOW
    assert entries[0].overdue is False


def test_snoozed_contacts_are_held_back() -> None:
    # Given a long-overdue contact snoozed until next week
    snoozed = _seen_days_ago(200, contact_id="a", name="Snoozed Sam", snoozed_until=NOW + timedelta(days=7))
    # When ranked, Then it is not named
    assert rank_due_contacts([snoozed], SETTINGS, NOW) == ()


def test_contacts_with_a_planned_meeting_are_held_back() -> None:
    # Given two overdue contacts, one with a meeting planned tomorrow and one whose planned meeting is past
    planned = _seen_days_ago(200, contact_id="a", name="Planned Pia", planned_meeting_at=NOW + timedelta(days=1))
    past = _seen_days_ago(200, contact_id="b", name="Past Paul", planned_meeting_at=NOW - timedelta(days=1))
    # When ranked, Then only the one without an upcoming meeting is named
    assert _names(rank_due_contacts([planned, past], SETTINGS, NOW)) == ["Past Paul"]


def test_more_overdue_comes_first() -> None:
    # Given three core contacts at different lateness, in no particular order
    candidates = [
        _seen_days_ago(70, contact_id="a", name="Ana"),
        _seen_days_ago(150, contact_id="b", name="Ben"),
        _seen_days_ago(100, contact_id="c", name="Cy"),
    ]
    # When ranked, Then the latest comes first; the one past 90 days is flagged overdue
    entries = rank_due_contacts(candidates, SETTINGS, NOW)
    assert _names(entries) == ["Ben", "Cy", "Ana"]
    assert [entry.overdue for entry in entries] == [True, True, False]


def test_inner_before_wider_at_equal_lateness() -> None:
    # Given an inner and a wider contact, each exactly two cadences late (42 and 360 days)
    wider = _seen_days_ago(360, contact_id="a", name="Aaron Wider", circle=Circle.WIDER)
    inner = _seen_days_ago(42, contact_id="b", name="Zoe Inner", circle=Circle.INNER)
    # When ranked, Then the inner circle comes first despite the alphabet
    assert _names(rank_due_contacts([wider, inner], SETTINGS, NOW)) == ["Zoe Inner", "Aaron Wider"]


def test_goal_lifts_a_contact_at_equal_lateness() -> None:
    # Given two core contacts equally late, the second one serving a goal
    plain = _seen_days_ago(90, contact_id="a", name="Aaron")
    with_goal = _seen_days_ago(90, contact_id="b", name="Zed", goal="mentorship")
    # When ranked, Then the goal comes first and scores higher
    entries = rank_due_contacts([plain, with_goal], SETTINGS, NOW)
    assert _names(entries) == ["Zed", "Aaron"]
    assert entries[0].score > entries[1].score


def test_goal_can_outrank_a_slightly_later_contact() -> None:
    # Given a core contact at 1.5 cadences and one at 1.3 cadences with a goal
    later = _seen_days_ago(90, contact_id="a", name="Later")
    goal = _seen_days_ago(78, contact_id="b", name="Goal", goal="job search")
    # When ranked, Then the goal bonus (0.25) outweighs 0.2 cadences of lateness
    assert _names(rank_due_contacts([later, goal], SETTINGS, NOW)) == ["Goal", "Later"]


def test_at_most_digest_limit_entries_and_they_are_the_best() -> None:
    # Given seven due core contacts and a limit of three
    candidates = [_seen_days_ago(61 + index * 10, contact_id=f"c{index}", name=f"P{index}") for index in range(7)]
    settings = OwnerSettings(digest_limit=3)
    # When ranked, Then only the three latest are named
    assert _names(rank_due_contacts(candidates, settings, NOW)) == ["P6", "P5", "P4"]


def test_ties_are_broken_by_name_deterministically() -> None:
    # Given two identical-looking contacts with different names, in reverse order
    candidates = [_seen_days_ago(70, contact_id="b", name="bea"), _seen_days_ago(70, contact_id="a", name="Ana")]
    # When ranked twice in different input orders, Then the order is the same, by name
    assert _names(rank_due_contacts(candidates, SETTINGS, NOW)) == ["Ana", "bea"]
    assert _names(rank_due_contacts(reversed(candidates), SETTINGS, NOW)) == ["Ana", "bea"]


def test_any_goal_counts_while_the_owner_declared_none() -> None:
    # Given an owner who declared no goals, When a contact carries any goal, Then it serves one; none, it does not
    assert serves_goal(contact(goal="sailing"), ()) is True
    assert serves_goal(contact(goal=None), ()) is False


def test_only_an_active_declared_goal_counts_once_goals_are_declared() -> None:
    # Given an owner with an active and an inactive goal
    goals = (Goal(name="mentorship"), Goal(name="job search", active=False))
    # When contacts carry the active one, the inactive one, an undeclared one, or the active one in another case
    # Then only the active one counts, whatever its case ("Job" and "job" are one goal)
    assert serves_goal(contact(goal="mentorship"), goals) is True
    assert serves_goal(contact(goal="job search"), goals) is False
    assert serves_goal(contact(goal="Job Search"), goals) is False
    assert serves_goal(contact(goal="sailing"), goals) is False
    assert serves_goal(contact(goal="Mentorship"), goals) is True
    assert serves_goal(contact(goal=" MENTORSHIP "), goals) is True


def test_an_inactive_goal_gives_no_lift_in_the_ranking() -> None:
    # Given two core contacts equally late, one serving a goal the owner has set aside
    plain = _seen_days_ago(90, contact_id="a", name="Aaron")
    set_aside = _seen_days_ago(90, contact_id="b", name="Zed", goal="job search")
    goals = (Goal(name="job search", active=False),)
    # When ranked with and without the owner's goals
    with_goals = rank_due_contacts([plain, set_aside], SETTINGS, NOW, goals)
    without = rank_due_contacts([plain, set_aside], SETTINGS, NOW)
    # Then the inactive goal scores nothing (the name decides), while with no goals declared it lifts Zed by 0.25
    assert _names(with_goals) == ["Aaron", "Zed"]
    assert with_goals[0].score == with_goals[1].score
    assert _names(without) == ["Zed", "Aaron"]
    assert round(without[0].score - without[1].score, 6) == 0.25
