"""Outlook through Microsoft Graph: the CalendarAccount port over a change subscription on the mailbox's events.

Followed as Microsoft documents it (learn.microsoft.com/graph):
- Creating a subscription makes Graph POST `?validationToken=...` to notificationUrl and to
  lifecycleNotificationUrl; the endpoint answers 200, `text/plain`, the URL-decoded token, within
  10 seconds, or no subscription is created ("Receive change notifications through webhooks").
- Each notification in `value[]` carries the subscription's `clientState`, to be compared before
  anything is trusted; change notifications carry only the event's id, so the event is read
  from Graph with `Prefer: outlook.timezone="UTC"` (without it Graph also answers in UTC, but says
  so only by convention).
- Lifecycle notifications ("Reduce missing subscriptions and change notifications"):
  `reauthorizationRequired` is answered by renewing (PATCH expirationDateTime), `subscriptionRemoved`
  by creating a new subscription and resyncing, `missed` by resyncing.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from kith.calendars import graph
from kith.calendars.accounts import INITIAL_READ, Answer, CalendarChange, Reading
from kith.calendars.bodies import load_object
from kith.calendars.errors import ProviderAuthError, ProviderMalformedResponse, ProviderNotFound, ProviderRejected
from kith.calendars.http_client import ProviderHttp
from kith.calendars.oauth import OAuth
from kith.domain.connections import CalendarConnection, ConnectionState, GraphSubscription, Provider
from kith.domain.meetings import MeetingEvent
from kith.domain.models import normalise_email
from kith.errors import MalformedBody, NotFound, Unauthorized, Unprocessable
from kith.observability import logger

# The subscription resource's "Maximum length of subscription per resource type": Outlook message, event,
# contact: 4,230 minutes (under three days). Renewal is due RENEWAL_MARGIN (12 h) before that.
SUBSCRIPTION_MINUTES = 4230
# The least Outlook needs: a refresh token (offline_access), the mailbox's address to tell the owner among
# a meeting's attendees (/me: User.Read), and the calendar read-only (Calendars.Read).
SCOPE = "offline_access User.Read Calendars.Read"
CONSENT_PARAMETERS = {"response_mode": "query"}
CHANGE_TYPES = ("created", "updated", "deleted")
LIFECYCLE_EVENTS = ("reauthorizationRequired", "subscriptionRemoved", "missed")
# What a resync reads after notifications were missed or the subscription was removed.
RESYNC_PAST = timedelta(days=30)
RESYNC_FUTURE = timedelta(days=90)
_MAX_PAGES = 200


class _ResourceData(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | None = None


class _Notification(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    subscription_id: str = Field(alias="subscriptionId")
    client_state: str | None = Field(default=None, alias="clientState")
    change_type: str | None = Field(default=None, alias="changeType")
    lifecycle_event: str | None = Field(default=None, alias="lifecycleEvent")
    resource_data: _ResourceData | None = Field(default=None, alias="resourceData")


class _Notifications(BaseModel):
    model_config = ConfigDict(extra="ignore")

    value: list[_Notification]


class _Subscription(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(min_length=1)
    expires_at: AwareDatetime = Field(alias="expirationDateTime")


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class OutlookCalendar:
    def __init__(self, http: ProviderHttp, oauth: OAuth, graph_url: str) -> None:
        self._http = http
        self._oauth = oauth
        self._graph = graph_url.rstrip("/")

    # -- the port -------------------------------------------------------------------------------

    def connect(
        self,
        connection: CalendarConnection,
        code: str,
        redirect_uri: str,
        now: datetime,
        code_verifier: str | None = None,
    ) -> CalendarConnection:
        tokens = self._oauth.exchange_code(Provider.OUTLOOK, code, redirect_uri, now, code_verifier)
        sealed = self._oauth.seal(tokens, connection.connection_id)
        if sealed is None:
            raise ProviderRejected("Microsoft granted no refresh token (was offline_access consented?)")
        connection = connection.model_copy(
            update={"refresh_token_sealed": sealed, "account_email": self._mailbox(tokens.access_token)}
        )
        return self._subscribe(connection, tokens.access_token, now)

    def receive(
        self,
        connection: CalendarConnection,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        body: bytes,
        now: datetime,
    ) -> Answer:
        if "validationToken" in query:
            # The handshake Graph runs while the subscription is being created: nothing to verify yet.
            token = query["validationToken"]
            if not token:
                raise MalformedBody("validationToken is empty")
            return Answer(status=200, body=token, content_type="text/plain")
        notifications = _parse(body)
        subscription = connection.graph
        if subscription is None or any(n.subscription_id != subscription.subscription_id for n in notifications):
            raise NotFound("unknown Graph subscription")
        expected = subscription.client_state.encode()
        if not all(hmac.compare_digest((n.client_state or "").encode(), expected) for n in notifications):
            raise Unauthorized("clientState does not match the subscription's")
        changes: dict[tuple[str, str | None], CalendarChange] = {}
        for notification in notifications:
            change = _change(notification)
            if change is not None and change not in changes:
                changes[change] = CalendarChange(
                    owner_id=connection.owner_id,
                    connection_id=connection.connection_id,
                    received_at=now,
                    change=change[0],
                    item_id=change[1],
                )
        return Answer(status=202, body=json.dumps({"status": "queued"}), changes=list(changes.values()))

    def read(self, connection: CalendarConnection, change: CalendarChange, now: datetime) -> Reading:
        kind, item_id = change.change, change.item_id
        current = connection.graph.subscription_id if connection.graph else None
        # A lifecycle change carries its subscription's id: one about a subscription since replaced is done.
        stale = kind in ("reauthorizationRequired", "subscriptionRemoved") and item_id != current
        if kind == INITIAL_READ:
            # Just connected: the meetings already in the window are read once, like after a `missed`.
            token, connection = self._token(connection, now)
            return Reading(self._window(token, connection.account_email or "", now), connection)
        if not item_id or stale or kind not in (*CHANGE_TYPES, *LIFECYCLE_EVENTS):
            return Reading([], connection)
        if kind == "deleted":
            return Reading([graph.removed_meeting(item_id)], connection)
        token, connection = self._token(connection, now)
        mailbox = connection.account_email or ""
        if kind in ("created", "updated"):
            return Reading(self._event(token, item_id, mailbox), connection)
        if kind == "reauthorizationRequired":
            return Reading([], self._renew(connection, token, now))
        if kind == "subscriptionRemoved":
            connection = self._subscribe(connection, token, now)
        return Reading(self._window(token, mailbox, now), connection)

    def renew(self, connection: CalendarConnection, now: datetime) -> CalendarConnection:
        token, connection = self._token(connection, now)
        return self._renew(connection, token, now)

    def disconnect(self, connection: CalendarConnection, now: datetime) -> None:
        try:
            if connection.graph is not None:
                token, _ = self._oauth.access_token(connection, now)
                url = f"{self._graph}/subscriptions/{quote(connection.graph.subscription_id, safe='')}"
                self._http.request("DELETE", url, headers=_bearer(token))
        except (ProviderNotFound, ProviderAuthError):
            pass  # already gone, or access already withdrawn: Graph removes the subscription itself
        finally:
            self._oauth.forget(connection.connection_id)

    # -- Graph calls ----------------------------------------------------------------------------

    def _token(self, connection: CalendarConnection, now: datetime) -> tuple[str, CalendarConnection]:
        """An access token; Microsoft rotates refresh tokens, so a new one goes into the connection."""
        token, rotated = self._oauth.access_token(connection, now)
        if rotated is not None:
            connection = connection.model_copy(update={"refresh_token_sealed": rotated})
        return token, connection

    def _mailbox(self, token: str) -> str:
        me = self._http.request("GET", f"{self._graph}/me", headers=_bearer(token)).json()
        address = (me.get("mail") or me.get("userPrincipalName")) if isinstance(me, dict) else None
        try:
            return normalise_email(str(address or ""))
        except ValueError:
            raise ProviderMalformedResponse("Graph /me gave no mailbox address") from None

    def _subscribe(self, connection: CalendarConnection, token: str, now: datetime) -> CalendarConnection:
        client_state = secrets.token_urlsafe(32)  # Graph allows at most 128 characters
        request = {
            "changeType": ",".join(CHANGE_TYPES),
            "notificationUrl": connection.webhook_url,
            "lifecycleNotificationUrl": connection.webhook_url,
            "resource": "me/events",
            "expirationDateTime": _instant(now + timedelta(minutes=SUBSCRIPTION_MINUTES)),
            "clientState": client_state,
        }
        answer = self._http.request("POST", f"{self._graph}/subscriptions", headers=_bearer(token), json=request)
        created = _subscription(answer.json())
        subscription = GraphSubscription(
            subscription_id=created.id, client_state=client_state, expires_at=created.expires_at
        )
        return connection.model_copy(update={"graph": subscription, "state": ConnectionState.ACTIVE})

    def _renew(self, connection: CalendarConnection, token: str, now: datetime) -> CalendarConnection:
        if connection.graph is None:
            return self._subscribe(connection, token, now)
        url = f"{self._graph}/subscriptions/{quote(connection.graph.subscription_id, safe='')}"
        expiry = {"expirationDateTime": _instant(now + timedelta(minutes=SUBSCRIPTION_MINUTES))}
        try:
            answer = self._http.request("PATCH", url, headers=_bearer(token), json=expiry, idempotent=True)
        except ProviderNotFound:
            return self._subscribe(connection, token, now)
        renewed = connection.graph.model_copy(update={"expires_at": _subscription(answer.json()).expires_at})
        return connection.model_copy(update={"graph": renewed})

    def _event(self, token: str, event_id: str, mailbox: str) -> list[MeetingEvent]:
        url = f"{self._graph}/me/events/{quote(event_id, safe='')}"
        try:
            raw = self._http.request("GET", url, headers=_bearer(token, prefer=graph.PREFER_UTC)).json()
        except ProviderNotFound:
            return [graph.removed_meeting(event_id)]  # deleted since the notification was sent
        meeting = graph.meeting_from_event(_object(raw), mailbox)
        return [meeting] if meeting is not None else []

    def _window(self, token: str, mailbox: str, now: datetime) -> list[MeetingEvent]:
        """Every meeting of a bounded window, for when notifications were missed (Graph says: resync)."""
        url: str | None = f"{self._graph}/me/calendarView"
        params: dict[str, str] | None = {
            "startDateTime": _instant(now - RESYNC_PAST),
            "endDateTime": _instant(now + RESYNC_FUTURE),
        }
        meetings: list[MeetingEvent] = []
        skipped = 0
        for _ in range(_MAX_PAGES):
            if url is None:
                break
            page = _object(
                self._http.request("GET", url, headers=_bearer(token, prefer=graph.PREFER_UTC), params=params).json()
            )
            for raw in page.get("value") or []:
                try:
                    meeting = graph.meeting_from_event(_object(raw), mailbox)
                except Unprocessable:
                    skipped += 1
                    continue
                if meeting is not None:
                    meetings.append(meeting)
            url, params = self._next_link(page), None
        if skipped:
            logger.warning("Graph events skipped in a resync", extra={"skipped": skipped})
        return meetings

    def _next_link(self, page: dict[str, Any]) -> str | None:
        link = page.get("@odata.nextLink")
        if link is None:
            return None
        # The bearer token goes only where Kith's Graph is.
        if not isinstance(link, str) or urlsplit(link)[:2] != urlsplit(self._graph)[:2]:
            raise ProviderMalformedResponse("Graph's @odata.nextLink leads elsewhere")
        return link


def _bearer(token: str, prefer: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if prefer:
        headers["Prefer"] = prefer
    return headers


def _object(document: object) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ProviderMalformedResponse("Graph answered with something other than a JSON object")
    return document


def _subscription(document: object) -> _Subscription:
    try:
        return _Subscription.model_validate(document)
    except ValidationError:
        raise ProviderMalformedResponse("Graph's subscription lacks an id or an expirationDateTime") from None


def _parse(body: bytes) -> list[_Notification]:
    document = load_object(body)
    try:
        return _Notifications.model_validate(document).value
    except ValidationError:
        raise MalformedBody("body is not a Graph notification collection ({value: [...]})") from None


def _change(notification: _Notification) -> tuple[str, str | None] | None:
    """(change, item id) to queue: the event's id for a change, the subscription's id for a lifecycle event."""
    if notification.lifecycle_event is not None:
        if notification.lifecycle_event in LIFECYCLE_EVENTS:
            return notification.lifecycle_event, notification.subscription_id
        return None
    if notification.change_type in CHANGE_TYPES:
        event_id = notification.resource_data.id if notification.resource_data else None
        if not event_id:
            raise MalformedBody(f"a {notification.change_type} notification without resourceData.id")
        return notification.change_type, event_id
    return None  # a change type Graph may add later: nothing Kith reads
