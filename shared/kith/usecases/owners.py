"""An owner's profile and settings."""

from __future__ import annotations

from datetime import datetime

from kith.domain.models import Owner, OwnerSettings
from kith.domain.schedule import next_digest_slot
from kith.errors import NotFound
from kith.ports import ContactStore


def save_owner(
    store: ContactStore,
    owner_id: str,
    email: str,
    name: str,
    settings: OwnerSettings,
    now: datetime,
    subscribed: bool | None = None,
) -> Owner:
    """Create or replace an owner's profile; the next digest is scheduled from the new settings.

    An unsubscribe (from an email's link) stays until the owner says `subscribed` again.
    """
    try:
        before: Owner | None = store.get_owner(owner_id)
    except NotFound:
        before = None
    unsubscribed_at = before.unsubscribed_at if before is not None else None
    if subscribed is True:
        unsubscribed_at = None
    elif subscribed is False:
        unsubscribed_at = unsubscribed_at or now
    owner = Owner(
        owner_id=owner_id,
        email=email,
        name=name,
        settings=settings,
        created_at=before.created_at if before is not None else now,
        next_digest_at=next_digest_slot(settings, now),
        unsubscribed_at=unsubscribed_at,
    )
    # A new owner has no contacts yet, so none lacks search terms; an older one keeps what it had.
    store.save_owner(owner, search_indexed=before is None or store.contacts_indexed(owner_id))
    return owner
