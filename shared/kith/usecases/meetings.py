"""Turning calendar notifications into interactions, clocks and follow-ups (PRODUCT.md §3, §4).

One meeting is one interaction, whichever provider tells of it: its id comes
from the iCalendar UID when the provider gives one (so the same meeting from
two calendars lands on the same item), else from the provider's own id; an
instance of a recurring meeting adds its original start. Each provider id also
gets an alias pointing at the interaction, so a cancellation that carries only
the provider's id still finds it.

A later notification about a known meeting is reconciled with what is stored
(kith.usecases.meeting_changes): times that moved, attendees who joined or left.
Clocks move only for meetings that ended, and only for meetings that count (not
all-day, not over the size limit); whatever a meeting moved is given back when
it is cancelled or moved (kith.domain.clock decides, kith.usecases.clocks writes).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from kith.domain.identities import meeting_interaction_id
from kith.domain.meetings import MeetingChange, MeetingEvent
from kith.domain.models import Owner
from kith.ports import MeetingStore
from kith.usecases.clocks import remove_interaction
from kith.usecases.meeting_changes import MeetingOutcome, record_meeting, withdraw

__all__ = ["MeetingOutcome", "apply_meeting_event", "cancel_meeting"]

_IGNORED = {MeetingChange.TEST, MeetingChange.SUPERSEDED, MeetingChange.UNRELATED}


def apply_meeting_event(store: MeetingStore, owner_id: str, event: MeetingEvent, now: datetime) -> MeetingOutcome:
    if event.change in _IGNORED:
        return MeetingOutcome(event.change)
    owner = store.get_owner(owner_id)
    if event.change is MeetingChange.CANCELLED:
        return cancel_meeting(store, owner, event, now)
    if event.change is MeetingChange.WITHDRAWN:
        return withdraw(store, owner, event, _resolve(store, owner, event), now)
    moved_away = False
    if event.change is MeetingChange.RESCHEDULED and event.previous_external_id:
        previous = event.model_copy(update={"external_id": event.previous_external_id, "ical_uid": None})
        if _resolve(store, owner, previous) != meeting_interaction_id(event):
            moved_away = cancel_meeting(store, owner, previous, now).cancelled
    recorded = record_meeting(store, owner, event, now)
    return replace(recorded, cancelled=recorded.cancelled or moved_away)


def _resolve(store: MeetingStore, owner: Owner, event: MeetingEvent) -> str:
    """The interaction a provider's id stands for: its alias if one was recorded, else the id it would get."""
    return store.interaction_for_alias(owner.owner_id, event.source, event.external_id) or meeting_interaction_id(event)


def cancel_meeting(store: MeetingStore, owner: Owner, event: MeetingEvent, now: datetime) -> MeetingOutcome:
    """Remove what a meeting recorded and give each contact back its previous last interaction.

    A cancelled meeting is buried: a marker stays where it was, so a late or replayed booking
    cannot bring it back.
    """
    interaction_id = _resolve(store, owner, event)
    interaction = store.get_interaction(owner.owner_id, interaction_id)
    if interaction is None:
        # The booking may still arrive (queues do not keep order): it must not bring the meeting back.
        store.bury_interaction(owner.owner_id, interaction_id, now)
        return MeetingOutcome(event.change, interaction_id=interaction_id)
    remove_interaction(store, owner, interaction, now, bury=True)
    return MeetingOutcome(event.change, interaction_id=interaction_id, cancelled=True)
