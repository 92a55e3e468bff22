"""Whom the next digest names, in its order (PRODUCT.md §5): the mailer and the API ask the same question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kith.domain.digest import held_back_by_meetings, rank_due_contacts
from kith.domain.models import Contact, DigestEntry, Goal, Owner


class DueReader(Protocol):
    """What the digest's question reads: the API asks it of a ContactStore, the mailer of a MailStore."""

    def get_owner(self, owner_id: str) -> Owner: ...
    def get_goals(self, owner_id: str) -> tuple[Goal, ...]: ...
    def due_contacts(self, owner_id: str, now: datetime) -> list[Contact]: ...


def digest_entries(
    store: DueReader, owner: Owner, as_of: datetime, limit: int | None = None
) -> tuple[DigestEntry, ...]:
    """The contacts a digest sent at `as_of` lists, best first; at most the owner's digest size unless `limit`."""
    return _ranked(store, owner, store.due_contacts(owner.owner_id, as_of), as_of, limit)


def _ranked(
    store: DueReader, owner: Owner, candidates: list[Contact], as_of: datetime, limit: int | None
) -> tuple[DigestEntry, ...]:
    # Goals only weigh on contacts that carry one; without such a contact they need not be read.
    goals = store.get_goals(owner.owner_id) if any(contact.goal for contact in candidates) else ()
    settings = owner.settings if limit is None else owner.settings.model_copy(update={"digest_limit": limit})
    return rank_due_contacts(candidates, settings, as_of, goals)


@dataclass(frozen=True)
class NextDigest:
    owner: Owner
    digest_at: datetime
    entries: tuple[DigestEntry, ...]
    # Due, but an upcoming meeting holds their nudge back: the owner is already meeting them.
    held_back: tuple[Contact, ...] = ()

    def days_late(self, entry: DigestEntry) -> int:
        """Local days from the day the contact fell due to the digest's day: 0 on the day itself."""
        zone = self.owner.settings.zone
        return (self.digest_at.astimezone(zone).date() - entry.due_at.astimezone(zone).date()).days


def next_digest(store: DueReader, owner_id: str, now: datetime, limit: int | None = None) -> NextDigest:
    """What the owner's next digest would list if nothing changed before it goes out."""
    owner = store.get_owner(owner_id)
    digest_at = max(now, owner.next_digest_at) if owner.next_digest_at is not None else now
    candidates = store.due_contacts(owner_id, digest_at)
    held_back = held_back_by_meetings(candidates, owner.settings, now, digest_at)
    held = {contact.contact_id for contact in held_back}
    named = [contact for contact in candidates if contact.contact_id not in held]
    return NextDigest(
        owner=owner,
        digest_at=digest_at,
        entries=_ranked(store, owner, named, digest_at, limit),
        held_back=tuple(held_back),
    )
