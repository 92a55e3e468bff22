"""Turning calendar notifications into interactions, clocks and follow-ups (PRODUCT.md §3, §4).

One meeting is one interaction, whichever provider tells of it: its id comes
from the iCalendar UID when the provider gives one (so the same meeting from
two calendars lands on the same item), else from the provider's own id; an
instance of a recurring meeting adds its original start. Each provider id also
gets an alias pointing at the interaction, so a cancellation that carries only
the provider's id still finds it.

A later notification about a known meeting is reconciled with what is stored:
times that moved, attendees who joined or left. Clocks move only for meetings
that ended, and only for meetings that count (not all-day, not over the size
limit); whatever a meeting moved is given back when it is cancelled or moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kith.domain.identities import meeting_interaction_id
from kith.domain.meetings import MeetingAttendee, MeetingChange, MeetingEvent, counted_attendees, moves_cadence
from kith.domain.models import Attendee, Contact, FollowUp, Interaction, Owner
from kith.domain.schedule import follow_up_due_at
from kith.storage.repository import Repository


@dataclass
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
    notes: list[str] = field(default_factory=list)


def apply_meeting_event(repo: Repository, owner_id: str, event: MeetingEvent, now: datetime) -> MeetingOutcome:
    outcome = MeetingOutcome(change=event.change)
    if event.change in {MeetingChange.TEST, MeetingChange.SUPERSEDED, MeetingChange.UNRELATED}:
        return outcome
    owner = repo.get_owner(owner_id)
    if event.change is MeetingChange.CANCELLED:
        outcome.interaction_id, outcome.cancelled = cancel_meeting(repo, owner, event, now)
        return outcome
    if event.change is MeetingChange.WITHDRAWN:
        _withdraw(repo, owner, event, now, outcome)
        return outcome
    if event.change is MeetingChange.RESCHEDULED and event.previous_external_id:
        previous = event.model_copy(update={"external_id": event.previous_external_id, "ical_uid": None})
        moved_onto_itself = _resolve(repo, owner, previous) == meeting_interaction_id(event)
        if not moved_onto_itself:
            _, outcome.cancelled = cancel_meeting(repo, owner, previous, now)
    _record_meeting(repo, owner, event, now, outcome)
    return outcome


def _resolve(repo: Repository, owner: Owner, event: MeetingEvent) -> str:
    """The interaction a provider's id stands for: its alias if one was recorded, else the id it would get."""
    return repo.interaction_for_alias(owner.owner_id, event.source, event.external_id) or meeting_interaction_id(event)


@dataclass
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


def _attendance(repo: Repository, owner: Owner, attendees: tuple[MeetingAttendee, ...]) -> _Attendance:
    counted = counted_attendees(attendees, owner.email)
    return _Attendance(counted, repo.contacts_by_emails(owner.owner_id, [attendee.email for attendee in counted]))


def _record_meeting(
    repo: Repository, owner: Owner, event: MeetingEvent, now: datetime, outcome: MeetingOutcome
) -> None:
    if event.start is None or event.end is None:
        outcome.notes.append("meeting without times")
        return
    attendance = _attendance(repo, owner, event.attendees)
    outcome.contacts_matched = len(attendance.contact_ids)
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
    outcome.interaction_id = desired.interaction_id
    if desired.contact_ids:
        outcome.recorded = repo.record_interaction(desired)
        if outcome.recorded:
            repo.link_interaction(desired, desired.contact_ids)
            repo.record_alias(desired, event.source, event.external_id)
            _take_effect(repo, owner, desired, list(attendance.contacts.values()), now, event, outcome)
            outcome.follow_up_created = repo.save_follow_up(_follow_up(owner, desired, attendance.strangers))
            return
    stored = repo.get_interaction(owner.owner_id, desired.interaction_id)
    if stored is None:
        outcome.notes.append("meeting was cancelled" if desired.contact_ids else "no attendee is a contact")
        return
    repo.record_alias(stored, event.source, event.external_id)
    joined = desired.contact_ids
    if not event.attendees_complete:
        joined = tuple(dict.fromkeys((*stored.contact_ids, *desired.contact_ids)))
    desired = desired.model_copy(
        update={
            "contact_ids": joined,
            "recorded_at": stored.recorded_at,
            "source": stored.source,
            "external_id": stored.external_id,
            "ical_uid": stored.ical_uid or event.ical_uid,
        }
    )
    if not desired.contact_ids:
        # No contact is at this meeting any more: forget it, but let it come back if one is added again.
        _, outcome.cancelled = cancel_meeting(repo, owner, event, now, bury=False)
        return
    outcome.revised = _revise(repo, owner, stored, desired, attendance, now, event, outcome)


def _take_effect(
    repo: Repository,
    owner: Owner,
    interaction: Interaction,
    contacts: list[Contact],
    now: datetime,
    event: MeetingEvent,
    outcome: MeetingOutcome,
) -> None:
    """Hold back the nudges of contacts about to be met; move the clocks of a meeting that ended."""
    present = [contact for contact in _unique(contacts) if contact.contact_id in interaction.contact_ids]
    if interaction.start > now:
        repo.plan_meeting(owner.owner_id, [contact.contact_id for contact in present], interaction.start, now)
    if interaction.end <= now or event.change is MeetingChange.ENDED:
        outcome.clocks_moved += settle_meeting(repo, owner, interaction, now, present)


def _revise(
    repo: Repository,
    owner: Owner,
    stored: Interaction,
    desired: Interaction,
    attendance: _Attendance,
    now: datetime,
    event: MeetingEvent,
    outcome: MeetingOutcome,
) -> bool:
    """Bring a stored meeting in line with what the provider says now; nothing changes on a replay."""
    moved = (stored.start, stored.end, stored.counts_for_cadence) != (
        desired.start,
        desired.end,
        desired.counts_for_cadence,
    )
    left = [contact_id for contact_id in stored.contact_ids if contact_id not in desired.contact_ids]
    joined = [contact_id for contact_id in desired.contact_ids if contact_id not in stored.contact_ids]
    changed = moved or left or joined or stored.title != desired.title
    if changed:
        repo.replace_interaction(desired)
        repo.unlink_interaction(stored, stored.contact_ids if moved else left)
        repo.link_interaction(desired, desired.contact_ids if moved else joined)
        undone = stored.contact_ids if moved else tuple(left)
        _undo_for(repo, owner, stored, repo.contacts_by_ids(owner.owner_id, undone), now)
    else:
        # A replay, maybe of a delivery that failed after the interaction was written: what it left undone is done now.
        repo.link_interaction(desired, desired.contact_ids)
    contacts = repo.contacts_by_ids(owner.owner_id, desired.contact_ids)
    _take_effect(repo, owner, desired, contacts, now, event, outcome)
    follow_up = _follow_up(owner, desired, attendance.strangers)
    if changed:
        outcome.follow_up_created = repo.revise_follow_up(follow_up, keep_strangers=not event.attendees_complete)
    else:
        outcome.follow_up_created = repo.save_follow_up(follow_up)
    return bool(changed)


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


def settle_meeting(
    repo: Repository, owner: Owner, interaction: Interaction, now: datetime, contacts: list[Contact] | None = None
) -> int:
    """A meeting that ended resets its contacts' clocks and releases their hold. Safe to repeat.

    `contacts` may be handed in when the caller has just read them, to save reading them again.
    """
    if contacts is None:
        contacts = repo.contacts_by_ids(owner.owner_id, interaction.contact_ids)
    _release_holds(repo, owner, contacts, interaction)
    if not interaction.counts_for_cadence:
        return 0
    ended_at = min(interaction.end, now)
    return sum(repo.move_contact_clock(contact, owner.settings, ended_at, interaction.title) for contact in contacts)


def _release_holds(repo: Repository, owner: Owner, contacts: list[Contact], interaction: Interaction) -> None:
    held = [contact.contact_id for contact in contacts if contact.planned_meeting_at == interaction.start]
    if held:
        repo.unplan_meeting(owner.owner_id, held, interaction.start)


def _undo_for(repo: Repository, owner: Owner, interaction: Interaction, contacts: list[Contact], now: datetime) -> None:
    """Release the holds a meeting placed and give back the clocks it moved, for these contacts."""
    _release_holds(repo, owner, contacts, interaction)
    for contact in contacts:
        if _moved_by(contact, interaction):
            previous = repo.latest_counted_interaction(owner.owner_id, contact.contact_id, before=now)
            at, title = previous if previous is not None else (None, None)
            repo.restore_contact_clock(contact, owner.settings, at, title)


def _moved_by(contact: Contact, interaction: Interaction) -> bool:
    moved_to = contact.last_interaction_at
    return moved_to is not None and interaction.start <= moved_to <= interaction.end


def cancel_meeting(
    repo: Repository, owner: Owner, event: MeetingEvent, now: datetime, *, bury: bool = True
) -> tuple[str, bool]:
    """Remove what a meeting recorded and give each contact back its previous last interaction.

    A cancelled meeting is buried: a marker stays where it was, so a late or replayed booking
    cannot bring it back.
    """
    interaction_id = _resolve(repo, owner, event)
    interaction = repo.get_interaction(owner.owner_id, interaction_id)
    if interaction is None:
        # The booking may still arrive (queues do not keep order): it must not bring the meeting back.
        if bury:
            repo.bury_interaction(owner.owner_id, interaction_id, now)
        return interaction_id, False
    remove_interaction(repo, owner, interaction, now, bury=bury)
    return interaction_id, True


def remove_interaction(repo: Repository, owner: Owner, interaction: Interaction, now: datetime, *, bury: bool) -> None:
    """Forget what an interaction recorded and give each of its contacts back the last interaction before it."""
    repo.forget_interaction(interaction, now, bury=bury)
    _undo_for(repo, owner, interaction, repo.contacts_by_ids(owner.owner_id, interaction.contact_ids), now)


def _withdraw(repo: Repository, owner: Owner, event: MeetingEvent, now: datetime, outcome: MeetingOutcome) -> None:
    """Some attendees left a meeting that stands for the others (one invitee of a group event cancelled)."""
    interaction_id = _resolve(repo, owner, event)
    outcome.interaction_id = interaction_id
    stored = repo.get_interaction(owner.owner_id, interaction_id)
    if stored is None:
        outcome.notes.append("unknown meeting")
        return
    leaving = _attendance(repo, owner, event.attendees).contact_ids
    remaining = tuple(contact_id for contact_id in stored.contact_ids if contact_id not in leaving)
    if not remaining:
        outcome.interaction_id, outcome.cancelled = cancel_meeting(repo, owner, event, now)
        return
    if remaining == stored.contact_ids:
        return
    desired = stored.model_copy(update={"contact_ids": remaining})
    empty = _Attendance(counted=(), contacts={})
    outcome.revised = _revise(repo, owner, stored, desired, empty, now, event, outcome)
