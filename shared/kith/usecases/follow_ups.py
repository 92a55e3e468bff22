"""The owner's follow-ups as they list them: a page, and the name of each contact it speaks of."""

from __future__ import annotations

from kith.domain.models import FollowUp, FollowUpStatus
from kith.domain.paging import Page
from kith.ports import MeetingStore


def follow_ups_page(
    store: MeetingStore, owner_id: str, limit: int, cursor: str | None, status: FollowUpStatus | None = None
) -> tuple[Page[FollowUp], dict[str, str]]:
    """One page, and the names of its contacts read at once (a contact deleted since has none)."""
    page = store.follow_ups_page(owner_id, limit, cursor, status)
    wanted = {contact_id for follow_up in page.items for contact_id in follow_up.contact_ids}
    contacts = store.contacts_by_ids(owner_id, sorted(wanted)) if wanted else []
    return page, {contact.contact_id: contact.name for contact in contacts}
