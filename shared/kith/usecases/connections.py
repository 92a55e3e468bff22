"""Connecting a calendar: an id for the webhook URL and a secret shown once."""

from __future__ import annotations

import uuid
from datetime import datetime

from kith.calendars.signing import new_signing_secret
from kith.domain.models import CalendarConnection, Provider
from kith.storage.repository import Repository


def webhook_path(connection: CalendarConnection) -> str:
    return f"/webhooks/{connection.provider.value}/{connection.connection_id}"


def connect_calendar(repo: Repository, owner_id: str, provider: Provider, now: datetime) -> CalendarConnection:
    repo.get_owner(owner_id)
    connection = CalendarConnection(
        connection_id=uuid.uuid4().hex,
        owner_id=owner_id,
        provider=provider,
        signing_secret=new_signing_secret(),
        created_at=now,
    )
    repo.create_connection(connection)
    return connection
