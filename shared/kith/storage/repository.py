"""Every read and write Kith makes to its table, in the product's words."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from botocore.exceptions import ClientError

from kith.domain.models import (
    Contact,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Owner,
    OwnerSettings,
    SentEmail,
)
from kith.domain.records import SpentLink
from kith.errors import AlreadyDone, Conflict, NotFound, Retryable, StaleContact
from kith.storage import items, keys
from kith.storage.actions import ActionRecords, spent_item
from kith.storage.clocks import ClockRecords
from kith.storage.connections import ConnectionRecords
from kith.storage.consents import ConsentRecords
from kith.storage.goals import GoalRecords
from kith.storage.imports import ImportRecords
from kith.storage.listings import ListingRecords
from kith.storage.owner_items import OwnerItems
from kith.storage.search_index import SearchIndexRecords
from kith.storage.steps import change_contact_steps, create_contact_steps, put_once
from kith.storage.suppression import SuppressionRecords
from kith.storage.table import expression_values, is_condition_failure, raise_for, to_wire


class Repository(
    ClockRecords,
    ConnectionRecords,
    ConsentRecords,
    SuppressionRecords,
    ActionRecords,
    ImportRecords,
    OwnerItems,
    ListingRecords,
    GoalRecords,
    SearchIndexRecords,
):
    """Every read and write Kith makes, in the product's words."""

    # -- owners --------------------------------------------------------------

    def save_owner(self, owner: Owner, *, search_indexed: bool = True) -> None:
        """Write the profile; `search_indexed` only while every contact of the owner has its search terms."""
        self._put(items.owner_to_item(owner, self.due_shards, search_indexed=search_indexed))

    def get_owner(self, owner_id: str) -> Owner:
        item = self._get(keys.owner_pk(owner_id), keys.PROFILE)
        if item is None:
            raise NotFound("no owner profile yet: create it with PUT /v1/owner")
        return items.owner_from_item(item)

    def due_digest_owners(self, shard: int, now: datetime) -> list[Owner]:
        """Owners whose next digest is due at or before now in one shard (the index projects whole items)."""
        return [items.owner_from_item(item) for item in self._query_due(keys.digest_due_pk(shard), now)]

    def advance_digest(self, owner_id: str, slot: datetime, next_slot: datetime) -> bool:
        """Move the owner's next digest on, only if nobody moved it already."""
        return self._update(
            keys.owner_pk(owner_id),
            keys.PROFILE,
            "SET next_digest_at = :next, due_sk = :due",
            "next_digest_at = :slot",
            next=keys.instant(next_slot),
            due=f"{keys.instant(next_slot)}#{owner_id}",
            slot=keys.instant(slot),
        )

    # -- contacts ------------------------------------------------------------

    def create_contact(
        self, contact: Contact, settings: OwnerSettings, spent: SpentLink | items.Item | None = None
    ) -> None:
        """Store a new contact and claim its e-mail addresses; with `spent`, also spend the link that adds it."""
        actions = create_contact_steps(self._table, contact, settings.zone)
        if spent is not None:
            reasons = self._transact([put_once(self._table, spent_item(spent)), *actions])
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise AlreadyDone("this link was used already")
            reasons = reasons[1:]
        else:
            reasons = self._transact(actions)
        if reasons:
            self._explain_email_clash(reasons, [None, *contact.emails])

    @staticmethod
    def _explain_email_clash(reasons: list[str], addresses: Sequence[str | None]) -> None:
        for reason, address in zip(reasons, addresses, strict=False):
            if reason == "ConditionalCheckFailed":
                if address is None:
                    raise StaleContact("the contact changed since it was read; fetch it and try again")
                raise Conflict(f"another contact already has the e-mail address {address}")
        if any(reason in {"ThrottlingError", "TransactionConflict"} for reason in reasons):
            raise Retryable("the write collided with another; try again")
        raise Conflict("the change could not be applied: " + ", ".join(reasons))

    def get_contact(self, owner_id: str, contact_id: str) -> Contact:
        item = self._get(keys.owner_pk(owner_id), keys.contact_sk(contact_id))
        if item is None:
            raise NotFound(f"no contact {contact_id}")
        return items.contact_from_item(item)

    def list_contacts(self, owner_id: str) -> list[Contact]:
        return [
            items.contact_from_item(item) for item in self._query_prefix(keys.owner_pk(owner_id), keys.contact_sk(""))
        ]

    def update_contact(self, before: Contact, after: Contact, settings: OwnerSettings) -> None:
        """Replace a contact if it is still at the version read; e-mail lookups follow."""
        added = [address for address in after.emails if address not in before.emails]
        removed = [address for address in before.emails if address not in after.emails]
        reasons = self._transact(change_contact_steps(self._table, before, after, settings.zone))
        if reasons:
            self._explain_email_clash(reasons, [None, *added, *removed])

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

    def contacts_by_ids(self, owner_id: str, contact_ids: Iterable[str]) -> list[Contact]:
        pk = keys.owner_pk(owner_id)
        return [
            items.contact_from_item(raw)
            for raw in self._batch_get([(pk, keys.contact_sk(contact_id)) for contact_id in contact_ids])
        ]

    def due_contacts(self, owner_id: str, now: datetime) -> list[Contact]:
        """Only the contacts due by now: the read cost follows the due work, not the network."""
        return [items.contact_from_item(item) for item in self._query_due(keys.contact_due_pk(owner_id), now)]

    # -- interactions ----------------------------------------------------------

    def record_interaction(self, interaction: Interaction) -> bool:
        """Store an interaction once; False when it was already stored."""
        return self._put_new(items.interaction_to_item(interaction))

    def get_interaction(self, owner_id: str, interaction_id: str) -> Interaction | None:
        """The interaction, or None when there is none or it was cancelled."""
        item = self._get(keys.owner_pk(owner_id), keys.interaction_sk(interaction_id))
        return items.interaction_from_item(item) if item and item.get("type") == "interaction" else None

    def list_interactions(self, owner_id: str) -> list[Interaction]:
        found = [
            items.interaction_from_item(item)
            for item in self._query_prefix(keys.owner_pk(owner_id), keys.interaction_sk(""))
            if item.get("type") == "interaction"
        ]
        return sorted(found, key=lambda interaction: interaction.start, reverse=True)

    def replace_interaction(self, interaction: Interaction) -> None:
        """Store a meeting's new state over its old one (it moved, or attendees came or went)."""
        self._put(items.interaction_to_item(interaction))

    def link_interaction(self, interaction: Interaction, contact_ids: Iterable[str]) -> None:
        self._batch_write(puts=[items.link_to_item(interaction, contact_id) for contact_id in contact_ids])

    def unlink_interaction(self, interaction: Interaction, contact_ids: Iterable[str]) -> None:
        pk = keys.owner_pk(interaction.owner_id)
        self._batch_write(
            deletes=[
                (pk, keys.link_sk(contact_id, interaction.end, interaction.interaction_id))
                for contact_id in contact_ids
            ]
        )

    def record_alias(self, interaction: Interaction, source: str, external_id: str) -> None:
        self._put(items.alias_to_item(interaction, source, external_id))

    def interaction_for_alias(self, owner_id: str, source: str, external_id: str) -> str | None:
        item = self._get(keys.owner_pk(owner_id), keys.alias_sk(source, external_id))
        return str(item["interaction_id"]) if item else None

    def bury_interaction(self, owner_id: str, interaction_id: str, now: datetime) -> None:
        """Leave a marker where a cancelled meeting was, so a late or replayed booking cannot bring it back."""
        self._batch_write(puts=[items.tombstone_item(owner_id, interaction_id, now)])

    def forget_interaction(self, interaction: Interaction, now: datetime, *, bury: bool = True) -> None:
        """Delete an interaction (or leave its marker, when buried) and its links; cancel its pending follow-up."""
        pk = keys.owner_pk(interaction.owner_id)
        deletes = [
            (pk, keys.link_sk(contact_id, interaction.end, interaction.interaction_id))
            for contact_id in interaction.contact_ids
        ]
        if bury:
            puts = [items.tombstone_item(interaction.owner_id, interaction.interaction_id, now)]
        else:
            puts, deletes = [], [*deletes, (pk, keys.interaction_sk(interaction.interaction_id))]
        self._batch_write(puts=puts, deletes=deletes)
        self._update(
            pk,
            keys.follow_up_sk(interaction.interaction_id),
            "SET #status = :cancelled REMOVE due_pk, due_sk",
            "#status = :pending",
            cancelled=FollowUpStatus.CANCELLED.value,
            pending=FollowUpStatus.PENDING.value,
        )

    # -- follow-ups ------------------------------------------------------------

    def save_follow_up(self, follow_up: FollowUp) -> bool:
        return self._put_new(items.follow_up_to_item(follow_up, self.due_shards))

    def revise_follow_up(self, follow_up: FollowUp, *, keep_strangers: bool) -> bool:
        """Rewrite a follow-up not sent yet (the meeting moved, or its attendees changed); False if it went out."""
        if keep_strangers:
            stored = self.get_follow_up(follow_up.owner_id, follow_up.interaction_id)
            if stored is not None:
                merged = {attendee.email: attendee for attendee in (*stored.new_attendees, *follow_up.new_attendees)}
                follow_up = follow_up.model_copy(update={"new_attendees": tuple(merged.values())})
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_wire(items.follow_up_to_item(follow_up, self.due_shards)),
                ConditionExpression="attribute_not_exists(pk) OR #status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=expression_values(pending=FollowUpStatus.PENDING.value),
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise_for(error)
        return True

    def get_follow_up(self, owner_id: str, interaction_id: str) -> FollowUp | None:
        item = self._get(keys.owner_pk(owner_id), keys.follow_up_sk(interaction_id))
        return items.follow_up_from_item(item) if item else None

    def list_follow_ups(self, owner_id: str) -> list[FollowUp]:
        found = [
            items.follow_up_from_item(item)
            for item in self._query_prefix(keys.owner_pk(owner_id), keys.follow_up_sk(""))
        ]
        return sorted(found, key=lambda follow_up: follow_up.due_at, reverse=True)

    def due_follow_ups(self, shard: int, now: datetime) -> list[tuple[str, str, str]]:
        """(owner id, interaction id, due key) of every pending follow-up due by now in one shard."""
        return [
            (item["owner_id"], item["interaction_id"], item["due_sk"])
            for item in self._query_due(keys.follow_up_due_pk(shard), now)
        ]

    def lease_follow_up(self, owner_id: str, interaction_id: str, seen_due_key: str, until: datetime) -> bool:
        """Push a queued follow-up's due time out; if it is not sent by then, the sweep queues it again."""
        return self._update(
            keys.owner_pk(owner_id),
            keys.follow_up_sk(interaction_id),
            "SET due_sk = :lease",
            "due_sk = :seen",
            lease=items.follow_up_due_key(owner_id, interaction_id, until),
            seen=seen_due_key,
        )

    def defer_follow_up(self, owner_id: str, interaction_id: str, until: datetime) -> bool:
        """Move a pending follow-up's due time to `until` (the owner is away); the sweep finds it then."""
        return self._update(
            keys.owner_pk(owner_id),
            keys.follow_up_sk(interaction_id),
            "SET due_sk = :due, due_at = :at",
            "#status = :pending",
            due=items.follow_up_due_key(owner_id, interaction_id, until),
            at=keys.instant(until),
            pending=FollowUpStatus.PENDING.value,
        )

    def close_follow_up(self, owner_id: str, interaction_id: str, status: FollowUpStatus = FollowUpStatus.SENT) -> None:
        """Take a follow-up out of the due index, sent or skipped."""
        self._update(
            keys.owner_pk(owner_id),
            keys.follow_up_sk(interaction_id),
            "SET #status = :closed REMOVE due_pk, due_sk",
            "attribute_exists(pk)",
            closed=status.value,
        )

    # -- sent history ----------------------------------------------------------

    def record_sent(self, sent: SentEmail) -> None:
        self._put_new(
            {
                "pk": keys.owner_pk(sent.owner_id),
                "sk": keys.sent_sk(sent.email_key),
                "type": "sent",
                **sent.model_dump(mode="json", exclude={"sent_at"}),
                "sent_at": keys.instant(sent.sent_at),
            }
        )

    def get_sent(self, owner_id: str, email_key: str) -> SentEmail | None:
        item = self._get(keys.owner_pk(owner_id), keys.sent_sk(email_key))
        if item is None:
            return None
        return items.sent_from_item(item)

    def list_sent(self, owner_id: str) -> list[SentEmail]:
        return [items.sent_from_item(item) for item in self._query_prefix(keys.owner_pk(owner_id), keys.sent_sk(""))]
