"""The owner's lists, a page at a time, each read the cheapest way the table allows.

    list                      read                                                         order
    contacts                  Query OWNER#<owner>, CONTACT# (circle as a filter)           by contact id
    contacts, due or overdue  Query DueIndex CDUE#<owner> up to now (same filter)          earliest due first
    contacts, q with an "@"   Query OWNER#<owner>, EMAIL#<prefix>, then a batch read        by address
    contacts, any other q     Query OWNER#<owner>, TERM#<first word>, then a batch read     by term
    interactions              Query OWNER#<owner>, INTERACTION# (cancelled ones left out)  by interaction id
    follow-ups                Query OWNER#<owner>, FOLLOWUP#                               by interaction id
    sent                      Query OWNER#<owner>, SENT#                                   by email key

Whatever the read, every filter asked for holds for every contact returned (ContactFilter.matches).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kith.domain.models import Contact, FollowUp, FollowUpStatus, Interaction, SentEmail
from kith.domain.search import ContactFilter, search_terms
from kith.errors import InvalidCursor
from kith.storage import items, keys
from kith.storage.items import Item
from kith.storage.paging import Page, PagedQueries, T, decode_cursor
from kith.storage.table import expression_values


def _prefix_query(pk: str, prefix: str, **filter_values: Any) -> dict[str, Any]:
    return {
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": expression_values(pk=pk, prefix=prefix, **filter_values),
    }


def _attribute_filter(filters: ContactFilter) -> tuple[dict[str, Any], dict[str, Any]]:
    """The filters stored as plain attributes, for DynamoDB to apply: (request parts, their values).

    A goal is matched by `ContactFilter.matches`, whatever its case, which DynamoDB cannot compare.
    """
    conditions: list[str] = []
    values: dict[str, Any] = {}
    if filters.circle is not None:
        conditions.append("#circle = :circle")
        values["circle"] = filters.circle.value
    if not conditions:
        return {}, {}
    names = {f"#{name}": name for name in values}
    return {"FilterExpression": " AND ".join(conditions), "ExpressionAttributeNames": names}, values


class OwnerPages(PagedQueries):
    def _owner_page(
        self,
        owner_id: str,
        listing: str,
        prefix: str,
        request: dict[str, Any],
        limit: int,
        cursor: str | None,
        convert: Callable[[list[Item]], list[T | None]],
    ) -> Page[T]:
        """A page of the owner's items under one sort-key prefix; the cursor is the last item's sort key."""
        start = None
        if cursor is not None:
            start = {"pk": keys.owner_pk(owner_id), **decode_cursor(cursor, listing, {"sk": prefix})}
        return self._page(request, listing=listing, cursor_key=("sk",), start=start, limit=limit, convert=convert)


class ContactListings(OwnerPages):
    def find_contacts(
        self,
        owner_id: str,
        filters: ContactFilter,
        zone: ZoneInfo,
        now: datetime,
        limit: int,
        cursor: str | None,
    ) -> Page[Contact]:
        """One page of the contacts every filter holds for, read through the narrowest key the filters allow."""

        def matching(read: list[Item]) -> list[Contact | None]:
            found = [items.contact_from_item(item) for item in read]
            return [contact if filters.matches(contact, zone, now) else None for contact in found]

        if filters.email_prefix is not None:
            return self._contacts_by_address(owner_id, filters.email_prefix, matching, limit, cursor)
        if filters.term_prefix is not None:
            return self._contacts_by_term(owner_id, filters.term_prefix, matching, limit, cursor)
        narrowing, values = _attribute_filter(filters)
        if filters.needs_clock:
            return self._due_contacts(owner_id, now, narrowing, values, matching, limit, cursor)
        request = {**_prefix_query(keys.owner_pk(owner_id), keys.contact_sk(""), **values), **narrowing}
        return self._owner_page(owner_id, "contacts", keys.contact_sk(""), request, limit, cursor, matching)

    def _due_contacts(
        self,
        owner_id: str,
        now: datetime,
        narrowing: dict[str, Any],
        values: dict[str, Any],
        matching: Callable[[list[Item]], list[Contact | None]],
        limit: int,
        cursor: str | None,
    ) -> Page[Contact]:
        """Through the DueIndex: only contacts due by now are read, the one due the longest first."""
        upto = keys.upto(now)
        start = None
        if cursor is not None:
            after = decode_cursor(cursor, "due-contacts", {"due_sk": "", "sk": keys.contact_sk("")})
            if after["due_sk"] > upto:
                raise InvalidCursor("cursor: not a cursor this list gave out; start again without one")
            start = {"due_pk": keys.contact_due_pk(owner_id), "pk": keys.owner_pk(owner_id), **after}
        request = {
            "IndexName": keys.DUE_INDEX,
            "KeyConditionExpression": "due_pk = :due AND due_sk <= :upto",
            "ExpressionAttributeValues": expression_values(due=keys.contact_due_pk(owner_id), upto=upto, **values),
            **narrowing,
        }
        return self._page(
            request, listing="due-contacts", cursor_key=("due_sk", "sk"), start=start, limit=limit, convert=matching
        )

    def _contacts_by_address(
        self,
        owner_id: str,
        address_prefix: str,
        matching: Callable[[list[Item]], list[Contact | None]],
        limit: int,
        cursor: str | None,
    ) -> Page[Contact]:
        """Through the e-mail lookups: only addresses starting so are read, then their contacts in one batch read."""
        listed = functools.partial(_listed_at, address_prefix=address_prefix)
        prefix = keys.email_sk(address_prefix)
        return self._contacts_by_lookup(owner_id, "contacts-by-email", prefix, matching, listed, limit, cursor)

    def _contacts_by_term(
        self,
        owner_id: str,
        term_prefix: str,
        matching: Callable[[list[Item]], list[Contact | None]],
        limit: int,
        cursor: str | None,
    ) -> Page[Contact]:
        """Through the search terms: only terms starting with the query's first word are read, then their contacts."""
        listed = functools.partial(_listed_under, term_prefix=term_prefix)
        prefix = keys.term_prefix(term_prefix)
        return self._contacts_by_lookup(owner_id, "contacts-by-term", prefix, matching, listed, limit, cursor)

    def _contacts_by_lookup(
        self,
        owner_id: str,
        listing: str,
        prefix: str,
        matching: Callable[[list[Item]], list[Contact | None]],
        listed: Callable[[Contact | None, Item], Contact | None],
        limit: int,
        cursor: str | None,
    ) -> Page[Contact]:
        """Lookup items under a prefix, each page's contacts read in one batch.

        A contact under two such lookups is listed once, where `listed` says (at the first of them),
        so pages never repeat it.
        """
        pk = keys.owner_pk(owner_id)

        def contacts_of(lookups: list[Item]) -> list[Contact | None]:
            wanted = dict.fromkeys(lookup["contact_id"] for lookup in lookups)
            read = self._batch_get([(pk, keys.contact_sk(contact_id)) for contact_id in wanted])
            kept = {item["contact_id"]: contact for item, contact in zip(read, matching(read), strict=True) if contact}
            return [listed(kept.get(lookup["contact_id"]), lookup) for lookup in lookups]

        return self._owner_page(owner_id, listing, prefix, _prefix_query(pk, prefix), limit, cursor, contacts_of)

    def timeline_page(self, owner_id: str, contact_id: str, limit: int, cursor: str | None) -> Page[Interaction]:
        """A contact's interactions, newest first: its links in reverse order, each page's interactions read at once."""
        pk = keys.owner_pk(owner_id)
        prefix = keys.link_prefix(contact_id)
        request = {**_prefix_query(pk, prefix), "ScanIndexForward": False}

        def interactions(links: list[Item]) -> list[Interaction | None]:
            wanted = [(pk, keys.interaction_sk(str(link["interaction_id"]))) for link in links]
            read = {
                str(item["interaction_id"]): items.interaction_from_item(item)
                for item in self._batch_get(wanted)
                if item.get("type") == "interaction"
            }
            return [read.get(str(link["interaction_id"])) for link in links]

        return self._owner_page(owner_id, f"timeline:{contact_id}", prefix, request, limit, cursor, interactions)


class MeetingListings(OwnerPages):
    def interactions_page(self, owner_id: str, limit: int, cursor: str | None) -> Page[Interaction]:
        """Interactions, without the markers cancelled meetings leave behind."""
        request = {
            **_prefix_query(keys.owner_pk(owner_id), keys.interaction_sk(""), interaction="interaction"),
            "FilterExpression": "#type = :interaction",
            "ExpressionAttributeNames": {"#type": "type"},
        }
        return self._owner_page(
            owner_id,
            "interactions",
            keys.interaction_sk(""),
            request,
            limit,
            cursor,
            _each(items.interaction_from_item),
        )

    def follow_ups_page(
        self, owner_id: str, limit: int, cursor: str | None, status: FollowUpStatus | None = None
    ) -> Page[FollowUp]:
        if status is None:
            request = _prefix_query(keys.owner_pk(owner_id), keys.follow_up_sk(""))
        else:
            request = {
                **_prefix_query(keys.owner_pk(owner_id), keys.follow_up_sk(""), status=status.value),
                "FilterExpression": "#status = :status",
                "ExpressionAttributeNames": {"#status": "status"},
            }
        return self._owner_page(
            owner_id, "follow-ups", keys.follow_up_sk(""), request, limit, cursor, _each(items.follow_up_from_item)
        )


class SentListings(OwnerPages):
    def sent_page(self, owner_id: str, limit: int, cursor: str | None) -> Page[SentEmail]:
        request = _prefix_query(keys.owner_pk(owner_id), keys.sent_sk(""))
        return self._owner_page(owner_id, "sent", keys.sent_sk(""), request, limit, cursor, _each(items.sent_from_item))


def _listed_at(contact: Contact | None, lookup: Item, address_prefix: str) -> Contact | None:
    """The contact, if this lookup is its first address starting with the prefix."""
    address = str(lookup["sk"]).removeprefix(keys.email_sk(""))
    if contact is None or address not in contact.emails:
        return None
    first = min(candidate for candidate in contact.emails if candidate.startswith(address_prefix))
    return contact if first == address else None


def _listed_under(contact: Contact | None, term: Item, term_prefix: str) -> Contact | None:
    """The contact, if this is the first of its terms (as the contact now is) starting with the prefix."""
    if contact is None:
        return None
    under = [
        keys.term_sk(candidate, contact.contact_id)
        for candidate in search_terms(contact.name, contact.emails)
        if candidate.startswith(term_prefix)
    ]
    return contact if under and min(under) == term["sk"] else None


def _each(mapping: Callable[[Item], T]) -> Callable[[list[Item]], list[T | None]]:
    return lambda read: [mapping(item) for item in read]
