"""Webhook intake: verify, parse, and hand the meeting to the queue before answering."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from pydantic import AwareDatetime, BaseModel, ConfigDict

from kith.adapters.queue import Queue
from kith.calendars import calcom, calendly
from kith.domain.meetings import MeetingChange, MeetingEvent
from kith.domain.models import Provider
from kith.errors import NotFound, PayloadTooLarge
from kith.storage.repository import Repository

MAX_BODY_BYTES = 256 * 1024

_PROVIDERS: dict[Provider, ModuleType] = {Provider.CALCOM: calcom, Provider.CALENDLY: calendly}


class MeetingMessage(BaseModel):
    """What the meetings queue carries: who it is for, when it arrived, and the parsed meeting."""

    model_config = ConfigDict(frozen=True)

    owner_id: str
    connection_id: str
    received_at: AwareDatetime
    event: MeetingEvent


@dataclass(frozen=True)
class Receipt:
    queued: bool
    change: MeetingChange


def receive_webhook(
    repo: Repository,
    queue: Queue,
    provider: str,
    connection_id: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> Receipt:
    """Nothing is stored or sent unless every check passes; then the event is queued durably."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    try:
        known = Provider(provider)
    except ValueError:
        raise NotFound(f"unknown calendar provider {provider!r}") from None
    connection = repo.get_connection(connection_id)
    if connection.provider is not known:
        raise NotFound("unknown calendar connection")
    adapter = _PROVIDERS.get(known)
    if adapter is None:
        raise NotFound(f"{known.value} does not deliver webhooks to this route")
    adapter.verify(headers, body, connection.signing_secret, now)
    event: MeetingEvent = adapter.parse(body)
    if event.change is MeetingChange.TEST:
        return Receipt(queued=False, change=event.change)
    message = MeetingMessage(owner_id=connection.owner_id, connection_id=connection_id, received_at=now, event=event)
    queue.send(message.model_dump(mode="json"))
    return Receipt(queued=True, change=event.change)
