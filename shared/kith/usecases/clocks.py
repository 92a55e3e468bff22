"""Contacts' clocks as meetings, logged interactions and Done clicks come and go (PRODUCT.md §1, §3, §6).

kith.domain.clock decides; this writes what it decided, reading a contact's timeline only when a
clock is to be given back. Storage keeps the rules true under races: a clock moves only forward,
a hold is replaced only by an earlier one, a release only lets go of its own meeting's hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kith.domain import clock
from kith.domain.models import Contact, Interaction, Owner
from kith.ports import MailStore, MeetingStore


def hold_nudges(
    store: MeetingStore, owner: Owner, interaction: Interaction, contacts: Iterable[Contact], now: datetime
) -> None:
    """A planned meeting holds back the nudges of the contacts it is with, until it starts."""
    held = [
        contact.contact_id
        for contact in contacts
        if clock.hold(contact.planned_meeting_at, interaction.start, now) is not None
    ]
    if held:
        store.plan_meeting(owner.owner_id, held, interaction.start, now)


def settle_meeting(
    store: MeetingStore | MailStore, owner: Owner, interaction: Interaction, now: datetime, contacts: Iterable[Contact]
) -> int:
    """A meeting that ended moves its contacts' clocks and releases their hold; the clocks moved. Safe to repeat."""
    contacts = list(contacts)
    _release_holds(store, owner, contacts, interaction)
    by = clock.set_by(interaction, now)
    if by is None:
        return 0
    moving = [contact for contact in contacts if clock.moved(clock.last_interaction(contact), by) is not None]
    return sum(store.move_contact_clock(contact, owner.settings, by.at, by.title) for contact in moving)


def give_back(
    store: MeetingStore, owner: Owner, interaction: Interaction, contacts: Iterable[Contact], now: datetime
) -> None:
    """These contacts leave `interaction`: its holds go, and each clock it set goes back to the one before."""
    contacts = list(contacts)
    _release_holds(store, owner, contacts, interaction)
    for contact in contacts:
        timeline = store.past_interactions(owner.owner_id, contact.contact_id)
        given = clock.after_removal(clock.last_interaction(contact), interaction, timeline, now)
        if given is not None:
            at, title = (given.to.at, given.to.title) if given.to is not None else (None, None)
            store.restore_contact_clock(contact, owner.settings, at, title)


def remove_interaction(
    store: MeetingStore, owner: Owner, interaction: Interaction, now: datetime, *, bury: bool
) -> None:
    """Forget what an interaction recorded and give each of its contacts back the last interaction before it."""
    store.forget_interaction(interaction, now, bury=bury)
    give_back(store, owner, interaction, store.contacts_by_ids(owner.owner_id, interaction.contact_ids), now)


def done(contact: Contact, at: datetime, title: str) -> Contact:
    """The contact after a Done click: its clock moved to the click, unless a later interaction stands."""
    by = clock.moved(clock.last_interaction(contact), clock.LastInteraction(at, title))
    if by is None:
        return contact
    return contact.model_copy(update={"last_interaction_at": by.at, "last_interaction_title": by.title})


def _release_holds(
    store: MeetingStore | MailStore, owner: Owner, contacts: list[Contact], interaction: Interaction
) -> None:
    held = [contact.contact_id for contact in contacts if clock.released(contact.planned_meeting_at, interaction.start)]
    if held:
        store.unplan_meeting(owner.owner_id, held, interaction.start)
