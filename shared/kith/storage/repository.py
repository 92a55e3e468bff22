"""Every read and write Kith makes, in one class: what callers not yet on the stores (kith.storage.stores) use.

It goes once every caller speaks to a store; the raw-item methods below it alone keeps.
"""

from __future__ import annotations

from collections.abc import Iterable

from kith.storage import keys
from kith.storage.actions import ActionRecords
from kith.storage.clocks import ClockRecords
from kith.storage.connections import ConnectionRecords, ConnectionSummaries
from kith.storage.consents import ConsentRecords
from kith.storage.contacts import (
    ContactChanges,
    ContactCreation,
    ContactList,
    ContactLookups,
    ContactReads,
    DueContacts,
)
from kith.storage.exports import WholeLists
from kith.storage.follow_ups import FollowUpQueue, FollowUpWrites
from kith.storage.goals import GoalRecords
from kith.storage.imports import ImportRecords
from kith.storage.interactions import InteractionReads, InteractionRecords
from kith.storage.items import Item
from kith.storage.listings import ContactListings, MeetingListings, SentListings
from kith.storage.owner_items import OwnerItems
from kith.storage.owners import DigestSchedule, OwnerReads, OwnerWrites
from kith.storage.search_index import SearchIndexRecords
from kith.storage.sent import SentRecords
from kith.storage.suppression import SuppressionRecords


class Repository(
    OwnerReads,
    OwnerWrites,
    DigestSchedule,
    SearchIndexRecords,
    GoalRecords,
    ContactReads,
    ContactList,
    ContactLookups,
    DueContacts,
    ContactCreation,
    ContactChanges,
    InteractionReads,
    InteractionRecords,
    FollowUpWrites,
    FollowUpQueue,
    ClockRecords,
    ConnectionRecords,
    ConnectionSummaries,
    ConsentRecords,
    ActionRecords,
    ImportRecords,
    OwnerItems,
    WholeLists,
    SentRecords,
    SuppressionRecords,
    ContactListings,
    MeetingListings,
    SentListings,
):
    """Every read and write Kith makes, in the product's words."""

    def list_connections(self, owner_id: str) -> list[Item]:
        """The owner's connection listing items (no secrets); connection_summaries gives them as domain values."""
        return self._listings(owner_id)

    def contact_links(self, owner_id: str, contact_id: str) -> list[Item]:
        """The contact's link items; linked_interactions gives them as a domain value."""
        return list(self._query_prefix(keys.owner_pk(owner_id), keys.link_prefix(contact_id)))

    def delete_links(self, links: Iterable[Item]) -> None:
        self._batch_write(deletes=[(link["pk"], link["sk"]) for link in links])
