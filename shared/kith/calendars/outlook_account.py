"""Outlook through Microsoft Graph: the CalendarAccount port over a change subscription on the mailbox's events,
and, when the owner chose it, one on its Sent Items (outlook_mail).

Followed as Microsoft documents it (learn.microsoft.com/graph):
- Creating a subscription makes Graph POST `?validationToken=...` to notificationUrl and to
  lifecycleNotificationUrl; the endpoint answers 200, `text/plain`, the URL-decoded token, within
  10 seconds, or no subscription is created ("Receive change notifications through webhooks").
- Each notification in `value[]` carries its subscription's id and `clientState`, compared before
  anything is trusted; change notifications carry only the item's id, so the event is read
  from Graph with `Prefer: outlook.timezone="UTC"` (without it Graph also answers in UTC, but says
  so only by convention), and a message as outlook_mail reads it.
- Lifecycle notifications ("Reduce missing subscriptions and change notifications"):
  `reauthorizationRequired` is answered by renewing (PATCH expirationDateTime), `subscriptionRemoved`
  by creating a new subscription and resyncing, `missed` by resyncing; each names its subscription,
  so the events' and the Sent Items' are answered each for itself.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kith.calendars import graph
from kith.calendars.accounts import INITIAL_READ, Answer, CalendarChange, Reading
from kith.calendars.bodies import load_object
from kith.calendars.errors import ProviderAuthError, ProviderMalformedResponse, ProviderNotFound, ProviderRejected
from kith.calendars.graph_api import EVENTS, GraphApi, graph_object, instant
from kith.calendars.http_client import ProviderHttp
from kith.calendars.oauth import OAuth
from kith.calendars.outlook_mail import MAIL_CREATED, SentItems
from kith.domain.connections import RENEWAL_MARGIN, CalendarConnection, ConnectionState, GraphSubscription, Provider
from kith.domain.meetings import MeetingEvent
from kith.domain.models import normalise_email
from kith.errors import MalformedBody, NotFound, Unauthorized, Unprocessable
from kith.observability import logger

# The least Outlook needs: a refresh token (offline_access), the mailbox's address to tell the owner among
# a meeting's attendees (/me: User.Read), and the calendar read-only (Calendars.Read).
SCOPE = "offline_access User.Read Calendars.Read"
# Added when the owner lets Kith see the mail they send: Sent Items' messages without their bodies.
MAIL_SCOPE = "Mail.ReadBasic"
CONSENT_PARAMETERS = {"response_mode": "query"}
CHANGE_TYPES = EVENTS.change_types
LIFECYCLE_EVENTS = ("reauthorizationRequired", "subscriptionRemoved", "missed")
# What a resync reads after notifications were missed or the subscription was removed.
RESYNC_PAST = timedelta(days=30)
RESYNC_FUTURE = timedelta(days=90)


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


class OutlookCalendar:
    def __init__(self, http: ProviderHttp, oauth: OAuth, graph_url: str) -> None:
        self._oauth = oauth
        self._api = GraphApi(http, graph_url)
        self._sent = SentItems(self._api)

    # -- the port -------------------------------------------------------------------------------

    def connect(
        self,
        connection: CalendarConnection,
        code: str,
        redirect_uri: str,
        now: datetime,
        code_verifier: str | None = None,
    ) -> CalendarConnection:
        tokens = self._oauth.exchange_code(
            Provider.OUTLOOK, code, redirect_uri, now, code_verifier, mail=connection.mail
        )
        sealed = self._oauth.seal(tokens, connection.connection_id)
        if sealed is None:
            raise ProviderRejected("Microsoft granted no refresh token (was offline_access consented?)")
        connection = connection.model_copy(
            update={
                "refresh_token_sealed": sealed,
                "account_email": self._mailbox(tokens.access_token),
                "mail": connection.mail and tokens.granted(MAIL_SCOPE),
            }
        )
        connection = self._subscribe(connection, tokens.access_token, now)
        return self._sent.subscribe(connection, tokens.access_token, now) if connection.mail else connection

    def receive(
        self,
        connection: CalendarConnection,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        body: bytes,
        now: datetime,
    ) -> Answer:
        if "validationToken" in query:
            # The handshake Graph runs while a subscription is being created: nothing to verify yet.
            token = query["validationToken"]
            if not token:
                raise MalformedBody("validationToken is empty")
            return Answer(status=200, body=token, content_type="text/plain")
        notifications = _parse(body)
        watched = {s.subscription_id: s for s in (connection.graph, connection.graph_mail) if s is not None}
        if any(n.subscription_id not in watched for n in notifications):
            raise NotFound("unknown Graph subscription")
        for notification in notifications:
            expected = watched[notification.subscription_id].client_state.encode()
            if not hmac.compare_digest((notification.client_state or "").encode(), expected):
                raise Unauthorized("clientState does not match the subscription's")
        mail = connection.graph_mail.subscription_id if connection.graph_mail else None
        changes: dict[tuple[str, str | None], CalendarChange] = {}
        for notification in notifications:
            change = _change(notification, of_mail=notification.subscription_id == mail)
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
        if kind == INITIAL_READ:
            # Just connected: the meetings already in the window are read once, like after a `missed`.
            token, connection = self._token(connection, now)
            return Reading(self._window(token, connection.account_email or "", now), connection)
        if kind == MAIL_CREATED:
            return self._message(connection, item_id, now)
        mail = connection.graph_mail.subscription_id if connection.graph_mail else None
        if kind in LIFECYCLE_EVENTS and item_id is not None and item_id == mail:
            token, connection = self._token(connection, now)
            return self._sent.lifecycle(connection, token, kind, now)
        current = connection.graph.subscription_id if connection.graph else None
        # A lifecycle change carries its subscription's id: one about a subscription since replaced is done.
        stale = kind in ("reauthorizationRequired", "subscriptionRemoved") and item_id != current
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
        """Renew whichever subscription is due (both, as they are made and renewed together)."""
        token, connection = self._token(connection, now)
        events_due = connection.graph is None or _due(connection.graph, now)
        mail_due = connection.mail and (connection.graph_mail is None or _due(connection.graph_mail, now))
        if events_due or not mail_due:  # asked to renew with nothing due: the events', as always
            connection = self._renew(connection, token, now)
        return self._sent.renew(connection, token, now) if mail_due else connection

    def disconnect(self, connection: CalendarConnection, now: datetime) -> None:
        subscriptions = [s for s in (connection.graph, connection.graph_mail) if s is not None]
        try:
            if subscriptions:
                token, _ = self._oauth.access_token(connection, now)
                for subscription in subscriptions:
                    self._api.unsubscribe(token, subscription)
        except ProviderAuthError:
            pass  # access already withdrawn: Graph removes the subscriptions itself
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
        me = self._api.get(token, "me")
        address = me.get("mail") or me.get("userPrincipalName")
        try:
            return normalise_email(str(address or ""))
        except ValueError:
            raise ProviderMalformedResponse("Graph /me gave no mailbox address") from None

    def _subscribe(self, connection: CalendarConnection, token: str, now: datetime) -> CalendarConnection:
        subscription = self._api.subscribe(token, EVENTS, connection.webhook_url, now)
        return connection.model_copy(update={"graph": subscription, "state": ConnectionState.ACTIVE})

    def _renew(self, connection: CalendarConnection, token: str, now: datetime) -> CalendarConnection:
        if connection.graph is None:
            return self._subscribe(connection, token, now)
        renewed = self._api.renew(token, EVENTS, connection.graph, connection.webhook_url, now)
        return connection.model_copy(update={"graph": renewed})

    def _message(self, connection: CalendarConnection, message_id: str | None, now: datetime) -> Reading:
        """A new message in Sent Items; nothing once the owner has turned mail off."""
        if not message_id or not connection.mail:
            return Reading([], connection)
        token, connection = self._token(connection, now)
        return Reading([], connection, messages=self._sent.message(token, message_id))

    def _event(self, token: str, event_id: str, mailbox: str) -> list[MeetingEvent]:
        try:
            raw = self._api.get(token, f"me/events/{quote(event_id, safe='')}", prefer=graph.PREFER_UTC)
        except ProviderNotFound:
            return [graph.removed_meeting(event_id)]  # deleted since the notification was sent
        meeting = graph.meeting_from_event(raw, mailbox)
        return [meeting] if meeting is not None else []

    def _window(self, token: str, mailbox: str, now: datetime) -> list[MeetingEvent]:
        """Every meeting of a bounded window, for when notifications were missed (Graph says: resync)."""
        params = {"startDateTime": instant(now - RESYNC_PAST), "endDateTime": instant(now + RESYNC_FUTURE)}
        meetings: list[MeetingEvent] = []
        skipped = 0
        for raw in self._api.items(token, "me/calendarView", params, prefer=graph.PREFER_UTC):
            try:
                meeting = graph.meeting_from_event(graph_object(raw), mailbox)
            except Unprocessable:
                skipped += 1
                continue
            if meeting is not None:
                meetings.append(meeting)
        if skipped:
            logger.warning("Graph events skipped in a resync", extra={"skipped": skipped})
        return meetings


def _due(subscription: GraphSubscription | None, now: datetime) -> bool:
    return subscription is not None and subscription.expires_at - RENEWAL_MARGIN <= now


def _parse(body: bytes) -> list[_Notification]:
    document = load_object(body)
    try:
        return _Notifications.model_validate(document).value
    except ValidationError:
        raise MalformedBody("body is not a Graph notification collection ({value: [...]})") from None


def _change(notification: _Notification, *, of_mail: bool) -> tuple[str, str | None] | None:
    """(change, item id) to queue: the item's id for a change, the subscription's id for a lifecycle event."""
    if notification.lifecycle_event is not None:
        if notification.lifecycle_event in LIFECYCLE_EVENTS:
            return notification.lifecycle_event, notification.subscription_id
        return None
    if notification.change_type not in (("created",) if of_mail else CHANGE_TYPES):
        return None  # a change type Graph may add later, or one Kith did not ask for: nothing Kith reads
    item_id = notification.resource_data.id if notification.resource_data else None
    if not item_id:
        raise MalformedBody(f"a {notification.change_type} notification without resourceData.id")
    return (MAIL_CREATED if of_mail else str(notification.change_type)), item_id
