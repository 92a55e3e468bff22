"""A meeting as a calendar says it is now, brought in line with what is stored (PRODUCT.md §3, §4).

Each step returns what it did as a frozen value; kith.usecases.meetings combines them into the
notification's outcome. A new meeting is recorded with its links, alias, holds or clocks and
follow-up; a known one is revised: times that moved, attendees who joined or left (whatever it
moved for those who left is given back), and a replay changes nothing but finishes what a failed
delivery left undone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from kith.domain.identities import meeting_interaction_id
from kith.domain.meetings import MeetingAttendee, MeetingChange, MeetingEvent, counted_attendees, moves_cadence
from kith.domain.models import Attendee, Contact, FollowUp, Interaction, Owner
from kith.domain.schedule import follow_up_due_at
from kith.ports import MeetingStore
from kith.usecases.clocks import give_back, hold_nudges, remove_interaction, settle_meeting


@dataclass(frozen=True)
class MeetingOutcome:
    """What one notification did; the numbers feed logs and metrics, never personal data."""

    change: MeetingChange
    interaction_id: str | None = None
    recorded: bool = False
    revised: bool = False
    contacts_matched: int = 0
    clocks_moved: int = 0
    follow_up_created: bool = False
    cancelled: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Revision:
    revised: bool
    clocks_moved: int
    follow_up_created: bool


@dataclass(frozen=True)
class _Attendance:
    """Who of a meeting's attendees are contacts, and who are not (yet)."""

    counted: tuple[MeetingAttendee, ...]
    contacts: dict[str, Contact]

    @property
    def contact_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.contacts[a.email].contact_id for a in self.counted if a.email in self.contacts))

    @property
    def strangers(self) -> tuple[Attendee, ...]:
        return tuple(Attendee(email=a.email, name=a.name) for a in self.counted if a.email not in self.contacts)


def _attendance(store: MeetingStore, owner: Owner, attendees: tuple[MeetingAttendee, ...]) -> _Attendance:
    counted = counted_attendees(attendees, owner.email)
    return _Attendance(counted, store.contacts_by_emails(owner.owner_id, [attendee.email for attendee in counted]))


def record_meeting(store: MeetingStore, owner: Owner, event: MeetingEvent, now: datetime) -> MeetingOutcome:
    """Record a meeting new to Kith, or revise the one stored under its id."""
    if event.start is None or event.end is None:
        return MeetingOutcome(event.change, notes=("meeting without times",))
    attendance = _attendance(store, owner, event.attendees)
    desired = Interaction(
        interaction_id=meeting_interaction_id(event),
        owner_id=owner.owner_id,
        contact_ids=attendance.contact_ids,
        start=event.start,
        end=event.end,
        title=event.title,
        source=event.source,
        external_id=event.external_id,
        ical_uid=event.ical_uid,
        counts_for_cadence=moves_cadence(event, len(attendance.counted), owner.settings.meeting_size_limit),
        recorded_at=now,
    )
    found = MeetingOutcome(
        event.change, interaction_id=desired.interaction_id, contacts_matched=len(attendance.contact_ids)
    )
    if desired.contact_ids and store.record_interaction(desired):
        store.link_interaction(desired, desired.contact_ids)
        store.record_alias(desired, event.source, event.external_id)
        moved = _take_effect(store, owner, desired, list(attendance.contacts.values()), now, event)
        created = store.save_follow_up(_follow_up(owner, desired, attendance.strangers))
        return replace(found, recorded=True, clocks_moved=moved, follow_up_created=created)
    stored = store.get_interaction(owner.owner_id, desired.interaction_id)
    if stored is None:
        return replace(found, notes=("meeting was cancelled" if desired.contact_ids else "no attendee is a contact",))
    store.record_alias(stored, event.source, event.external_id)
    desired = _as_stored(desired, stored, event)
    if not desired.contact_ids:
        # No contact is at this meeting any more: forget it, but let it come back if one is added again.
        remove_interaction(store, owner, stored, now, bury=False)
        return replace(found, cancelled=True)
    return _revised(found, _revise(store, owner, stored, desired, attendance.strangers, now, event))


def withdraw(
    store: MeetingStore, owner: Owner, event: MeetingEvent, interaction_id: str, now: datetime
) -> MeetingOutcome:
    """Some attendees left a meeting that stands for the others (one invitee of a group event cancelled)."""
    found = MeetingOutcome(event.change, interaction_id=interaction_id)
    stored = store.get_interaction(owner.owner_id, interaction_id)
    if stored is None:
        return replace(found, notes=("unknown meeting",))
    leaving = _attendance(store, owner, event.attendees).contact_ids
    remaining = tuple(contact_id for contact_id in stored.contact_ids if contact_id not in leaving)
    if not remaining:
        remove_interaction(store, owner, stored, now, bury=True)
        return replace(found, cancelled=True)
    if remaining == stored.contact_ids:
        return found
    desired = stored.model_copy(update={"contact_ids": remaining})
    return _revised(found, _revise(store, owner, stored, desired, (), now, event))


def _revised(found: MeetingOutcome, revision: _Revision) -> MeetingOutcome:
    return replace(
        found,
        revised=revision.revised,
        clocks_moved=revision.clocks_moved,
        follow_up_created=revision.follow_up_created,
    )


def _as_stored(desired: Interaction, stored: Interaction, event: MeetingEvent) -> Interaction:
    """The meeting as the notification has it, keeping what the first recording named it by."""
    joined = desired.contact_ids
    if not event.attendees_complete:
        joined = tuple(dict.fromkeys((*stored.contact_ids, *desired.contact_ids)))
    return desired.model_copy(
        update={
            "contact_ids": joined,
            "recorded_at": stored.recorded_at,
            "source": stored.source,
            "external_id": stored.external_id,
            "ical_uid": stored.ical_uid or event.ical_uid,
        }
    )


def _take_effect(
    store: MeetingStore,
    owner: Owner,
    interaction: Interaction,
    contacts: list[Contact],
    now: datetime,
    event: MeetingEvent,
) -> int:
    """Hold back the nudges of contacts about to be met; move the clocks of a meeting that ended."""
    present = [contact for contact in _unique(contacts) if contact.contact_id in interaction.contact_ids]
    hold_nudges(store, owner, interaction, present, now)
    if interaction.end <= now or event.change is MeetingChange.ENDED:
        return settle_meeting(store, owner, interaction, now, present)
    return 0


def _revise(
    store: MeetingStore,
    owner: Owner,
    stored: Interaction,
    desired: Interaction,
    strangers: tuple[Attendee, ...],
    now: datetime,
    event: MeetingEvent,
) -> _Revision:
    """Bring a stored meeting in line with what the provider says now; nothing changes on a replay."""
    changed = _rewrite(store, owner, stored, desired, now)
    contacts = store.contacts_by_ids(owner.owner_id, desired.contact_ids)
    moved = _take_effect(store, owner, desired, contacts, now, event)
    follow_up = _follow_up(owner, desired, strangers)
    if changed:
        created = store.revise_follow_up(follow_up, keep_strangers=not event.attendees_complete)
    else:
        created = store.save_follow_up(follow_up)
    return _Revision(changed, moved, created)


def _rewrite(store: MeetingStore, owner: Owner, stored: Interaction, desired: Interaction, now: datetime) -> bool:
    """Store the meeting's new state and relink it; those who left, or all when it moved, get back their clocks."""
    moved = (stored.start, stored.end, stored.counts_for_cadence) != (
        desired.start,
        desired.end,
        desired.counts_for_cadence,
    )
    left = tuple(contact_id for contact_id in stored.contact_ids if contact_id not in desired.contact_ids)
    joined = tuple(contact_id for contact_id in desired.contact_ids if contact_id not in stored.contact_ids)
    if not (moved or left or joined or stored.title != desired.title):
        # A replay, maybe of a delivery that failed after the interaction was written: what it left undone is done now.
        store.link_interaction(desired, desired.contact_ids)
        return False
    store.replace_interaction(desired)
    store.unlink_interaction(stored, stored.contact_ids if moved else left)
    store.link_interaction(desired, desired.contact_ids if moved else joined)
    undone = stored.contact_ids if moved else left
    give_back(store, owner, stored, store.contacts_by_ids(owner.owner_id, undone), now)
    return True


def _follow_up(owner: Owner, interaction: Interaction, strangers: tuple[Attendee, ...]) -> FollowUp:
    return FollowUp(
        owner_id=owner.owner_id,
        interaction_id=interaction.interaction_id,
        due_at=follow_up_due_at(owner.settings, interaction.end),
        contact_ids=interaction.contact_ids,
        new_attendees=strangers,
        title=interaction.title,
        meeting_end=interaction.end,
    )


def _unique(contacts: list[Contact]) -> list[Contact]:
    return list({contact.contact_id: contact for contact in contacts}.values())
