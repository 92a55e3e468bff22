"""Adding, listing and changing contacts (PRODUCT.md §1, §9)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from kith.domain.cadence import CadenceError, cadence_days
from kith.domain.models import Circle, Contact
from kith.errors import Conflict, InvalidInput, StaleContact
from kith.storage.repository import Repository

_UPDATE_ATTEMPTS = 3


def _check_cadence(circle: Circle, custom_days: int | None) -> None:
    try:
        cadence_days(circle, custom_days)
    except CadenceError as exc:
        raise InvalidInput(str(exc)) from exc


def add_contact(repo: Repository, owner_id: str, fields: dict[str, Any], now: datetime) -> Contact:
    owner = repo.get_owner(owner_id)
    contact = Contact.model_validate(
        {**fields, "contact_id": uuid.uuid4().hex, "owner_id": owner_id, "added_at": now, "version": 1}
    )
    if contact.last_interaction_at is not None and contact.last_interaction_at > now:
        raise InvalidInput("last_interaction_at cannot be in the future")
    _check_cadence(contact.circle, contact.cadence_days)
    repo.create_contact(contact, owner.settings)
    return contact


def update_contact(
    repo: Repository, owner_id: str, contact_id: str, changes: dict[str, Any], expected_version: int | None
) -> Contact:
    """Apply changes to the contact as it is now.

    With an expected version (If-Match) a contact that moved on is a conflict; without one, a
    meeting that moved the contact's clock meanwhile is read again and the change re-applied.
    """
    owner = repo.get_owner(owner_id)
    attempts = 1 if expected_version is not None else _UPDATE_ATTEMPTS
    for attempt in range(attempts):
        before = repo.get_contact(owner_id, contact_id)
        if expected_version is not None and expected_version != before.version:
            raise Conflict(f"contact is at version {before.version}, not {expected_version}")
        merged = {**before.model_dump(), **changes, "version": before.version + 1}
        if Circle(merged["circle"]) is not Circle.CUSTOM:
            merged["cadence_days"] = None
        after = Contact.model_validate(merged)
        _check_cadence(after.circle, after.cadence_days)
        try:
            repo.update_contact(before, after, owner.settings)
        except StaleContact:
            if attempt + 1 == attempts:
                raise
            continue
        return after
    raise AssertionError("unreachable")


def list_contacts(repo: Repository, owner_id: str) -> list[Contact]:
    return sorted(repo.list_contacts(owner_id), key=lambda contact: contact.name.casefold())
