"""Webhook intake: verify, parse, and hand what arrived to the queue before answering.

Booking tools (Cal.com, Calendly) sign each webhook and carry the meeting in it:
the parsed meeting is queued. Calendars (Google, Outlook) only say that
something changed: the verified change is queued, and read from their API later.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from types import ModuleType
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Discriminator, Tag, TypeAdapter

from kith.adapters.queue import Queue
from kith.calendars import calcom, calendly
from kith.calendars.accounts import Answer, CalendarAccount, CalendarChange
from kith.domain.connections import CalendarConnection, ConnectionState, Provider
from kith.domain.meetings import MeetingChange, MeetingEvent
from kith.domain.models import MAX_ID_LENGTH
from kith.errors import NotFound, PayloadTooLarge
from kith.ports import MeetingStore

MAX_BODY_BYTES = 256 * 1024

_BOOKING_TOOLS: dict[Provider, ModuleType] = {Provider.CALCOM: calcom, Provider.CALENDLY: calendly}


class MeetingMessage(BaseModel):
    """A meeting a booking tool told of: who it is for, when it arrived, and the parsed meeting."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["meeting"] = "meeting"
    owner_id: str
    connection_id: str
    received_at: AwareDatetime
    event: MeetingEvent


class ConnectionRenewal(BaseModel):
    """The sweep found a channel or subscription to renew."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["renewal"] = "renewal"
    connection_id: str
    as_of: AwareDatetime


def _kind(value: Any) -> str:
    found = value.get("kind", "meeting") if isinstance(value, dict) else getattr(value, "kind", "meeting")
    return str(found)


QueuedWork = Annotated[
    Annotated[MeetingMessage, Tag("meeting")]
    | Annotated[CalendarChange, Tag("calendar_change")]
    | Annotated[ConnectionRenewal, Tag("renewal")],
    Discriminator(_kind),
]
queued_work: TypeAdapter[MeetingMessage | CalendarChange | ConnectionRenewal] = TypeAdapter(QueuedWork)

Accounts = Callable[[], Mapping[Provider, CalendarAccount]]


def receive_webhook(
    store: MeetingStore,
    queue: Queue,
    accounts: Accounts,
    provider: str,
    connection_id: str,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> Answer:
    """Nothing is stored or sent unless every check passes; then the work is queued durably."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    try:
        known = Provider(provider)
    except ValueError:
        raise NotFound(f"unknown calendar provider {provider[:40]!r}") from None
    if len(connection_id) > MAX_ID_LENGTH:
        raise NotFound("unknown calendar connection")
    connection = store.get_connection(connection_id)
    if connection.provider is not known or connection.state is ConnectionState.REVOKED:
        raise NotFound("unknown calendar connection")
    if known in _BOOKING_TOOLS:
        return _receive_booking(queue, _BOOKING_TOOLS[known], connection, headers, body, now)
    answer = accounts()[known].receive(connection, headers, query, body, now)
    if answer.changes:
        queue.send_all([change.model_dump(mode="json") for change in answer.changes])
    return answer


def _receive_booking(
    queue: Queue,
    tool: ModuleType,
    connection: CalendarConnection,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> Answer:
    tool.verify(headers, body, connection.signing_secret or "", now)
    event: MeetingEvent = tool.parse(body)
    if event.change in {MeetingChange.TEST, MeetingChange.UNRELATED}:
        return Answer(status=200, body=json.dumps({"status": "acknowledged"}))
    message = MeetingMessage(
        owner_id=connection.owner_id, connection_id=connection.connection_id, received_at=now, event=event
    )
    queue.send(message.model_dump(mode="json"))
    return Answer(status=202, body=json.dumps({"status": "queued"}))
