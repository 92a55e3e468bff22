"""Adding, listing and changing contacts (PRODUCT.md §1, §9)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ConfigDict

from kith.domain.cadence import CadenceError, cadence_days
from kith.domain.models import Circle, Contact, ContactDetails, Interaction
from kith.domain.paging import Page
from kith.domain.search import ContactFilter
from kith.domain.spreading import BULK_ADD_LIMIT, spread_first_due
from kith.errors import Conflict, InvalidInput, PreconditionFailed, Retryable, StaleContact
from kith.ports import ContactStore

_UPDATE_ATTEMPTS = 3
# Filters that need no clock need no time zone either; this one spares reading the owner's profile.
UTC_ZONE = ZoneInfo("UTC")


class NewContact(ContactDetails):
    """A contact to add, as the owner gave it."""

    last_interaction_at: datetime | None = None


class ContactChanges(ContactDetails):
    """The fields of a contact to change: only those given; null clears a field a contact may lack.

    A contact always has a name, a circle and lists of addresses and tags: null for one of them is refused here,
    before anything is read.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    snoozed_until: datetime | None = None

    def given(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


def _check_cadence(circle: Circle, custom_days: int | None) -> None:
    try:
        cadence_days(circle, custom_days)
    except CadenceError as exc:
        raise InvalidInput(str(exc)) from exc


def _new_contact(owner_id: str, new: NewContact, now: datetime) -> Contact:
    contact = Contact(**dict(new), contact_id=uuid.uuid4().hex, owner_id=owner_id, added_at=now, version=1)
    if contact.last_interaction_at is not None and contact.last_interaction_at > now:
        raise InvalidInput("last_interaction_at cannot be in the future")
    _check_addresses_once(contact)
    _check_cadence(contact.circle, contact.cadence_days)
    return contact


def _check_addresses_once(contact: Contact) -> None:
    """Addresses are compared lower-cased: the same one twice, in any case, is a mistake to name."""
    repeated = sorted({address for address in contact.emails if contact.emails.count(address) > 1})
    if repeated:
        raise InvalidInput(f"the e-mail address {repeated[0]} is listed twice")


def add_contact(store: ContactStore, owner_id: str, new: NewContact, now: datetime) -> Contact:
    owner = store.get_owner(owner_id)
    contact = _new_contact(owner_id, new, now)
    store.create_contact(contact, owner.settings)
    return contact


def add_contacts(store: ContactStore, owner_id: str, rows: Sequence[NewContact], now: datetime) -> list[Contact]:
    """Add contacts in bulk, their first due days spread over their cadence (PRODUCT.md §7).

    Every row is checked, e-mail addresses included, before anything is written; rows are then
    written one by one. A contact another request adds meanwhile with the same address, or lasting
    throttling, stops the batch midway: the rows before it stay added, and the error says so.
    """
    if not 1 <= len(rows) <= BULK_ADD_LIMIT:
        raise InvalidInput(f"a batch holds 1 to {BULK_ADD_LIMIT} contacts, not {len(rows)}")
    owner = store.get_owner(owner_id)
    fresh = [_checked_row(row, owner_id, new, now) for row, new in enumerate(rows)]
    _check_addresses(store, owner_id, fresh)
    spread = spread_first_due(fresh, owner.settings.zone)
    for row, contact in enumerate(spread):
        try:
            store.create_contact(contact, owner.settings)
        except Conflict as exc:
            raise Conflict(f"row {row}: {exc}{_added_before(row)}") from exc
        except Retryable as exc:
            raise Retryable(f"row {row}: {exc}{_added_before(row)}") from exc
    return spread


def _checked_row(row: int, owner_id: str, new: NewContact, now: datetime) -> Contact:
    try:
        return _new_contact(owner_id, new, now)
    except InvalidInput as exc:
        raise InvalidInput(f"row {row}: {exc}") from exc


def _check_addresses(store: ContactStore, owner_id: str, contacts: Sequence[Contact]) -> None:
    first_row: dict[str, int] = {}
    for row, contact in enumerate(contacts):
        for address in contact.emails:
            if address in first_row:
                raise InvalidInput(f"row {row}: the e-mail address {address} is also on row {first_row[address]}")
            first_row[address] = row
    taken = store.contacts_by_emails(owner_id, first_row)
    for address, row in first_row.items():
        if address in taken:
            raise Conflict(f"row {row}: another contact already has the e-mail address {address}")


def _added_before(row: int) -> str:
    return "; nothing was added" if row == 0 else f"; the rows before row {row} were added"


def update_contact(
    store: ContactStore, owner_id: str, contact_id: str, changes: ContactChanges, expected_version: int | None
) -> Contact:
    """Apply changes to the contact as it is now.

    With an expected version (If-Match) a contact that moved on fails the precondition, even when
    it moves on between reading and writing; without one, a meeting that moved the contact's
    clock meanwhile is read again and the change re-applied.
    """
    owner = store.get_owner(owner_id)
    attempts = 1 if expected_version is not None else _UPDATE_ATTEMPTS
    for attempt in range(attempts):
        before = store.get_contact(owner_id, contact_id)
        if expected_version is not None and expected_version != before.version:
            raise PreconditionFailed(f"contact is at version {before.version}, not {expected_version}")
        after = before.model_copy(update={**changes.given(), "version": before.version + 1})
        if after.circle is not Circle.CUSTOM:
            after = after.model_copy(update={"cadence_days": None})
        _check_addresses_once(after)
        _check_cadence(after.circle, after.cadence_days)
        try:
            store.update_contact(before, after, owner.settings)
        except StaleContact as exc:
            if expected_version is not None:
                raise PreconditionFailed(f"contact moved on from version {expected_version} meanwhile") from exc
            if attempt + 1 == attempts:
                raise
            continue
        return after
    raise AssertionError("unreachable")


def list_contacts(store: ContactStore, owner_id: str) -> list[Contact]:
    return sorted(store.list_contacts(owner_id), key=lambda contact: contact.name.casefold())


def find_contacts(
    store: ContactStore, owner_id: str, filters: ContactFilter, now: datetime, limit: int, cursor: str | None
) -> Page[Contact]:
    """One page of the contacts every filter holds for; due and overdue count days in the owner's time zone."""
    if not filters.searchable:
        raise InvalidInput("q: search for at least one letter or digit")
    zone = store.get_owner(owner_id).settings.zone if filters.needs_clock else UTC_ZONE
    if filters.term_prefix is not None and not store.contacts_indexed(owner_id):
        store.index_contacts(owner_id)
    return store.find_contacts(owner_id, filters, zone, now, limit, cursor)


def timeline(store: ContactStore, owner_id: str, contact_id: str, limit: int, cursor: str | None) -> Page[Interaction]:
    """A contact's interactions, newest first (NotFound for a contact the owner does not have)."""
    store.get_contact(owner_id, contact_id)
    return store.timeline_page(owner_id, contact_id, limit, cursor)
