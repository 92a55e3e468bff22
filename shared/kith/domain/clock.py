"""A contact's clock: when its owner was last in touch, and what holds its nudge back (PRODUCT.md §1, §3, §6).

A meeting that ended and counts, an interaction logged by hand or a Done click moves the clock,
and only forward: a later one already recorded stands. Removing one gives the clock back to the
previous counted interaction that ended by then (the one the owner stated when adding the contact
among them), and only if the removed one had set it. A planned meeting holds the nudge back until
it starts, the earliest upcoming one winning; it lets go when the meeting ends or is cancelled.

Nothing here reads or writes: storage writes what these rules decide, under conditions that keep
them true when two writes race.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kith.domain.models import Contact, Interaction


@dataclass(frozen=True)
class LastInteraction:
    """When a contact's owner was last in touch with them, and what it was."""

    at: datetime
    title: str | None = None


@dataclass(frozen=True)
class PastInteraction:
    """One interaction on a contact's timeline, as the clock reads it."""

    end: datetime
    title: str | None = None
    counts: bool = True


@dataclass(frozen=True)
class GivenBack:
    """The clock a removal gives back: the previous counted interaction, or none at all."""

    to: LastInteraction | None


def last_interaction(contact: Contact) -> LastInteraction | None:
    if contact.last_interaction_at is None:
        return None
    return LastInteraction(contact.last_interaction_at, contact.last_interaction_title)


def met(end: datetime, title: str | None, now: datetime) -> LastInteraction:
    """A meeting that ended sets the clock to its end; one marked ended early, to the moment it was."""
    return LastInteraction(min(end, now), title)


def set_by(interaction: Interaction, now: datetime) -> LastInteraction | None:
    """What an interaction moves its contacts' clocks to; None when it does not count (all-day, too large)."""
    if not interaction.counts_for_cadence:
        return None
    return met(interaction.end, interaction.title, now)


def moved(current: LastInteraction | None, by: LastInteraction) -> LastInteraction | None:
    """The clock after `by`; None when it stays, because an interaction as late or later is recorded."""
    if current is not None and current.at >= by.at:
        return None
    return by


def after_removal(
    current: LastInteraction | None,
    removed: Interaction,
    remaining: Iterable[PastInteraction],
    now: datetime,
) -> GivenBack | None:
    """The clock once `removed` is gone, or None when `removed` had not set it (another did: it stays).

    `remaining` is the contact's timeline without `removed`, newest first; it is read only as far as
    the first counted interaction that ended by now.
    """
    if current is None or not removed.start <= current.at <= removed.end:
        return None
    for past in remaining:
        if past.counts and past.end <= now:
            return GivenBack(LastInteraction(past.end, past.title))
    return GivenBack(None)


def hold(current: datetime | None, planned_start: datetime, now: datetime) -> datetime | None:
    """The hold a planned meeting puts on a nudge; None when it puts none.

    A meeting that started holds nothing back, and an earlier upcoming one already holding stands.
    A hold whose meeting started is spent, so the new one takes its place.
    """
    if planned_start <= now:
        return None
    if current is not None and now < current <= planned_start:
        return None
    return planned_start


def released(current: datetime | None, meeting_start: datetime) -> bool:
    """A meeting that ends or goes away lets go of the hold it placed, and of no other."""
    return current is not None and current == meeting_start
