"""Interactions, the links that put them on contacts' timelines, provider aliases and cancelled meetings' markers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kith.domain.models import FollowUpStatus, Interaction
from kith.storage import items, keys
from kith.storage.table import Table


class InteractionReads(Table):
    def get_interaction(self, owner_id: str, interaction_id: str) -> Interaction | None:
        """The interaction, or None when there is none or it was cancelled."""
        item = self._get(keys.owner_pk(owner_id), keys.interaction_sk(interaction_id))
        return items.interaction_from_item(item) if item and item.get("type") == "interaction" else None


class InteractionRecords(Table):
    def record_interaction(self, interaction: Interaction) -> bool:
        """Store an interaction once; False when it was already stored."""
        return self._put_new(items.interaction_to_item(interaction))

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
