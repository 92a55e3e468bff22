"""Follow-ups: written with their meeting, revised while pending, queued from the due index, then closed."""

from __future__ import annotations

from datetime import datetime

from kith.domain.models import FollowUp, FollowUpStatus
from kith.errors import ConditionFailed
from kith.storage import items, keys
from kith.storage.failures import dynamodb_failures
from kith.storage.table import Table, expression_values, to_wire


class FollowUpReads(Table):
    def get_follow_up(self, owner_id: str, interaction_id: str) -> FollowUp | None:
        item = self._get(keys.owner_pk(owner_id), keys.follow_up_sk(interaction_id))
        return items.follow_up_from_item(item) if item else None


class FollowUpWrites(FollowUpReads):
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
            with dynamodb_failures():
                self._client.put_item(
                    TableName=self._table,
                    Item=to_wire(items.follow_up_to_item(follow_up, self.due_shards)),
                    ConditionExpression="attribute_not_exists(pk) OR #status = :pending",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues=expression_values(pending=FollowUpStatus.PENDING.value),
                )
        except ConditionFailed:
            return False
        return True


class FollowUpQueue(FollowUpReads):
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
