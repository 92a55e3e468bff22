"""The sent history: one item per email that went out, keyed by the email's idempotency key."""

from __future__ import annotations

from kith.domain.models import SentEmail
from kith.storage import items, keys
from kith.storage.table import Table


class SentRecords(Table):
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
