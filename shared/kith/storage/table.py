"""The table's low-level operations: wire format, conditions and batches (storage/failures.py maps their errors)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from kith.errors import ConditionFailed, Retryable
from kith.storage import keys
from kith.storage.failures import Meanings, dynamodb_failures
from kith.storage.items import Item

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_BATCH_GET_LIMIT = 100
_BATCH_WRITE_LIMIT = 25
_UNPROCESSED_RETRIES = 5
_NAME_PLACEHOLDER = re.compile(r"#([A-Za-z_]+)")


def to_wire(item: Item) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def from_wire(raw: dict[str, Any]) -> Item:
    return {name: _deserializer.deserialize(value) for name, value in raw.items()}


def key_of(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def expression_values(**values: Any) -> dict[str, Any]:
    return {f":{name}": _serializer.serialize(value) for name, value in values.items()}


class Table:
    """One DynamoDB table, spoken to with plain items."""

    def __init__(self, client: Any, table_name: str, due_shards: int) -> None:
        self._client = client
        self._table = table_name
        self.due_shards = due_shards

    def _get(self, pk: str, sk: str) -> Item | None:
        with dynamodb_failures():
            response = self._client.get_item(TableName=self._table, Key=key_of(pk, sk))
        raw = response.get("Item")
        return from_wire(raw) if raw else None

    def _query(self, **kwargs: Any) -> Iterator[Item]:
        request: dict[str, Any] = {"TableName": self._table, **kwargs}
        while True:
            with dynamodb_failures():
                response = self._client.query(**request)
            for raw in response.get("Items", []):
                yield from_wire(raw)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last

    def _query_prefix(self, pk: str, prefix: str, *, newest_first: bool = False) -> Iterator[Item]:
        return self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=expression_values(pk=pk, prefix=prefix),
            ScanIndexForward=not newest_first,
        )

    def _query_due(self, due_pk: str, now: datetime) -> Iterator[Item]:
        return self._query(
            IndexName=keys.DUE_INDEX,
            KeyConditionExpression="due_pk = :due AND due_sk <= :upto",
            ExpressionAttributeValues=expression_values(due=due_pk, upto=keys.upto(now)),
        )

    def _put(self, item: Item) -> None:
        with dynamodb_failures():
            self._client.put_item(TableName=self._table, Item=to_wire(item))

    def _put_new(self, item: Item) -> bool:
        """Write an item only if it is not there yet; False if it was."""
        try:
            with dynamodb_failures():
                self._client.put_item(
                    TableName=self._table, Item=to_wire(item), ConditionExpression="attribute_not_exists(pk)"
                )
        except ConditionFailed:
            return False
        return True

    def _update(self, pk: str, sk: str, expression: str, condition: str | None, **values: Any) -> bool:
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": key_of(pk, sk),
            "UpdateExpression": expression,
        }
        if values:
            request["ExpressionAttributeValues"] = expression_values(**values)
        names = set(_NAME_PLACEHOLDER.findall(expression + " " + (condition or "")))
        if names:
            request["ExpressionAttributeNames"] = {f"#{name}": name for name in names}
        if condition:
            request["ConditionExpression"] = condition
        try:
            with dynamodb_failures():
                self._client.update_item(**request)
        except ConditionFailed:
            return False
        return True

    def _delete(self, pk: str, sk: str, condition: str, **values: Any) -> bool:
        """Delete an item only while the condition holds; False when it did not."""
        request: dict[str, Any] = {"TableName": self._table, "Key": key_of(pk, sk), "ConditionExpression": condition}
        if values:
            request["ExpressionAttributeValues"] = expression_values(**values)
        names = set(_NAME_PLACEHOLDER.findall(condition))
        if names:
            request["ExpressionAttributeNames"] = {f"#{name}": name for name in names}
        try:
            with dynamodb_failures():
                self._client.delete_item(**request)
        except ConditionFailed:
            return False
        return True

    def _transact(self, actions: list[dict[str, Any]], meanings: Meanings = ()) -> None:
        """Run a transaction; if it is cancelled, raise what the first failed condition means (`meanings`, by item)."""
        with dynamodb_failures(meanings):
            self._client.transact_write_items(TransactItems=actions)

    def _batch_get(self, key_pairs: Sequence[tuple[str, str]]) -> list[Item]:
        found: list[Item] = []
        unique = list(dict.fromkeys(key_pairs))
        for start in range(0, len(unique), _BATCH_GET_LIMIT):
            pending: dict[str, Any] = {
                self._table: {"Keys": [key_of(pk, sk) for pk, sk in unique[start : start + _BATCH_GET_LIMIT]]}
            }
            for attempt in range(_UNPROCESSED_RETRIES):
                with dynamodb_failures():
                    response = self._client.batch_get_item(RequestItems=pending)
                found.extend(from_wire(raw) for raw in response.get("Responses", {}).get(self._table, []))
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(0.05 * 2**attempt)
            if pending:
                raise Retryable("DynamoDB left keys unprocessed after retries")
        return found

    def _batch_write(self, puts: Iterable[Item] = (), deletes: Iterable[tuple[str, str]] = ()) -> None:
        requests = [{"PutRequest": {"Item": to_wire(item)}} for item in puts]
        requests += [{"DeleteRequest": {"Key": key_of(pk, sk)}} for pk, sk in deletes]
        for start in range(0, len(requests), _BATCH_WRITE_LIMIT):
            pending: dict[str, Any] = {self._table: requests[start : start + _BATCH_WRITE_LIMIT]}
            for attempt in range(_UNPROCESSED_RETRIES):
                with dynamodb_failures():
                    response = self._client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(0.05 * 2**attempt)
            if pending:
                raise Retryable("DynamoDB left writes unprocessed after retries")
