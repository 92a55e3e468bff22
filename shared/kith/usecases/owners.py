"""An owner's profile and settings."""

from __future__ import annotations

from datetime import datetime

from kith.domain.models import Owner, OwnerSettings
from kith.domain.schedule import next_digest_slot
from kith.errors import NotFound
from kith.storage.repository import Repository


def save_owner(repo: Repository, owner_id: str, email: str, name: str, settings: OwnerSettings, now: datetime) -> Owner:
    """Create or replace an owner's profile; the next digest is scheduled from the new settings."""
    try:
        created_at = repo.get_owner(owner_id).created_at
    except NotFound:
        created_at = now
    owner = Owner(
        owner_id=owner_id,
        email=email,
        name=name,
        settings=settings,
        created_at=created_at,
        next_digest_at=next_digest_slot(settings, now),
    )
    repo.save_owner(owner)
    return owner
