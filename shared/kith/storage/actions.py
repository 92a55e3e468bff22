"""What one-click links write: each link is spent once, in the same transaction as its effect.

pk              sk               what
OWNER#<owner>   USED#<nonce>     a spent link; expires (TTL) with the link itself
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kith.domain.actions import ActionClaim
from kith.domain.models import Contact, Interaction, OwnerSettings
from kith.domain.records import SpentLink
from kith.errors import AlreadyDone, NotFound, StaleContact
from kith.storage import items, keys
from kith.storage.items import Item
from kith.storage.steps import put_once, replace_contact
from kith.storage.table import Table, expression_values, key_of


def spent_link_item(claim: ActionClaim, at: datetime) -> Item:
    return {
        "pk": keys.owner_pk(claim.owner_id),
        "sk": keys.used_link_sk(claim.nonce),
        "type": "used_link",
        "action": claim.action.value,
        "used_at": keys.instant(at),
        "expires_at": int(claim.expires_at.timestamp()),
    }


def spent_item(spent: SpentLink) -> Item:
    return spent_link_item(spent.claim, spent.at)


class ActionRecords(Table):
    def link_spent(self, claim: ActionClaim) -> bool:
        return self._get(keys.owner_pk(claim.owner_id), keys.used_link_sk(claim.nonce)) is not None

    def change_contact_once(
        self,
        before: Contact,
        after: Contact,
        settings: OwnerSettings,
        spent: SpentLink,
        interaction: Interaction | None = None,
    ) -> None:
        """Replace a contact (if still at the version read) and spend the link, all or nothing.

        A "done" click also records its interaction and the contact's link to it, so a
        later cancelled meeting gives the clock back to the click, not to something older.
        """
        # The link first: a link used already says so, whatever else changed meanwhile.
        actions = [put_once(self._table, spent_item(spent)), replace_contact(self._table, before, after, settings.zone)]
        if interaction is not None:
            actions.append(put_once(self._table, items.interaction_to_item(interaction)))
            actions.append(put_once(self._table, items.link_to_item(interaction, after.contact_id)))
        used = AlreadyDone("this link was used already")
        self._transact(actions, [used, StaleContact("the contact changed since it was read"), used, used])

    def pause_owner_once(self, owner_id: str, settings: OwnerSettings, spent: SpentLink) -> None:
        """Store the owner's new settings (a pause) and spend the link, all or nothing."""
        actions: list[dict[str, Any]] = [
            put_once(self._table, spent_item(spent)),
            {
                "Update": {
                    "TableName": self._table,
                    "Key": key_of(keys.owner_pk(owner_id), keys.PROFILE),
                    "UpdateExpression": "SET #settings = :settings",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeNames": {"#settings": "settings"},
                    "ExpressionAttributeValues": expression_values(settings=settings.model_dump(mode="json")),
                }
            },
        ]
        self._transact(actions, [AlreadyDone("this link was used already"), NotFound("the owner is gone")])

    def unsubscribe_owner(self, owner_id: str, at: datetime) -> bool:
        """Stop every email to the owner; False if they had already unsubscribed (the first time is kept)."""
        return self._update(
            keys.owner_pk(owner_id),
            keys.PROFILE,
            "SET unsubscribed_at = :at",
            "attribute_exists(pk) AND attribute_not_exists(unsubscribed_at)",
            at=keys.instant(at),
        )
