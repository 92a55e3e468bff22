"""Interactions the owner logs by hand: a call, a message, a note (PRODUCT.md §1).

Each is a real interaction: it resets its contacts' clocks as a meeting that ended does, and
deleting it gives them back as a cancelled meeting does. Meetings come from calendars and
follow them; they cannot be deleted here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from kith.domain.models import Interaction, InteractionKind
from kith.errors import Conflict, InvalidInput, NotFound
from kith.ports import MeetingStore
from kith.usecases.clocks import remove_interaction, settle_meeting

MANUAL = "manual"


def log_interaction(
    store: MeetingStore,
    owner_id: str,
    kind: InteractionKind,
    contact_ids: Sequence[str],
    at: datetime,
    title: str | None,
    now: datetime,
) -> Interaction:
    """Record an interaction with these contacts and move their clocks forward.

    An unknown contact refuses it whole: nothing is written.
    """
    if at > now:
        raise InvalidInput("at cannot be in the future")
    owner = store.get_owner(owner_id)
    wanted = tuple(dict.fromkeys(contact_ids))
    found = {contact.contact_id: contact for contact in store.contacts_by_ids(owner_id, wanted)}
    unknown = [contact_id for contact_id in wanted if contact_id not in found]
    if unknown:
        raise NotFound(f"no contact {unknown[0]}")
    interaction_id = uuid.uuid4().hex
    interaction = Interaction(
        interaction_id=interaction_id,
        owner_id=owner_id,
        contact_ids=wanted,
        start=at,
        end=at,
        kind=kind,
        title=title,
        source=MANUAL,
        external_id=interaction_id,
        recorded_at=now,
    )
    store.record_interaction(interaction)
    store.link_interaction(interaction, wanted)
    settle_meeting(store, owner, interaction, now, [found[contact_id] for contact_id in wanted])
    return interaction


def delete_interaction(store: MeetingStore, owner_id: str, interaction_id: str, now: datetime) -> None:
    """Delete an interaction logged by hand; each contact gets back the last interaction it had before."""
    owner = store.get_owner(owner_id)
    interaction = store.get_interaction(owner_id, interaction_id)
    if interaction is None:
        raise NotFound(f"no interaction {interaction_id}")
    if interaction.source != MANUAL:
        raise Conflict("only interactions logged by hand can be deleted; a meeting follows its calendar")
    remove_interaction(store, owner, interaction, now, bury=False)
