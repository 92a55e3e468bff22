"""The owner's profile, and the digest schedule it carries in the due index (keys.py gives the layout)."""

from __future__ import annotations

from datetime import datetime

from kith.domain.models import Owner
from kith.errors import NotFound
from kith.storage import items, keys
from kith.storage.table import Table


class OwnerReads(Table):
    def get_owner(self, owner_id: str) -> Owner:
        item = self._get(keys.owner_pk(owner_id), keys.PROFILE)
        if item is None:
            raise NotFound("no owner profile yet: create it with PUT /v1/owner")
        return items.owner_from_item(item)


class OwnerWrites(Table):
    def save_owner(self, owner: Owner, *, search_indexed: bool = True) -> None:
        """Write the profile; `search_indexed` only while every contact of the owner has its search terms."""
        self._put(items.owner_to_item(owner, self.due_shards, search_indexed=search_indexed))


class DigestSchedule(Table):
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
