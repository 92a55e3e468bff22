"""A contact's clock as stored: the last interaction that counts, and a planned meeting's hold."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from kith.domain.clock import PastInteraction
from kith.domain.models import Contact, OwnerSettings
from kith.storage import items, keys
from kith.storage.table import Table


class ClockRecords(Table):
    def move_contact_clock(self, contact: Contact, settings: OwnerSettings, at: datetime, title: str | None) -> bool:
        """Record a real interaction on a contact, unless a later one is already recorded."""
        moved = contact.model_copy(update={"last_interaction_at": at, "last_interaction_title": title})
        due_key = items.contact_due_key(moved, settings.zone)
        parts = ["last_interaction_at = :at", "version = version + :one"]
        values: dict[str, Any] = {"at": keys.instant(at), "one": 1}
        if title:
            parts.append("last_interaction_title = :title")
            values["title"] = title
        removals = [] if title else ["last_interaction_title"]
        if due_key is not None:
            parts.append("due_sk = :due")
            values["due"] = due_key
        expression = "SET " + ", ".join(parts) + (" REMOVE " + ", ".join(removals) if removals else "")
        return self._update(
            keys.owner_pk(contact.owner_id),
            keys.contact_sk(contact.contact_id),
            expression,
            "attribute_exists(pk) AND (attribute_not_exists(last_interaction_at) OR last_interaction_at < :at)",
            **values,
        )

    def restore_contact_clock(
        self, contact: Contact, settings: OwnerSettings, at: datetime | None, title: str | None
    ) -> None:
        """Set a contact's last interaction back to an earlier one (after a cancellation)."""
        restored = contact.model_copy(update={"last_interaction_at": at, "last_interaction_title": title})
        due_key = items.contact_due_key(restored, settings.zone)
        sets: list[str] = ["version = version + :one"]
        removals: list[str] = []
        values: dict[str, Any] = {"one": 1}
        for name, value in (
            ("last_interaction_at", keys.instant(at) if at else None),
            ("last_interaction_title", title),
            ("due_sk", due_key),
        ):
            if value is None:
                removals.append(name)
            else:
                sets.append(f"{name} = :{name}")
                values[name] = value
        expression = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removals) if removals else "")
        self._update(
            keys.owner_pk(contact.owner_id),
            keys.contact_sk(contact.contact_id),
            expression.strip(),
            "attribute_exists(pk)",
            **values,
        )

    def plan_meeting(self, owner_id: str, contact_ids: Iterable[str], start: datetime, now: datetime) -> None:
        """Hold a contact's nudge back until a planned meeting (the earliest upcoming one wins)."""
        for contact_id in contact_ids:
            self._update(
                keys.owner_pk(owner_id),
                keys.contact_sk(contact_id),
                "SET planned_meeting_at = :start, version = version + :one",
                "attribute_exists(pk) AND (attribute_not_exists(planned_meeting_at) "
                "OR planned_meeting_at > :start OR planned_meeting_at <= :now)",
                start=keys.instant(start),
                now=keys.instant(now),
                one=1,
            )

    def unplan_meeting(self, owner_id: str, contact_ids: Iterable[str], start: datetime) -> None:
        for contact_id in contact_ids:
            self._update(
                keys.owner_pk(owner_id),
                keys.contact_sk(contact_id),
                "SET version = version + :one REMOVE planned_meeting_at",
                "planned_meeting_at = :start",
                start=keys.instant(start),
                one=1,
            )

    def past_interactions(self, owner_id: str, contact_id: str) -> Iterator[PastInteraction]:
        """A contact's timeline newest first, read a page at a time as far as it is consumed.

        The last interaction stated when the contact was added is on it too, as a link of its own.
        """
        for link in self._query_prefix(keys.owner_pk(owner_id), keys.link_prefix(contact_id), newest_first=True):
            yield PastInteraction(
                end=keys.parse_instant(link["end"]),
                title=link.get("title"),
                counts=bool(link.get("counts_for_cadence", True)),
            )
