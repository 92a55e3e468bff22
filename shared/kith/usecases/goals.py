"""The owner's goals (PRODUCT.md §2): a few named aims, each active or set aside."""

from __future__ import annotations

from collections.abc import Sequence

from kith.domain.models import Goal
from kith.ports import ContactStore


def declare_goals(store: ContactStore, owner_id: str, goals: Sequence[Goal]) -> tuple[Goal, ...]:
    """Replace the owner's goals. Contacts keep theirs: a goal no longer declared simply stops lifting them."""
    store.get_owner(owner_id)
    store.save_goals(owner_id, goals)
    return tuple(goals)
