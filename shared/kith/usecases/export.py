"""Everything an owner has, as one document, and their contacts as Kith's own CSV (PRODUCT.md §9).

The document holds what the owner can already read through the API, gathered in one place:
profile and settings, goals, contacts, interactions, follow-ups, calendar connections as listed (never
a signing secret, channel token, clientState or sealed refresh token: the listing items hold
none), and the sent history.
"""

from __future__ import annotations

from dataclasses import dataclass

from kith.domain.models import Contact, FollowUp, Goal, Interaction, Owner, SentEmail
from kith.domain.records import ConnectionSummary
from kith.imports.kith_csv import write_kith_csv
from kith.ports import ErasureStore


@dataclass(frozen=True)
class OwnerExport:
    owner: Owner
    goals: tuple[Goal, ...]
    contacts: list[Contact]
    interactions: list[Interaction]
    follow_ups: list[FollowUp]
    # What GET /v1/connections shows: no secrets.
    connections: list[ConnectionSummary]
    sent: list[SentEmail]


def export_owner(store: ErasureStore, owner_id: str) -> OwnerExport:
    """Everything the owner has; NotFound when there is no profile."""
    return OwnerExport(
        owner=store.get_owner(owner_id),
        goals=store.get_goals(owner_id),
        contacts=_by_name(store.list_contacts(owner_id)),
        interactions=store.list_interactions(owner_id),
        follow_ups=store.list_follow_ups(owner_id),
        connections=store.connection_summaries(owner_id),
        sent=store.list_sent(owner_id),
    )


def export_contacts_csv(store: ErasureStore, owner_id: str) -> str:
    """The owner's contacts in Kith's CSV, by name, as the importer reads them back; NotFound without a profile."""
    store.get_owner(owner_id)
    return write_kith_csv(_by_name(store.list_contacts(owner_id)))


def _by_name(contacts: list[Contact]) -> list[Contact]:
    return sorted(contacts, key=lambda contact: contact.name.casefold())
