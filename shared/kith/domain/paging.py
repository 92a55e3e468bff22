"""A list a page at a time: the page's items and where the next page starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """`next_cursor` is opaque (storage writes and reads it); None exactly on the last page."""

    items: list[T]
    next_cursor: str | None
