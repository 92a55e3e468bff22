"""Deleting a contact, or the whole account, erases all of it (PRODUCT.md §9).

A contact goes with its e-mail lookups and its links, and leaves every interaction and
follow-up it was part of: an interaction left with nobody is deleted (with the provider ids
pointing at it), a pending follow-up left with nobody is cancelled. The contact item goes last,
so a deletion cut short is finished by sending it again.

An account goes after its calendars stop notifying: every Google channel is stopped and
every Outlook subscription deleted, then every item of the owner is deleted, the profile first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kith.calendars.errors import ProviderError
from kith.domain.models import Contact, FollowUpStatus, Interaction
from kith.errors import NotFound, PreconditionFailed, Retryable, StaleContact
from kith.observability import logger
from kith.ports import ConnectionStore, ErasureStore
from kith.usecases.connections import Accounts, disconnect_calendar

_ATTEMPTS = 3


def erase_contact(store: ErasureStore, owner_id: str, contact_id: str, expected_version: int | None) -> None:
    """Delete a contact and every trace of it; NotFound when there is none.

    An expected version (If-Match) is checked before anything is written: a contact that moved on
    fails the precondition and nothing changes. Once begun, the erasure is finished: a meeting that
    touches the contact meanwhile makes it read the contact again and go on.
    """
    contact = store.get_contact(owner_id, contact_id)
    if expected_version is not None and expected_version != contact.version:
        raise PreconditionFailed(f"contact is at version {contact.version}, not {expected_version}")
    for attempt in range(_ATTEMPTS):
        try:
            _leave_meetings(store, contact)
            store.delete_contact(contact)
        except StaleContact:
            if attempt + 1 == _ATTEMPTS:
                raise
            contact = store.get_contact(owner_id, contact_id)
            continue
        return


def _without(contact_ids: Iterable[str], contact_id: str) -> tuple[str, ...]:
    return tuple(kept for kept in contact_ids if kept != contact_id)


def _leave_meetings(store: ErasureStore, contact: Contact) -> None:
    """Take the contact out of its interactions and follow-ups; StaleContact if one changed meanwhile."""
    owner_id, contact_id = contact.owner_id, contact.contact_id
    links = store.linked_interactions(owner_id, contact_id)
    linked = links.interaction_ids
    interactions = store.interactions_by_ids(owner_id, linked)
    emptied: list[Interaction] = []
    for interaction in interactions:
        kept = _without(interaction.contact_ids, contact_id)
        if not kept:
            emptied.append(interaction)
        elif kept != interaction.contact_ids and not store.set_interaction_contacts(interaction, kept):
            raise StaleContact("a meeting with the contact changed meanwhile; try again")
    # Linked interactions not found were deleted by an earlier, interrupted erasure: their aliases go too.
    found = {interaction.interaction_id for interaction in interactions}
    gone = (set(linked) - found) | {interaction.interaction_id for interaction in emptied}
    for follow_up in store.follow_ups_by_ids(owner_id, linked):
        kept = _without(follow_up.contact_ids, contact_id)
        cancel = follow_up.status is FollowUpStatus.PENDING and (not kept or follow_up.interaction_id in gone)
        changed = kept != follow_up.contact_ids or cancel
        if changed and not store.set_follow_up_contacts(follow_up, kept, cancel=cancel):
            raise StaleContact("a follow-up with the contact changed meanwhile; try again")
    if not store.delete_interactions(emptied):
        raise StaleContact("a meeting with the contact changed meanwhile; try again")
    store.delete_aliases(owner_id, gone)
    store.delete_contact_links(links)


def erase_owner(
    store: ErasureStore, connections: ConnectionStore, accounts: Accounts, owner_id: str, now: datetime
) -> None:
    """Stop every calendar channel and subscription, then delete every item of the owner. Safe to repeat.

    A provider that is down makes it Retryable, with nothing but the calendars already stopped
    gone; a provider that refuses for good cannot keep an account alive: its channel or
    subscription lapses on its own, and its notifications find no connection.
    """
    connection_ids = [summary.connection_id for summary in store.connection_summaries(owner_id)]
    for connection_id in connection_ids:
        try:
            disconnect_calendar(connections, accounts, owner_id, connection_id, now)
        except NotFound:
            pass  # forgotten already; its listing goes with the rest
        except Retryable:
            raise
        except ProviderError as refused:
            logger.warning(
                "a calendar provider refused to stop a channel; it lapses on its own",
                extra={"connection_id": connection_id, "status": refused.status, "reason": refused.reason},
            )
    deleted = store.delete_owner_items(owner_id, connection_ids)
    logger.info("account erased", extra={"items": deleted, "connections": len(connection_ids)})
