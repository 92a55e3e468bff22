"""Microsoft Graph's Outlook mail, faked: Sent Items, read as Mail.ReadBasic allows, and their notifications.

    GET /graph/v1.0/me/messages/{id}                       one message; only the `$select`ed fields (and id)
    GET /graph/v1.0/me/mailFolders('SentItems')/messages   Sent Items, newest first: $filter=sentDateTime ge <instant>,
                                                           $select, $top (default 10), @odata.nextLink pages

A subscription on `me/mailFolders('SentItems')/messages` is made with FakeGraph's POST /subscriptions (this
fake adds the resource, wanting Mail.ReadBasic or Mail.Read). With Mail.ReadBasic and not Mail.Read, Graph
refuses a message's body, its preview, its attachments and its headers (403 ErrorAccessDenied), and leaves
them out when nothing is selected. `put_sent` files a message in Sent Items; `notify_sent` tells Kith of it
through a subscription, with its clientState or one given.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Mapping
from typing import Any

from kith_local.fake_graph import FakeGraph, graph_error
from kith_local.fake_http import Answer, Refusal, Route, json_answer, parse_instant
from kith_local.fake_oauth import Grant

SENT_ITEMS = "me/mailFolders('SentItems')/messages"
# What Mail.ReadBasic does not let an app read.
NOT_BASIC = frozenset(
    {"body", "bodyPreview", "uniqueBody", "attachments", "internetMessageHeaders", "singleValueExtendedProperties"}
)
GRAPH_MESSAGE_PAGE = 10  # the messages collection's default page size
GRAPH_MESSAGE_PAGE_MOST = 1000
_FAKE_TENANT = "84bd8158-6d4d-4958-8b9f-9d6445542f95"
_FILTER = re.compile(r"\s*sentDateTime\s+ge\s+(\S+)\s*")


class FakeGraphMail:
    """`url()` is where Graph is served (for the nextLinks it writes)."""

    def __init__(self, graph: FakeGraph, lock: threading.Lock, url: Callable[[], str]) -> None:
        graph.resources[SENT_ITEMS] = frozenset({"Mail.ReadBasic", "Mail.Read"})
        self._graph = graph
        self._lock = lock
        self._url = url
        self._sent: dict[str, dict[str, Any]] = {}
        self._pages: dict[str, tuple[list[dict[str, Any]], dict[str, str]]] = {}
        self._selects: list[str | None] = []

    # -- test controls -----------------------------------------------------------------------

    def put_sent(self, message: Mapping[str, Any]) -> None:
        """File a message (Graph's shape: provider_payloads.graph_message) in Sent Items."""
        with self._lock:
            self._sent[str(message["id"])] = dict(message)

    def delete_sent(self, message_id: str) -> None:
        with self._lock:
            del self._sent[message_id]

    @property
    def selects(self) -> list[str | None]:
        """The `$select` of each read of messages, in order (None: nothing selected)."""
        with self._lock:
            return list(self._selects)

    @property
    def subscriptions(self) -> list[dict[str, Any]]:
        """The subscriptions Graph holds on Sent Items."""
        return [s for s in self._graph.subscriptions if s["resource"] == SENT_ITEMS]

    def notification(self, subscription_id: str, message_id: str) -> dict[str, Any]:
        """A `created` notification (no resource data) as Graph writes it, with the subscription's clientState."""
        subscription = self._graph.known_subscription(subscription_id)
        resource = f"Users/{self._graph.user['id']}/Messages/{message_id}"
        return {
            "id": secrets.token_urlsafe(9),
            "subscriptionId": subscription_id,
            "subscriptionExpirationDateTime": subscription["expirationDateTime"],
            "clientState": subscription["clientState"],
            "changeType": "created",
            "resource": resource,
            "tenantId": _FAKE_TENANT,
            "resourceData": {
                "@odata.type": "#Microsoft.Graph.Message",
                "@odata.id": resource,
                "@odata.etag": f'W/"{secrets.token_urlsafe(12)}"',
                "id": message_id,
            },
        }

    def notify_sent(
        self, subscription_id: str, message_id: str, *, client_state: str | None = None
    ) -> tuple[int, str, bytes]:
        """Tell Kith's notificationUrl of a new message in Sent Items (with `client_state` instead, if given)."""
        item = self.notification(subscription_id, message_id)
        if client_state is not None:
            item["clientState"] = client_state
        return self._graph.deliver(self._graph.known_subscription(subscription_id)["notificationUrl"], [item])

    # -- routes ------------------------------------------------------------------------------

    @property
    def routes(self) -> list[Route]:
        folder = r"/graph/v1\.0/me/mailFolders(?:\('(?i:sentitems)'\)|/(?i:sentitems))/messages"
        return [
            ("GET", re.compile(r"/graph/v1\.0/me/messages/(?P<id>[^/]+)"), self._message),
            ("GET", re.compile(folder), self._folder),
        ]

    def _readable(self, grant: Grant, query: Mapping[str, str]) -> list[str] | None:
        """The fields asked for (None: all), refused where the token may not read them or may read no mail."""
        select = query.get("$select")
        self._selects.append(select)
        scopes = set(grant.scope.split())
        if not scopes & {"Mail.ReadBasic", "Mail.Read"}:
            raise self._refusal(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        fields = [name.strip() for name in select.split(",") if name.strip()] if select else None
        if fields is not None and _basic_only(grant) and NOT_BASIC & set(fields):
            raise self._refusal(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        return fields

    def _refusal(self, status: int, code: str, message: str) -> Refusal:
        return graph_error(status, code, message, self._graph.clock.now())

    def _message(self, match: dict[str, str], q: dict[str, str], headers: Mapping[str, str], _: bytes) -> Answer:
        grant = self._graph.authorize(headers)
        fields = self._readable(grant, q)
        message = self._sent.get(match["id"])
        if message is None:
            raise self._refusal(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        context = "https://graph.microsoft.com/v1.0/$metadata#users('fake-owner')/messages/$entity"
        return json_answer(200, {"@odata.context": context} | _shown(message, fields, grant))

    def _folder(self, _: dict[str, str], q: dict[str, str], headers: Mapping[str, str], __: bytes) -> Answer:
        grant = self._graph.authorize(headers)
        if "$skiptoken" in q:
            # A nextLink carries its request's $select and $top on.
            messages, q = self._next_page(q["$skiptoken"])
        else:
            messages = self._filtered(q.get("$filter"))
        fields = self._readable(grant, q)
        size = self._page_size(q.get("$top"))
        answer: dict[str, Any] = {
            "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('fake-owner')/{SENT_ITEMS[3:]}",
            "value": [_shown(message, fields, grant) for message in messages[:size]],
        }
        if len(messages) > size:
            token = secrets.token_urlsafe(12)
            self._pages[token] = (messages[size:], {k: v for k, v in q.items() if k in ("$select", "$top")})
            answer["@odata.nextLink"] = f"{self._url()}/{SENT_ITEMS}?$skiptoken={token}"
        return json_answer(200, answer)

    def _filtered(self, expression: str | None) -> list[dict[str, Any]]:
        since = None
        if expression is not None:
            found = _FILTER.fullmatch(expression)
            try:
                since = parse_instant(found.group(1)) if found else None
            except ValueError:
                since = None
            if since is None:
                raise self._refusal(400, "BadRequest", f"Invalid filter clause: {expression}")
        messages = sorted(self._sent.values(), key=lambda m: parse_instant(m["sentDateTime"]), reverse=True)
        return [m for m in messages if since is None or parse_instant(m["sentDateTime"]) >= since]

    def _page_size(self, top: str | None) -> int:
        if top is None:
            return GRAPH_MESSAGE_PAGE
        if not top.isdigit() or not 0 < int(top) <= GRAPH_MESSAGE_PAGE_MOST:
            raise self._refusal(400, "BadRequest", f"Invalid value '{top}' for $top.")
        return int(top)

    def _next_page(self, token: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
        page = self._pages.pop(token, None)
        if page is None:
            raise self._refusal(400, "ErrorInvalidParameter", "The skip token is not valid.")
        return page


def _basic_only(grant: Grant) -> bool:
    return "Mail.Read" not in grant.scope.split()


def _shown(message: dict[str, Any], fields: list[str] | None, grant: Grant) -> dict[str, Any]:
    """A message as Graph shows it: the selected fields and its id, or all the token may read."""
    if fields is None:
        hidden = NOT_BASIC if _basic_only(grant) else frozenset({"internetMessageHeaders"})
        return {name: value for name, value in message.items() if name not in hidden}
    return {"id": message["id"]} | {name: message[name] for name in fields if name in message}
