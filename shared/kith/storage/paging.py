"""Lists a page at a time: opaque cursors, and the one Query loop behind every paged list.

A cursor is the unpadded base64url of a small JSON object: which list gave it out and the key of
the last item the page returned, without its partition key. The partition always comes from the
caller's own identity, so a cursor cannot open another owner's items; the list resumes after the
key. A filter that leaves items aside reads on until the page is full or the list ends, so a page
is short only at the end, and `next_cursor` is None exactly there.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from kith.domain.paging import Page
from kith.errors import InvalidCursor
from kith.storage.failures import dynamodb_failures
from kith.storage.items import Item
from kith.storage.table import Table, from_wire, to_wire

T = TypeVar("T")

__all__ = ["Page", "PagedQueries", "decode_cursor", "encode_cursor"]

_CURSOR = re.compile(r"^[A-Za-z0-9_-]{1,2048}$")
# A filtered list reads more per request as it goes, up to this many items, so sparse matches cost few round trips.
_MOST_READ = 1000


def encode_cursor(listing: str, key: Item) -> str:
    text = json.dumps({"list": listing, **key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, listing: str, prefixes: dict[str, str]) -> dict[str, str]:
    """The key a cursor resumes after: one string per name in `prefixes`, each starting with its prefix."""
    refused = InvalidCursor("cursor: not a cursor this list gave out; start again without one")
    if not _CURSOR.match(cursor):
        raise refused
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise refused from exc
    if not isinstance(decoded, dict) or decoded.pop("list", None) != listing or set(decoded) != set(prefixes):
        raise refused
    if not all(
        isinstance(decoded[name], str) and decoded[name].startswith(prefix) for name, prefix in prefixes.items()
    ):
        raise refused
    return {name: str(decoded[name]) for name in prefixes}


class PagedQueries(Table):
    def _page(
        self,
        request: dict[str, Any],
        *,
        listing: str,
        cursor_key: Sequence[str],
        start: Item | None,
        limit: int,
        convert: Callable[[list[Item]], list[T | None]],
    ) -> Page[T]:
        """One page of a Query: `convert` maps each read item to a result, or None to leave it out.

        It reads one item more than the page holds (when nothing is left out), so the last page
        is known to be the last; the cursor carries `cursor_key` of the page's last item.
        """
        query: dict[str, Any] = {"TableName": self._table, **request}
        if start is not None:
            query["ExclusiveStartKey"] = to_wire(start)
        found: list[tuple[Item, T]] = []
        size = limit + 1
        while True:
            with dynamodb_failures():
                response = self._client.query(**query, Limit=size)
            read = [from_wire(raw) for raw in response.get("Items", [])]
            found += [(item, value) for item, value in zip(read, convert(read), strict=True) if value is not None]
            last = response.get("LastEvaluatedKey")
            if len(found) > limit or not last:
                break
            query["ExclusiveStartKey"] = last
            size = min(2 * size, _MOST_READ)
        if len(found) <= limit:
            return Page([value for _, value in found], None)
        kept = found[:limit]
        last_item = kept[-1][0]
        return Page(
            [value for _, value in kept], encode_cursor(listing, {name: last_item[name] for name in cursor_key})
        )
