"""Erasure: the reads and deletes that take one contact, or a whole account, out of the table.

Everything an owner has lives under pk OWNER#<owner>, except a calendar connection's lookup item
(CONNECTION#<conn.>, named by the owner's CONNECTION#<conn.> listing), the lookup of their "BCC
Kith" address (INBOUND#<token>, named by the owner's INBOUND item) and the suppression list, which
is keyed by address and not by owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kith.domain.models import Contact, FollowUp, FollowUpStatus, Interaction
from kith.domain.records import ContactLink, ContactLinks
from kith.errors import Conflict, StaleContact
from kith.storage import items, keys
from kith.storage.steps import term_steps
from kith.storage.table import Table, expression_values, key_of

# Writers that read the profile just before it went (a meeting being recorded) may still land an item.
_SWEEPS = 3


class OwnerItems(Table):
    # -- one contact ---------------------------------------------------------------------------

    def linked_interactions(self, owner_id: str, contact_id: str) -> ContactLinks:
        """The contact's links: one per interaction it is part of, and one for a last interaction stated on adding."""
        links = tuple(
            ContactLink(
                None if link["interaction_id"] == items.STATED else str(link["interaction_id"]),
                keys.parse_instant(link["end"]),
            )
            for link in self._query_prefix(keys.owner_pk(owner_id), keys.link_prefix(contact_id))
        )
        return ContactLinks(owner_id, contact_id, links)

    def interactions_by_ids(self, owner_id: str, interaction_ids: Iterable[str]) -> list[Interaction]:
        """The interactions still recorded (not cancelled) among these ids."""
        pk = keys.owner_pk(owner_id)
        found = self._batch_get([(pk, keys.interaction_sk(interaction_id)) for interaction_id in interaction_ids])
        return [items.interaction_from_item(item) for item in found if item.get("type") == "interaction"]

    def follow_ups_by_ids(self, owner_id: str, interaction_ids: Iterable[str]) -> list[FollowUp]:
        pk = keys.owner_pk(owner_id)
        found = self._batch_get([(pk, keys.follow_up_sk(interaction_id)) for interaction_id in interaction_ids])
        return [items.follow_up_from_item(item) for item in found]

    def set_interaction_contacts(self, interaction: Interaction, contact_ids: Sequence[str]) -> bool:
        """Keep an interaction with fewer contacts; False if its contacts changed since it was read."""
        return self._update(
            keys.owner_pk(interaction.owner_id),
            keys.interaction_sk(interaction.interaction_id),
            "SET contact_ids = :kept",
            "contact_ids = :seen",
            kept=list(contact_ids),
            seen=list(interaction.contact_ids),
        )

    def set_follow_up_contacts(self, follow_up: FollowUp, contact_ids: Sequence[str], *, cancel: bool) -> bool:
        """Keep a follow-up with fewer contacts, and with `cancel` cancel it while it is still pending.

        False if its contacts (or, cancelling, its state) changed since it was read.
        """
        if not cancel:
            return self._update(
                keys.owner_pk(follow_up.owner_id),
                keys.follow_up_sk(follow_up.interaction_id),
                "SET contact_ids = :kept",
                "contact_ids = :seen",
                kept=list(contact_ids),
                seen=list(follow_up.contact_ids),
            )
        return self._update(
            keys.owner_pk(follow_up.owner_id),
            keys.follow_up_sk(follow_up.interaction_id),
            "SET contact_ids = :kept, #status = :cancelled REMOVE due_pk, due_sk",
            "contact_ids = :seen AND #status = :pending",
            kept=list(contact_ids),
            seen=list(follow_up.contact_ids),
            cancelled=FollowUpStatus.CANCELLED.value,
            pending=FollowUpStatus.PENDING.value,
        )

    def delete_interactions(self, interactions: Sequence[Interaction]) -> bool:
        """Delete interactions as read; False (and the rest left) when one gained or lost a contact meanwhile."""
        for interaction in interactions:
            kept = self._delete(
                keys.owner_pk(interaction.owner_id),
                keys.interaction_sk(interaction.interaction_id),
                "contact_ids = :seen",
                seen=list(interaction.contact_ids),
            )
            if not kept:
                return False
        return True

    def delete_aliases(self, owner_id: str, interaction_ids: Iterable[str]) -> None:
        """Delete the provider ids pointing at these interactions (keyed by provider id: all are read to find them)."""
        wanted = set(interaction_ids)
        if not wanted:
            return
        pk = keys.owner_pk(owner_id)
        aliases = self._query_prefix(pk, keys.ALIAS_PREFIX)
        self._batch_write(deletes=[(pk, alias["sk"]) for alias in aliases if alias.get("interaction_id") in wanted])

    def delete_contact_links(self, links: ContactLinks) -> None:
        pk = keys.owner_pk(links.owner_id)
        self._batch_write(
            deletes=[
                (pk, keys.link_sk(links.contact_id, link.end, link.interaction_id or items.STATED))
                for link in links.links
            ]
        )

    def delete_contact(self, contact: Contact) -> None:
        """Delete a contact still at the version read, with its e-mail lookups and search terms, all or nothing."""
        pk = keys.owner_pk(contact.owner_id)
        actions: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": key_of(pk, keys.contact_sk(contact.contact_id)),
                    "ConditionExpression": "version = :seen",
                    "ExpressionAttributeValues": expression_values(seen=contact.version),
                }
            }
        ]
        actions += [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": key_of(pk, keys.email_sk(address)),
                    "ConditionExpression": "attribute_not_exists(pk) OR contact_id = :contact",
                    "ExpressionAttributeValues": expression_values(contact=contact.contact_id),
                }
            }
            for address in contact.emails
        ]
        actions += term_steps(self._table, contact, None)
        held = Conflict("an e-mail address of the contact is held by another contact")
        self._transact(
            actions, [StaleContact("the contact changed since it was read; try again"), *[held] * len(contact.emails)]
        )

    # -- a whole account -------------------------------------------------------------------------

    def delete_owner_items(self, owner_id: str, connection_ids: Iterable[str] = ()) -> int:
        """Delete every item of the owner, the lookups of these connections and of their "BCC Kith" address;
        returns how many the sweeps found.

        The profile goes first, with the lookups: from then on no digest is due, no link works, no
        meeting is recorded for the owner and mail to their address finds no one. Then the partition
        is read and deleted, until a read finds nothing.
        """
        pk = keys.owner_pk(owner_id)
        lookups = [(keys.connection_pk(connection_id), keys.CONNECTION) for connection_id in connection_ids]
        inbound = self._get(pk, keys.INBOUND)
        if inbound is not None:
            lookups.append((keys.inbound_pk(str(inbound["token"])), keys.INBOUND_SK))
        self._batch_write(deletes=[(pk, keys.PROFILE), *lookups])
        deleted = 0
        for _ in range(_SWEEPS):
            found = [
                (item["pk"], item["sk"])
                for item in self._query(
                    KeyConditionExpression="pk = :pk",
                    ExpressionAttributeValues=expression_values(pk=pk),
                    ProjectionExpression="pk, sk",
                )
            ]
            if not found:
                break
            self._batch_write(deletes=found)
            deleted += len(found)
        return deleted
