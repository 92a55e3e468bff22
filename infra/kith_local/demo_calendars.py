"""The demo owner's four calendars, each reaching Kith through the local API's real HTTP route.

Cal.com and Calendly sign what they send, and the demo signs as they do. Google Calendar and
Outlook live in the fake provider server on 127.0.0.1 and are connected as a person connects them:
Kith gives the consent URL, the owner's browser opens the fake provider's consent page and presses
Allow, the provider sends it back to Kith's callback with a code, and Kith exchanges the code (with
its PKCE verifier), opens a push channel (Google) or a subscription (Graph) and sends the browser on
to the console. Each hop is a request of its own over HTTP (kith_local.plain_browser).
Graph calls Kith back by itself, through `Webhooks.notify` (its validation handshake, then its
notifications); Google's push notifications are sent from here with the headers Google sends.
"""

from __future__ import annotations

import functools
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from kith.domain.connections import Provider
from kith.storage import keys
from kith.usecases.connections import webhook_path

from kith_local.fake_providers import FakeProviders
from kith_local.harness import LocalKith
from kith_local.plain_browser import Browser, give_consent
from kith_local.provider_payloads import (
    CALCOM_SIGNATURE,
    CALENDLY_SIGNATURE,
    Person,
    calcom_body,
    calcom_ping,
    calcom_signature,
    calendly_body,
    calendly_signature,
    encode,
    google_event,
    google_push_headers,
    graph_event,
)

PROVIDERS = {"calcom": "Cal.com", "calendly": "Calendly", "google": "Google", "outlook": "Outlook"}
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)  # the demo's week

PRIYA = ("Priya Natarajan", "priya@lumen.example")
SAM = ("Sam Rivera", "sam@newco.example")  # not a contact yet: the follow-up offers to add him
JONAS = ("Jonas Weber", "jonas@fjord.example")
TOMAS = ("Tomás Ortega", "tomas@altamar.example")
MEI = ("Mei Lin", "mei@orbit.example")
KWAME = ("Kwame Mensah", "kwame@volta.example")
GRACE = ("Grace Okafor", "grace@kite.example")
LUCA = ("Luca Bianchi", "luca@ponte.example")
SOFIA = ("Sofia Lindqvist", "sofia@nord.example")
RAFAEL = ("Rafael Costa", "rafael@mar.example")
# Cal.com books the coffee into the owner's Google Calendar too: one meeting, one iCalUID, two providers.
COFFEE = "Coffee with Priya"
COFFEE_UID = "bk-coffee"

Say = Callable[..., None]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant (UTC) of the demo's week; day 0 is Monday."""
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


@dataclass(frozen=True)
class Delivery:
    provider: str
    label: str
    status: int


class Webhooks:
    """Webhooks POSTed to Kith's local API over plain HTTP, and what Kith answered each."""

    def __init__(self, base_url: str, say: Say) -> None:
        self.base_url = base_url
        self.say = say
        self.log: list[Delivery] = []

    def post(self, url: str, body: bytes, headers: Mapping[str, str], label: str) -> tuple[int, str, bytes]:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base_url or not parts.path.startswith("/webhooks/"):
            raise ValueError(f"the demo posts only to Kith's local webhooks, not to {url}")
        request = urllib.request.Request(url, data=body, method="POST", headers=dict(headers))
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = response.status, response.headers.get("content-type", ""), response.read()
        except urllib.error.HTTPError as error:
            answer = error.code, error.headers.get("content-type", ""), error.read()
        self.log.append(Delivery(parts.path.split("/")[2], label, answer[0]))
        self.say(f"      {label:<54} -> {answer[0]}")
        return answer

    def notify(self, url: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        """How the fake Graph reaches Kith: the validation handshake, then notifications."""
        if "validationToken=" in urlsplit(url).query:
            label = "validation handshake (Graph checks the webhook URL)"
        else:
            items = json.loads(body)["value"]
            label = ", ".join(f"{item.get('changeType') or item.get('lifecycleEvent')} notification" for item in items)
        return self.post(url, body, {"content-type": content_type}, label)


@dataclass(frozen=True)
class Consent:
    """One calendar connected by consent: each hop the browser made, and where it ended."""

    provider: str
    hops: list[tuple[str, str, int]]  # (method, path, status)
    landed_at: str

    @property
    def statuses(self) -> list[int]:
        return [status for _, _, status in self.hops]


@dataclass(frozen=True)
class Scene:
    at: datetime
    title: str
    play: Callable[[], None]


class CalendarWeek:
    """What each calendar tells Kith, and when: connecting on Sunday evening, changes during the week."""

    def __init__(self, kith: LocalKith, fake: FakeProviders, owner: Mapping[str, Any], token: str, say: Say) -> None:
        self.kith = kith
        self.fake = fake
        self.token = token
        self.owner: Person = (owner["name"], owner["email"])
        self.zone = str(owner["time_zone"])
        self.say = say
        self.webhooks = Webhooks(kith.base_url, say)
        self.connections: dict[str, dict[str, Any]] = {}
        self.consents: list[Consent] = []
        # The accounts the owner consents with on the fake are theirs: their calendar, their mailbox.
        fake.google.account = (owner["email"], self.zone)
        fake.graph.user |= {"displayName": owner["name"], "mail": owner["email"], "userPrincipalName": owner["email"]}
        fake.notify = self.webhooks.notify

    def scenes(self, start: datetime) -> list[Scene]:
        return [
            Scene(start, "Cal.com connected; its signed webhooks:", self.calcom),
            Scene(start, "Calendly connected; its signed webhooks:", self.calendly),
            Scene(start, "Google connected by consent: channel opened, calendar read", self.google),
            Scene(start, "Outlook connected by consent: Graph subscribes", self.outlook),
            Scene(at(1, 9), "Google: a design review with Sofia added for Wednesday", self.google_event_added),
            Scene(at(2, 12), "Outlook: a partnership sync with Rafael for Thursday", self.outlook_meeting_planned),
        ]

    # -- booking tools -------------------------------------------------------------------------------

    def calcom(self) -> None:
        connection = self._connect("calcom")
        now = self.kith.clock.now()

        def send(label: str, body: bytes, signature: str | None = None) -> None:
            signed = signature or calcom_signature(connection["signing_secret"], body)
            self.webhooks.post(connection["webhook_url"], body, {CALCOM_SIGNATURE: signed}, label)

        booking = functools.partial(calcom_body, organizer=self.owner, time_zone=self.zone, created_at=now)
        send("PING (test)", encode(calcom_ping(now)))
        coffee = booking("BOOKING_CREATED", COFFEE_UID, at(0, 9), [PRIYA, SAM], title=COFFEE)
        send("BOOKING_CREATED coffee Monday (Priya + a guest)", coffee)
        ended = now - timedelta(hours=2, minutes=45)
        review = booking("MEETING_ENDED", "bk-review", ended, [JONAS], title="Portfolio review", minutes=45, flat=True)
        send("MEETING_ENDED portfolio review (Jonas)", review)
        intro = functools.partial(booking, uid="bk-intro", start=at(1, 9), attendees=[TOMAS], title="Intro call")
        send("BOOKING_CREATED intro call Tuesday (Tomás)", intro("BOOKING_CREATED"))
        send("BOOKING_CANCELLED intro call Tuesday", intro("BOOKING_CANCELLED"))
        forged = booking("BOOKING_CREATED", "bk-forged", at(0, 9), [MEI], title="Forged")
        send("BOOKING_CREATED, forged signature", forged, signature="0" * 64)

    def calendly(self) -> None:
        connection = self._connect("calendly")
        now = self.kith.clock.now()

        def send(label: str, body: bytes, signed_at: datetime = now) -> None:
            signature = calendly_signature(connection["signing_secret"], body, signed_at)
            self.webhooks.post(connection["webhook_url"], body, {CALENDLY_SIGNATURE: signature}, label)

        invitee = functools.partial(calendly_body, hosts=[self.owner], time_zone=self.zone, created_at=now)
        mentoring = invitee("invitee.created", "EV-MENTOR", at(1, 14), MEI, title="Mentoring call")
        send("invitee.created mentoring call Tuesday (Mei)", mentoring)
        chat = functools.partial(invitee, event_uuid="EV-CHAT", start=at(2, 10), invitee=KWAME, title="Quick chat")
        send("invitee.created quick chat Wednesday (Kwame)", chat("invitee.created"))
        send("invitee.canceled quick chat Wednesday", chat("invitee.canceled"))
        late = invitee("invitee.created", "EV-LATE", at(3, 10), GRACE, title="Catch-up")
        send("invitee.created, signed 10 minutes ago (stale)", late, signed_at=now - timedelta(minutes=10))

    # -- calendars reached through OAuth ---------------------------------------------------------------

    def google(self) -> None:
        calendar = self.owner[1]
        event = functools.partial(google_event, calendar=calendar, time_zone=self.zone)
        # Already in the calendar before Kith is connected: Saturday's brunch, and the coffee Cal.com booked.
        self.fake.google.put_event(calendar, event("brunch-luca", "Brunch with Luca", at(-2, 10, 30), 90, [LUCA[1]]))
        coffee = event("coffee-priya", COFFEE, at(0, 9), 30, [PRIYA[1], SAM[1]], ical_uid=f"{COFFEE_UID}@Cal.com")
        self.fake.google.put_event(calendar, coffee)
        connection = self._consent("google")
        (channel,) = self.fake.google.channels
        headers = google_push_headers(channel, "sync", message_number=1)
        self.webhooks.post(connection["webhook_url"], b"", headers, "sync (the channel's first message)")

    def google_event_added(self) -> None:
        calendar = self.owner[1]
        review = google_event(
            "review-sofia", "Design review", at(2, 13), 60, [SOFIA[1]], calendar=calendar, time_zone=self.zone
        )
        self.fake.google.put_event(calendar, review)
        (channel,) = self.fake.google.channels
        url = self.connections["google"]["webhook_url"]
        self.webhooks.post(
            url, b"", google_push_headers(channel, "exists", message_number=2), "exists (the calendar changed)"
        )
        forged = google_push_headers(channel, "exists", message_number=3) | {"X-Goog-Channel-Token": "forged"}
        self.webhooks.post(url, b"", forged, "exists, forged channel token")

    def outlook(self) -> None:
        # Graph runs its validation handshake against the webhook while the subscription is created.
        self._consent("outlook")

    def outlook_meeting_planned(self) -> None:
        event_id = "AAMkAGI-partnership-sync"
        meeting = graph_event(event_id, "Partnership sync", at(3, 14), 45, [RAFAEL], organizer=self.owner)
        self.fake.graph.put_event(meeting)
        (subscription,) = self.fake.graph.subscriptions
        self.fake.graph.notify_change(subscription["id"], "created", event_id)
        forged = self.fake.graph.notification(subscription["id"], "updated", event_id) | {"clientState": "forged"}
        body = json.dumps({"value": [forged]}).encode()
        headers = {"content-type": "application/json"}
        self.webhooks.post(subscription["notificationUrl"], body, headers, "updated notification, forged clientState")

    def _connect(self, provider: str) -> dict[str, Any]:
        created = self.kith.request("POST", "/v1/connections", {"provider": provider}, token=self.token)
        assert created.status == 201, created.body
        self.connections[provider] = created.body
        return dict(created.body)

    def _consent(self, provider: str) -> dict[str, Any]:
        """A calendar connected as in the console: Kith's consent URL, Allow, back to Kith, on to the console."""
        listed = self.kith.request("GET", "/v1/connections", token=self.token).body["connections"]
        before = {item["connection_id"] for item in listed}
        started = self.kith.request("POST", f"/v1/connections/{provider}/authorize", token=self.token)
        assert started.status == 200, started.body
        browser = Browser()
        trip = give_consent(browser, started.body["authorize_url"])
        assert trip.landed.status == 303, trip.landed.text
        hops = [("POST", f"/v1/connections/{provider}/authorize", started.status)]
        hops += [(page.method, urlsplit(page.url).path, page.status) for page in browser.history]
        for method, path, status in hops:
            self.say(f"      {method:<4} {path:<49} -> {status}")
        landed = trip.landed.headers["location"]
        self.say(f"      then the console: {landed}")
        self.consents.append(Consent(provider, hops, landed))
        listed = self.kith.request("GET", "/v1/connections", token=self.token).body["connections"]
        (connection,) = [item for item in listed if item["connection_id"] not in before]
        url = self.kith.base_url + webhook_path(Provider(provider), connection["connection_id"])
        self.connections[provider] = connection | {"webhook_url": url}
        return self.connections[provider]


def meetings_by_provider(kith: LocalKith, owner_id: str, interaction_ids: set[str]) -> dict[str, set[str]]:
    """Of these interactions, the ones each provider told Kith of (Kith keeps each provider's id for a meeting)."""
    told: dict[str, set[str]] = {}
    for provider in PROVIDERS:
        pages = kith.dynamodb.get_paginator("query").paginate(
            TableName=kith.stack.table_name,
            KeyConditionExpression="pk = :owner AND begins_with(sk, :aliases)",
            ExpressionAttributeValues={
                ":owner": {"S": keys.owner_pk(owner_id)},
                ":aliases": {"S": keys.alias_sk(provider, "")},
            },
        )
        told[provider] = {item["interaction_id"]["S"] for page in pages for item in page["Items"]} & interaction_ids
    return told
