"""Google Calendar behind the CalendarAccount port: a push channel on the primary calendar, and incremental sync.

As Google documents it: `events.watch` opens a channel (an id and a token of
our choosing, an address, `params.ttl`), Google then POSTs notifications with
`X-Goog-Channel-ID`, `X-Goog-Resource-ID`, `X-Goog-Channel-Token` and
`X-Goog-Resource-State` (`sync` once when the channel opens, then `exists` or
`not_exists`) and an empty body. What changed is read with `events.list` and the
stored `syncToken`, every page, keeping `nextSyncToken` from the last one; a 410
means the token expired and a bounded full sync gives a new one. Channels are
never renewed in place: a new one is opened before the old one is stopped.

Consent asks for the least that does this: the events of the owner's calendars, read-only
(`calendar.events.readonly`, which covers events.list and events.watch on `primary`), and
`openid email` for the address the connection is listed under. The calendar's time zone,
which reading all-day and floating events needs, comes with every events.list page.
"""

from __future__ import annotations

import hmac
import json
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kith.calendars import google
from kith.calendars.accounts import INITIAL_READ, Answer, CalendarChange, Reading
from kith.calendars.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderGone,
    ProviderMalformedResponse,
    ProviderNotFound,
)
from kith.calendars.http_client import Params, ProviderHttp
from kith.calendars.oauth import OAuth
from kith.calendars.signing import header_value
from kith.domain.connections import CalendarConnection, ConnectionState, GoogleWatch, Provider
from kith.domain.meetings import MeetingEvent
from kith.domain.models import normalise_email
from kith.errors import MalformedBody, NotFound, Unauthorized, Unprocessable
from kith.observability import logger

# The bounded full sync (on connect, and when Google expires a sync token): recent past and planned future.
FULL_SYNC_PAST = timedelta(days=30)
FULL_SYNC_FUTURE = timedelta(days=90)
# events.watch's documented default; the sweep renews well before it lapses (RENEWAL_MARGIN).
CHANNEL_TTL = timedelta(days=7)
PAGE_SIZE = 250
_CHANGED_STATES = frozenset({"exists", "not_exists"})

SCOPE = "openid email https://www.googleapis.com/auth/calendar.events.readonly"
# Offline access for a refresh token, asked each time (Google gives one only at a consent), and the
# owner's earlier grants to Kith kept (incremental authorization).
CONSENT_PARAMETERS = {"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"}
PRIMARY = "primary"

M = TypeVar("M", bound=BaseModel)


class _Channel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    resource_id: str = Field(alias="resourceId", min_length=1)
    # A 64-bit number of milliseconds, which Google sends as a string.
    expiration: int | None = None


class _EventsPage(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    items: list[dict[str, Any]] = []
    next_page_token: str | None = Field(default=None, alias="nextPageToken")
    next_sync_token: str | None = Field(default=None, alias="nextSyncToken")
    time_zone: str | None = Field(default=None, alias="timeZone")


class GoogleCalendar:
    def __init__(self, http: ProviderHttp, oauth: OAuth, api_url: str) -> None:
        self._http = http
        self._oauth = oauth
        self._api = api_url.rstrip("/")

    # -- the port --------------------------------------------------------------------------------

    def connect(
        self,
        connection: CalendarConnection,
        code: str,
        redirect_uri: str,
        now: datetime,
        code_verifier: str | None = None,
    ) -> CalendarConnection:
        tokens = self._oauth.exchange_code(Provider.GOOGLE, code, redirect_uri, now, code_verifier)
        if not tokens.refresh_token:
            # Without offline access Kith could read the calendar for an hour and then never again.
            raise ProviderAuthError("Google granted no refresh token", reason="offline_access_missing")
        sealed = self._oauth.seal(tokens, connection.connection_id)
        # No sync token yet: the first change read (queued at connect) runs the bounded full sync,
        # and learns the calendar's time zone.
        watch = self._watch(tokens.access_token, connection, PRIMARY, None, now)
        return connection.model_copy(
            update={
                "state": ConnectionState.ACTIVE,
                "account_email": _address(tokens.identity()),
                "refresh_token_sealed": sealed,
                "google": watch,
            }
        )

    def receive(
        self,
        connection: CalendarConnection,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        body: bytes,
        now: datetime,
    ) -> Answer:
        watch = connection.google
        if (
            watch is None
            or header_value(headers, "x-goog-channel-id") != watch.channel_id
            or header_value(headers, "x-goog-resource-id") != watch.resource_id
        ):
            raise NotFound("unknown channel")
        token = header_value(headers, "x-goog-channel-token")
        if token is None or not hmac.compare_digest(token.encode(), watch.channel_token.encode()):
            raise Unauthorized("the channel token is missing or wrong")
        state = header_value(headers, "x-goog-resource-state")
        if state == "sync":
            return Answer(status=200, body=json.dumps({"status": "acknowledged"}))
        if state not in _CHANGED_STATES:
            raise MalformedBody("X-Goog-Resource-State is missing or not one Google sends for events")
        change = CalendarChange(
            owner_id=connection.owner_id, connection_id=connection.connection_id, received_at=now, change="sync"
        )
        return Answer(status=202, body=json.dumps({"status": "queued"}), changes=[change])

    def read(self, connection: CalendarConnection, change: CalendarChange, now: datetime) -> Reading:
        watch = _watch_of(connection)
        if change.change not in {"sync", INITIAL_READ}:
            logger.warning("a change Google does not send; nothing read", extra={"change": change.change})
            return Reading([], connection)
        token, rotated = self._oauth.access_token(connection, now)
        if watch.sync_token is None:
            events, sync_token, zone = self._full_sync(token, watch, now)
        else:
            try:
                events, sync_token, zone = self._list(token, watch.calendar_id, {"syncToken": watch.sync_token})
            except ProviderGone:
                logger.info("Google expired the sync token; syncing the bounded window in full")
                events, sync_token, zone = self._full_sync(token, watch, now)
        zone = zone or watch.calendar_time_zone
        meetings = _meetings(events, zone)
        update: dict[str, Any] = {
            "google": watch.model_copy(update={"sync_token": sync_token, "calendar_time_zone": zone})
        }
        if rotated is not None:
            update["refresh_token_sealed"] = rotated
        return Reading(meetings, connection.model_copy(update=update))

    def renew(self, connection: CalendarConnection, now: datetime) -> CalendarConnection:
        old = _watch_of(connection)
        token, rotated = self._oauth.access_token(connection, now)
        # The new channel first, the old one stopped after: for a while both notify, so no change goes unseen.
        new = self._watch(token, connection, old.calendar_id, old.calendar_time_zone, now)
        renewed = connection.model_copy(
            update={
                "google": new.model_copy(update={"sync_token": old.sync_token}),
                "refresh_token_sealed": rotated or connection.refresh_token_sealed,
            }
        )
        # The old channel lapses on its own before long if stopping it fails; its notifications meanwhile get a 404.
        self._stop_quietly(token, old)
        return renewed

    def disconnect(self, connection: CalendarConnection, now: datetime) -> None:
        try:
            if connection.google is not None:
                token, _ = self._oauth.access_token(connection, now)
                self._stop(token, connection.google)
        except (ProviderNotFound, ProviderAuthError):
            pass  # the channel is gone already, or the owner revoked access: nothing left to stop
        finally:
            self._oauth.forget(connection.connection_id)

    # -- Google Calendar API ---------------------------------------------------------------------

    def _get(self, token: str, url: str, params: Params | None = None) -> Any:
        return self._http.request("GET", url, headers=_bearer(token), params=params).json()

    def _events_url(self, calendar_id: str) -> str:
        return f"{self._api}/calendars/{quote(calendar_id, safe='')}/events"

    def _watch(
        self,
        token: str,
        connection: CalendarConnection,
        calendar_id: str,
        time_zone: str | None,
        now: datetime,
    ) -> GoogleWatch:
        if not connection.webhook_url:
            raise ValueError("a Google channel needs the connection's webhook URL")
        channel_token = secrets.token_urlsafe(32)
        request = {
            "id": str(uuid.uuid4()),
            "type": "web_hook",
            "address": connection.webhook_url,
            "token": channel_token,
            "params": {"ttl": str(int(CHANNEL_TTL.total_seconds()))},
        }
        response = self._http.request(
            "POST", f"{self._events_url(calendar_id)}/watch", headers=_bearer(token), json=request
        )
        channel = _parse(_Channel, response.json())
        expires_at = (
            datetime.fromtimestamp(channel.expiration / 1000, tz=UTC)
            if channel.expiration is not None
            else now + CHANNEL_TTL
        )
        return GoogleWatch(
            calendar_id=calendar_id,
            calendar_time_zone=time_zone,
            channel_id=request["id"],
            resource_id=channel.resource_id,
            channel_token=channel_token,
            expires_at=expires_at,
        )

    def _stop(self, token: str, watch: GoogleWatch) -> None:
        self._http.request(
            "POST",
            f"{self._api}/channels/stop",
            headers=_bearer(token),
            json={"id": watch.channel_id, "resourceId": watch.resource_id},
            idempotent=True,
        )

    def _stop_quietly(self, token: str, watch: GoogleWatch) -> None:
        try:
            self._stop(token, watch)
        except ProviderError as failure:
            logger.warning("a Google channel was not stopped", extra={"reason": type(failure).__name__})

    def _full_sync(self, token: str, watch: GoogleWatch, now: datetime) -> tuple[list[dict[str, Any]], str, str | None]:
        window: dict[str, str | int | bool | list[str]] = {
            "timeMin": _rfc3339(now - FULL_SYNC_PAST),
            "timeMax": _rfc3339(now + FULL_SYNC_FUTURE),
            # Cancelled events too: after an expired token, they are the cancellations Kith missed.
            "showDeleted": "true",
        }
        return self._list(token, watch.calendar_id, window)

    def _list(self, token: str, calendar_id: str, query: Params) -> tuple[list[dict[str, Any]], str, str | None]:
        """Every page of events.list, the sync token (the last page's) and the calendar's time zone."""
        base: dict[str, Any] = {**query, "singleEvents": "true", "maxResults": PAGE_SIZE}
        events: list[dict[str, Any]] = []
        page_token: str | None = None
        while True:
            params = {**base, "pageToken": page_token} if page_token else base
            page = _parse(_EventsPage, self._get(token, self._events_url(calendar_id), params))
            events.extend(page.items)
            if page.next_page_token:
                page_token = page.next_page_token
                continue
            if not page.next_sync_token:
                raise ProviderMalformedResponse("Google's last page of events carried no nextSyncToken")
            return events, page.next_sync_token, page.time_zone


def _meetings(events: list[dict[str, Any]], calendar_zone: str | None) -> list[MeetingEvent]:
    meetings = []
    for event in events:
        try:
            meetings.append(google.meeting_from_event(event, calendar_zone))
        except Unprocessable:
            logger.warning(
                "a Google event could not be read as a meeting; skipped", extra={"event_id": event.get("id")}
            )
    return meetings


def _address(identity: dict[str, Any]) -> str | None:
    """The Google account's address, from the ID token that `openid email` adds; None without one."""
    try:
        return normalise_email(str(identity.get("email") or ""))
    except ValueError:
        return None


def _watch_of(connection: CalendarConnection) -> GoogleWatch:
    if connection.google is None:
        raise NotFound("the Google connection has no channel")
    return connection.google


def _parse(model: type[M], document: Any) -> M:
    try:
        return model.model_validate(document)
    except ValidationError:
        raise ProviderMalformedResponse(f"Google answered with a body that is not a {model.__name__[1:]}") from None


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
