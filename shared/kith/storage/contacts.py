"""Contacts and their e-mail lookups: reads by id, by address and by due time, and the writes that keep
an address unique per owner (storage/steps.py builds their transactions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from kith.domain.models import Contact, OwnerSettings
from kith.domain.records import SpentLink
from kith.errors import AlreadyDone, Conflict, KithError, NotFound, StaleContact
from kith.storage import items, keys
from kith.storage.actions import spent_item
from kith.storage.steps import change_contact_steps, create_contact_steps, put_once
from kith.storage.table import Table


def _claim_meanings(addresses: Sequence[str]) -> list[KithError | None]:
    """What failing means for a contact's write (item 0) and its claims on `addresses` (the items after it)."""
    stale = StaleContact("the contact changed since it was read; fetch it and try again")
    return [stale, *(Conflict(f"another contact already has the e-mail address {address}") for address in addresses)]


class ContactReads(Table):
    def get_contact(self, owner_id: str, contact_id: str) -> Contact:
        item = self._get(keys.owner_pk(owner_id), keys.contact_sk(contact_id))
        if item is None:
            raise NotFound(f"no contact {contact_id}")
        return items.contact_from_item(item)


class ContactList(Table):
    def list_contacts(self, owner_id: str) -> list[Contact]:
        return [
            items.contact_from_item(item) for item in self._query_prefix(keys.owner_pk(owner_id), keys.contact_sk(""))
        ]


class ContactsByIds(Table):
    def contacts_by_ids(self, owner_id: str, contact_ids: Iterable[str]) -> list[Contact]:
        pk = keys.owner_pk(owner_id)
        return [
            items.contact_from_item(raw)
            for raw in self._batch_get([(pk, keys.contact_sk(contact_id)) for contact_id in contact_ids])
        ]


class ContactLookups(ContactsByIds):
    def contacts_by_emails(self, owner_id: str, addresses: Iterable[str]) -> dict[str, Contact]:
        """Contacts for the given e-mail addresses, in two batch reads whatever their number."""
        pk = keys.owner_pk(owner_id)
        lookups = self._batch_get([(pk, keys.email_sk(address)) for address in addresses])
        by_contact: dict[str, list[str]] = {}
        for lookup in lookups:
            by_contact.setdefault(lookup["contact_id"], []).append(lookup["sk"].removeprefix("EMAIL#"))
        if not by_contact:
            return {}
        found = self._batch_get([(pk, keys.contact_sk(contact_id)) for contact_id in by_contact])
        result: dict[str, Contact] = {}
        for raw in found:
            contact = items.contact_from_item(raw)
            for address in by_contact[contact.contact_id]:
                result[address] = contact
        return result


class DueContacts(Table):
    def due_contacts(self, owner_id: str, now: datetime) -> list[Contact]:
        """Only the contacts due by now: the read cost follows the due work, not the network."""
        return [items.contact_from_item(item) for item in self._query_due(keys.contact_due_pk(owner_id), now)]


class ContactCreation(Table):
    def create_contact(self, contact: Contact, settings: OwnerSettings, spent: SpentLink | None = None) -> None:
        """Store a new contact and claim its e-mail addresses; with `spent`, also spend the link that adds it."""
        actions = create_contact_steps(self._table, contact, settings.zone)
        meanings = _claim_meanings(contact.emails)
        if spent is not None:
            actions = [put_once(self._table, spent_item(spent)), *actions]
            meanings = [AlreadyDone("this link was used already"), *meanings]
        self._transact(actions, meanings)


class ContactChanges(Table):
    def update_contact(self, before: Contact, after: Contact, settings: OwnerSettings) -> None:
        """Replace a contact if it is still at the version read; e-mail lookups follow."""
        added = [address for address in after.emails if address not in before.emails]
        self._transact(change_contact_steps(self._table, before, after, settings.zone), _claim_meanings(added))
