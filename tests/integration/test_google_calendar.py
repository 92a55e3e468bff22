"""Google Calendar end to end: consent, a push channel, verified notifications, incremental sync, renewal.

The fake Google on 127.0.0.1 speaks the documented shapes, its consent page included; the stack runs
in moto, in process, and the owner's browser is sent from one to the other.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from kith_local.fake_providers import GOOGLE_ACCOUNT, FakeProviders, Fault
from kith_local.provider_payloads import calcom_body
from kith_local.provider_settings import google_overrides

from tests.integration.support import NOW, Kith

REDIRECT = "https://app.kith.test/oauth/google"
CALENDAR = GOOGLE_ACCOUNT[0]
# Kith reads the account's primary calendar by that name: it holds the events put under CALENDAR.
EVENTS = "/google/calendar/v3/calendars/primary/events"


@pytest.fixture
def fake(kith: Kith) -> Iterator[FakeProviders]:
    with FakeProviders(kith.clock) as providers:
        kith.use_settings(google_overrides(providers))
        yield providers


@pytest.fixture
def contacts(kith: Kith) -> dict[str, dict[str, Any]]:
    kith.create_owner(email=CALENDAR)
    return {
        "ann": kith.create_contact("Ann Attendee", "ann@example.com", last_interaction_at="2026-10-01T12:00:00Z"),
        "ben": kith.create_contact("Ben Builder", "ben@example.com", last_interaction_at="2026-09-01T12:00:00Z"),
    }


@pytest.fixture
def connection(kith: Kith, fake: FakeProviders, contacts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return kith.connect_by_consent("google")


def channel(fake: FakeProviders) -> dict[str, Any]:
    (only,) = fake.google.channels
    return only


def event(event_id: str, start: datetime, *guests: tuple[str, str], minutes: int = 30, **extra: Any) -> dict[str, Any]:
    """A timed event in Google's shape, organised by the owner; guests are (e-mail, responseStatus)."""
    attendees = [{"email": CALENDAR, "organizer": True, "self": True, "responseStatus": "accepted"}]
    attendees += [{"email": email, "responseStatus": response} for email, response in guests]
    return {
        "id": event_id,
        "summary": "Coffee",
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat(), "timeZone": "Europe/Berlin"},
        "organizer": {"email": CALENDAR, "self": True},
        "attendees": attendees,
        **extra,
    }


def notify_and_process(kith: Kith, fake: FakeProviders, connection: dict[str, Any]) -> dict[str, Any]:
    status, _ = kith.google_push(connection["connection_id"], channel(fake))
    assert status == 202
    return kith.process_meetings()


def listings(fake: FakeProviders) -> list[Any]:
    """The events.list requests Google received (not the watch requests under the same path)."""
    return [request for request in fake.requests_to(EVENTS) if request.path == EVENTS]


def interactions(kith: Kith) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = kith.http("GET", "/v1/interactions")[1]["interactions"]
    return sorted(listed, key=lambda interaction: interaction["start"])


def contact(kith: Kith, contact_id: str) -> dict[str, Any]:
    found: dict[str, Any] = kith.http("GET", f"/v1/contacts/{contact_id}")[1]
    return found


def refresh_token(kith: Kith, connection_id: str) -> str:
    sealed = kith.stored_connection(connection_id)["refresh_token_sealed"]
    opened = boto3.client("kms").decrypt(
        CiphertextBlob=base64.b64decode(sealed), EncryptionContext={"kith:connection": connection_id}
    )
    return bytes(opened["Plaintext"]).decode()


# -- connecting ---------------------------------------------------------------------------------


def test_connecting_stores_an_active_connection_a_sealed_refresh_token_and_a_channel(
    kith: Kith, fake: FakeProviders, contacts: dict[str, dict[str, Any]]
) -> None:
    # When the owner consents on Google and is sent back to Kith
    created = kith.connect_by_consent("google")
    # Then the connection is active and names the account (from the ID token `openid email` gives)
    assert (created["state"], created["account_email"]) == ("active", CALENDAR)
    (listed,) = kith.http("GET", "/v1/connections")[1]["connections"]
    assert listed["state"] == "active"
    # And the refresh token is stored sealed: it opens with KMS for this connection, and no item holds it in clear
    token = refresh_token(kith, created["connection_id"])
    assert token.startswith("1//")
    assert token not in json.dumps(kith.items())
    # And Google holds one channel to the connection's webhook, with the token and expiry Kith stored
    stored = kith.stored_connection(created["connection_id"])["google"]
    opened = channel(fake)
    assert (opened["id"], opened["resourceId"], opened["token"]) == (
        stored["channel_id"],
        stored["resource_id"],
        stored["channel_token"],
    )
    assert datetime.fromisoformat(stored["expires_at"]) == NOW + timedelta(days=7)
    assert listed["expires_at"] == "2026-12-07T10:00:00Z"
    assert stored["calendar_time_zone"] == "Europe/Berlin"
    # And the first read, queued at connect, ran the bounded full sync over 30 days back and 90 ahead
    (listing,) = listings(fake)
    assert listing.query["timeMin"] == ["2026-10-31T10:00:00Z"]
    assert listing.query["timeMax"] == ["2027-02-28T10:00:00Z"]
    assert listing.query["singleEvents"] == ["true"]
    assert stored["sync_token"]


def test_a_bad_authorization_code_is_refused_and_nothing_is_stored(
    kith: Kith, fake: FakeProviders, contacts: dict[str, dict[str, Any]]
) -> None:
    # When Kith is connected with a code Google never issued
    body = {"provider": "google", "authorization_code": "4/0A-forged", "redirect_uri": REDIRECT}
    status, answer = kith.http("POST", "/v1/connections", body)
    # Then it is refused, and no connection, channel or calendar read is left behind
    assert status == 422, answer
    assert "invalid_grant" in answer["error"]
    assert kith.http("GET", "/v1/connections")[1]["connections"] == []
    assert not [item for item in kith.items() if item["type"]["S"].startswith("connection")]
    assert fake.google.channels == []
    assert fake.requests_to("/google/calendar") == []


def test_a_first_sync_that_fails_is_retried_and_nothing_is_lost(
    kith: Kith, fake: FakeProviders, contacts: dict[str, dict[str, Any]]
) -> None:
    # Given a meeting already in the calendar, and a connection made
    fake.google.put_event(CALENDAR, event("before", NOW - timedelta(days=2), ("ann@example.com", "accepted")))
    kith.connect_by_consent("google", read_initial=False)
    # When Google fails events.list for a while, the first read is handed back for a retry
    fake.fail_next(EVENTS, *[Fault(503, {"Retry-After": "0"})] * 4)
    (queued,) = kith.take("MeetingQueue")
    assert kith.deliver("MeetingQueue", [queued])["batchItemFailures"] == [{"itemIdentifier": queued["MessageId"]}]
    assert kith.http("GET", "/v1/connections")[1]["connections"][0]["state"] == "failing"
    # Then the retry reads the window, records the meeting and makes the connection active again
    assert kith.deliver("MeetingQueue", [queued]) == {"batchItemFailures": []}
    assert kith.http("GET", "/v1/connections")[1]["connections"][0]["state"] == "active"
    assert len(kith.http("GET", "/v1/interactions")[1]["interactions"]) == 1


def test_the_full_sync_on_connect_reads_every_page(
    kith: Kith, fake: FakeProviders, contacts: dict[str, dict[str, Any]]
) -> None:
    # Given five events in the window, and Google answering two to a page
    for day in range(5):
        fake.google.put_event(CALENDAR, event(f"before{day}", NOW + timedelta(days=day + 1)))
    fake.google.page_limit = 2
    # When Kith is connected
    created = kith.connect_by_consent("google")
    # Then all three pages were read, and the sync token of the last one stored
    assert len(listings(fake)) == 3
    assert kith.stored_connection(created["connection_id"])["google"]["sync_token"]


# -- notifications --------------------------------------------------------------------------------


def test_the_sync_message_is_acknowledged_and_nothing_is_queued(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any]
) -> None:
    # When Google sends the first message of a new channel
    status, _ = kith.google_push(connection["connection_id"], channel(fake), state="sync", message_number=1)
    # Then it is acknowledged, and nothing is queued
    assert status == 200
    assert kith.receive("MeetingQueue") == []


@pytest.mark.parametrize(
    ("forgery", "status"),
    [
        ({"token": "forged-" + "x" * 36}, 401),
        ({"token": None}, 401),
        ({"channel_id": "00000000-0000-4000-8000-000000000000"}, 404),
        ({"resource_id": "r0000000000"}, 404),
        ({"resource_state": "gone_fishing"}, 400),
        ({"resource_state": None}, 400),
    ],
)
def test_forged_unknown_or_malformed_notifications_are_refused_without_calling_google(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any], forgery: dict[str, Any], status: int
) -> None:
    # Given the requests Google has seen so far
    before = len(fake.requests)
    # When a notification arrives with a wrong token, channel, resource or state
    answered, _ = kith.google_push(connection["connection_id"], channel(fake), **forgery)
    # Then it is refused, nothing is queued, and Google is not asked anything
    assert answered == status
    assert kith.receive("MeetingQueue") == []
    assert len(fake.requests) == before


def test_a_change_becomes_an_interaction_with_the_contacts_who_came(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any], contacts: dict[str, dict[str, Any]]
) -> None:
    # Given a meeting that just ended: the owner, Ann (accepted), Ben (declined), a room and a stranger
    start = NOW - timedelta(hours=1)
    room = {"email": "c_room1@resource.calendar.google.com", "resource": True, "responseStatus": "accepted"}
    meeting = event("evt1", start, ("ann@example.com", "accepted"), ("ben@example.com", "declined"))
    meeting["attendees"] += [room, {"email": "gus@elsewhere.example", "responseStatus": "tentative"}]
    fake.google.put_event(CALENDAR, meeting)
    # When Google says the calendar changed, and the queue is processed
    status, _ = kith.google_push(connection["connection_id"], channel(fake))
    assert status == 202
    assert len(kith.receive("MeetingQueue")) == 1
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then one interaction counts Ann only: not the owner, not Ben who declined, not the room
    (interaction,) = interactions(kith)
    assert interaction["contact_ids"] == [contacts["ann"]["contact_id"]]
    assert (interaction["source"], interaction["title"]) == ("google", "Coffee")
    assert contact(kith, contacts["ann"]["contact_id"])["last_interaction_at"] == "2026-11-30T09:30:00Z"
    assert contact(kith, contacts["ben"]["contact_id"])["last_interaction_at"] == "2026-09-01T12:00:00Z"
    # And the follow-up offers the stranger, and only them
    (follow_up,) = kith.http("GET", "/v1/follow-ups")[1]["follow_ups"]
    assert [attendee["email"] for attendee in follow_up["new_attendees"]] == ["gus@elsewhere.example"]


def test_a_moved_and_a_cancelled_meeting_arrive_through_incremental_sync(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any], contacts: dict[str, dict[str, Any]]
) -> None:
    # Given two recorded meetings: one with Ann, one with Ben
    fake.google.put_event(CALENDAR, event("moved", NOW - timedelta(hours=3), ("ann@example.com", "accepted")))
    fake.google.put_event(CALENDAR, event("dropped", NOW - timedelta(hours=2), ("ben@example.com", "accepted")))
    notify_and_process(kith, fake, connection)
    assert len(interactions(kith)) == 2
    # When the first moves a day earlier and the second is cancelled
    earlier = (NOW - timedelta(days=1, hours=3)).isoformat()
    later = (NOW - timedelta(days=1, hours=2, minutes=30)).isoformat()
    fake.google.update_event(CALENDAR, "moved", {"start": {"dateTime": earlier}, "end": {"dateTime": later}})
    fake.google.cancel_event(CALENDAR, "dropped")
    assert notify_and_process(kith, fake, connection) == {"batchItemFailures": []}
    # Then the incremental sync asked with the stored token, and the interactions followed
    assert "syncToken" in listings(fake)[-1].query
    (moved,) = interactions(kith)
    assert moved["start"] == "2026-11-29T07:00:00Z"
    assert contact(kith, contacts["ann"]["contact_id"])["last_interaction_at"] == "2026-11-29T07:30:00Z"
    # And Ben's clock is back where it was before the cancelled meeting
    assert contact(kith, contacts["ben"]["contact_id"])["last_interaction_at"] == "2026-09-01T12:00:00Z"


def test_an_incremental_sync_reads_every_page(kith: Kith, fake: FakeProviders, connection: dict[str, Any]) -> None:
    # Given five new meetings and Google answering two to a page
    for hour in range(5):
        fake.google.put_event(
            CALENDAR, event(f"e{hour}", NOW - timedelta(hours=hour + 2), ("ann@example.com", "accepted"))
        )
    fake.google.page_limit = 2
    before = len(listings(fake))
    # When the change is read
    notify_and_process(kith, fake, connection)
    # Then three pages were read and all five meetings recorded
    assert len(listings(fake)) - before == 3
    assert len(interactions(kith)) == 5
    # And the next notification starts from the last page's token: nothing new, nothing recorded twice
    notify_and_process(kith, fake, connection)
    assert len(interactions(kith)) == 5


def test_an_expired_sync_token_leads_to_a_bounded_full_resync(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any]
) -> None:
    # Given Google expired the sync token, and a meeting happened since
    old_token = kith.stored_connection(connection["connection_id"])["google"]["sync_token"]
    fake.google.invalidate_sync_tokens(CALENDAR)
    fake.google.put_event(CALENDAR, event("after410", NOW - timedelta(hours=2), ("ann@example.com", "accepted")))
    # When the change is read
    assert notify_and_process(kith, fake, connection) == {"batchItemFailures": []}
    # Then the 410 led to a full sync over the same bounded window, and its new token is stored
    gone, full = listings(fake)[-2:]
    assert "syncToken" in gone.query
    assert (full.query["timeMin"], full.query["timeMax"]) == (["2026-10-31T10:00:00Z"], ["2027-02-28T10:00:00Z"])
    new_token = kith.stored_connection(connection["connection_id"])["google"]["sync_token"]
    assert new_token and new_token != old_token
    assert len(interactions(kith)) == 1


def test_throttling_and_outages_are_retried_by_the_client(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any]
) -> None:
    # Given Google throttles once and fails once before answering
    fake.google.put_event(CALENDAR, event("busy", NOW - timedelta(hours=2), ("ann@example.com", "accepted")))
    fake.fail_next(EVENTS, Fault(429, {"Retry-After": "0"}), Fault(503, {"Retry-After": "0"}))
    # When the change is read
    result = notify_and_process(kith, fake, connection)
    # Then the same message succeeded on the client's retries
    assert result == {"batchItemFailures": []}
    assert len(interactions(kith)) == 1
    assert kith.http("GET", "/v1/connections")[1]["connections"][0]["state"] == "active"


def test_a_revoked_refresh_token_marks_the_connection_revoked_and_drops_the_work(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any]
) -> None:
    # Given the owner removed Kith's access on Google
    fake.oauth.revoke_refresh_token(refresh_token(kith, connection["connection_id"]))
    # When a change is read
    result = notify_and_process(kith, fake, connection)
    # Then the message is not handed back to be retried, and the connection shows as revoked
    assert result == {"batchItemFailures": []}
    (listed,) = kith.http("GET", "/v1/connections")[1]["connections"]
    assert listed["state"] == "revoked"
    # And further notifications for it are refused
    assert kith.google_push(connection["connection_id"], channel(fake))[0] == 404


def test_each_instance_of_a_recurring_meeting_is_its_own_interaction(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any]
) -> None:
    # Given a weekly series with two instances so far (events.list with singleEvents gives the instances)
    first = NOW - timedelta(days=7, hours=2)
    fake.google.put_event(
        CALENDAR, event("weekly", first, ("ann@example.com", "accepted"), recurrence=["RRULE:FREQ=WEEKLY"])
    )
    for start in (first, first + timedelta(days=7)):
        instance_id = f"weekly_{start.strftime('%Y%m%dT%H%M%SZ')}"
        original = {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"}
        fake.google.put_event(
            CALENDAR,
            event(
                instance_id,
                start,
                ("ann@example.com", "accepted"),
                recurringEventId="weekly",
                originalStartTime=original,
                iCalUID="weekly@google.com",
            ),
        )
    # When the change is read
    notify_and_process(kith, fake, connection)
    # Then each instance is an interaction of its own
    assert [i["start"] for i in interactions(kith)] == ["2026-11-23T08:00:00Z", "2026-11-30T08:00:00Z"]


def test_a_cal_com_booking_seen_again_in_google_is_one_interaction(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any]
) -> None:
    # Given a meeting booked through Cal.com and recorded from its webhook
    start = NOW - timedelta(hours=2)
    calcom = kith.connect("calcom")
    assert kith.webhook(calcom, calcom_body("BOOKING_CREATED", "bk-9", start, [("Ann Attendee", "ann@example.com")]))[0]
    kith.process_meetings()
    # When the same meeting (same iCalUID) shows up in Google Calendar
    fake.google.put_event(CALENDAR, event("calcomcopy", start, ("ann@example.com", "accepted"), iCalUID="bk-9@Cal.com"))
    notify_and_process(kith, fake, connection)
    # Then it is still one interaction
    assert len(interactions(kith)) == 1


# -- renewal and disconnection ------------------------------------------------------------------


def test_the_sweep_renews_the_channel_before_it_lapses(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any]
) -> None:
    # Given the channel is within the renewal margin of its expiry
    old = channel(fake)
    old_expiry = datetime.fromtimestamp(int(old["expiration"]) / 1000, tz=UTC)
    kith.clock.set(old_expiry - timedelta(hours=6))
    # When the sweep ticks and the renewal is processed
    kith.tick()
    renewals = [json.loads(m["Body"]) for m in kith.receive("MeetingQueue")]
    assert [work["kind"] for work in renewals] == ["renewal"]
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then a new channel was opened, the old one stopped, and the new one stored (with the sync token kept)
    new = channel(fake)
    assert new["id"] != old["id"]
    stored = kith.stored_connection(connection["connection_id"])["google"]
    assert (stored["channel_id"], stored["channel_token"]) == (new["id"], new["token"])
    assert datetime.fromisoformat(stored["expires_at"]) == kith.clock.now() + timedelta(days=7)
    watch, stop = fake.requests[-2:]
    assert (watch.path, stop.path) == (f"{EVENTS}/watch", "/google/calendar/v3/channels/stop")
    # And notifications follow the new channel only
    assert kith.google_push(connection["connection_id"], old)[0] == 404
    assert kith.google_push(connection["connection_id"], new)[0] == 202


def test_disconnecting_stops_the_channel(kith: Kith, fake: FakeProviders, connection: dict[str, Any]) -> None:
    # When the owner disconnects Google
    status, _ = kith.http("DELETE", f"/v1/connections/{connection['connection_id']}")
    # Then the channel is stopped and the connection gone
    assert status == 204
    assert fake.google.channels == []
    assert kith.http("GET", "/v1/connections")[1]["connections"] == []


# -- what a notification costs ----------------------------------------------------------------------


def _count_requests(kith: Kith, function: str) -> Counter[str]:
    calls: Counter[str] = Counter()
    client = kith.lambdas.modules[function].runtime.dynamodb
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
    return calls


def test_a_notification_costs_a_few_dynamodb_requests_and_google_calls(
    kith: Kith, fake: FakeProviders, connection: dict[str, Any]
) -> None:
    # Given a new meeting with one contact, and counters on the webhook's and the consumer's DynamoDB clients
    fake.google.put_event(CALENDAR, event("counted", NOW - timedelta(hours=2), ("ann@example.com", "accepted")))
    webhook, consumer = _count_requests(kith, "WebhookFunction"), _count_requests(kith, "MeetingsFunction")
    costs = []
    # When the same notification arrives twice (the second finds nothing new)
    for _ in range(2):
        webhook.clear()
        consumer.clear()
        before = len(fake.requests)
        notify_and_process(kith, fake, connection)
        google = Counter(request.path.rsplit("/", 1)[-1] for request in fake.requests[before:])
        costs.append((dict(webhook), dict(consumer), dict(google)))
    # Then answering costs one read and no call to Google
    assert costs[0][0] == costs[1][0] == {"GetItem": 1}
    # And reading costs one events.list page each time (the token refreshed for the first read at connect is reused)
    assert costs[0][2] == {"events": 1}
    assert costs[1][2] == {"events": 1}
    # And the consumer's DynamoDB round trips stay a small constant
    assert sum(costs[0][1].values()) <= 10, costs[0][1]
    assert costs[1][1] == {"GetItem": 1, "TransactWriteItems": 1}
    assert len(interactions(kith)) == 1
