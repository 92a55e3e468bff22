"""Microsoft Graph, faked: the signed-in user, Outlook events and change-notification subscriptions.

    POST /graph/v1.0/subscriptions                       create -> 201 subscription
    PATCH|DELETE /graph/v1.0/subscriptions/{id}          renew -> 200, delete -> 204
    GET  /graph/v1.0/me/events/{id}                      event; start/end in `Prefer: outlook.timezone`, else UTC
    GET  /graph/v1.0/me                                  the signed-in user (mail, userPrincipalName)
    GET  /graph/v1.0/me/calendarView                     events in startDateTime..endDateTime, @odata.nextLink pages

Every route wants a Microsoft access token the fake OAuth issued. A subscription watches one of
`resources` (the events here; fake_graph_mail adds Sent Items), with a token holding the permission that
resource wants. Given `notify` (how to reach Kith's webhook), Graph validates a notificationUrl as Graph
does, and tests deliver notifications through it.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from kith_local.clock import Clock
from kith_local.fake_http import Answer, Refusal, Route, json_answer, json_body, parse_instant, rfc3339, zone
from kith_local.fake_oauth import MICROSOFT_CLIENT, FakeOAuth, Grant, bearer

# POST to Kith: (url with its query string, content type, body) -> (status, content type, body).
Notify = Callable[[str, str, bytes], tuple[int, str, bytes]]
GRAPH_EVENT_SUBSCRIPTION_MINUTES = 10080  # Graph's documented maximum for Outlook events
GRAPH_VALIDATION_SECONDS = 10  # Graph wants the validationToken echoed within 10 seconds
GRAPH_PAGE_SIZE = 10  # calendarView's default page size; `Prefer: odata.maxpagesize=n` changes it
_FAKE_TENANT = "84bd8158-6d4d-4958-8b9f-9d6445542f95"
_SUBSCRIPTION = r"/graph/v1\.0/subscriptions/(?P<id>[^/]+)"


def graph_error(status: int, code: str, message: str, now: datetime) -> Refusal:
    inner = {"date": now.strftime("%Y-%m-%dT%H:%M:%S"), "request-id": secrets.token_hex(8)}
    return Refusal(status, {"error": {"code": code, "message": message, "innerError": inner}})


class FakeGraph:
    """`url()` is where Graph is served (for the nextLinks it writes)."""

    def __init__(self, clock: Clock, lock: threading.Lock, oauth: FakeOAuth, url: Callable[[], str]) -> None:
        self.clock = clock
        self.notify: Notify | None = None
        self.user: dict[str, Any] = {
            "id": "fake-owner",
            "displayName": "Olive Owner",
            "mail": "owner@example.com",
            "userPrincipalName": "owner@example.com",
        }
        self._lock = lock
        self._oauth = oauth
        self._url = url
        self._events: dict[str, dict[str, Any]] = {}
        self._subscriptions: dict[str, dict[str, Any]] = {}
        self._removed: dict[str, dict[str, Any]] = {}
        self._pages: dict[str, list[dict[str, Any]]] = {}
        self._prefer: list[str | None] = []
        # What a subscription may watch, and the permissions of which its token must hold one (none: any token).
        self.resources: dict[str, frozenset[str]] = {"me/events": frozenset()}

    # -- test controls: events ---------------------------------------------------------------

    def put_event(self, event: Mapping[str, Any]) -> None:
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
                "createdDateTime": rfc3339(now),
            } | dict(event)
            for edge in ("start", "end"):
                named = zone(stored[edge].get("timeZone", "UTC")) or UTC
                local = datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", stored[edge]["dateTime"]))
                stored[edge] = local.replace(tzinfo=named).astimezone(UTC)
            stored["lastModifiedDateTime"] = rfc3339(now)
            self._events[stored["id"]] = stored

    def update_event(self, event_id: str, changes: Mapping[str, Any]) -> None:
        with self._lock:
            current = self._events[event_id]
            rendered = {k: v for k, v in current.items() if k not in ("start", "end")}
            rendered |= {
                edge: {"dateTime": current[edge].strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}
                for edge in ("start", "end")
            }
        self.put_event(rendered | dict(changes))

    def cancel_event(self, event_id: str) -> None:
        self.update_event(event_id, {"isCancelled": True})

    def delete_event(self, event_id: str) -> None:
        with self._lock:
            del self._events[event_id]

    @property
    def prefer_headers(self) -> list[str | None]:
        """The `Prefer` header of each request for events, in order."""
        with self._lock:
            return list(self._prefer)

    # -- test controls: subscriptions and notifications --------------------------------------

    def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._subscriptions.get(subscription_id)
            return dict(found) if found else None

    @property
    def subscriptions(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(subscription) for subscription in self._subscriptions.values()]

    def remove_subscription(self, subscription_id: str) -> None:
        """Graph removed the subscription on its own (it then sends `subscriptionRemoved`)."""
        with self._lock:
            self._removed[subscription_id] = self._subscriptions.pop(subscription_id)

    def notification(self, subscription_id: str, change_type: str, event_id: str) -> dict[str, Any]:
        """One change notification (no resource data) as Graph writes it, with the subscription's clientState."""
        subscription = self.known_subscription(subscription_id)
        resource = f"Users/{self.user['id']}/Events/{event_id}"
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

    def lifecycle_notification(self, subscription_id: str, lifecycle_event: str) -> dict[str, Any]:
        subscription = self.known_subscription(subscription_id)
        return {
            "subscriptionId": subscription_id,
            "subscriptionExpirationDateTime": subscription["expirationDateTime"],
            "tenantId": _FAKE_TENANT,
            "clientState": subscription["clientState"],
            "lifecycleEvent": lifecycle_event,
        }

    def notify_change(self, subscription_id: str, change_type: str, event_id: str) -> tuple[int, str, bytes]:
        """Deliver a change notification to the subscription's notificationUrl through `notify`."""
        item = self.notification(subscription_id, change_type, event_id)
        return self.deliver(self.known_subscription(subscription_id)["notificationUrl"], [item])

    def notify_lifecycle(self, subscription_id: str, lifecycle_event: str) -> tuple[int, str, bytes]:
        """Deliver a lifecycle notification to the lifecycleNotificationUrl (sent even after a removal)."""
        item = self.lifecycle_notification(subscription_id, lifecycle_event)
        return self.deliver(self.known_subscription(subscription_id)["lifecycleNotificationUrl"], [item])

    def known_subscription(self, subscription_id: str) -> dict[str, Any]:
        """A subscription Graph holds, or held until it removed it."""
        with self._lock:
            subscription = self._subscriptions.get(subscription_id) or self._removed.get(subscription_id)
        if subscription is None:
            raise KeyError(f"no Graph subscription {subscription_id}")
        return subscription

    def deliver(self, url: str, items: list[dict[str, Any]]) -> tuple[int, str, bytes]:
        """POST notifications to Kith as Graph does, through `notify`."""
        if self.notify is None:
            raise RuntimeError("the fake was given no way to reach Kith (notify)")
        return self.notify(url, "application/json; charset=utf-8", json.dumps({"value": items}).encode())

    # -- routes ------------------------------------------------------------------------------

    @property
    def routes(self) -> list[Route]:
        return [
            ("POST", re.compile(r"/graph/v1\.0/subscriptions"), self._subscribe),
            ("PATCH", re.compile(_SUBSCRIPTION), self._renew),
            ("DELETE", re.compile(_SUBSCRIPTION), self._unsubscribe),
            ("GET", re.compile(r"/graph/v1\.0/me/events/(?P<id>[^/]+)"), self._event),
            ("GET", re.compile(r"/graph/v1\.0/me"), self._me),
            ("GET", re.compile(r"/graph/v1\.0/me/calendarView"), self._calendar_view),
        ]

    def _refusal(self, status: int, code: str, message: str) -> Refusal:
        return graph_error(status, code, message, self.clock.now())

    def authorize(self, headers: Mapping[str, str]) -> Grant:
        """The grant of the request's access token; Graph's 401 without a live one."""
        grant = self._oauth.access("microsoft", headers)
        if grant is None:
            empty = not bearer(headers)
            message = "Access token is empty." if empty else "Lifetime validation failed, the token is expired."
            raise self._refusal(401, "InvalidAuthenticationToken", message)
        return grant

    def _subscription_expiry(self, value: Any) -> datetime:
        try:
            expiry = parse_instant(str(value))
        except ValueError:
            raise self._refusal(400, "InvalidRequest", "expirationDateTime is not a valid date.") from None
        limit = self.clock.now() + timedelta(minutes=GRAPH_EVENT_SUBSCRIPTION_MINUTES)
        if not self.clock.now() < expiry <= limit:
            raise self._refusal(
                400,
                "InvalidRequest",
                f"Subscription expiration can only be {GRAPH_EVENT_SUBSCRIPTION_MINUTES} minutes in the future.",
            )
        return expiry

    def _subscribe(self, _: dict[str, str], __: dict[str, str], headers: Mapping[str, str], body: bytes) -> Answer:
        grant = self.authorize(headers)
        request = json_body(body, lambda: self._refusal(400, "BadRequest", "Unable to read JSON request payload."))
        missing = [k for k in ("changeType", "notificationUrl", "resource", "expirationDateTime") if not request.get(k)]
        if missing:
            raise self._refusal(400, "InvalidRequest", f"Required property missing: {missing[0]}")
        if not set(str(request["changeType"]).split(",")) <= {"created", "updated", "deleted"}:
            raise self._refusal(400, "InvalidRequest", "changeType must be created, updated and/or deleted.")
        self._permitted(str(request["resource"]), grant)
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
            "expirationDateTime": _instant(expiry),
            "creatorId": "fake-owner",
            "latestSupportedTlsVersion": request.get("latestSupportedTlsVersion", "v1_2"),
            "includeResourceData": False,
            "notificationContentType": "application/json",
        }
        for url in dict.fromkeys(filter(None, (request["notificationUrl"], request.get("lifecycleNotificationUrl")))):
            self._validate_endpoint(url)
        self._subscriptions[subscription["id"]] = subscription
        return json_answer(201, subscription)

    def _permitted(self, resource: str, grant: Grant) -> None:
        permissions = self.resources.get(resource)
        if permissions is None:
            raise self._refusal(400, "InvalidRequest", f"Invalid resource: '{resource}' cannot be subscribed to.")
        if permissions and not permissions & set(grant.scope.split()):
            message = "Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]"
            raise self._refusal(403, "ExtensionError", message)

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
            raise self._refusal(
                400,
                "ValidationError",
                "Subscription validation request failed. Response must exactly match validationToken query parameter.",
            )

    def _subscription(self, match: dict[str, str], headers: Mapping[str, str]) -> dict[str, Any]:
        self.authorize(headers)
        subscription = self._subscriptions.get(match["id"])
        if subscription is None:
            raise self._refusal(404, "ResourceNotFound", f"The object was not found: subscription {match['id']}")
        return subscription

    def _renew(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], body: bytes) -> Answer:
        subscription = self._subscription(match, headers)
        request = json_body(body, lambda: self._refusal(400, "BadRequest", "Unable to read JSON request payload."))
        if "expirationDateTime" in request:
            subscription["expirationDateTime"] = _instant(self._subscription_expiry(request["expirationDateTime"]))
        if "notificationUrl" in request:
            subscription["notificationUrl"] = request["notificationUrl"]
        return json_answer(200, subscription)

    def _unsubscribe(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], __: bytes) -> Answer:
        del self._subscriptions[self._subscription(match, headers)["id"]]
        return json_answer(204, None)

    def _event(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], __: bytes) -> Answer:
        self.authorize(headers)
        self._prefer.append(headers.get("prefer"))
        event = self._events.get(match["id"])
        if event is None:
            raise self._refusal(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        shown, applied = _shown(event, headers)
        return json_answer(200, shown, applied)

    def _me(self, _: dict[str, str], __: dict[str, str], headers: Mapping[str, str], ___: bytes) -> Answer:
        self.authorize(headers)
        context = "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
        return json_answer(200, {"@odata.context": context} | self.user)

    def _calendar_view(self, _: dict[str, str], q: dict[str, str], headers: Mapping[str, str], __: bytes) -> Answer:
        self.authorize(headers)
        self._prefer.append(headers.get("prefer"))
        events = self._next_page(q["$skiptoken"]) if "$skiptoken" in q else self._in_window(q)
        size = re.search(r"odata\.maxpagesize\s*=\s*(\d+)", headers.get("prefer", ""))
        page_size = max(1, int(size.group(1))) if size else GRAPH_PAGE_SIZE
        shown = [_shown(event, headers) for event in events[:page_size]]
        answer: dict[str, Any] = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('fake-owner')/calendarView",
            "value": [event for event, _ in shown],
        }
        if len(events) > page_size:
            token = secrets.token_urlsafe(12)
            self._pages[token] = events[page_size:]
            answer["@odata.nextLink"] = f"{self._url()}/me/calendarView?$skiptoken={token}"
        return json_answer(200, answer, shown[0][1] if shown else {})

    def _next_page(self, token: str) -> list[dict[str, Any]]:
        events = self._pages.pop(token, None)
        if events is None:
            raise self._refusal(400, "ErrorInvalidParameter", "The skip token is not valid.")
        return events

    def _in_window(self, q: dict[str, str]) -> list[dict[str, Any]]:
        try:
            low, high = (parse_instant(q[name]) for name in ("startDateTime", "endDateTime"))
        except (KeyError, ValueError):
            message = (
                "This request requires a time window specified by the query string parameters "
                "StartDateTime and EndDateTime."
            )
            raise self._refusal(400, "ErrorInvalidParameter", message) from None
        return sorted(
            (
                event
                for event in self._events.values()
                if event["type"] != "seriesMaster" and event["end"] > low and event["start"] < high
            ),
            key=lambda event: event["start"],
        )


def _shown(event: dict[str, Any], headers: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """An event as Graph shows it: start and end in the `Prefer: outlook.timezone` zone, else in UTC."""
    preference = re.search(r'outlook\.timezone\s*=\s*"([^"]+)"', headers.get("prefer", ""))
    preferred = zone(preference.group(1)) if preference else None
    name = preference.group(1) if preference and preferred else "UTC"
    shown = {k: v for k, v in event.items() if k not in ("start", "end")}
    shown |= {
        edge: {"dateTime": _local(event[edge].astimezone(preferred or UTC)), "timeZone": name}
        for edge in ("start", "end")
    }
    shown["@odata.etag"] = f'W/"{event["lastModifiedDateTime"]}"'
    applied = {"preference-applied": f'outlook.timezone="{name}"'} if preferred else {}
    return shown, applied


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"
