"""Counting the DynamoDB requests a client really makes, through botocore's own event hooks."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kith.storage

OPERATIONS = (
    "GetItem",
    "BatchGetItem",
    "Query",
    "PutItem",
    "UpdateItem",
    "BatchWriteItem",
    "TransactWriteItems",
)
_STORAGE = str(Path(kith.storage.__file__).resolve().parent) + "/"


@dataclass
class Request:
    operation: str
    caller: str
    items_returned: int = 0
    scanned: int = 0
    condition_failed: bool = False


def _store_method() -> str:
    """The outermost public storage method on the stack: the one a use case called, in whichever store."""
    called = "(outside storage)"
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith(_STORAGE) and not code.co_name.startswith("_"):
            called = code.co_name
        frame = frame.f_back  # type: ignore[assignment]
    return called


def _items_in(operation: str, parsed: dict[str, Any]) -> int:
    if operation == "GetItem":
        return 1 if parsed.get("Item") else 0
    if operation == "BatchGetItem":
        return sum(len(found) for found in parsed.get("Responses", {}).values())
    if operation in {"Query", "Scan"}:
        return int(parsed.get("Count", 0))
    return 0


class RequestLog:
    """Every request made through the clients it is attached to, in order."""

    def __init__(self) -> None:
        self.requests: list[Request] = []

    def attach(self, client: Any) -> RequestLog:
        # before-call fires once per API call that is about to be sent; after-call carries the parsed answer.
        client.meta.events.register("before-call.dynamodb.*", self._before_call)
        client.meta.events.register("after-call.dynamodb.*", self._after_call)
        return self

    def clear(self) -> None:
        self.requests.clear()

    def _before_call(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        request = Request(operation=model.name, caller=_store_method())
        context["bench_request"] = request
        self.requests.append(request)

    def _after_call(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        request: Request | None = context.get("bench_request")
        if request is None:
            return
        request.items_returned = _items_in(model.name, parsed)
        request.scanned = int(parsed.get("ScannedCount", 0))
        request.condition_failed = parsed.get("Error", {}).get("Code") == "ConditionalCheckFailedException"

    # -- summaries -----------------------------------------------------------------------------

    def by_operation(self) -> dict[str, int]:
        counts = Counter(request.operation for request in self.requests)
        return {
            operation: counts.get(operation, 0) for operation in (*OPERATIONS, *sorted(set(counts) - set(OPERATIONS)))
        }

    def by_caller(self) -> dict[str, int]:
        """Requests per 'store method operation', in the order they were first made."""
        counts: dict[str, int] = {}
        for request in self.requests:
            key = f"{request.caller} {request.operation}"
            counts[key] = counts.get(key, 0) + 1
        return counts

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.requests),
            "by_operation": self.by_operation(),
            "items_returned": sum(request.items_returned for request in self.requests),
            "items_returned_by_operation": {
                operation: sum(r.items_returned for r in self.requests if r.operation == operation)
                for operation in ("GetItem", "BatchGetItem", "Query")
            },
            "query_scanned_count": sum(r.scanned for r in self.requests if r.operation == "Query"),
            "conditions_failed": sum(request.condition_failed for request in self.requests),
            "by_repository_method": self.by_caller(),
        }
