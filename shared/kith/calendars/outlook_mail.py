"""Outlook's sent mail through Microsoft Graph: a subscription on Sent Items, each new message read as metadata.

Followed as Microsoft documents it (learn.microsoft.com/graph):
- `Mail.ReadBasic` (delegated) is the least permission that subscribes to a mail folder's messages and
  reads them: everything but the body, its preview, attachments and extended properties.
- The subscription is on `me/mailFolders('SentItems')/messages`, `created` only; its notifications,
  validation handshake, clientState and lifecycle events are those of the events' subscription and
  arrive at the same webhook. A notification carries only the message's id: the message is then read
  with `$select` naming the few fields Kith keeps; a 404 means it was deleted or moved since.
- After `missed` notifications, or a new subscription in place of a removed one, Sent Items of the
  last RESYNC_PAST are read again (bounded); a message already seen is known by its Message-ID.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import islice
from urllib.parse import quote

from kith.calendars import graph
from kith.calendars.accounts import Reading
from kith.calendars.errors import ProviderMalformedResponse, ProviderNotFound, ProviderRejected
from kith.calendars.graph_api import SENT_ITEMS, GraphApi, graph_object, instant
from kith.domain.connections import CalendarConnection
from kith.domain.mail import SentMessage
from kith.errors import Unprocessable
from kith.observability import logger

# Graph's change type on the Sent Items subscription, queued as this change about the message's id.
MAIL_CREATED = "mail_created"
RESYNC_PAST = timedelta(days=30)
RESYNC_PAGE = 50
RESYNC_MOST = 500
_SELECT = ",".join(graph.MESSAGE_FIELDS)


class SentItems:
    """The mailbox's Sent Items: watched by a subscription of its own, read one message at a time."""

    def __init__(self, api: GraphApi) -> None:
        self._api = api

    def subscribe(self, connection: CalendarConnection, token: str, now: datetime) -> CalendarConnection:
        """The Sent Items subscription, made beside the events'; a Graph that refuses it leaves mail off."""
        try:
            subscription = self._api.subscribe(token, SENT_ITEMS, connection.webhook_url, now)
        except ProviderRejected as refused:
            logger.warning(
                "Graph refused the Sent Items subscription; the calendar is connected without mail",
                extra={"connection_id": connection.connection_id, "reason": refused.reason, "status": refused.status},
            )
            return connection.model_copy(update={"mail": False, "graph_mail": None})
        return connection.model_copy(update={"graph_mail": subscription})

    def renew(self, connection: CalendarConnection, token: str, now: datetime) -> CalendarConnection:
        if connection.graph_mail is None:
            return self.subscribe(connection, token, now)
        renewed = self._api.renew(token, SENT_ITEMS, connection.graph_mail, connection.webhook_url, now)
        return connection.model_copy(update={"graph_mail": renewed})

    def lifecycle(self, connection: CalendarConnection, token: str, event: str, now: datetime) -> Reading:
        """A lifecycle event of the Sent Items subscription, answered as Graph asks."""
        if event == "reauthorizationRequired":
            return Reading([], self.renew(connection, token, now))
        if event == "subscriptionRemoved":
            connection = self.subscribe(connection, token, now)
            if not connection.mail:
                return Reading([], connection)
        return Reading([], connection, messages=self.recent(token, now))

    def message(self, token: str, message_id: str) -> list[SentMessage]:
        """The message a notification named, or nothing if it left Sent Items since."""
        path = f"me/messages/{quote(message_id, safe='')}"
        try:
            raw = self._api.get(token, path, params={"$select": _SELECT})
        except ProviderNotFound:
            return []
        return _readable([raw])

    def recent(self, token: str, now: datetime) -> list[SentMessage]:
        """Sent Items of the last RESYNC_PAST, at most RESYNC_MOST messages."""
        params = {
            "$filter": f"sentDateTime ge {instant(now - RESYNC_PAST)}",
            "$select": _SELECT,
            "$top": str(RESYNC_PAGE),
        }
        found = self._api.items(token, SENT_ITEMS.path, params, max_pages=RESYNC_MOST // RESYNC_PAGE)
        return _readable(islice(found, RESYNC_MOST))


def _readable(documents: Iterable[object]) -> list[SentMessage]:
    messages: list[SentMessage] = []
    skipped = 0
    for document in documents:
        try:
            messages.append(graph.sent_message(graph_object(document)))
        except (Unprocessable, ProviderMalformedResponse):
            skipped += 1
    if skipped:
        logger.warning("Graph messages skipped: unreadable", extra={"skipped": skipped})
    return messages
