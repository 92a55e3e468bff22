"""Sent mail as interactions: which day each message counts on, and each day's email interaction with a contact.

A message is kept by its Message-ID's hash alone, with the day it was first seen on, for as long
as another source may still report it (MESSAGE_MEMORY); nothing else of it is stored here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kith.domain.models import Interaction
from kith.errors import ConditionFailed
from kith.storage import items, keys
from kith.storage.steps import put_once
from kith.storage.table import Table

# Longer than Gmail's bounded resync (30 days) reads back: a message seen again by then is known.
MESSAGE_MEMORY = timedelta(days=35)


class SentMailRecords(Table):
    def message_day(self, owner_id: str, message_key: str, day: date, now: datetime) -> date:
        """The local day a message counts on: `day` the first time it is seen, the day then recorded after."""
        item = {
            "pk": keys.owner_pk(owner_id),
            "sk": keys.message_sk(message_key),
            "type": "message",
            "day": day.isoformat(),
            "expires_at": int((now + MESSAGE_MEMORY).timestamp()),
        }
        if self._put_new(item):
            return day
        seen = self._get(keys.owner_pk(owner_id), keys.message_sk(message_key))
        return date.fromisoformat(seen["day"]) if seen else day

    def record_email(self, interaction: Interaction) -> bool:
        """A day's email interaction with one contact and its place on the contact's timeline, both or neither.

        False when that day's interaction is recorded already (another message, or this one again).
        """
        (contact_id,) = interaction.contact_ids
        steps = [
            put_once(self._table, items.interaction_to_item(interaction)),
            put_once(self._table, items.link_to_item(interaction, contact_id)),
        ]
        try:
            self._transact(steps)
        except ConditionFailed:
            return False
        return True
