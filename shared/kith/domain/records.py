"""What storage hands back or takes beyond the models: a connection as listed, a contact's links, a spent link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from kith.domain.actions import ActionClaim
from kith.domain.connections import ConnectionState, Provider


class ConnectionSummary(BaseModel):
    """A calendar connection as the owner's list shows it: no secrets, no tokens."""

    model_config = ConfigDict(frozen=True)

    connection_id: str
    provider: Provider
    state: ConnectionState
    created_at: datetime
    account_email: str | None = None
    expires_at: datetime | None = None
    # Sent mail is read too (Google and Outlook): the owner chose it and the provider granted it.
    mail: bool = False


@dataclass(frozen=True)
class ContactLink:
    """One interaction a contact is linked to; `interaction_id` None for the last interaction stated on adding it."""

    interaction_id: str | None
    end: datetime


@dataclass(frozen=True)
class ContactLinks:
    owner_id: str
    contact_id: str
    links: tuple[ContactLink, ...]

    @property
    def interaction_ids(self) -> list[str]:
        """The interactions the contact is part of, once each, in link order (the stated one left out)."""
        return list(dict.fromkeys(link.interaction_id for link in self.links if link.interaction_id is not None))


@dataclass(frozen=True)
class SpentLink:
    """A one-click link being spent at `at`: written in the same transaction as its effect, so it acts once."""

    claim: ActionClaim
    at: datetime
