"""Part 4: what one calendar notification costs, per provider, from the webhook to the recorded interaction.

Each provider gets a fresh stack on moto in process, its functions invoked with the events AWS would
send (the API and webhooks through kith_local's LocalApi, payload 2.0; the meetings queue as SQS
events), an owner with five contacts, and a connection made through the API (Google and Outlook by the owner's
consent on the fake provider's page and the redirect back to Kith's callback). Google and Outlook reach
the fake provider server on 127.0.0.1 over real HTTP; Graph's POSTs to Kith are handed over in process.
One warm-up notification goes first; then each repetition adds a NEW meeting with two of the contacts,
sends its notification and lets the meetings function consume the queued message.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from kith_local.clock import SimulatedClock
from kith_local.fake_providers import GOOGLE_ACCOUNT, FakeProviders, LoggedRequest
from kith_local.plain_browser import Browser, give_consent
from kith_local.provider_payloads import (
    CALCOM_SIGNATURE,
    CALENDLY_SIGNATURE,
    calcom_signature,
    calendly_body,
    calendly_signature,
    google_event,
    google_push_headers,
    graph_event,
)
from kith_local.provider_settings import google_overrides, microsoft_overrides
from kith_local.stack import create_stack
from moto import mock_aws

from bench.counting import RequestLog
from bench.in_process import HOST, Kith, ProviderHttpTime, quiet_logs
from bench.scenarios import NOW, calcom_body

PROVIDERS = {"calcom": "Cal.com", "calendly": "Calendly", "google": "Google Calendar", "outlook": "Outlook (Graph)"}
OWNER_ID = "owner-calendars"
OWNER_EMAIL = GOOGLE_ACCOUNT[0]  # also the fake Google account's calendar and the fake Graph user's mail
CONTACTS = (
    ("Ann Attendee", "ann@example.com"),
    ("Ben Builder", "ben@example.com"),
    ("Cleo Chen", "cleo@example.com"),
    ("Dev Dube", "dev@example.com"),
    ("Eva Evans", "eva@example.com"),
)
MET = CONTACTS[:2]  # the two known contacts at every meeting

# (meeting number, its start) -> the webhook's HTTP status; it first puts the meeting where the provider keeps it.
Notify = Callable[[int, datetime], int]


@dataclass
class Notification:
    webhook: dict[str, Any]  # RequestLog summaries
    processing: dict[str, Any]
    provider_calls_webhook: list[str]
    provider_calls_processing: list[str]
    webhook_ms: float
    recorded_ms: float
    provider_http_ms: float  # of recorded_ms, inside the meetings function's provider HTTP client


@dataclass
class CalendarCost:
    provider: str
    warm_up: Notification
    notifications: list[Notification] = field(default_factory=list)
    setup_provider_calls: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return PROVIDERS[self.provider]

    def requests(self, step: str) -> list[int]:
        return [getattr(n, step)["requests"] for n in self.notifications]

    def by_operation(self, step: str) -> dict[str, list[int]]:
        operations = getattr(self.notifications[0], step)["by_operation"]
        return {op: [getattr(n, step)["by_operation"].get(op, 0) for n in self.notifications] for op in operations}

    def provider_calls(self) -> list[Counter[str]]:
        return [Counter(n.provider_calls_webhook + n.provider_calls_processing) for n in self.notifications]

    def figures(self) -> dict[str, Any]:
        recorded = [n.recorded_ms for n in self.notifications]
        return {
            "provider": self.provider,
            "notifications": len(self.notifications),
            "webhook_ms_median": statistics.median(n.webhook_ms for n in self.notifications),
            "recorded_ms_median": statistics.median(recorded),
            "recorded_ms_p95": nearest_rank(recorded, 0.95),
            "provider_http_ms_median": statistics.median(n.provider_http_ms for n in self.notifications),
            "setup_provider_calls": self.setup_provider_calls,
            "warm_up": vars(self.warm_up),
            "measured": [vars(n) for n in self.notifications],
        }


def nearest_rank(values: list[float], fraction: float) -> float:
    """The smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * fraction), 1) - 1]


# -- what each provider sends ------------------------------------------------------------------


def _calcom(kith: Kith, fake: FakeProviders) -> Notify:
    connection = kith.expect(201, "POST", "/v1/connections", {"provider": "calcom"})
    path = f"/webhooks/calcom/{connection['connection_id']}"

    def notify(number: int, start: datetime) -> int:
        body = calcom_body(f"bench-{number}", OWNER_EMAIL, [email for _, email in MET], start)
        return kith.post(path, body, {CALCOM_SIGNATURE: calcom_signature(connection["signing_secret"], body)})[0]

    return notify


def _calendly(kith: Kith, fake: FakeProviders) -> Notify:
    connection = kith.expect(201, "POST", "/v1/connections", {"provider": "calendly"})
    path = f"/webhooks/calendly/{connection['connection_id']}"

    def notify(number: int, start: datetime) -> int:
        # The first contact booked, and added the second as a guest; the owner hosts.
        (name, email), (_, guest) = MET
        body = calendly_body(
            "invitee.created",
            f"BENCH{number}",
            start,
            (name, email),
            hosts=[("Olive Owner", OWNER_EMAIL)],
            guests=[guest],
            title="Catch-up",
            created_at=NOW,
        )
        signature = calendly_signature(connection["signing_secret"], body, NOW)
        return kith.post(path, body, {CALENDLY_SIGNATURE: signature})[0]

    return notify


def _google(kith: Kith, fake: FakeProviders) -> Notify:
    connection = _connect_by_consent(kith, "google")
    path = f"/webhooks/google/{connection['connection_id']}"
    (channel,) = fake.google.channels

    def notify(number: int, start: datetime) -> int:
        guests = [email for _, email in MET]
        fake.google.put_event(
            OWNER_EMAIL, google_event(f"bench{number}", "Catch-up", start, 30, guests, calendar=OWNER_EMAIL)
        )
        push = google_push_headers(channel, "exists", number + 2, expiration="Mon, 07 Dec 2026 08:00:00 GMT")
        return kith.post(path, b"", push)[0]

    return notify


def _outlook(kith: Kith, fake: FakeProviders) -> Notify:
    _connect_by_consent(kith, "outlook")
    (subscription,) = fake.graph.subscriptions

    def notify(number: int, start: datetime) -> int:
        event_id = f"AAMkBench{number}"
        fake.graph.put_event(graph_event(event_id, "Catch-up", start, 30, MET, organizer=("Olive Owner", OWNER_EMAIL)))
        return fake.graph.notify_change(subscription["id"], "created", event_id)[0]

    return notify


SETUPS: dict[str, Callable[[Kith, FakeProviders], Notify]] = {
    "calcom": _calcom,
    "calendly": _calendly,
    "google": _google,
    "outlook": _outlook,
}


def _connect_by_consent(kith: Kith, provider: str) -> Any:
    """Google or Outlook as the owner connects it: consent URL, Allow, Kith's callback; then the first read."""
    started = kith.expect(200, "POST", f"/v1/connections/{provider}/authorize", None)

    def in_process(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        return kith.api.handle(method, parts.path, parts.query, headers, body, HOST)

    landed = give_consent(Browser({f"https://{HOST}": in_process}), started["authorize_url"]).landed
    if landed.status != 303:
        raise RuntimeError(f"the consent callback answered {landed.status}: {landed.text[:300]}")
    (connection,) = [
        item for item in kith.call("GET", "/v1/connections")[1]["connections"] if item["provider"] == provider
    ]
    kith.process()
    return connection


# -- one notification, measured ---------------------------------------------------------------------


def _call_name(request: LoggedRequest) -> str:
    if request.path.endswith("/token"):
        return "token"
    if request.path.startswith("/google/calendar/v3/calendars/") and request.path.endswith("/events"):
        return "events.list"
    if request.path.startswith("/graph/v1.0/me/events/"):
        return "GET me/events/{id}"
    return f"{request.method} {request.path}"


@dataclass
class _Meters:
    kith: Kith
    fake: FakeProviders
    webhook: RequestLog
    meetings: RequestLog
    provider_http: ProviderHttpTime
    contact_ids: set[str]


def _notification(meters: _Meters, notify: Notify, number: int, start: datetime) -> Notification:
    kith, lambdas, fake = meters.kith, meters.kith.lambdas, meters.fake
    meters.webhook.clear()
    meters.meetings.clear()
    lambdas.spans.clear()
    meters.provider_http.seconds = 0.0
    before = len(fake.requests)
    status = notify(number, start)
    after_webhook = len(fake.requests)
    if status != 202:
        raise RuntimeError(f"meeting {number}: the webhook answered {status}")
    if (queued := kith.process()) != 1:
        raise RuntimeError(f"meeting {number}: {queued} messages were queued, 1 expected")
    webhook_started, webhook_finished = lambdas.span("WebhookFunction")
    _, processed = lambdas.span("MeetingsFunction")
    calls = fake.requests
    notification = Notification(
        webhook=meters.webhook.summary(),
        processing=meters.meetings.summary(),
        provider_calls_webhook=[_call_name(r) for r in calls[before:after_webhook]],
        provider_calls_processing=[_call_name(r) for r in calls[after_webhook:]],
        webhook_ms=(webhook_finished - webhook_started) * 1000,
        recorded_ms=(processed - webhook_started) * 1000,
        provider_http_ms=meters.provider_http.seconds * 1000,
    )
    _check_recorded(kith, number, start, meters.contact_ids)
    return notification


def _check_recorded(kith: Kith, number: int, start: datetime, contact_ids: set[str]) -> None:
    """Outside the timing: the meeting is an interaction with both contacts (the figures mean nothing otherwise)."""
    wanted = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    cursor = ""
    while True:
        _, listed = kith.call("GET", f"/v1/interactions?limit=200{cursor}")
        if any(i["start"] == wanted and set(i["contact_ids"]) == contact_ids for i in listed["interactions"]):
            return
        if listed["next_cursor"] is None:
            raise RuntimeError(f"meeting {number} was not recorded as an interaction with both contacts")
        cursor = f"&cursor={listed['next_cursor']}"


def notification_costs(provider: str, repetitions: int) -> CalendarCost:
    clock = SimulatedClock(NOW)
    with quiet_logs(), mock_aws(), FakeProviders(clock) as fake:
        stack = create_stack()
        stack.overrides |= google_overrides(fake) | microsoft_overrides(fake)
        kith = Kith(stack, clock, OWNER_ID)
        lambdas = kith.lambdas
        fake.notify = kith.post_to_webhook
        owner = {"email": OWNER_EMAIL, "name": "Olive Owner", "time_zone": "Europe/Berlin"}
        kith.expect(200, "PUT", "/v1/owner", owner)
        ids = {}
        for name, email in CONTACTS:
            contact = {"name": name, "emails": [email], "last_interaction_at": "2026-09-01T12:00:00Z"}
            ids[email] = kith.expect(201, "POST", "/v1/contacts", contact)["contact_id"]
        notify = SETUPS[provider](kith, fake)
        setup_calls = [_call_name(r) for r in fake.requests]
        meters = _Meters(
            kith,
            fake,
            RequestLog().attach(lambdas.modules["WebhookFunction"].runtime.dynamodb),
            RequestLog().attach(lambdas.modules["MeetingsFunction"].runtime.dynamodb),
            ProviderHttpTime(lambdas.modules["MeetingsFunction"].runtime.provider_http),
            {ids[email] for _, email in MET},
        )
        # Meetings an hour apart, each later than the last and ended before the notification: every one
        # moves both contacts' clocks, so each repetition does the same work.
        first = NOW - timedelta(hours=repetitions + 2)
        warm_up = _notification(meters, notify, 0, first)
        cost = CalendarCost(provider=provider, warm_up=warm_up, setup_provider_calls=setup_calls)
        for number in range(1, repetitions + 1):
            cost.notifications.append(_notification(meters, notify, number, first + timedelta(hours=number)))
        return cost


def calendar_costs(repetitions: int) -> list[CalendarCost]:
    return [notification_costs(provider, repetitions) for provider in PROVIDERS]
