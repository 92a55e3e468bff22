"""The owner's goals (PRODUCT.md §2), in an item of their own beside the profile.

pk              sk       what
OWNER#<owner>   GOALS    the goals the owner declared, in their order, each active or not

Kept apart from the profile so that PUT /v1/owner, which writes the profile whole, cannot wipe them.
"""

from __future__ import annotations

from collections.abc import Sequence

from kith.domain.models import Goal
from kith.storage import keys
from kith.storage.table import Table


class GoalReads(Table):
    def get_goals(self, owner_id: str) -> tuple[Goal, ...]:
        item = self._get(keys.owner_pk(owner_id), keys.GOALS)
        if item is None:
            return ()
        return tuple(Goal(name=raw["name"], active=bool(raw["active"])) for raw in item.get("goals", ()))


class GoalRecords(GoalReads):
    def save_goals(self, owner_id: str, goals: Sequence[Goal]) -> None:
        self._put(
            {
                "pk": keys.owner_pk(owner_id),
                "sk": keys.GOALS,
                "type": "goals",
                "goals": [{"name": goal.name, "active": goal.active} for goal in goals],
            }
        )
