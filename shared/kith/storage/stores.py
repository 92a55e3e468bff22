"""The DynamoDB stores, one per port in kith.ports, each made of the record classes its port needs.

Every store speaks to the same table; a Runtime builds each once, on one client.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from kith.domain.models import Contact, OwnerSettings
from kith.storage.actions import ActionRecords
from kith.storage.clocks import ClockRecords
from kith.storage.connections import ConnectionReads, ConnectionRecords, ConnectionSummaries
from kith.storage.consents import ConsentRecords
from kith.storage.contacts import (
    ContactChanges,
    ContactCreation,
    ContactList,
    ContactLookups,
    ContactReads,
    ContactsByIds,
    DueContacts,
)
from kith.storage.exports import WholeLists
from kith.storage.follow_ups import FollowUpQueue, FollowUpReads, FollowUpWrites
from kith.storage.goals import GoalReads, GoalRecords
from kith.storage.imports import ImportRecords
from kith.storage.inbound import InboundRecords
from kith.storage.interactions import InteractionReads, InteractionRecords
from kith.storage.listings import ContactListings, MeetingListings, SentListings
from kith.storage.owner_items import OwnerItems
from kith.storage.owners import DigestSchedule, OwnerReads, OwnerWrites
from kith.storage.search_index import SearchIndexRecords
from kith.storage.sent import SentRecords
from kith.storage.sent_mail import SentMailRecords
from kith.storage.suppression import SuppressionRecords


class DynamoContactStore(
    OwnerReads,
    OwnerWrites,
    SearchIndexRecords,
    GoalRecords,
    ContactReads,
    ContactList,
    ContactLookups,
    DueContacts,
    ContactCreation,
    ContactChanges,
    ContactListings,
):
    """kith.ports.ContactStore."""


class DynamoMeetingStore(
    OwnerReads,
    ConnectionReads,
    ContactLookups,
    InteractionReads,
    InteractionRecords,
    FollowUpWrites,
    ClockRecords,
    MeetingListings,
):
    """kith.ports.MeetingStore."""


class DynamoMailStore(
    OwnerReads,
    GoalReads,
    DueContacts,
    ContactsByIds,
    InteractionReads,
    DigestSchedule,
    FollowUpQueue,
    SentRecords,
    SentListings,
    SuppressionRecords,
):
    """kith.ports.MailStore. A follow-up going out settles its meeting: the clock moves are the meeting store's."""

    def __init__(self, client: Any, table_name: str, due_shards: int) -> None:
        super().__init__(client, table_name, due_shards)
        self._clocks = ClockRecords(client, table_name, due_shards)

    def move_contact_clock(self, contact: Contact, settings: OwnerSettings, at: datetime, title: str | None) -> bool:
        return self._clocks.move_contact_clock(contact, settings, at, title)

    def unplan_meeting(self, owner_id: str, contact_ids: Iterable[str], start: datetime) -> None:
        self._clocks.unplan_meeting(owner_id, contact_ids, start)


class DynamoSentMailStore(OwnerReads, ConnectionSummaries, SentMailRecords):
    """kith.ports.SentMailStore. An email finds its contacts and moves their clocks as a meeting does."""

    def __init__(self, client: Any, table_name: str, due_shards: int) -> None:
        super().__init__(client, table_name, due_shards)
        self._lookups = ContactLookups(client, table_name, due_shards)
        self._clocks = ClockRecords(client, table_name, due_shards)

    def contacts_by_emails(self, owner_id: str, addresses: Iterable[str]) -> dict[str, Contact]:
        return self._lookups.contacts_by_emails(owner_id, addresses)

    def move_contact_clock(self, contact: Contact, settings: OwnerSettings, at: datetime, title: str | None) -> bool:
        return self._clocks.move_contact_clock(contact, settings, at, title)


class DynamoInboundStore(InboundRecords):
    """kith.ports.InboundStore."""


class DynamoConnectionStore(OwnerReads, ConnectionRecords, ConnectionSummaries, ConsentRecords):
    """kith.ports.ConnectionStore."""


class DynamoActionStore(OwnerReads, ContactReads, FollowUpReads, ContactCreation, ActionRecords):
    """kith.ports.ActionStore."""


class DynamoImportStore(OwnerReads, ContactList, ImportRecords):
    """kith.ports.ImportStore."""


class DynamoErasureStore(OwnerReads, GoalReads, ContactReads, ContactList, WholeLists, ConnectionSummaries, OwnerItems):
    """kith.ports.ErasureStore."""
