"""Google Calendar's API, faked: the calendar, its events with paging and sync tokens, push channels.

    GET  /google/calendar/v3/calendars/{id}              calendars.get: `primary` is the account's own calendar
    GET  /google/calendar/v3/calendars/{id}/events       events.list: paging, syncToken, 410 fullSyncRequired
    POST /google/calendar/v3/calendars/{id}/events/watch events.watch -> api#channel
    POST /google/calendar/v3/channels/stop               channels.stop -> 204

Every route wants a Google access token the fake OAuth issued. Google is not called back (no push
notifications are sent), recurrences are not expanded (add instances yourself) and no quotas are kept.
"""

from __future__ import annotations

import re
import secrets
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kith_local.clock import Clock
from kith_local.fake_http import Answer, Refusal, Route, json_answer, json_body, parse_instant, rfc3339
from kith_local.fake_oauth import FakeOAuth

# The account that consents on the fake Google: its primary calendar's id is its e-mail address.
GOOGLE_ACCOUNT = ("owner@example.com", "Europe/Berlin")
CHANNEL_TTL_SECONDS = 604800  # events.watch's documented default
_CALENDAR = r"/google/calendar/v3/calendars/(?P<calendar>[^/]+)"


@dataclass
class _Page:
    calendar_id: str
    items: list[dict[str, Any]]
    sync_seq: int


def google_error(status: int, reason: str, message: str, domain: str = "global") -> Refusal:
    detail = {"domain": domain, "reason": reason, "message": message}
    return Refusal(status, {"error": {"errors": [detail], "code": status, "message": message}})


class FakeGoogleCalendar:
    def __init__(self, clock: Clock, lock: threading.Lock, oauth: FakeOAuth) -> None:
        self.clock = clock
        self._lock = lock
        self._oauth = oauth
        self.account = GOOGLE_ACCOUNT  # (primary calendar id, its time zone)
        # Google may answer with fewer events than maxResults asks for, and a nextPageToken: this caps a page.
        self.page_limit: int | None = None
        self._seq = 0
        self._events: dict[str, dict[str, tuple[dict[str, Any], int]]] = {}
        self._sync_tokens: dict[str, tuple[str, int]] = {}
        self._pages: dict[str, _Page] = {}
        self._channels: dict[str, dict[str, Any]] = {}

    # -- test controls -----------------------------------------------------------------------

    def put_event(self, calendar_id: str, event: Mapping[str, Any]) -> dict[str, Any]:
        """Add or replace an event given in Google's shape; the fake sets kind, etag, iCalUID, created, updated."""
        with self._lock:
            now = rfc3339(self.clock.now())
            previous = self._events.get(calendar_id, {}).get(event["id"])
            created = previous[0]["created"] if previous else now
            stored = (
                {"status": "confirmed", "iCalUID": f"{event['id']}@google.com"} | dict(event) | {"created": created}
            )
            return self._store(calendar_id, stored, now)

    def update_event(self, calendar_id: str, event_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            current = self._events[calendar_id][event_id][0]
            return self._store(calendar_id, current | dict(changes), rfc3339(self.clock.now()))

    def cancel_event(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        return self.update_event(calendar_id, event_id, {"status": "cancelled"})

    def invalidate_sync_tokens(self, calendar_id: str) -> None:
        """Google expired the calendar's sync tokens: the next incremental sync gets 410 fullSyncRequired."""
        with self._lock:
            for token in [t for t, (calendar, _) in self._sync_tokens.items() if calendar == calendar_id]:
                del self._sync_tokens[token]

    @property
    def channels(self) -> list[dict[str, Any]]:
        """The open push channels as events.watch answered them (id, resourceId, token, expiration...)."""
        with self._lock:
            return [dict(channel) for channel in self._channels.values()]

    # -- routes ------------------------------------------------------------------------------

    @property
    def routes(self) -> list[Route]:
        return [
            ("GET", re.compile(_CALENDAR), self._calendar),
            ("GET", re.compile(_CALENDAR + "/events"), self._list),
            ("POST", re.compile(_CALENDAR + "/events/watch"), self._watch),
            ("POST", re.compile(r"/google/calendar/v3/channels/stop"), self._stop),
        ]

    def _authorize(self, headers: Mapping[str, str]) -> None:
        if self._oauth.access("google", headers) is None:
            refusal = google_error(401, "authError", "Invalid Credentials")
            refusal.answer[1]["www-authenticate"] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
            raise refusal

    def _store(self, calendar_id: str, event: dict[str, Any], updated: str) -> dict[str, Any]:
        self._seq += 1
        event |= {"kind": "calendar#event", "etag": f'"{self._seq}"', "updated": updated}
        self._events.setdefault(calendar_id, {})[event["id"]] = (event, self._seq)
        return dict(event)

    def _calendar_id(self, name: str) -> str:
        """`primary` is the account's own calendar, whose id is the account's address."""
        return self.account[0] if name == "primary" else name

    def _calendar(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], __: bytes) -> Answer:
        self._authorize(headers)
        primary, zone = self.account
        if match["calendar"] not in ("primary", primary):
            raise google_error(404, "notFound", "Not Found")
        etag = f'"{self._seq}"'
        calendar = {"kind": "calendar#calendar", "etag": etag, "id": primary, "summary": primary, "timeZone": zone}
        return json_answer(200, calendar)

    def _list(self, match: dict[str, str], q: dict[str, str], headers: Mapping[str, str], _: bytes) -> Answer:
        self._authorize(headers)
        calendar_id = self._calendar_id(match["calendar"])
        size = _page_size(q)
        size = min(size, self.page_limit or size)
        if "pageToken" in q:
            page = self._pages.pop(q["pageToken"], None)
            if page is None or page.calendar_id != calendar_id:
                raise google_error(400, "invalid", "Invalid page token value.")
        else:
            page = _Page(calendar_id, self._matching(calendar_id, q), self._seq)
        answer: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": f'"{self._seq}"',
            "summary": calendar_id,
            "updated": rfc3339(self.clock.now()),
            # The calendar's own time zone: the account's for its primary calendar.
            "timeZone": self.account[1] if calendar_id == self.account[0] else "UTC",
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
        return json_answer(200, answer)

    def _sync_token(self, calendar_id: str, seq: int) -> str:
        token = "CPD" + secrets.token_urlsafe(16)
        self._sync_tokens[token] = (calendar_id, seq)
        return token

    def _matching(self, calendar_id: str, q: dict[str, str]) -> list[dict[str, Any]]:
        """The events a list asks for (changed since its sync token, or in its window), as Google shows them."""
        events = self._events.get(calendar_id, {}).values()
        if "syncToken" in q:
            since = self._synced_seq(calendar_id, q)
            chosen = [event for event, seq in events if seq > since]
        else:
            chosen = _in_window(q, [event for event, _ in events])
        if q.get("singleEvents") == "true":
            return [_visible(e) for e in chosen if "recurrence" not in e]
        return [_visible(e) for e in chosen if "recurringEventId" not in e or e["status"] == "cancelled"]

    def _synced_seq(self, calendar_id: str, q: dict[str, str]) -> int:
        if {"timeMin", "timeMax"} & q.keys() or q.get("showDeleted") == "false":
            raise google_error(
                400,
                "syncTokenWithRequestRestrictions",
                "Sync token cannot be used with other request restrictions.",
                "calendar",
            )
        known = self._sync_tokens.get(q["syncToken"])
        if known is None or known[0] != calendar_id:
            raise google_error(
                410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.", "calendar"
            )
        return known[1]

    def _watch(self, match: dict[str, str], _: dict[str, str], headers: Mapping[str, str], body: bytes) -> Answer:
        self._authorize(headers)
        request = json_body(body, lambda: google_error(400, "parseError", "Parse Error"))
        if not request.get("id") or request.get("type") not in ("web_hook", "webhook") or not request.get("address"):
            raise google_error(400, "required", "Required: id, type web_hook and address")
        if request["id"] in self._channels:
            raise google_error(400, "channelIdNotUnique", f"Channel id {request['id']} not unique", "push")
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
        return json_answer(200, channel)

    def _stop(self, _: dict[str, str], __: dict[str, str], headers: Mapping[str, str], body: bytes) -> Answer:
        self._authorize(headers)
        request = json_body(body, lambda: google_error(400, "parseError", "Parse Error"))
        channel = self._channels.get(request.get("id", ""))
        if channel is None or channel["resourceId"] != request.get("resourceId"):
            raise google_error(404, "notFound", f"Channel '{request.get('id')}' not found for project 'kith-local'")
        del self._channels[channel["id"]]
        return json_answer(204, None)


def _page_size(q: dict[str, str]) -> int:
    try:
        size = int(q.get("maxResults", "250"))
    except ValueError:
        size = 0
    if not 1 <= size <= 2500:
        raise google_error(400, "invalid", "Invalid value for: maxResults")
    return size


def _in_window(q: dict[str, str], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    low, high = (_instant_param(q, name) for name in ("timeMin", "timeMax"))
    if low and high and high <= low:
        raise google_error(400, "timeRangeEmpty", "The specified time range is empty.", "calendar")
    shown = q.get("showDeleted") == "true"
    return [
        event
        for event in events
        if (shown or event["status"] != "cancelled")
        and (low is None or _edge(event["end"]) > low)
        and (high is None or _edge(event["start"]) < high)
    ]


def _instant_param(q: dict[str, str], name: str) -> datetime | None:
    if name not in q:
        return None
    try:
        return parse_instant(q[name])
    except ValueError:
        raise google_error(400, "badRequest", f"Bad Request: {name}") from None


def _edge(edge: Mapping[str, str]) -> datetime:
    if "dateTime" in edge:
        return parse_instant(edge["dateTime"])
    return datetime.fromisoformat(edge["date"]).replace(tzinfo=UTC)


def _visible(event: dict[str, Any]) -> dict[str, Any]:
    """Google only promises the id of a deleted event (and the series fields of a deleted instance)."""
    if event["status"] != "cancelled":
        return dict(event)
    kept = ("kind", "etag", "id", "status", "recurringEventId", "originalStartTime")
    return {key: event[key] for key in kept if key in event}
