"""Spreading the load of a bulk add (PRODUCT.md §7).

Contacts added together, never met, would all fall due on the same day one cadence later.
Instead each circle's contacts are placed evenly over their own cadence window: the i-th of n
(counting from 1) first falls due on local day ceil(i * cadence / n) after the add, so a day
gets at most one more contact than another, and the last lands where a single add would. The
order is a hash of owner and contact id: the same contacts always get the same days.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from kith.domain.cadence import cadence_days
from kith.domain.models import Circle, Contact

BULK_ADD_LIMIT = 500


def _place(contact: Contact) -> tuple[str, str]:
    digest = hashlib.sha256(f"{contact.owner_id}#{contact.contact_id}".encode()).hexdigest()
    return digest, contact.contact_id


def spread_first_due(contacts: Sequence[Contact], zone: ZoneInfo) -> list[Contact]:
    """The contacts of one bulk add, in the same order, with their first due days set.

    A contact with a stated last interaction keeps its real clock; a "never" contact is left alone.
    """
    windows: dict[tuple[Circle, int], list[int]] = {}
    for position, contact in enumerate(contacts):
        days = cadence_days(contact.circle, contact.cadence_days)
        if days is not None and contact.last_interaction_at is None:
            windows.setdefault((contact.circle, days), []).append(position)
    spread = list(contacts)
    for (_, days), positions in windows.items():
        ordered = sorted(positions, key=lambda position: _place(contacts[position]))
        count = len(ordered)
        for rank, position in enumerate(ordered, start=1):
            contact = contacts[position]
            offset = (rank * days + count - 1) // count  # ceil(rank * days / count), in integers
            first_due = contact.added_at.astimezone(zone).date() + timedelta(days=offset)
            spread[position] = contact.model_copy(update={"first_due_on": first_due})
    return spread
