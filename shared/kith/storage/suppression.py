"""The suppression list: addresses that bounced for good or complained, never mailed again (PRODUCT.md §8).

pk                     sk             what
SUPPRESSION#<address>  SUPPRESSION    the lower-cased address, why it is suppressed and since when
"""

from __future__ import annotations

from kith.domain.models import Suppression, SuppressionReason
from kith.storage import keys
from kith.storage.items import Item
from kith.storage.table import Table


def _to_item(suppression: Suppression) -> Item:
    return {
        "pk": keys.suppression_pk(suppression.address),
        "sk": keys.SUPPRESSION,
        "type": "suppression",
        "address": suppression.address.strip().lower(),
        "reason": suppression.reason.value,
        "since": keys.instant(suppression.since),
    }


def _from_item(item: Item) -> Suppression:
    return Suppression(
        address=item["address"],
        reason=SuppressionReason(item["reason"]),
        since=keys.parse_instant(item["since"]),
    )


class SuppressionRecords(Table):
    def suppress(self, suppression: Suppression) -> bool:
        """Put an address on the list; False when it was already there (the first reason and time are kept)."""
        return self._put_new(_to_item(suppression))

    def get_suppression(self, address: str) -> Suppression | None:
        item = self._get(keys.suppression_pk(address), keys.SUPPRESSION)
        return _from_item(item) if item else None
