"""An owner's "BCC Kith" address: the token that names it, held on both sides.

The owner's side (OWNER#<owner>, INBOUND) says which token is theirs; the lookup (INBOUND#<token>,
OWNER) says whose mail a message to that token is. Both are written in one transaction, each only
if it is not there yet, so an owner has one address and a token one owner, however many ask at once.
Erasure deletes the lookup with the owner's items (storage/owner_items.py).
"""

from __future__ import annotations

from kith.errors import ConditionFailed
from kith.storage import keys
from kith.storage.steps import put_once
from kith.storage.table import Table


class InboundRecords(Table):
    def inbound_token(self, owner_id: str) -> str | None:
        """The token of the owner's address, or None while they have none."""
        item = self._get(keys.owner_pk(owner_id), keys.INBOUND)
        return str(item["token"]) if item else None

    def create_inbound_token(self, owner_id: str, token: str) -> bool:
        """Give the owner this token, both sides at once; False if they have one already or the token is taken."""
        steps = [
            put_once(
                self._table, {"pk": keys.owner_pk(owner_id), "sk": keys.INBOUND, "type": "inbound", "token": token}
            ),
            put_once(
                self._table,
                {"pk": keys.inbound_pk(token), "sk": keys.INBOUND_SK, "type": "inbound_owner", "owner_id": owner_id},
            ),
        ]
        try:
            self._transact(steps)
        except ConditionFailed:
            return False
        return True

    def inbound_owner(self, token: str) -> str | None:
        """Whose mail a message to this token is; None for a token no owner holds."""
        item = self._get(keys.inbound_pk(token), keys.INBOUND_SK)
        return str(item["owner_id"]) if item else None
