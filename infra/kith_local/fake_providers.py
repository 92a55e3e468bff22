"""Google Calendar, Microsoft Graph and both OAuth providers, faked on 127.0.0.1 for tests and the demo.

Routes (under `base_url`) and the documented shapes they answer with:

    GET|POST /google/o/oauth2/v2/auth                    consent page, then back to redirect_uri (fake_consent)
    POST /google/token                                   OAuth 2.0 token endpoint (code with PKCE, refresh_token)
    GET  /google/calendar/v3/calendars/{id}              calendars.get: `primary` is the account's own calendar
    GET  /google/calendar/v3/calendars/{id}/events       events.list: paging, syncToken, 410 fullSyncRequired
    POST /google/calendar/v3/calendars/{id}/events/watch events.watch -> api#channel
    POST /google/calendar/v3/channels/stop               channels.stop -> 204
    GET|POST /microsoft/{tenant}/oauth2/v2.0/authorize   consent page, then back to redirect_uri (fake_consent)
    POST /microsoft/{tenant}/oauth2/v2.0/token           identity platform v2.0 token endpoint (code with PKCE)
    POST /graph/v1.0/subscriptions                       create -> 201 subscription
    PATCH|DELETE /graph/v1.0/subscriptions/{id}          renew -> 200, delete -> 204
    GET  /graph/v1.0/me/events/{id}                      event; start/end in `Prefer: outlook.timezone`, else UTC
    GET  /graph/v1.0/me                                  the signed-in user (mail, userPrincipalName)
    GET  /graph/v1.0/me/calendarView                     events in startDateTime..endDateTime, @odata.nextLink pages

Everything but the OAuth endpoints wants `Authorization: Bearer <an access token this fake issued>`.
An authorization code comes only from a consent given on the fake's page (a browser, or
kith_local.plain_browser); the token endpoint checks its redirect_uri and PKCE verifier, once.
Tests steer it from Python: events, sync-token invalidation, revoked grants, scripted faults, a request log.
Given `notify` (how to reach Kith's webhook), Graph validates notificationUrl as Graph does and tests can
deliver Graph notifications through it; Google is not called back. It does not expand recurrences (add
instances yourself) and keeps no quotas.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
import urllib.parse
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kith_local import fake_consent
from kith_local.clock import Clock
from kith_local.fake_consent import ConsentError, ConsentRequest

GOOGLE_CLIENT = ("kith-local-google.apps.googleusercontent.com", "kith-local-google-secret")
# The account that consents on the fake Google: its primary calendar's id is its e-mail address.
GOOGLE_ACCOUNT = ("owner@example.com", "Europe/Berlin")
MICROSOFT_CLIENT = ("00000000-0000-4000-8000-00000000c1d0", "kith-local-microsoft-secret")
ACCESS_TOKEN_SECONDS = 3599
CHANNEL_TTL_SECONDS = 604800  # events.watch's documented default
GRAPH_EVENT_SUBSCRIPTION_MINUTES = 10080  # Graph's documented maximum for Outlook events
_WINDOWS_ZONES = {
    "Pacific Standard Time": "America/Los_Angeles",
    "Eastern Standard Time": "America/New_York",
    "GMT Standard Time": "Europe/London",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
}
Answer = tuple[int, dict[str, str], bytes]
Provider = Literal["google", "microsoft"]
# POST to Kith: (url with its query string, content type, body) -> (status, content type, body).
Notify = Callable[[str, str, bytes], tuple[int, str, bytes]]
GRAPH_VALIDATION_SECONDS = 10  # Graph wants the validationToken echoed within 10 seconds
GRAPH_PAGE_SIZE = 10  # calendarView's default page size; `Prefer: odata.maxpagesize=n` changes it
_FAKE_TENANT = "84bd8158-6d4d-4958-8b9f-9d6445542f95"


@dataclass(frozen=True)
class Fault:
    """What the next request to a path prefix gets instead; `status=None` answers normally after `delay`."""

    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str


@dataclass
class _Grant:
    provider: Provider
    scope: str
    revoked: bool = False
    # Set for a code given at a consent: what the token endpoint checks it is exchanged with.
    redirect_uri: str | None = None
    code_challenge: str | None = None
    offline: bool = True


@dataclass
class _Page:
    calendar_id: str
    items: list[dict[str, Any]]
    sync_seq: int


class _Refusal(Exception):
    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status)
        self.answer: Answer = _json(status, body, headers)


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Answer:
    payload = b"" if body is None else json.dumps(body).encode()
    return (
        status,
        {**({"content-type": "application/json; charset=UTF-8"} if payload else {}), **(headers or {})},
        payload,
    )


def _google_error(status: int, reason: str, message: str, domain: str = "global") -> _Refusal:
    detail = {"domain": domain, "reason": reason, "message": message}
    return _Refusal(status, {"error": {"errors": [detail], "code": status, "message": message}})


def _graph_error(status: int, code: str, message: str, now: datetime) -> _Refusal:
    inner = {"date": now.strftime("%Y-%m-%dT%H:%M:%S"), "request-id": secrets.token_hex(8)}
    return _Refusal(status, {"error": {"code": code, "message": message, "innerError": inner}})


def _parse_instant(value: str) -> datetime:
    """RFC 3339 with an offset; a fraction of any length (Graph writes seven digits)."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip()).replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("an offset is required")
    return moment


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(_WINDOWS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        return None


class FakeProviders:
    def __init__(self, clock: Clock, notify: Notify | None = None) -> None:
        self.clock = clock
        self.notify = notify
        self.graph_user: dict[str, Any] = {
            "id": "fake-owner",
            "displayName": "Olive Owner",
            "mail": "owner@example.com",
            "userPrincipalName": "owner@example.com",
        }
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._log: list[LoggedRequest] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._codes: dict[str, _Grant] = {}
        self._consents: dict[str, ConsentRequest] = {}
        self._refresh: dict[str, _Grant] = {}
        self._access: dict[str, tuple[_Grant, datetime]] = {}
        self._seq = 0
        self._google: dict[str, dict[str, tuple[dict[str, Any], int]]] = {}
        self._sync_tokens: dict[str, tuple[str, int]] = {}
        self._pages: dict[str, _Page] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self.google_account = GOOGLE_ACCOUNT  # (primary calendar id, its time zone)
        # Google may answer with fewer events than maxResults asks for, and a nextPageToken: this caps a page.
        self.google_page_limit: int | None = None
        self._graph_events: dict[str, dict[str, Any]] = {}
        self._subscriptions: dict[str, dict[str, Any]] = {}
        self._removed: dict[str, dict[str, Any]] = {}
        self._graph_pages: dict[str, list[dict[str, Any]]] = {}
        self._graph_prefer: list[str | None] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FakeProviders:
        self._server = _serve(self)
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "use the fake as a context manager"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def google_authorize_url(self) -> str:
        return f"{self.base_url}/google/o/oauth2/v2/auth"

    @property
    def google_token_url(self) -> str:
        return f"{self.base_url}/google/token"

    @property
    def google_calendar_url(self) -> str:
        return f"{self.base_url}/google/calendar/v3"

    def microsoft_authorize_url(self, tenant: str = "common") -> str:
        return f"{self.base_url}/microsoft/{tenant}/oauth2/v2.0/authorize"

    def microsoft_token_url(self, tenant: str = "common") -> str:
        return f"{self.base_url}/microsoft/{tenant}/oauth2/v2.0/token"

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/graph/v1.0"

    # -- test controls -----------------------------------------------------------------------

    def grant(self, provider: Provider, scope: str = "") -> Tokens:
        """Consent and code exchange in one step, for tests of the provider APIs after them (no Kith involved)."""
        with self._lock:
            return self._issue(_Grant(provider, scope), refresh=None)

    def revoke_refresh_token(self, refresh_token: str) -> None:
        """The owner removed Kith's access: the refresh token and every access token of its grant stop working."""
        with self._lock:
            self._refresh[refresh_token].revoked = True

    def put_google_event(self, calendar_id: str, event: Mapping[str, Any]) -> dict[str, Any]:
        """Add or replace an event given in Google's shape; the fake sets kind, etag, iCalUID, created, updated."""
        with self._lock:
            now = _rfc3339(self.clock.now())
            previous = self._google.get(calendar_id, {}).get(event["id"])
            created = previous[0]["created"] if previous else now
            stored = (
                {"status": "confirmed", "iCalUID": f"{event['id']}@google.com"} | dict(event) | {"created": created}
            )
            return self._store_google(calendar_id, stored, now)

    def update_google_event(self, calendar_id: str, event_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            current = self._google[calendar_id][event_id][0]
            return self._store_google(calendar_id, current | dict(changes), _rfc3339(self.clock.now()))

    def cancel_google_event(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        return self.update_google_event(calendar_id, event_id, {"status": "cancelled"})

    def invalidate_sync_tokens(self, calendar_id: str) -> None:
        """Google expired the calendar's sync tokens: the next incremental sync gets 410 fullSyncRequired."""
        with self._lock:
            for token in [t for t, (calendar, _) in self._sync_tokens.items() if calendar == calendar_id]:
                del self._sync_tokens[token]

    @property
    def google_channels(self) -> list[dict[str, Any]]:
        """The open push channels as events.watch answered them (id, resourceId, token, expiration...)."""
        with self._lock:
            return [dict(channel) for channel in self._channels.values()]

    def put_graph_event(self, event: Mapping[str, Any]) -> None:
        """Add or replace an event given in Graph's shape; start/end may be in any time zone Graph names."""
        with self._lock:
            now = self.clock.now()
            stored: dict[str, Any] = {
                "iCalUId": "040000008200E00074C5B7101A82E008" + secrets.token_hex(16),
                "isAllDay": False,
                "isCancelled": False,
                "type": "singleInstance",
                "seriesMasterId": None,
                "attendees": [],
                "createdDateTime": _rfc3339(now),
            } | dict(event)
            for edge in ("start", "end"):
                zone = _zone(stored[edge].get("timeZone", "UTC")) or UTC
                local = datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", stored[edge]["dateTime"]))
                stored[edge] = local.replace(tzinfo=zone).astimezone(UTC)
            stored["lastModifiedDateTime"] = _rfc3339(now)
            self._graph_events[stored["id"]] = stored

    def update_graph_event(self, event_id: str, changes: Mapping[str, Any]) -> None:
        with self._lock:
            current = self._graph_events[event_id]
            rendered = {k: v for k, v in current.items() if k not in ("start", "end")}
            rendered |= {
                edge: {"dateTime": current[edge].strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}
                for edge in ("start", "end")
            }
        self.put_graph_event(rendered | dict(changes))

    def cancel_graph_event(self, event_id: str) -> None:
        self.update_graph_event(event_id, {"isCancelled": True})

    def delete_graph_event(self, event_id: str) -> None:
        with self._lock:
            del self._graph_events[event_id]

    def graph_subscription(self, subscription_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._subscriptions.get(subscription_id)
            return dict(found) if found else None

    @property
    def graph_subscriptions(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(subscription) for subscription in self._subscriptions.values()]

    def remove_graph_subscription(self, subscription_id: str) -> None:
        """Graph removed the subscription on its own (it then sends `subscriptionRemoved`)."""
        with self._lock:
            self._removed[subscription_id] = self._subscriptions.pop(subscription_id)

    @property
    def graph_prefer_headers(self) -> list[str | None]:
        """The `Prefer` header of each request for events, in order."""
        with self._lock:
            return list(self._graph_prefer)

    def graph_notification(self, subscription_id: str, change_type: str, event_id: str) -> dict[str, Any]:
        """One change notification (no resource data) as Graph writes it, with the subscription's clientState."""
        subscription = self._known_subscription(subscription_id)
        resource = f"Users/{self.graph_user['id']}/Events/{event_id}"
        return {
            "id": secrets.token_urlsafe(9),
            "subscriptionId": subscription_id,
            "subscriptionExpirationDateTime": subscription["expirationDateTime"],
            "clientState": subscription["clientState"],
            "changeType": change_type,
            "resource": resource,
            "tenantId": _FAKE_TENANT,
            "resourceData": {
                "@odata.type": "#Microsoft.Graph.Event",
                "@odata.id": resource,
                "@odata.etag": f'W/"{secrets.token_urlsafe(12)}"',
                "id": event_id,
            },
        }

    def graph_lifecycle_notification(self, subscription_id: str, lifecycle_event: str) -> dict[str, Any]:
        subscription = self._known_subscription(subscription_id)
        return {
            "subscriptionId": subscription_id,
            "subscriptionExpirationDateTime": subscription["expirationDateTime"],
            "tenantId": _FAKE_TENANT,
            "clientState": subscription["clientState"],
            "lifecycleEvent": lifecycle_event,
        }

    def notify_graph(self, subscription_id: str, change_type: str, event_id: str) -> tuple[int, str, bytes]:
        """Deliver a change notification to the subscription's notificationUrl through `notify`."""
        item = self.graph_notification(subscription_id, change_type, event_id)
        return self._deliver(self._known_subscription(subscription_id)["notificationUrl"], [item])

    def notify_graph_lifecycle(self, subscription_id: str, lifecycle_event: str) -> tuple[int, str, bytes]:
        """Deliver a lifecycle notification to the lifecycleNotificationUrl (sent even after a removal)."""
        item = self.graph_lifecycle_notification(subscription_id, lifecycle_event)
        return self._deliver(self._known_subscription(subscription_id)["lifecycleNotificationUrl"], [item])

    def _known_subscription(self, subscription_id: str) -> dict[str, Any]:
        with self._lock:
            subscription = self._subscriptions.get(subscription_id) or self._removed.get(subscription_id)
        if subscription is None:
            raise KeyError(f"no Graph subscription {subscription_id}")
        return subscription

    def _deliver(self, url: str, items: list[dict[str, Any]]) -> tuple[int, str, bytes]:
        if self.notify is None:
            raise RuntimeError("the fake was given no way to reach Kith (notify)")
        return self.notify(url, "application/json; charset=utf-8", json.dumps({"value": items}).encode())

    def fail_next(self, path_prefix: str, *faults: Fault) -> None:
        """The next len(faults) requests whose path starts with `path_prefix` get these faults, in order."""
        with self._lock:
            self._faults.setdefault(path_prefix, deque()).extend(faults)

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def requests_to(self, path_prefix: str) -> list[LoggedRequest]:
        return [request for request in self.requests if request.path.startswith(path_prefix)]

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Answer:
        parameters = urllib.parse.parse_qs(query, keep_blank_values=True)
        with self._lock:
            self._log.append(LoggedRequest(method, path, parameters))
            fault = next((q.popleft() for prefix, q in self._faults.items() if q and path.startswith(prefix)), None)
        if fault is not None:
            if fault.delay:
                self._stopping.wait(fault.delay)
            if fault.status is not None:
                return _json(fault.status, fault.body, fault.headers)
        flat = {name: values[-1] for name, values in parameters.items()}
        for route_method, pattern, handler in _ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                try:
                    with self._lock:
                        return handler(self, match.groupdict(), flat, headers, body)
                except _Refusal as refusal:
                    return refusal.answer
        return _json(404, {"error": {"code": 404, "message": "Not Found"}})

    # -- OAuth -------------------------------------------------------------------------------

    def _consent_page(self, provider: Provider, query: dict[str, str], path: str) -> Answer:
        """GET the authorize URL: the consent page for a sound request, else the provider's refusal."""
        client = GOOGLE_CLIENT if provider == "google" else MICROSOFT_CLIENT
        try:
            request = fake_consent.read_request(provider, query, client[0])
        except ConsentError as refused:
            return fake_consent.refusal(provider, refused)
        request_id = fake_consent.new_request_id()
        self._consents[request_id] = request
        account = self.google_account[0] if provider == "google" else str(self.graph_user["mail"])
        return fake_consent.page(provider, request_id, request, account, path)

    def _consent_decision(self, provider: Provider, form: dict[str, str]) -> Answer:
        """POST the consent page's form: back to the client with a code, or with access_denied."""
        request = self._consents.pop(form.get("request", ""), None)
        if request is None or request.provider != provider:
            refused = ConsentError("invalid_request", "This consent page has expired or was used: start again.")
            return fake_consent.error_page(provider, refused)
        if form.get("decision") != "allow":
            denied = ConsentError("access_denied", "The user declined.", request.redirect_uri, request.state)
            return fake_consent.refusal(provider, denied)
        code = ("4/0A" if provider == "google" else "M.C5") + secrets.token_urlsafe(32)
        self._codes[code] = _Grant(
            provider,
            request.scope,
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            offline=request.offline,
        )
        answer: dict[str, str | None] = {"code": code, "state": request.state}
        if provider == "google":
            answer["scope"] = request.scope
        return fake_consent.redirect(request.redirect_uri, answer)

    def _id_token(self, grant: _Grant, client_id: str) -> str:
        """An OpenID Connect ID token naming the consenting account (signed with nothing Kith checks)."""
        now = int(self.clock.now().timestamp())
        claims = {
            "iss": "https://accounts.google.com",
            "azp": client_id,
            "aud": client_id,
            "sub": "110169484474386276334",
            "email": self.google_account[0],
            "email_verified": True,
            "iat": now,
            "exp": now + ACCESS_TOKEN_SECONDS,
        }
        header = {"alg": "RS256", "kid": "fake-kith-local", "typ": "JWT"}
        parts = [json.dumps(part, separators=(",", ":")).encode() for part in (header, claims)]
        encoded = [base64.urlsafe_b64encode(part).rstrip(b"=").decode() for part in parts]
        return ".".join([*encoded, secrets.token_urlsafe(64)])

    def _issue(self, grant: _Grant, refresh: str | None) -> Tokens:
        access = (
            f"ya29.{secrets.token_urlsafe(24)}" if grant.provider == "google" else f"eyJ0{secrets.token_urlsafe(24)}"
        )
        refresh = refresh or f"1//{secrets.token_urlsafe(24)}"
        self._access[access] = (grant, self.clock.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS))
        self._refresh[refresh] = grant
        return Tokens(access, refresh)

    def _token(self, provider: Provider, form: dict[str, str]) -> Answer:
        client = GOOGLE_CLIENT if provider == "google" else MICROSOFT_CLIENT

        def refuse(status: int, error: str, description: str) -> _Refusal:
            body: dict[str, Any] = {"error": error, "error_description": description}
            if provider == "microsoft":
                body |= {
                    "error_codes": [70000],
                    "timestamp": _rfc3339(self.clock.now()),
                    "trace_id": secrets.token_hex(8),
                }
            return _Refusal(status, body)

        if (form.get("client_id"), form.get("client_secret")) != client:
            raise refuse(401, "invalid_client", "The OAuth client was not found.")
        kind = form.get("grant_type")
        if kind == "authorization_code":
            grant = self._codes.pop(form.get("code", ""), None)
            if grant is None or grant.provider != provider:
                raise refuse(400, "invalid_grant", "Malformed auth code.")
            if form.get("redirect_uri") != grant.redirect_uri:
                raise refuse(400, "invalid_grant", "redirect_uri does not match the authorization request's.")
            verifier = form.get("code_verifier", "")
            if grant.code_challenge is not None and _s256(verifier) != grant.code_challenge:
                raise refuse(400, "invalid_grant", "Invalid code verifier.")
            if provider == "microsoft":
                grant.scope = form.get("scope", grant.scope)
            tokens = self._issue(grant, refresh=None)
        elif kind == "refresh_token":
            held = self._refresh.get(form.get("refresh_token", ""))
            if held is None or held.revoked or held.provider != provider:
                raise refuse(400, "invalid_grant", "Token has been expired or revoked.")
            grant = held
            # Google keeps the refresh token; Microsoft hands out a new one with each refresh.
            tokens = self._issue(grant, refresh=form["refresh_token"] if provider == "google" else None)
        else:
            raise refuse(400, "unsupported_grant_type", f"Invalid grant_type: {kind}")
        answer: dict[str, Any] = {
            "access_token": tokens.access_token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "token_type": "Bearer",
            "scope": grant.scope,
        }
        if provider == "microsoft":
            answer["ext_expires_in"] = ACCESS_TOKEN_SECONDS
        # Google returns a refresh token with the code exchange of an offline consent; Microsoft with every grant
        # that has offline_access.
        offline = "offline_access" in grant.scope.split()
        if (provider == "google" and kind == "authorization_code" and grant.offline) or (
            provider == "microsoft" and offline
        ):
            answer["refresh_token"] = tokens.refresh_token
        if provider == "google" and kind == "authorization_code" and "openid" in grant.scope.split():
            answer["id_token"] = self._id_token(grant, client[0])
        return _json(200, answer, {"cache-control": "no-store"})

    def _authorize(self, provider: Provider, headers: Mapping[str, str]) -> _Grant:
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else ""
        held = self._access.get(token)
        if held is not None and held[0].provider == provider and not held[0].revoked and self.clock.now() < held[1]:
            return held[0]
        if provider == "google":
            refusal = _google_error(401, "authError", "Invalid Credentials")
            refusal.answer[1]["www-authenticate"] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
            raise refusal
        message = "Access token is empty." if not token else "Lifetime validation failed, the token is expired."
        raise _graph_error(401, "InvalidAuthenticationToken", message, self.clock.now())

    # -- Google Calendar ---------------------------------------------------------------------

    def _store_google(self, calendar_id: str, event: dict[str, Any], updated: str) -> dict[str, Any]:
        self._seq += 1
        event |= {"kind": "calendar#event", "etag": f'"{self._seq}"', "updated": updated}
        self._google.setdefault(calendar_id, {})[event["id"]] = (event, self._seq)
        return dict(event)

    def _sync_token(self, calendar_id: str, seq: int) -> str:
        token = "CPD" + secrets.token_urlsafe(16)
        self._sync_tokens[token] = (calendar_id, seq)
        return token

    def _list_events(self, calendar_id: str, q: dict[str, str]) -> list[dict[str, Any]]:
        events = self._google.get(calendar_id, {}).values()
        single = q.get("singleEvents") == "true"
        if "syncToken" in q:
            if {"timeMin", "timeMax"} & q.keys() or q.get("showDeleted") == "false":
                raise _google_error(
                    400,
                    "syncTokenWithRequestRestrictions",
                    "Sync token cannot be used with other request restrictions.",
                    "calendar",
                )
            known = self._sync_tokens.get(q["syncToken"])
            if known is None or known[0] != calendar_id:
                raise _google_error(
                    410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.", "calendar"
                )
            chosen = [event for event, seq in events if seq > known[1]]
        else:
            low, high = (self._instant_param(q, name) for name in ("timeMin", "timeMax"))
            if low and high and high <= low:
                raise _google_error(400, "timeRangeEmpty", "The specified time range is empty.", "calendar")
            shown = q.get("showDeleted") == "true"
            chosen = [
                event
                for event, _ in events
                if (shown or event["status"] != "cancelled")
                and (low is None or _google_edge(event["end"]) > low)
                and (high is None or _google_edge(event["start"]) < high)
            ]
        if single:
            return [_google_visible(e) for e in chosen if "recurrence" not in e]
        return [_google_visible(e) for e in chosen if "recurringEventId" not in e or e["status"] == "cancelled"]

    @staticmethod
    def _instant_param(q: dict[str, str], name: str) -> datetime | None:
        if name not in q:
            return None
        try:
            return _parse_instant(q[name])
        except ValueError:
            raise _google_error(400, "badRequest", f"Bad Request: {name}") from None

    def _calendar(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], __: bytes) -> Answer:
        self._authorize("google", headers)
        primary, zone = self.google_account
        if match["calendar"] not in ("primary", primary):
            raise _google_error(404, "notFound", "Not Found")
        etag = f'"{self._seq}"'
        calendar = {"kind": "calendar#calendar", "etag": etag, "id": primary, "summary": primary, "timeZone": zone}
        return _json(200, calendar)

    def _calendar_id(self, name: str) -> str:
        """`primary` is the account's own calendar, whose id is the account's address."""
        return self.google_account[0] if name == "primary" else name

    def _events(self, match: dict[str, str], q: dict[str, str], headers: Mapping[str, str], _: bytes) -> Answer:
        self._authorize("google", headers)
        calendar_id = self._calendar_id(match["calendar"])
        try:
            size = int(q.get("maxResults", "250"))
        except ValueError:
            size = 0
        if not 1 <= size <= 2500:
            raise _google_error(400, "invalid", "Invalid value for: maxResults")
        size = min(size, self.google_page_limit or size)
        if "pageToken" in q:
            page = self._pages.pop(q["pageToken"], None)
            if page is None or page.calendar_id != calendar_id:
                raise _google_error(400, "invalid", "Invalid page token value.")
        else:
            page = _Page(calendar_id, self._list_events(calendar_id, q), self._seq)
        answer: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": f'"{self._seq}"',
            "summary": calendar_id,
            "updated": _rfc3339(self.clock.now()),
            # The calendar's own time zone: the account's for its primary calendar.
            "timeZone": self.google_account[1] if calendar_id == self.google_account[0] else "UTC",
            "accessRole": "owner",
            "defaultReminders": [],
            "items": page.items[:size],
        }
        if len(page.items) > size:
            token = "EjY" + secrets.token_urlsafe(16)
            self._pages[token] = _Page(calendar_id, page.items[size:], page.sync_seq)
            answer["nextPageToken"] = token
        else:
            answer["nextSyncToken"] = self._sync_token(calendar_id, page.sync_seq)
        return _json(200, answer)

    def _watch(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], body: bytes) -> Answer:
        self._authorize("google", headers)
        request = _body(body, lambda: _google_error(400, "parseError", "Parse Error"))
        if not request.get("id") or request.get("type") not in ("web_hook", "webhook") or not request.get("address"):
            raise _google_error(400, "required", "Required: id, type web_hook and address")
        if request["id"] in self._channels:
            raise _google_error(400, "channelIdNotUnique", f"Channel id {request['id']} not unique", "push")
        calendar = urllib.parse.quote(self._calendar_id(match["calendar"]), safe="@")
        ttl = int((request.get("params") or {}).get("ttl", CHANNEL_TTL_SECONDS))
        expiration = self.clock.now() + timedelta(seconds=ttl)
        channel = {
            "kind": "api#channel",
            "id": request["id"],
            "resourceId": "r" + secrets.token_hex(10),
            "resourceUri": f"https://www.googleapis.com/calendar/v3/calendars/{calendar}/events?alt=json",
            "expiration": str(int(expiration.timestamp() * 1000)),
        }
        if "token" in request:
            channel["token"] = request["token"]
        self._channels[channel["id"]] = channel
        return _json(200, channel)

    def _stop(self, _: dict[str, str], __: dict[str, str], headers: Mapping[str, str], body: bytes) -> Answer:
        self._authorize("google", headers)
        request = _body(body, lambda: _google_error(400, "parseError", "Parse Error"))
        channel = self._channels.get(request.get("id", ""))
        if channel is None or channel["resourceId"] != request.get("resourceId"):
            raise _google_error(404, "notFound", f"Channel '{request.get('id')}' not found for project 'kith-local'")
        del self._channels[channel["id"]]
        return _json(204, None)

    # -- Microsoft Graph ---------------------------------------------------------------------

    def _graph_refusal(self, status: int, code: str, message: str) -> _Refusal:
        return _graph_error(status, code, message, self.clock.now())

    def _subscription_expiry(self, value: Any) -> datetime:
        try:
            expiry = _parse_instant(str(value))
        except ValueError:
            raise self._graph_refusal(400, "InvalidRequest", "expirationDateTime is not a valid date.") from None
        limit = self.clock.now() + timedelta(minutes=GRAPH_EVENT_SUBSCRIPTION_MINUTES)
        if not self.clock.now() < expiry <= limit:
            raise self._graph_refusal(
                400,
                "InvalidRequest",
                f"Subscription expiration can only be {GRAPH_EVENT_SUBSCRIPTION_MINUTES} minutes in the future.",
            )
        return expiry

    def _subscribe(self, _: dict[str, str], __: dict[str, str], headers: Mapping[str, str], body: bytes) -> Answer:
        self._authorize("microsoft", headers)
        request = _body(body, lambda: self._graph_refusal(400, "BadRequest", "Unable to read JSON request payload."))
        missing = [k for k in ("changeType", "notificationUrl", "resource", "expirationDateTime") if not request.get(k)]
        if missing:
            raise self._graph_refusal(400, "InvalidRequest", f"Required property missing: {missing[0]}")
        if not set(str(request["changeType"]).split(",")) <= {"created", "updated", "deleted"}:
            raise self._graph_refusal(400, "InvalidRequest", "changeType must be created, updated and/or deleted.")
        expiry = self._subscription_expiry(request["expirationDateTime"])
        subscription = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
            "id": str(uuid.uuid4()),
            "resource": request["resource"],
            "applicationId": MICROSOFT_CLIENT[0],
            "changeType": request["changeType"],
            "clientState": request.get("clientState"),
            "notificationUrl": request["notificationUrl"],
            "lifecycleNotificationUrl": request.get("lifecycleNotificationUrl"),
            "expirationDateTime": _graph_instant(expiry),
            "creatorId": "fake-owner",
            "latestSupportedTlsVersion": request.get("latestSupportedTlsVersion", "v1_2"),
            "includeResourceData": False,
            "notificationContentType": "application/json",
        }
        for url in dict.fromkeys(filter(None, (request["notificationUrl"], request.get("lifecycleNotificationUrl")))):
            self._validate_endpoint(url)
        self._subscriptions[subscription["id"]] = subscription
        return _json(201, subscription)

    def _validate_endpoint(self, url: str) -> None:
        """Graph's handshake: POST ?validationToken=..., wanting 200, text/plain and the decoded token in 10 s."""
        if self.notify is None:
            return
        token = f"Validation: Testing client application reachability for subscription Request-Id: {uuid.uuid4()}"
        separator = "&" if "?" in url else "?"
        started = time.monotonic()
        status, content_type, body = self.notify(
            f"{url}{separator}validationToken={urllib.parse.quote(token)}", "text/plain; charset=utf-8", b""
        )
        echoed = (
            status == 200
            and content_type.split(";")[0].strip().lower() == "text/plain"
            and body == token.encode()
            and time.monotonic() - started < GRAPH_VALIDATION_SECONDS
        )
        if not echoed:
            raise self._graph_refusal(
                400,
                "ValidationError",
                "Subscription validation request failed. Response must exactly match validationToken query parameter.",
            )

    def _subscription(self, match: dict[str, str], headers: Mapping[str, str]) -> dict[str, Any]:
        self._authorize("microsoft", headers)
        subscription = self._subscriptions.get(match["id"])
        if subscription is None:
            raise self._graph_refusal(404, "ResourceNotFound", f"The object was not found: subscription {match['id']}")
        return subscription

    def _renew(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], body: bytes) -> Answer:
        subscription = self._subscription(match, headers)
        request = _body(body, lambda: self._graph_refusal(400, "BadRequest", "Unable to read JSON request payload."))
        if "expirationDateTime" in request:
            subscription["expirationDateTime"] = _graph_instant(
                self._subscription_expiry(request["expirationDateTime"])
            )
        if "notificationUrl" in request:
            subscription["notificationUrl"] = request["notificationUrl"]
        return _json(200, subscription)

    def _unsubscribe(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], __: bytes) -> Answer:
        del self._subscriptions[self._subscription(match, headers)["id"]]
        return _json(204, None)

    def _graph_event(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], __: bytes) -> Answer:
        self._authorize("microsoft", headers)
        self._graph_prefer.append(headers.get("prefer"))
        event = self._graph_events.get(match["id"])
        if event is None:
            raise self._graph_refusal(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        shown, applied = _graph_shown(event, headers)
        return _json(200, shown, applied)

    def _me(self, _: dict[str, str], __: dict[str, str], headers: Mapping[str, str], ___: bytes) -> Answer:
        self._authorize("microsoft", headers)
        context = "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
        return _json(200, {"@odata.context": context} | self.graph_user)

    def _calendar_view(self, _: dict[str, str], q: dict[str, str], headers: Mapping[str, str], __: bytes) -> Answer:
        self._authorize("microsoft", headers)
        self._graph_prefer.append(headers.get("prefer"))
        if "$skiptoken" in q:
            events = self._graph_pages.pop(q["$skiptoken"], None)
            if events is None:
                raise self._graph_refusal(400, "ErrorInvalidParameter", "The skip token is not valid.")
        else:
            try:
                low, high = (_parse_instant(q[name]) for name in ("startDateTime", "endDateTime"))
            except (KeyError, ValueError):
                message = (
                    "This request requires a time window specified by the query string parameters "
                    "StartDateTime and EndDateTime."
                )
                raise self._graph_refusal(400, "ErrorInvalidParameter", message) from None
            events = sorted(
                (
                    event
                    for event in self._graph_events.values()
                    if event["type"] != "seriesMaster" and event["end"] > low and event["start"] < high
                ),
                key=lambda event: event["start"],
            )
        size = re.search(r"odata\.maxpagesize\s*=\s*(\d+)", headers.get("prefer", ""))
        page_size = max(1, int(size.group(1))) if size else GRAPH_PAGE_SIZE
        shown = [_graph_shown(event, headers) for event in events[:page_size]]
        answer: dict[str, Any] = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('fake-owner')/calendarView",
            "value": [event for event, _ in shown],
        }
        if len(events) > page_size:
            token = secrets.token_urlsafe(12)
            self._graph_pages[token] = events[page_size:]
            answer["@odata.nextLink"] = f"{self.graph_url}/me/calendarView?$skiptoken={token}"
        return _json(200, answer, shown[0][1] if shown else {})


def _graph_shown(event: dict[str, Any], headers: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """An event as Graph shows it: start and end in the `Prefer: outlook.timezone` zone, else in UTC."""
    preference = re.search(r'outlook\.timezone\s*=\s*"([^"]+)"', headers.get("prefer", ""))
    zone = _zone(preference.group(1)) if preference else None
    name = preference.group(1) if preference and zone else "UTC"
    shown = {k: v for k, v in event.items() if k not in ("start", "end")}
    shown |= {
        edge: {"dateTime": _graph_local(event[edge].astimezone(zone or UTC)), "timeZone": name}
        for edge in ("start", "end")
    }
    shown["@odata.etag"] = f'W/"{event["lastModifiedDateTime"]}"'
    applied = {"preference-applied": f'outlook.timezone="{name}"'} if zone else {}
    return shown, applied


def _google_edge(edge: Mapping[str, str]) -> datetime:
    if "dateTime" in edge:
        return _parse_instant(edge["dateTime"])
    return datetime.fromisoformat(edge["date"]).replace(tzinfo=UTC)


def _google_visible(event: dict[str, Any]) -> dict[str, Any]:
    """Google only promises the id of a deleted event (and the series fields of a deleted instance)."""
    if event["status"] != "cancelled":
        return dict(event)
    kept = ("kind", "etag", "id", "status", "recurringEventId", "originalStartTime")
    return {key: event[key] for key in kept if key in event}


def _graph_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


def _graph_local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"


def _body(body: bytes, refusal: Callable[[], _Refusal]) -> dict[str, Any]:
    try:
        document = json.loads(body or b"null")
    except (UnicodeDecodeError, ValueError):
        raise refusal() from None
    if not isinstance(document, dict):
        raise refusal()
    return document


def _form(body: bytes) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _s256(verifier: str) -> str:
    """PKCE S256 as the provider computes it: its own code, not Kith's, so the check tests Kith's challenge."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _form_route(provider: Provider) -> Callable[..., Answer]:
    def route(
        fake: FakeProviders, _: dict[str, str], __: dict[str, str], ___: Mapping[str, str], body: bytes
    ) -> Answer:
        return fake._token(provider, _form(body))

    return route


def _consent_route(provider: Provider, path: Callable[[dict[str, str]], str]) -> Callable[..., Answer]:
    def route(fake: FakeProviders, match: dict[str, str], q: dict[str, str], _: Mapping[str, str], __: bytes) -> Answer:
        return fake._consent_page(provider, q, path(match))

    return route


def _decision_route(provider: Provider) -> Callable[..., Answer]:
    def route(
        fake: FakeProviders, _: dict[str, str], __: dict[str, str], ___: Mapping[str, str], body: bytes
    ) -> Answer:
        return fake._consent_decision(provider, _form(body))

    return route


_GOOGLE_AUTHORIZE = "/google/o/oauth2/v2/auth"
_MICROSOFT_AUTHORIZE = re.compile(r"/microsoft/(?P<tenant>[^/]+)/oauth2/v2\.0/authorize")


_ROUTES: list[tuple[str, re.Pattern[str], Callable[..., Answer]]] = [
    ("GET", re.compile(re.escape(_GOOGLE_AUTHORIZE)), _consent_route("google", lambda _: _GOOGLE_AUTHORIZE)),
    ("POST", re.compile(re.escape(_GOOGLE_AUTHORIZE)), _decision_route("google")),
    (
        "GET",
        _MICROSOFT_AUTHORIZE,
        _consent_route("microsoft", lambda match: f"/microsoft/{match['tenant']}/oauth2/v2.0/authorize"),
    ),
    ("POST", _MICROSOFT_AUTHORIZE, _decision_route("microsoft")),
    ("POST", re.compile(r"/google/token"), _form_route("google")),
    ("GET", re.compile(r"/google/calendar/v3/calendars/(?P<calendar>[^/]+)"), FakeProviders._calendar),
    ("GET", re.compile(r"/google/calendar/v3/calendars/(?P<calendar>[^/]+)/events"), FakeProviders._events),
    ("POST", re.compile(r"/google/calendar/v3/calendars/(?P<calendar>[^/]+)/events/watch"), FakeProviders._watch),
    ("POST", re.compile(r"/google/calendar/v3/channels/stop"), FakeProviders._stop),
    ("POST", re.compile(r"/microsoft/[^/]+/oauth2/v2\.0/token"), _form_route("microsoft")),
    ("POST", re.compile(r"/graph/v1\.0/subscriptions"), FakeProviders._subscribe),
    ("PATCH", re.compile(r"/graph/v1\.0/subscriptions/(?P<id>[^/]+)"), FakeProviders._renew),
    ("DELETE", re.compile(r"/graph/v1\.0/subscriptions/(?P<id>[^/]+)"), FakeProviders._unsubscribe),
    ("GET", re.compile(r"/graph/v1\.0/me/events/(?P<id>[^/]+)"), FakeProviders._graph_event),
    ("GET", re.compile(r"/graph/v1\.0/me"), FakeProviders._me),
    ("GET", re.compile(r"/graph/v1\.0/me/calendarView"), FakeProviders._calendar_view),
]


def _serve(fake: FakeProviders) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, a kept-alive answer's body can wait ~40 ms
        # for the client's delayed ACK, as no real provider's front end would make it.
        disable_nagle_algorithm = True

        def _dispatch(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            raw_path, _, query = self.path.partition("?")
            path = urllib.parse.unquote(raw_path)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, response_headers, payload = fake.handle(self.command, path, query, headers, body)
            try:
                self.send_response(status)
                for name, value in response_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                self.close_connection = True  # the client gave up waiting (a scripted delay)

        do_GET = do_POST = do_PATCH = do_DELETE = _dispatch

        def date_time_string(self, timestamp: float | None = None) -> str:
            return format_datetime(fake.clock.now().astimezone(UTC), usegmt=True)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), name="kith-fake-providers", daemon=True).start()
    return server
