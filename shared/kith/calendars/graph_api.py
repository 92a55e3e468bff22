"""Microsoft Graph for one mailbox: its requests and pages, and its change subscriptions, for events and mail alike.

Followed as Microsoft documents it (learn.microsoft.com/graph):
- A subscription is created with POST /subscriptions; Graph first POSTs `?validationToken=...` to its
  notificationUrl and lifecycleNotificationUrl, and creates it only if the token comes back (see
  outlook_account). It is renewed by PATCHing its expirationDateTime; a 404 then means Graph removed it,
  and a new one is made in its place. Deleting one Graph no longer has is done already.
- "Maximum length of subscription per resource type": Outlook message, event and contact subscriptions
  share one limit; Kith asks for 4,230 minutes for both the events and Sent Items, so the two come due
  for renewal together.
- A collection answers in pages; @odata.nextLink is followed as given, and only where Kith's Graph is.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from kith.calendars.errors import ProviderMalformedResponse, ProviderNotFound
from kith.calendars.http_client import Params, ProviderHttp
from kith.domain.connections import GraphSubscription

# The subscription resource's "Maximum length of subscription per resource type" for Outlook messages,
# events and contacts, as Kith reads it (under three days). Renewal is due RENEWAL_MARGIN (12 h) before that.
SUBSCRIPTION_MINUTES = 4230
MAX_PAGES = 200


@dataclass(frozen=True)
class Resource:
    """What a subscription watches: the resource Graph names, and the changes Kith asks to be told of."""

    path: str
    change_types: tuple[str, ...]


EVENTS = Resource("me/events", ("created", "updated", "deleted"))
# New messages in the owner's Sent Items: what they sent (or moved there), never what they received.
SENT_ITEMS = Resource("me/mailFolders('SentItems')/messages", ("created",))


class _Created(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(min_length=1)
    expires_at: AwareDatetime = Field(alias="expirationDateTime")


def instant(moment: datetime) -> str:
    """An instant as Graph reads it in a body or a query: UTC, with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bearer(token: str, prefer: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if prefer:
        headers["Prefer"] = prefer
    return headers


def graph_object(document: object) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ProviderMalformedResponse("Graph answered with something other than a JSON object")
    return document


class GraphApi:
    def __init__(self, http: ProviderHttp, graph_url: str) -> None:
        self._http = http
        self._url = graph_url.rstrip("/")

    def get(self, token: str, path: str, *, params: Params | None = None, prefer: str | None = None) -> dict[str, Any]:
        """One GET of `path` (below Graph's root, already quoted); ProviderNotFound for a 404."""
        answer = self._http.request("GET", f"{self._url}/{path}", headers=bearer(token, prefer), params=params)
        return graph_object(answer.json())

    def items(
        self, token: str, path: str, params: Params, *, prefer: str | None = None, max_pages: int = MAX_PAGES
    ) -> Iterator[object]:
        """Every item of a collection, page by page, each page read only when the one before is used up."""
        url: str | None = f"{self._url}/{path}"
        query: Params | None = params
        for _ in range(max_pages):
            if url is None:
                return
            page = graph_object(self._http.request("GET", url, headers=bearer(token, prefer), params=query).json())
            found = page.get("value") or []
            if not isinstance(found, list):
                raise ProviderMalformedResponse("Graph's page holds no list of values")
            yield from found
            url, query = self._next_link(page), None

    def subscribe(
        self, token: str, resource: Resource, notification_url: str | None, now: datetime
    ) -> GraphSubscription:
        client_state = secrets.token_urlsafe(32)  # Graph allows at most 128 characters
        request = {
            "changeType": ",".join(resource.change_types),
            "notificationUrl": notification_url,
            "lifecycleNotificationUrl": notification_url,
            "resource": resource.path,
            "expirationDateTime": instant(now + timedelta(minutes=SUBSCRIPTION_MINUTES)),
            "clientState": client_state,
        }
        answer = self._http.request("POST", f"{self._url}/subscriptions", headers=bearer(token), json=request)
        created = _created(answer.json())
        return GraphSubscription(subscription_id=created.id, client_state=client_state, expires_at=created.expires_at)

    def renew(
        self,
        token: str,
        resource: Resource,
        subscription: GraphSubscription,
        notification_url: str | None,
        now: datetime,
    ) -> GraphSubscription:
        """The subscription for another full lifetime from now; a new one if Graph no longer has it."""
        expiry = {"expirationDateTime": instant(now + timedelta(minutes=SUBSCRIPTION_MINUTES))}
        try:
            answer = self._http.request(
                "PATCH", self._subscription_url(subscription), headers=bearer(token), json=expiry, idempotent=True
            )
        except ProviderNotFound:
            return self.subscribe(token, resource, notification_url, now)
        return subscription.model_copy(update={"expires_at": _created(answer.json()).expires_at})

    def unsubscribe(self, token: str, subscription: GraphSubscription) -> None:
        with contextlib.suppress(ProviderNotFound):  # Graph removed it already
            self._http.request("DELETE", self._subscription_url(subscription), headers=bearer(token))

    def _subscription_url(self, subscription: GraphSubscription) -> str:
        return f"{self._url}/subscriptions/{quote(subscription.subscription_id, safe='')}"

    def _next_link(self, page: Mapping[str, Any]) -> str | None:
        link = page.get("@odata.nextLink")
        if link is None:
            return None
        # The bearer token goes only where Kith's Graph is.
        if not isinstance(link, str) or urlsplit(link)[:2] != urlsplit(self._url)[:2]:
            raise ProviderMalformedResponse("Graph's @odata.nextLink leads elsewhere")
        return link


def _created(document: object) -> _Created:
    try:
        return _Created.model_validate(document)
    except ValidationError:
        raise ProviderMalformedResponse("Graph's subscription lacks an id or an expirationDateTime") from None
