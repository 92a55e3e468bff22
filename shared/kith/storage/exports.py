"""Whole lists of what an owner has, read in full for the export (the API pages them instead)."""

from __future__ import annotations

from kith.domain.models import FollowUp, Interaction, SentEmail
from kith.storage import items, keys
from kith.storage.table import Table


class WholeLists(Table):
    def list_interactions(self, owner_id: str) -> list[Interaction]:
        found = [
            items.interaction_from_item(item)
            for item in self._query_prefix(keys.owner_pk(owner_id), keys.interaction_sk(""))
            if item.get("type") == "interaction"
        ]
        return sorted(found, key=lambda interaction: interaction.start, reverse=True)

    def list_follow_ups(self, owner_id: str) -> list[FollowUp]:
        found = [
            items.follow_up_from_item(item)
            for item in self._query_prefix(keys.owner_pk(owner_id), keys.follow_up_sk(""))
        ]
        return sorted(found, key=lambda follow_up: follow_up.due_at, reverse=True)

    def list_sent(self, owner_id: str) -> list[SentEmail]:
        return [items.sent_from_item(item) for item in self._query_prefix(keys.owner_pk(owner_id), keys.sent_sk(""))]
