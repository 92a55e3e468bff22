"""Calendar connections: the webhook lookup item, the owner's listing, and the renewal entry in the due index.

pk                     sk                         what
CONNECTION#<conn.>     CONNECTION                 everything about the connection; in DueIndex under
                                                  RENEW#<shard> while a channel or subscription must be renewed
OWNER#<owner>          CONNECTION#<conn.>         what the owner's list shows (no secrets)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kith.domain.connections import CalendarConnection
from kith.domain.records import ConnectionSummary
from kith.errors import Conflict, NotFound
from kith.storage import keys
from kith.storage.items import Item
from kith.storage.table import Table, expression_values, to_wire


def _lookup_item(connection: CalendarConnection, shards: int) -> Item:
    item: Item = {
        "pk": keys.connection_pk(connection.connection_id),
        "sk": keys.CONNECTION,
        "type": "connection",
        "connection_id": connection.connection_id,
        "owner_id": connection.owner_id,
        "provider": connection.provider.value,
        "state": connection.state.value,
        "version": connection.version,
        "connection": connection.model_dump(mode="json"),
    }
    renews_at = connection.renews_at
    if renews_at is not None:
        item["due_pk"] = keys.renewal_due_pk(keys.shard_of(connection.owner_id, shards))
        item["due_sk"] = f"{keys.instant(renews_at)}#{connection.connection_id}"
    return item


def _listing_item(connection: CalendarConnection) -> Item:
    watch = connection.google or connection.graph
    listing: Item = {
        "pk": keys.owner_pk(connection.owner_id),
        "sk": keys.owner_connection_sk(connection.connection_id),
        "type": "connection_listing",
        "connection_id": connection.connection_id,
        "provider": connection.provider.value,
        "state": connection.state.value,
        "created_at": keys.instant(connection.created_at),
    }
    if connection.account_email:
        listing["account_email"] = connection.account_email
    if connection.mail:
        listing["mail"] = True
    if watch is not None:
        listing["expires_at"] = keys.instant(watch.expires_at)
    return listing


def _summary(listing: Item) -> ConnectionSummary:
    return ConnectionSummary.model_validate(
        {name: listing[name] for name in ConnectionSummary.model_fields if listing.get(name) is not None}
    )


def _from_lookup(item: Item) -> CalendarConnection:
    return CalendarConnection.model_validate({**item["connection"], "version": int(item["version"])})


class ConnectionReads(Table):
    def get_connection(self, connection_id: str) -> CalendarConnection:
        item = self._get(keys.connection_pk(connection_id), keys.CONNECTION)
        if item is None:
            raise NotFound("unknown calendar connection")
        return _from_lookup(item)


class ConnectionSummaries(Table):
    def connection_summaries(self, owner_id: str) -> list[ConnectionSummary]:
        """The owner's connections as their list shows them (the listing items hold no secrets)."""
        return [_summary(listing) for listing in self._listings(owner_id)]

    def _listings(self, owner_id: str) -> list[Item]:
        return list(self._query_prefix(keys.owner_pk(owner_id), keys.owner_connection_sk("")))


class ConnectionRecords(ConnectionReads):
    def create_connection(self, connection: CalendarConnection) -> None:
        actions = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_wire(item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for item in (_lookup_item(connection, self.due_shards), _listing_item(connection))
        ]
        taken = Conflict("a connection with that id already exists")
        self._transact(actions, [taken, taken])

    def save_connection(self, connection: CalendarConnection) -> CalendarConnection:
        """Store a changed connection if nobody changed it since it was read; returns it at its new version."""
        saved = connection.model_copy(update={"version": connection.version + 1})
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_wire(_lookup_item(saved, self.due_shards)),
                    "ConditionExpression": "version = :seen",
                    "ExpressionAttributeValues": expression_values(seen=connection.version),
                }
            },
            {"Put": {"TableName": self._table, "Item": to_wire(_listing_item(saved))}},
        ]
        self._transact(actions, [Conflict("the connection changed meanwhile")])
        return saved

    def delete_connection(self, connection: CalendarConnection) -> None:
        self._batch_write(
            deletes=[
                (keys.connection_pk(connection.connection_id), keys.CONNECTION),
                (keys.owner_pk(connection.owner_id), keys.owner_connection_sk(connection.connection_id)),
            ]
        )

    def lease_renewal(self, connection_id: str, seen_due_key: str, until: datetime) -> bool:
        """Push a queued renewal's due time out; if the renewal has not happened by then, the sweep queues it again."""
        return self._update(
            keys.connection_pk(connection_id),
            keys.CONNECTION,
            "SET due_sk = :lease",
            "due_sk = :seen",
            lease=f"{keys.instant(until)}#{connection_id}",
            seen=seen_due_key,
        )

    def due_renewals(self, shard: int, now: datetime) -> list[tuple[str, str]]:
        """(connection id, due key) of connections whose channel or subscription should be renewed by now."""
        return [(item["connection_id"], item["due_sk"]) for item in self._query_due(keys.renewal_due_pk(shard), now)]
