"""DynamoDB request units, estimated from the items each request reads and writes.

moto answers ConsumedCapacity with fixed figures, so this meter works the units out the way DynamoDB's
documentation says on-demand tables are billed, from item sizes it reads itself:

- reads: 4 KB units, half a unit when eventually consistent (every DueIndex query is); a Query or
  Scan rounds the sum of the items it returned, a GetItem or each key of a BatchGetItem rounds its own
  item; a key not found costs the minimum.
- writes: 1 KB units of the larger of the item before and after (a delete: the item before; at least
  one unit, also for a write whose condition failed); a transaction costs twice that per action,
  ConditionCheck included. DueIndex (projecting every attribute) costs a write where the item enters
  or leaves it or changes there, and a delete plus a write where its index key moves.

Items before and after a write are read through a client of its own (not counted), keyed from the
request. Approximate where DynamoDB is approximate to describe (a number's size): good to a unit.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

INDEX_KEYS = ("due_pk", "due_sk")
_READ_UNIT = 4096
_WRITE_UNIT = 1024


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (strings in UTF-8, numbers ~1 byte per 2 digits)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(str(data).encode())
    if kind == "N":
        return math.ceil(len(str(data).lstrip("-").replace(".", "")) / 2) + 1
    if kind == "B":
        return len(data)
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + _value_size(inner) + 1 for name, inner in data.items())
    if kind == "L":
        return 3 + sum(_value_size(inner) + 1 for inner in data)
    if kind in {"SS", "NS", "BS"}:
        return sum(_value_size({kind[0]: element}) for element in data)
    raise ValueError(f"unknown DynamoDB type {kind}")


def _write_units(before: dict[str, Any] | None, after: dict[str, Any] | None) -> float:
    sizes = [item_size(item) for item in (before, after) if item]
    return max(1, math.ceil(max(sizes, default=0) / _WRITE_UNIT))


def _index_units(before: dict[str, Any] | None, after: dict[str, Any] | None) -> float:
    """What DueIndex costs for one item's change (a sparse index: only items carrying due_pk are in it)."""
    was = before is not None and "due_pk" in before
    is_ = after is not None and "due_pk" in after
    if not was and not is_:
        return 0
    if was and not is_:
        return _write_units(before, None)
    if is_ and not was:
        return _write_units(None, after)
    assert before is not None and after is not None
    if any(before.get(key) != after.get(key) for key in INDEX_KEYS):
        return _write_units(before, None) + _write_units(None, after)
    return _write_units(before, after) if before != after else 0


@dataclass
class Units:
    read: float = 0.0
    write: float = 0.0
    index_write: float = 0.0
    by_operation: dict[str, float] = field(default_factory=dict)

    @property
    def writes(self) -> float:
        return self.write + self.index_write

    def as_dict(self) -> dict[str, Any]:
        return {
            "read_units": self.read,
            "write_units": self.write,
            "index_write_units": self.index_write,
            "by_operation": dict(self.by_operation),
        }


class CapacityMeter:
    """Request units of every DynamoDB request made through the clients it is attached to."""

    def __init__(self, peek: Any) -> None:
        self._peek = peek  # a client of its own, to read items before and after a write
        self.units = Units()

    def attach(self, client: Any) -> CapacityMeter:
        client.meta.events.register("before-call.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)
        return self

    def clear(self) -> None:
        self.units = Units()

    # -- hooks ---------------------------------------------------------------------------------

    def _before(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        request = json.loads(params["body"]) if params.get("body") else {}
        targets = self._targets(model.name, request)
        context["bench_capacity"] = (request, targets, [self._get(table, key) for table, key, _ in targets])

    def _after(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        noted = context.get("bench_capacity")
        if noted is None:
            return
        request, targets, before = noted
        operation = model.name
        failed = "Error" in parsed
        if operation in {"GetItem", "BatchGetItem", "Query", "Scan"}:
            units = self._read_units(operation, request, parsed)
            self.units.read += units
            self._note(f"{operation} read", units)
            return
        if not targets:
            return
        after = [None if failed else self._get(table, key) for table, key, _ in targets]
        for (_, _, factor), old, new in zip(targets, before, after, strict=True):
            new_or_old = old if failed else new
            table_units = factor * (_write_units(old, None) if failed else _write_units(old, new))
            index_units = 0 if failed else _index_units(old, new_or_old)
            self.units.write += table_units
            self.units.index_write += index_units
            self._note(f"{operation} write", table_units + index_units)

    # -- helpers -------------------------------------------------------------------------------

    def _note(self, what: str, units: float) -> None:
        self.units.by_operation[what] = self.units.by_operation.get(what, 0.0) + units

    def _get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._peek.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return item

    def _targets(self, operation: str, request: dict[str, Any]) -> list[tuple[str, dict[str, Any], int]]:
        """(table, key, unit factor) of each item a write request touches."""
        if operation in {"PutItem", "UpdateItem", "DeleteItem"}:
            key = request.get("Key") or {name: request["Item"][name] for name in ("pk", "sk")}
            return [(request["TableName"], key, 1)]
        if operation == "BatchWriteItem":
            found = []
            for table, writes in request["RequestItems"].items():
                for write in writes:
                    if "PutRequest" in write:
                        item = write["PutRequest"]["Item"]
                        found.append((table, {"pk": item["pk"], "sk": item["sk"]}, 1))
                    else:
                        found.append((table, write["DeleteRequest"]["Key"], 1))
            return found
        if operation == "TransactWriteItems":
            found = []
            for action in request["TransactItems"]:
                ((_, step),) = action.items()
                key = step.get("Key") or {name: step["Item"][name] for name in ("pk", "sk")}
                found.append((step["TableName"], key, 2))
            return found
        return []

    def _read_units(self, operation: str, request: dict[str, Any], parsed: dict[str, Any]) -> float:
        if operation == "GetItem":
            factor = 1.0 if request.get("ConsistentRead") else 0.5
            item = parsed.get("Item")
            return factor * max(1, math.ceil(item_size(item) / _READ_UNIT) if item else 1)
        if operation == "BatchGetItem":
            units = 0.0
            for table, asked in request["RequestItems"].items():
                factor = 1.0 if asked.get("ConsistentRead") else 0.5
                found = parsed.get("Responses", {}).get(table, [])
                units += factor * sum(max(1, math.ceil(item_size(item) / _READ_UNIT)) for item in found)
                units += factor * (len(asked["Keys"]) - len(found))
            return units
        factor = 1.0 if request.get("ConsistentRead") else 0.5
        returned = sum(item_size(item) for item in parsed.get("Items", []))
        return factor * max(1, math.ceil(returned / _READ_UNIT))
