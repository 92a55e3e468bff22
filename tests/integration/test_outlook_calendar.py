"""Outlook through Microsoft Graph, end to end: the fake Graph on 127.0.0.1 calls Kith's webhook in process.

Connecting goes through the owner's consent on the fake Microsoft and back to Kith's callback, and
runs Graph's validation handshake against the real webhook handler; notifications are delivered by
the fake with the subscription's clientState, queued, and read back from Graph.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from kith.calendars.graph_api import SUBSCRIPTION_MINUTES
from kith.domain.connections import RENEWAL_MARGIN, CalendarConnection
from kith_local.fake_providers import FakeProviders, Fault

from tests.integration.support import NOW, Kith, kith_with_microsoft

REDIRECT = "https://app.kith.test/oauth/outlook"
OWNER_MAILBOX = "owner@example.com"
PREFER_UTC = 'outlook.timezone="UTC"'


@dataclass
class Outlook:
    kith: Kith
    fake: FakeProviders

    def connect(self, *, read_initial: bool = True) -> dict[str, Any]:
        """Outlook connected through the consent redirect; with `read_initial`, what it already holds is read."""
        return self.kith.connect_by_consent("outlook", read_initial=read_initial)

    def stored(self, connection_id: str) -> CalendarConnection:
        return self.kith.lambdas.modules["ApiFunction"].runtime.connection_store.get_connection(connection_id)  # type: ignore[no-any-return]

    def refresh_token(self, connection: CalendarConnection) -> str:
        vault = self.kith.lambdas.modules["ApiFunction"].runtime.vault
        return vault.open(connection.refresh_token_sealed, connection.connection_id)  # type: ignore[no-any-return]

    def subscription_id(self, connection_id: str) -> str:
        subscription = self.stored(connection_id).graph
        assert subscription is not None
        return subscription.subscription_id

    def post(self, connection: dict[str, Any], body: bytes, query: str = "") -> tuple[int, str, bytes]:
        url = connection["webhook_url"] + (f"?{query}" if query else "")
        return self.kith.post_to_webhook(url, "application/json", body)


@pytest.fixture
def outlook() -> Iterator[Outlook]:
    with kith_with_microsoft() as (kith, fake):
        yield Outlook(kith, fake)


def graph_event(
    event_id: str,
    start: datetime,
    attendees: list[tuple[str, str, str]],
    *,
    organizer: str = OWNER_MAILBOX,
    subject: str = "Coffee",
    minutes: int = 30,
    zone: str = "UTC",
    **extra: Any,
) -> dict[str, Any]:
    """A Graph event; attendees are (address, type, response); times are written in `zone` as Graph would."""
    windows = {"Pacific Standard Time": "America/Los_Angeles", "UTC": "UTC"}
    local = ZoneInfo(windows[zone])

    def when(moment: datetime) -> dict[str, str]:
        return {"dateTime": moment.astimezone(local).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": zone}

    return {
        "id": event_id,
        "subject": subject,
        "start": when(start),
        "end": when(start + timedelta(minutes=minutes)),
        "organizer": {"emailAddress": {"name": organizer.split("@")[0], "address": organizer}},
        "attendees": [
            {"type": kind, "status": {"response": response}, "emailAddress": {"name": address, "address": address}}
            for address, kind, response in attendees
        ],
        **extra,
    }


def interactions(kith: Kith) -> list[dict[str, Any]]:
    _, body = kith.http("GET", "/v1/interactions")
    return body["interactions"]  # type: ignore[no-any-return]


def contact_ids(kith: Kith) -> dict[str, str]:
    _, body = kith.http("GET", "/v1/contacts")
    return {contact["emails"][0]: contact["contact_id"] for contact in body["contacts"]}


def dynamodb_calls(kith: Kith, function: str) -> Counter[str]:
    calls: Counter[str] = Counter()
    client = kith.lambdas.modules[function].runtime.dynamodb
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
    return calls


def graph_calls(fake: FakeProviders, since: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests[since:]]


# -- connecting --------------------------------------------------------------------------------


def test_connecting_outlook_validates_the_webhook_and_subscribes_to_the_mailbox_events(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    # When the owner connects Outlook with the code their consent returned
    connection = outlook.connect()
    # Then the connection is active, for the mailbox Graph names
    assert (connection["state"], connection["account_email"]) == ("active", OWNER_MAILBOX)
    stored = outlook.stored(connection["connection_id"])
    assert stored.graph is not None
    # And Graph holds a subscription on the mailbox's events, created after Kith echoed the handshake once
    subscription = fake.graph.subscription(stored.graph.subscription_id)
    assert subscription is not None
    assert kith.lambdas.invocations["WebhookFunction"] == 1
    assert {k: subscription[k] for k in ("changeType", "resource", "notificationUrl", "lifecycleNotificationUrl")} == {
        "changeType": "created,updated,deleted",
        "resource": "me/events",
        "notificationUrl": connection["webhook_url"],
        "lifecycleNotificationUrl": connection["webhook_url"],
    }
    assert subscription["clientState"] == stored.graph.client_state
    assert 40 <= len(stored.graph.client_state) <= 128
    assert stored.graph.expires_at == NOW + timedelta(minutes=SUBSCRIPTION_MINUTES)
    # And the refresh token is stored sealed: its plaintext appears nowhere in the table
    assert stored.refresh_token_sealed
    plaintext = outlook.refresh_token(stored)
    assert plaintext.startswith("1//")
    assert plaintext not in json.dumps(kith.items())
    # And the mailbox came from GET /me, the subscription from one POST, then the first read looked at the window
    assert [f"{r.method} {r.path}" for r in fake.requests if r.path.startswith("/graph")] == [
        "GET /graph/v1.0/me",
        "POST /graph/v1.0/subscriptions",
        "GET /graph/v1.0/me/calendarView",
    ]


def test_the_mailbox_falls_back_to_the_user_principal_name(outlook: Outlook) -> None:
    # Given a Microsoft account whose user has no `mail` (personal accounts often have none)
    outlook.fake.graph.user |= {"mail": None, "userPrincipalName": "Olive@Outlook.example"}
    # When it is connected
    connection = outlook.connect()
    # Then its userPrincipalName is the mailbox, normalised
    assert connection["account_email"] == "olive@outlook.example"


def test_a_bad_authorization_code_is_422_and_stores_nothing(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    items_before = kith.items()
    # When the owner connects with a code Microsoft never issued
    status, body = kith.http(
        "POST", "/v1/connections", {"provider": "outlook", "authorization_code": "forged", "redirect_uri": REDIRECT}
    )
    # Then it is refused, nothing is stored and Graph was never asked for a subscription
    assert status == 422, body
    assert "invalid_grant" in body["error"]
    assert kith.items() == items_before
    assert fake.requests_to("/graph") == []


def test_a_wrong_handshake_echo_creates_no_subscription_and_no_connection(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    items_before = kith.items()

    # Given a webhook that answers Graph's handshake with the token still URL-encoded
    def encoded_echo(url: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        return 200, "text/plain", url.partition("validationToken=")[2].encode()

    fake.notify = encoded_echo
    # When the owner connects Outlook through the consent
    landed = kith.consent("outlook").landed
    # Then Graph refuses the subscription, the page says so, and Kith keeps nothing of the attempt
    assert landed.status == 422, landed.text
    assert "ValidationError" in landed.text
    assert fake.graph.subscriptions == []
    assert kith.items() == items_before


def test_the_validation_handshake_is_echoed_decoded_as_plain_text(outlook: Outlook) -> None:
    kith = outlook.kith
    connection = outlook.connect()
    token = "Validation: Testing client application reachability for subscription Request-Id: 5b3f+x/=&y"
    # When Graph POSTs a validation request
    status, content_type, body = outlook.post(connection, b"", query=f"validationToken={quote(token, safe='')}")
    # Then the token comes back exactly, decoded, as text/plain with 200, and nothing is queued
    assert (status, content_type.split(";")[0], body.decode()) == (200, "text/plain", token)
    assert kith.receive("MeetingQueue") == []


# -- refusing bad input ------------------------------------------------------------------------


def test_one_forged_client_state_refuses_the_whole_body(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    subscription_id = outlook.subscription_id(connection["connection_id"])
    fake.graph.put_event(graph_event("AAMk1", NOW - timedelta(hours=2), []))
    valid = fake.graph.notification(subscription_id, "created", "AAMk1")
    forged = fake.graph.notification(subscription_id, "updated", "AAMk1") | {"clientState": "guess"}
    missing = {
        k: v for k, v in fake.graph.notification(subscription_id, "deleted", "AAMk1").items() if k != "clientState"
    }
    seen = len(fake.requests)
    for wrong in (forged, missing):
        # When a body carries valid items and one whose clientState is wrong or missing
        status, _, _ = outlook.post(connection, json.dumps({"value": [valid, wrong, valid]}).encode())
        # Then it is refused as a whole: nothing is queued and Graph is not asked anything
        assert status == 401
    assert kith.receive("MeetingQueue") == []
    assert graph_calls(fake, seen) == []


def test_an_unknown_subscription_is_404_and_a_malformed_body_is_400(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    subscription_id = outlook.subscription_id(connection["connection_id"])
    other = fake.graph.notification(subscription_id, "created", "AAMk1") | {
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07"
    }
    # When a notification names a subscription that is not this connection's
    assert outlook.post(connection, json.dumps({"value": [other]}).encode())[0] == 404
    # And when bodies are not Graph's notification collection
    for body in (b"{not json", b"[]", b'{"value": {}}', b'{"value": [42]}', b'{"items": []}'):
        assert outlook.post(connection, body)[0] == 400, body
    # Then nothing was queued
    assert kith.receive("MeetingQueue") == []


# -- change notifications ----------------------------------------------------------------------


def test_created_updated_and_deleted_record_update_and_remove_the_meeting(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    for name, address in (("Ann", "ann@example.com"), ("Ben", "ben@example.com"), ("Org", "org@example.com")):
        kith.create_contact(name, address, circle="inner", last_interaction_at="2026-10-01T12:00:00Z")
    connection = outlook.connect()
    subscription_id = outlook.subscription_id(connection["connection_id"])
    ids = contact_ids(kith)
    # Given a meeting someone else organised, with the owner, a room, Ann (accepted) and Ben (declined)
    start = NOW - timedelta(hours=3)
    people = [
        (OWNER_MAILBOX, "required", "accepted"),
        ("room1@example.com", "resource", "none"),
        ("ann@example.com", "required", "accepted"),
        ("ben@example.com", "required", "declined"),
    ]
    fake.graph.put_event(graph_event("AAMk1", start, people, organizer="org@example.com", subject="Roadmap"))
    # When Graph notifies that it was created, and Kith processes the queue
    assert fake.graph.notify_change(subscription_id, "created", "AAMk1")[0] == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then one interaction counts the organizer and Ann: not the owner, the room or Ben who declined
    (recorded,) = interactions(kith)
    assert (recorded["title"], recorded["source"]) == ("Roadmap", "outlook")
    assert sorted(recorded["contact_ids"]) == sorted([ids["org@example.com"], ids["ann@example.com"]])
    assert recorded["start"] == "2026-11-30T07:00:00Z"
    # When it is renamed and moved, and Graph notifies the update
    fake.graph.update_event(
        "AAMk1", {"subject": "Roadmap v2", "start": graph_event("x", start - timedelta(hours=1), [])["start"]}
    )
    assert fake.graph.notify_change(subscription_id, "updated", "AAMk1")[0] == 202
    kith.process_meetings()
    # Then the same interaction shows the change
    (updated,) = interactions(kith)
    assert (updated["interaction_id"], updated["title"], updated["start"]) == (
        recorded["interaction_id"],
        "Roadmap v2",
        "2026-11-30T06:00:00Z",
    )
    # When it is deleted and Graph notifies that
    fake.graph.delete_event("AAMk1")
    assert fake.graph.notify_change(subscription_id, "deleted", "AAMk1")[0] == 202
    kith.process_meetings()
    # Then the interaction is gone and Ann's clock is back where it was
    assert interactions(kith) == []
    _, ann = kith.http("GET", f"/v1/contacts/{ids['ann@example.com']}")
    assert ann["last_interaction_at"] == "2026-10-01T12:00:00Z"


def test_a_duplicate_item_in_one_body_is_queued_once(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    item = fake.graph.notification(outlook.subscription_id(connection["connection_id"]), "created", "AAMk1")
    # When Graph batches the same change twice
    status, _, _ = outlook.post(connection, json.dumps({"value": [item, item]}).encode())
    # Then it is accepted and queued once
    assert status == 202
    assert len(kith.receive("MeetingQueue")) == 1


def test_graph_is_always_asked_for_utc_and_zoned_times_land_right(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_contact("Ann", "ann@example.com")
    connection = outlook.connect()
    # Given a meeting written in Pacific time (Graph's Windows zone name): 01:00 PST is 09:00 UTC
    start = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    people = [("ann@example.com", "required", "accepted")]
    fake.graph.put_event(graph_event("AAMk1", start, people, zone="Pacific Standard Time"))
    # When Graph notifies it and Kith reads it
    fake.graph.notify_change(outlook.subscription_id(connection["connection_id"]), "created", "AAMk1")
    kith.process_meetings()
    # Then Kith asked for UTC (for the first read at connect, and now), and the interaction is at the right instant
    assert fake.graph.prefer_headers == [PREFER_UTC, PREFER_UTC]
    (recorded,) = interactions(kith)
    assert (recorded["start"], recorded["end"]) == ("2026-11-29T09:00:00Z", "2026-11-29T09:30:00Z")


def test_each_notification_costs_a_small_constant_number_of_requests(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    for n in range(3):
        kith.create_contact(f"Guest {n}", f"guest{n}@example.com")
    connection = outlook.connect()
    subscription_id = outlook.subscription_id(connection["connection_id"])
    webhook_calls = dynamodb_calls(kith, "WebhookFunction")
    meeting_calls = dynamodb_calls(kith, "MeetingsFunction")
    measured = []
    for n in range(3):
        fake.graph.put_event(
            graph_event(
                f"AAMk{n}", NOW - timedelta(days=1, hours=n), [(f"guest{n}@example.com", "required", "accepted")]
            )
        )
        webhook_calls.clear()
        meeting_calls.clear()
        seen = len(fake.requests)
        # When one created notification arrives and is processed
        fake.graph.notify_change(subscription_id, "created", f"AAMk{n}")
        kith.process_meetings()
        measured.append((sum(webhook_calls.values()), sum(meeting_calls.values()), graph_calls(fake, seen)))
    # Then each, with the access token in memory since the first read at connect, is one read from Graph
    # and the same DynamoDB work
    first_webhook, first_meetings, _ = measured[0]
    for n, (webhook, meetings, graph) in enumerate(measured):
        assert graph == [f"GET /graph/v1.0/me/events/AAMk{n}"]
        assert (webhook, meetings) == (first_webhook, first_meetings)
    # And the webhook reads one item; recording the meeting stays within ten requests
    assert first_webhook == 1
    assert first_meetings - 1 <= 10


# -- lifecycle notifications -------------------------------------------------------------------


def test_reauthorization_required_renews_the_subscription(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    subscription_id = outlook.subscription_id(connection["connection_id"])
    # Given a day has passed
    later = kith.clock.advance(timedelta(days=1))
    # When Graph asks for reauthorization
    assert fake.graph.notify_lifecycle(subscription_id, "reauthorizationRequired")[0] == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then the subscription is renewed for the full lifetime from now, in Graph and in Kith
    expected = later + timedelta(minutes=SUBSCRIPTION_MINUTES)
    subscription = fake.graph.subscription(subscription_id)
    assert subscription is not None
    assert subscription["expirationDateTime"].startswith(expected.strftime("%Y-%m-%dT%H:%M:%S"))
    stored = outlook.stored(connection["connection_id"]).graph
    assert stored is not None and (stored.subscription_id, stored.expires_at) == (subscription_id, expected)
    assert [r.method for r in fake.requests_to("/graph/v1.0/subscriptions")] == ["POST", "PATCH"]


def test_subscription_removed_creates_a_new_one_with_a_new_client_state(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    before = outlook.stored(connection["connection_id"]).graph
    assert before is not None
    # Given Graph removed the subscription
    fake.graph.remove_subscription(before.subscription_id)
    # When it says so, and the lifecycle notification is processed (twice, as a redelivery would)
    assert fake.graph.notify_lifecycle(before.subscription_id, "subscriptionRemoved")[0] == 202
    message = kith.take("MeetingQueue")
    kith.deliver("MeetingQueue", message)
    kith.deliver("MeetingQueue", message)
    # Then exactly one new subscription exists, with a new clientState, and Kith stores it
    (created,) = fake.graph.subscriptions
    after = outlook.stored(connection["connection_id"]).graph
    assert after is not None and after.subscription_id == created["id"] != before.subscription_id
    assert after.client_state == created["clientState"] != before.client_state
    # And notifications of the old subscription are now unknown
    stale = fake.graph.lifecycle_notification(before.subscription_id, "missed")
    assert outlook.post(connection, json.dumps({"value": [stale]}).encode())[0] == 404


def test_missed_notifications_read_the_window_page_by_page(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_contact("Ann", "ann@example.com")
    connection = outlook.connect()
    # Given 12 meetings with Ann in the last days, and one long ago outside the window
    people = [("ann@example.com", "required", "accepted")]
    for n in range(12):
        fake.graph.put_event(graph_event(f"AAMk{n}", NOW - timedelta(days=n + 1), people, subject=f"Call {n}"))
    fake.graph.put_event(graph_event("AAMk-old", NOW - timedelta(days=200), people, subject="Old"))
    # When Graph says notifications were missed
    earlier = len(fake.requests_to("/graph/v1.0/me/calendarView"))
    assert fake.graph.notify_lifecycle(outlook.subscription_id(connection["connection_id"]), "missed")[0] == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then the window was read over two pages (Graph's 10 per page), in UTC, and each meeting recorded
    views = fake.requests_to("/graph/v1.0/me/calendarView")[earlier:]
    assert len(views) == 2
    assert views[0].query["startDateTime"] == ["2026-10-31T10:00:00.000000Z"]
    assert views[0].query["endDateTime"] == ["2027-02-28T10:00:00.000000Z"]
    assert "$skiptoken" in views[1].query
    assert fake.graph.prefer_headers == [PREFER_UTC] * 3  # the first read at connect, then two pages
    assert sorted(i["title"] for i in interactions(kith)) == sorted(f"Call {n}" for n in range(12))


# -- tokens, throttling, renewal, disconnect ---------------------------------------------------


def test_a_revoked_refresh_token_marks_the_connection_revoked(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    stored = outlook.stored(connection["connection_id"])
    fake.graph.put_event(graph_event("AAMk1", NOW - timedelta(hours=2), []))
    # Given the owner removed Kith's access in their Microsoft account
    fake.oauth.revoke_refresh_token(outlook.refresh_token(stored))
    # When a notification is processed
    fake.graph.notify_change(outlook.subscription_id(connection["connection_id"]), "created", "AAMk1")
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then the connection is revoked, and later notifications for it are refused
    _, listed = kith.http("GET", "/v1/connections")
    assert [c["state"] for c in listed["connections"]] == ["revoked"]
    assert fake.graph.notify_change(stored.graph.subscription_id, "created", "AAMk1")[0] == 404  # type: ignore[union-attr]


def test_a_rotated_refresh_token_is_stored_sealed(outlook: Outlook) -> None:
    kith = outlook.kith
    connection = outlook.connect(read_initial=False)
    before = outlook.stored(connection["connection_id"])
    # When the first read makes Kith refresh its access token (Microsoft hands out a new refresh token)
    kith.process_meetings()
    # Then the new refresh token replaced the old one, sealed, and neither is in the table in clear
    after = outlook.stored(connection["connection_id"])
    assert after.refresh_token_sealed != before.refresh_token_sealed
    old, new = outlook.refresh_token(before), outlook.refresh_token(after)
    assert old != new
    table = json.dumps(kith.items())
    assert old not in table and new not in table


def test_graph_throttling_with_retry_after_is_retried(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_contact("Ann", "ann@example.com")
    connection = outlook.connect()
    fake.graph.put_event(graph_event("AAMk1", NOW - timedelta(hours=2), [("ann@example.com", "required", "accepted")]))
    # Given Graph throttles the next event read
    fake.fail_next(
        "/graph/v1.0/me/events",
        Fault(429, {"Retry-After": "1"}, {"error": {"code": "TooManyRequests", "message": "throttled"}}),
    )
    # When a notification is processed
    fake.graph.notify_change(outlook.subscription_id(connection["connection_id"]), "created", "AAMk1")
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then the read was retried and the meeting recorded
    assert len(fake.requests_to("/graph/v1.0/me/events")) == 2
    assert len(interactions(kith)) == 1


def test_the_sweep_renews_the_subscription_before_it_lapses(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    subscription_id = outlook.subscription_id(connection["connection_id"])
    renews_at = outlook.stored(connection["connection_id"]).renews_at
    assert renews_at == NOW + timedelta(minutes=SUBSCRIPTION_MINUTES) - RENEWAL_MARGIN
    # Given the clock just past the renewal time
    now = kith.clock.advance(renews_at - NOW + timedelta(minutes=5))
    # When the schedule ticks and the renewal is processed
    kith.tick()
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then Graph's subscription expires a full lifetime from now, and Kith's next renewal moved with it
    subscription = fake.graph.subscription(subscription_id)
    assert subscription is not None
    expected = now + timedelta(minutes=SUBSCRIPTION_MINUTES)
    assert subscription["expirationDateTime"].startswith(expected.strftime("%Y-%m-%dT%H:%M:%S"))
    stored = outlook.stored(connection["connection_id"])
    assert stored.renews_at == expected - RENEWAL_MARGIN
    assert [r.method for r in fake.requests_to("/graph/v1.0/subscriptions")] == ["POST", "PATCH"]


def test_renewing_a_subscription_graph_no_longer_has_creates_a_new_one(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    old = outlook.subscription_id(connection["connection_id"])
    fake.graph.remove_subscription(old)
    renews_at = outlook.stored(connection["connection_id"]).renews_at
    assert renews_at is not None
    # When the renewal comes due and Graph answers 404 to the PATCH
    kith.clock.advance(renews_at - NOW + timedelta(minutes=5))
    kith.tick()
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then a new subscription is created and stored
    (created,) = fake.graph.subscriptions
    assert outlook.subscription_id(connection["connection_id"]) == created["id"] != old


def test_disconnecting_deletes_the_subscription(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    subscription_id = outlook.subscription_id(connection["connection_id"])
    # When the owner disconnects Outlook
    status, _ = kith.http("DELETE", f"/v1/connections/{connection['connection_id']}")
    # Then Graph's subscription is deleted and Kith lists no connection
    assert status == 204
    assert fake.graph.subscription(subscription_id) is None
    assert [r.method for r in fake.requests_to(f"/graph/v1.0/subscriptions/{subscription_id}")] == ["DELETE"]
    assert kith.http("GET", "/v1/connections")[1]["connections"] == []
