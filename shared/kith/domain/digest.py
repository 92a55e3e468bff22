"""Choosing whom a digest names, and in what order (PRODUCT.md §5)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from kith.domain.cadence import due_at, is_overdue, overdue_ratio
from kith.domain.models import CIRCLE_ORDER, Contact, DigestEntry, Goal, OwnerSettings
from kith.domain.text import same_goal

_CIRCLE_WEIGHT = {circle: (len(CIRCLE_ORDER) - index) * 0.1 for index, circle in enumerate(CIRCLE_ORDER)}
_GOAL_WEIGHT = 0.25


def is_held_back(contact: Contact, now: datetime) -> bool:
    """A planned meeting or a snooze holds a nudge back: the owner is already on it."""
    if contact.planned_meeting_at is not None and contact.planned_meeting_at > now:
        return True
    return contact.snoozed_until is not None and contact.snoozed_until > now


def held_back_by_meetings(
    candidates: Iterable[Contact], settings: OwnerSettings, now: datetime, due_by: datetime
) -> list[Contact]:
    """Contacts due by `due_by` with a meeting still to come after `now`, soonest meeting first.

    A meeting before the digest moves the contact's clock when it ends, so the digest will not name them.
    """
    held = [
        contact
        for contact in candidates
        if contact.planned_meeting_at is not None
        and contact.planned_meeting_at > now
        and (due := due_at(contact, settings.zone)) is not None
        and due <= due_by
    ]
    return sorted(held, key=lambda contact: (contact.planned_meeting_at, contact.contact_id))


def serves_goal(contact: Contact, goals: Sequence[Goal]) -> bool:
    """A contact's goal counts when the owner declared none (any goal counts) or it is one of their active goals."""
    if not contact.goal:
        return False
    return not goals or any(goal.active and same_goal(goal.name, contact.goal) for goal in goals)


def score(contact: Contact, settings: OwnerSettings, now: datetime, goals: Sequence[Goal] = ()) -> float:
    ratio = overdue_ratio(contact, settings.zone, now)
    goal = _GOAL_WEIGHT if serves_goal(contact, goals) else 0.0
    return round(ratio + _CIRCLE_WEIGHT[contact.circle] + goal, 6)


def rank_due_contacts(
    candidates: Iterable[Contact], settings: OwnerSettings, now: datetime, goals: Sequence[Goal] = ()
) -> tuple[DigestEntry, ...]:
    """The due contacts to name, best first, at most the owner's limit; `goals` are the owner's declared goals."""
    entries: list[DigestEntry] = []
    for contact in candidates:
        due = due_at(contact, settings.zone)
        if due is None or due > now or is_held_back(contact, now):
            continue
        entries.append(
            DigestEntry(
                contact=contact,
                due_at=due,
                overdue=is_overdue(contact, settings.zone, now),
                score=score(contact, settings, now, goals),
            )
        )
    entries.sort(key=lambda entry: (-entry.score, entry.contact.name.casefold(), entry.contact.contact_id))
    return tuple(entries[: settings.digest_limit])
