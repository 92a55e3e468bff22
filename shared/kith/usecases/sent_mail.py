"""Mail the owner sent moves their contacts' clocks (kith.domain.mail's rules, for every source).

Each message is judged by the rules; one that counts is matched to contacts by address, given the
local day it counts on (the day it was first seen, from whichever source), and recorded as that
day's email interaction with each contact it reached, whose clock then moves forward. Recipients
who are not contacts are never stored. Safe to repeat: the same message, from the same source or
another, records nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from kith.domain import clock, mail
from kith.domain.mail import Counted, SentMessage, Skipped
from kith.domain.models import Contact, Interaction, InteractionKind, Owner
from kith.ports import SentMailStore


@dataclass
class MailOutcome:
    """What a batch of messages did: counted, skipped by reason, interactions recorded, clocks moved."""

    counted: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    interactions: int = 0
    clocks_moved: int = 0

    def skip(self, reason: Skipped) -> None:
        self.skipped[reason.value] = self.skipped.get(reason.value, 0) + 1


def own_addresses(store: SentMailStore, owner: Owner, *connected: str | None) -> frozenset[str]:
    """Every address the owner sends from: their own, the others they named, their connected accounts'.

    `connected`: the accounts' addresses when the caller knows them; else the owner's connections are read.
    """
    if not connected:
        connected = tuple(summary.account_email for summary in store.connection_summaries(owner.owner_id))
    return mail.own_addresses([owner.email, *owner.settings.other_addresses, *connected])


def record_sent_mail(
    store: SentMailStore,
    owner_id: str,
    messages: Iterable[SentMessage],
    now: datetime,
    *,
    owner: Owner | None = None,
    own: frozenset[str] | None = None,
) -> MailOutcome:
    """Record what these messages say of keeping in touch. `own`: the owner's addresses, read when needed."""
    messages = list(messages)
    outcome = MailOutcome()
    if not messages:
        return outcome
    owner = owner or store.get_owner(owner_id)
    own = own if own is not None else own_addresses(store, owner)
    for message in messages:
        judged = mail.judge(message, own, owner.settings.meeting_size_limit)
        if isinstance(judged, Skipped):
            outcome.skip(judged)
            continue
        _record(store, owner, message, judged, now, outcome)
    return outcome


def _record(
    store: SentMailStore, owner: Owner, message: SentMessage, counted: Counted, now: datetime, outcome: MailOutcome
) -> None:
    found = store.contacts_by_emails(owner.owner_id, counted.addresses)
    contacts = list({contact.contact_id: contact for contact in found.values()}.values())
    if not contacts:
        outcome.skip(Skipped.NO_RECIPIENT)
        return
    outcome.counted += 1
    key = mail.message_key(message)
    day = store.message_day(owner.owner_id, key, mail.local_day(message.sent_at, owner.settings.zone), now)
    sent_at = min(message.sent_at, now)
    title = _title(message, owner)
    for contact in contacts:
        interaction = Interaction(
            interaction_id=mail.email_interaction_id(contact.contact_id, day),
            owner_id=owner.owner_id,
            contact_ids=(contact.contact_id,),
            start=sent_at,
            end=sent_at,
            kind=InteractionKind.EMAIL,
            title=title,
            source=message.source.value,
            external_id=key,
            recorded_at=now,
        )
        if store.record_email(interaction):
            outcome.interactions += 1
        outcome.clocks_moved += _move_clock(store, owner, contact, sent_at, title)


def _move_clock(store: SentMailStore, owner: Owner, contact: Contact, at: datetime, title: str | None) -> int:
    """The contact's clock moved to the message, unless something as late is recorded; 1 if it moved."""
    if clock.moved(clock.last_interaction(contact), clock.LastInteraction(at, title)) is None:
        return 0
    return int(store.move_contact_clock(contact, owner.settings, at, title))


def _title(message: SentMessage, owner: Owner) -> str | None:
    """The subject, only if the owner keeps subjects (off by default): who and when is all Kith stores."""
    if not owner.settings.keep_email_subjects or not message.subject:
        return None
    return " ".join(message.subject.split())[:200] or None
