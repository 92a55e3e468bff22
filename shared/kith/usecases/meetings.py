"""Turning calendar notifications into interactions, clocks and follow-ups (PRODUCT.md §3, §4)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from kith.domain.meetings import MeetingChange, MeetingEvent, counted_attendees, moves_cadence
from kith.domain.models import Attendee, Contact, FollowUp, Interaction, Owner
from kith.domain.schedule import follow_up_due_at
from kith.storage.repository import Repository


def interaction_id_for(source: str, external_id: str) -> str:
    """One meeting, one id: the provider's booking id decides it, so replays land on the same item."""
    return hashlib.sha256(f"{source}:{external_id}".encode()).hexdigest()[:26]


@dataclass
class MeetingOutcome:
    """What one notification did; the numbers feed logs and metrics, never personal data."""

    change: MeetingChange
    interaction_id: str | None = None
    recorded: bool = False
    contacts_matched: int = 0
    clocks_moved: int = 0
    follow_up_created: bool = False
    cancelled: bool = False
    notes: list[str] = field(default_factory=list)


def apply_meeting_event(repo: Repository, owner_id: str, event: MeetingEvent, now: datetime) -> MeetingOutcome:
    outcome = MeetingOutcome(change=event.change)
    if event.change is MeetingChange.TEST:
        return outcome
    owner = repo.get_owner(owner_id)
    if event.change is MeetingChange.CANCELLED:
        outcome.cancelled = cancel_meeting(repo, owner, event.source, event.external_id, now)
        outcome.interaction_id = interaction_id_for(event.source, event.external_id)
        return outcome
    if event.change is MeetingChange.RESCHEDULED and event.previous_external_id:
        outcome.cancelled = cancel_meeting(repo, owner, event.source, event.previous_external_id, now)
    _record_meeting(repo, owner, event, now, outcome)
    return outcome


def _record_meeting(
    repo: Repository, owner: Owner, event: MeetingEvent, now: datetime, outcome: MeetingOutcome
) -> None:
    if event.start is None or event.end is None:
        outcome.notes.append("meeting without times")
        return
    counted = counted_attendees(event.attendees, owner.email)
    matches = repo.contacts_by_emails(owner.owner_id, [attendee.email for attendee in counted])
    contact_ids = tuple(
        dict.fromkeys(matches[attendee.email].contact_id for attendee in counted if attendee.email in matches)
    )
    outcome.contacts_matched = len(contact_ids)
    if not contact_ids:
        outcome.notes.append("no attendee is a contact")
        return
    interaction = Interaction(
        interaction_id=interaction_id_for(event.source, event.external_id),
        owner_id=owner.owner_id,
        contact_ids=contact_ids,
        start=event.start,
        end=event.end,
        title=event.title,
        source=event.source,
        external_id=event.external_id,
        counts_for_cadence=moves_cadence(event, len(counted), owner.settings.meeting_size_limit),
        recorded_at=now,
    )
    outcome.interaction_id = interaction.interaction_id
    outcome.recorded = repo.record_interaction(interaction)
    if not outcome.recorded:
        stored = repo.get_interaction(owner.owner_id, interaction.interaction_id)
        if stored is None:
            outcome.notes.append("meeting was cancelled")
            return
        interaction = stored
    repo.link_interaction(interaction)
    if interaction.start > now:
        repo.plan_meeting(owner.owner_id, interaction.contact_ids, interaction.start, now)
    if interaction.end <= now or event.change is MeetingChange.ENDED:
        known = list({contact.contact_id: contact for contact in matches.values()}.values())
        outcome.clocks_moved = settle_meeting(repo, owner, interaction, now, known)
    new_attendees = tuple(
        Attendee(email=attendee.email, name=attendee.name) for attendee in counted if attendee.email not in matches
    )
    outcome.follow_up_created = repo.save_follow_up(
        FollowUp(
            owner_id=owner.owner_id,
            interaction_id=interaction.interaction_id,
            due_at=follow_up_due_at(owner.settings, interaction.end),
            contact_ids=interaction.contact_ids,
            new_attendees=new_attendees,
            title=interaction.title,
            meeting_end=interaction.end,
        )
    )


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


def cancel_meeting(repo: Repository, owner: Owner, source: str, external_id: str, now: datetime) -> bool:
    """Remove what a meeting recorded and give each contact back its previous last interaction."""
    interaction_id = interaction_id_for(source, external_id)
    interaction = repo.get_interaction(owner.owner_id, interaction_id)
    if interaction is None:
        # The booking may still arrive (queues do not keep order): it must not bring the meeting back.
        repo.bury_interaction(owner.owner_id, interaction_id, now)
        return False
    repo.forget_interaction(interaction, now)
    contacts = repo.contacts_by_ids(owner.owner_id, interaction.contact_ids)
    _release_holds(repo, owner, contacts, interaction)
    for contact in contacts:
        if contact.last_interaction_at is not None and _moved_by(contact, interaction, now):
            _restore_previous(repo, owner, contact, now)
    return True


def _moved_by(contact: Contact, interaction: Interaction, now: datetime) -> bool:
    return contact.last_interaction_at == min(interaction.end, now)


def _restore_previous(repo: Repository, owner: Owner, contact: Contact, now: datetime) -> None:
    previous = repo.latest_counted_interaction(owner.owner_id, contact.contact_id, before=now)
    at, title = previous if previous is not None else (None, None)
    repo.restore_contact_clock(contact, owner.settings, at, title)
