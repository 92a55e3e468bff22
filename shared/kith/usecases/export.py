"""Everything an owner has, as one document, and their contacts as Kith's own CSV (PRODUCT.md §9).

The document holds what the owner can already read through the API, gathered in one place:
profile and settings, goals, contacts, interactions, follow-ups, calendar connections as listed (never
a signing secret, channel token, clientState or sealed refresh token: the listing items hold
none), and the sent history.
"""

from __future__ import annotations

from dataclasses import dataclass

from kith.domain.models import Contact, FollowUp, Goal, Interaction, Owner, SentEmail
from kith.imports.kith_csv import write_kith_csv
from kith.storage.items import Item
from kith.storage.repository import Repository
from kith.usecases.contacts import list_contacts


@dataclass(frozen=True)
class OwnerExport:
    owner: Owner
    goals: tuple[Goal, ...]
    contacts: list[Contact]
    interactions: list[Interaction]
    follow_ups: list[FollowUp]
    # The owner's listing items (storage/connections.py): what GET /v1/connections shows, no secrets.
    connections: list[Item]
    sent: list[SentEmail]


def export_owner(repo: Repository, owner_id: str) -> OwnerExport:
    """Everything the owner has; NotFound when there is no profile."""
    return OwnerExport(
        owner=repo.get_owner(owner_id),
        goals=repo.get_goals(owner_id),
        contacts=list_contacts(repo, owner_id),
        interactions=repo.list_interactions(owner_id),
        follow_ups=repo.list_follow_ups(owner_id),
        connections=repo.list_connections(owner_id),
        sent=repo.list_sent(owner_id),
    )


def export_contacts_csv(repo: Repository, owner_id: str) -> str:
    """The owner's contacts in Kith's CSV, by name, as the importer reads them back; NotFound without a profile."""
    repo.get_owner(owner_id)
    return write_kith_csv(list_contacts(repo, owner_id))
