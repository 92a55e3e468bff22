"""Calendars reached through OAuth (Google Calendar, Outlook): the one port each provider implements.

Their notifications say only that something changed; what changed is read
from the provider's API, with the owner's access token. Each provider's
implementation lives beside this file; the use cases speak only to this port.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict

from kith.domain.connections import CalendarConnection
from kith.domain.mail import SentMessage
from kith.domain.meetings import MeetingEvent

# The change queued right after connecting: read what the calendar already holds (a bounded window).
INITIAL_READ = "initial"


class CalendarChange(BaseModel):
    """A verified notification that the calendar changed, queued to be read from the provider's API."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["calendar_change"] = "calendar_change"
    owner_id: str
    connection_id: str
    received_at: AwareDatetime
    # "initial" (just connected), "sync" (Google: something changed, run an incremental sync),
    # "created" / "updated" / "deleted" (Graph, about `item_id`), or a Graph lifecycle event
    # ("reauthorizationRequired", "subscriptionRemoved", "missed"); for sent mail, "mail" (Gmail: read the
    # mailbox's history on from the stored historyId) or "mail_created" (Graph, about the message `item_id`).
    change: str
    item_id: str | None = None


@dataclass(frozen=True)
class Answer:
    """What the webhook answers the provider, and what it queues (before answering)."""

    status: int
    body: str = '{"status": "accepted"}'
    content_type: str = "application/json"
    changes: list[CalendarChange] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    """What reading a change from the provider gave: meetings to record, and the connection as it now stands."""

    meetings: list[MeetingEvent]
    connection: CalendarConnection
    # Messages the owner sent, read from their mailbox (Gmail's SENT label, Outlook's Sent Items).
    messages: list[SentMessage] = field(default_factory=list)


class CalendarAccount(Protocol):
    def connect(
        self,
        connection: CalendarConnection,
        code: str,
        redirect_uri: str,
        now: datetime,
        code_verifier: str | None = None,
    ) -> CalendarConnection:
        """Exchange the code (with its PKCE verifier), learn the account, start the channel or subscription."""
        ...

    def receive(
        self,
        connection: CalendarConnection,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        body: bytes,
        now: datetime,
    ) -> Answer:
        """Verify a notification (Unauthorized, NotFound, MalformedBody otherwise) and say what to queue."""
        ...

    def read(self, connection: CalendarConnection, change: CalendarChange, now: datetime) -> Reading:
        """Read from the provider what a queued change stands for."""
        ...

    def renew(self, connection: CalendarConnection, now: datetime) -> CalendarConnection:
        """Renew the channel or subscription before it lapses."""
        ...

    def disconnect(self, connection: CalendarConnection, now: datetime) -> None:
        """Stop the channel or delete the subscription; revoke nothing the owner did not ask to."""
        ...
