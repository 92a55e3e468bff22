"""Writing an import all or nothing: transactions of up to 100 writes, undone if a later one fails.

A contact and its e-mail claims always share a transaction, so an address stays unique per owner
even against a request that adds the same address meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from kith.domain.models import Contact, OwnerSettings
from kith.errors import Conflict, KithError, Retryable
from kith.storage.steps import change_contact_steps, create_contact_steps, undo_change_steps, undo_puts
from kith.storage.table import Table

TRANSACTION_LIMIT = 100


@dataclass
class _Unit:
    """The writes of one contact, and how to take them back."""

    steps: list[dict[str, Any]]
    undo: list[dict[str, Any]] = field(default_factory=list)
    label: str = ""


class ImportRecords(Table):
    def write_import(
        self,
        new: Sequence[Contact],
        merged: Sequence[tuple[Contact, Contact]],
        settings: OwnerSettings,
    ) -> int:
        """Store new contacts and merged changes; on any failure undo what was written, then raise.

        Returns the number of transactions it took.
        """
        units = [self._new_unit(contact, settings) for contact in new]
        units += [self._merge_unit(before, after, settings) for before, after in merged]
        done: list[_Unit] = []
        transactions = 0
        for batch in _batches(units):
            transactions += 1
            try:
                self._transact([step for unit in batch for step in unit.steps], _meanings(batch))
            except Retryable as failure:
                self._undo(done)
                raise Retryable("the import was interrupted; nothing was imported, try again") from failure
            except Exception:
                self._undo(done)
                raise
            done.extend(batch)
        return transactions

    def _new_unit(self, contact: Contact, settings: OwnerSettings) -> _Unit:
        steps = create_contact_steps(self._table, contact, settings.zone)
        return _Unit(steps, undo_puts(self._table, steps), f"new contact {contact.name}")

    def _merge_unit(self, before: Contact, after: Contact, settings: OwnerSettings) -> _Unit:
        # A merge only adds addresses: its undo puts the contact back, frees what it claimed, restores its terms.
        steps = change_contact_steps(self._table, before, after, settings.zone)
        undo = undo_change_steps(self._table, before, after, settings.zone)
        return _Unit(steps, undo, f"changes to {before.name}")

    def _undo(self, done: Sequence[_Unit]) -> None:
        for batch in _batches(list(reversed(done))):
            try:
                self._transact([step for unit in batch for step in unit.undo])
            except (KithError, ClientError) as failure:
                raise Retryable(
                    "the import failed midway and could not be fully undone; import the file again"
                ) from failure


def _batches(units: Sequence[_Unit]) -> list[list[_Unit]]:
    """Units packed in order into transactions of at most TRANSACTION_LIMIT writes."""
    batches: list[list[_Unit]] = []
    size = TRANSACTION_LIMIT
    for unit in units:
        if size + len(unit.steps) > TRANSACTION_LIMIT:
            batches.append([])
            size = 0
        batches[-1].append(unit)
        size += len(unit.steps)
    return batches


def _meanings(batch: Sequence[_Unit]) -> list[KithError | None]:
    """Each step's failed condition names its unit: a new contact, or the changes to one."""
    return [
        Conflict(f"{unit.label} clashed with a change made meanwhile; nothing was imported, try again")
        for unit in batch
        for _ in unit.steps
    ]
