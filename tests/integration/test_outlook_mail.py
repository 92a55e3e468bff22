"""Outlook's sent mail, end to end: Sent Items on the fake Graph, Kith's webhook and meetings worker in process.

The owner chooses mail at consent; Microsoft grants Mail.ReadBasic; a second subscription watches Sent
Items; a new message's notification is queued, the message read for who and when only, and the
contacts it went to have their clocks moved by one email interaction a day.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from kith.calendars.graph_api import SUBSCRIPTION_MINUTES
from kith.domain.connections import RENEWAL_MARGIN, CalendarConnection
from kith.observability import logger
from kith_local.fake_providers import FakeProviders
from kith_local.plain_browser import give_consent
from kith_local.provider_payloads import Person, graph_message

from tests.integration.support import NOW, Kith, kith_with_microsoft

SENT_ITEMS = "me/mailFolders('SentItems')/messages"
ANN: Person = ("Ann Archer", "ann@example.com")
BEN: Person = ("Ben Baker", "ben@example.com")
MESSAGE_SELECT = "toRecipients,ccRecipients,bccRecipients,from,sentDateTime,internetMessageId,subject"


@dataclass
class Outlook:
    kith: Kith
    fake: FakeProviders

    def connect(self, *, mail: bool = True) -> dict[str, Any]:
        """Outlook connected through the consent, mail chosen or not; what it already holds is read."""
        status, started = self.kith.http("POST", "/v1/connections/outlook/authorize", {"mail": mail})
        assert status == 200, started
        self.consent_scope = parse_qs(urlsplit(started["authorize_url"]).query)["scope"][0]
        trip = give_consent(self.kith.browser(), started["authorize_url"], "Allow")
        assert trip.landed.status == 303, trip.landed.text
        (listed,) = self.kith.http("GET", "/v1/connections")[1]["connections"]
        assert self.kith.process_meetings() == {"batchItemFailures": []}
        return {**listed, "webhook_url": self.kith.stored_connection(listed["connection_id"])["webhook_url"]}

    def stored(self, connection_id: str) -> CalendarConnection:
        return self.kith.lambdas.modules["ApiFunction"].runtime.connection_store.get_connection(connection_id)  # type: ignore[no-any-return]

    def mail_subscription(self, connection_id: str) -> str:
        subscription = self.stored(connection_id).graph_mail
        assert subscription is not None
        return subscription.subscription_id

    def send(self, message_id: str, sent_at: datetime, to: list[Person], **fields: Any) -> dict[str, Any]:
        message = graph_message(message_id, sent_at, to, **fields)
        self.fake.graph_mail.put_sent(message)
        return message

    def post(self, connection: dict[str, Any], items: list[dict[str, Any]]) -> int:
        return self.kith.post_to_webhook(
            connection["webhook_url"], "application/json", json.dumps({"value": items}).encode()
        )[0]


@pytest.fixture
def outlook() -> Iterator[Outlook]:
    with kith_with_microsoft() as (kith, fake):
        yield Outlook(kith, fake)


def contact_ids(kith: Kith) -> dict[str, str]:
    _, body = kith.http("GET", "/v1/contacts")
    return {contact["emails"][0]: contact["contact_id"] for contact in body["contacts"]}


def timeline(kith: Kith, contact_id: str) -> list[dict[str, Any]]:
    _, body = kith.http("GET", f"/v1/contacts/{contact_id}/interactions")
    return body["interactions"]  # type: ignore[no-any-return]


def last_interaction(kith: Kith, contact_id: str) -> str | None:
    _, contact = kith.http("GET", f"/v1/contacts/{contact_id}")
    return contact["last_interaction_at"]  # type: ignore[no-any-return]


def graph_calls(fake: FakeProviders, since: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests[since:] if r.path.startswith("/graph")]


# -- consent -------------------------------------------------------------------------------------------


def test_choosing_mail_asks_for_mail_read_basic_and_subscribes_to_sent_items(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    # When the owner connects Outlook with mail chosen
    connection = outlook.connect(mail=True)
    # Then consent asked for the calendar's scopes and Mail.ReadBasic, no more
    assert outlook.consent_scope == "offline_access User.Read Calendars.Read Mail.ReadBasic"
    assert connection["mail"] is True
    stored = outlook.stored(connection["connection_id"])
    assert stored.graph is not None and stored.graph_mail is not None
    # And Graph holds a second subscription, on new messages in Sent Items, at the same webhook
    (subscription,) = fake.graph_mail.subscriptions
    assert subscription["id"] == stored.graph_mail.subscription_id != stored.graph.subscription_id
    assert {k: subscription[k] for k in ("changeType", "resource", "notificationUrl", "lifecycleNotificationUrl")} == {
        "changeType": "created",
        "resource": SENT_ITEMS,
        "notificationUrl": connection["webhook_url"],
        "lifecycleNotificationUrl": connection["webhook_url"],
    }
    # With a clientState of its own, and the events' lifetime
    assert subscription["clientState"] == stored.graph_mail.client_state != stored.graph.client_state
    assert 40 <= len(stored.graph_mail.client_state) <= 128
    assert stored.graph_mail.expires_at == NOW + timedelta(minutes=SUBSCRIPTION_MINUTES)
    # And Kith echoed Graph's validation handshake once per subscription
    assert kith.lambdas.invocations["WebhookFunction"] == 2


def test_without_mail_there_is_no_mail_scope_and_no_sent_items_subscription(outlook: Outlook) -> None:
    fake = outlook.fake
    # When the owner connects Outlook without choosing mail
    connection = outlook.connect(mail=False)
    # Then neither the consent nor Graph has anything of mail
    assert outlook.consent_scope == "offline_access User.Read Calendars.Read"
    assert connection["mail"] is False
    assert outlook.stored(connection["connection_id"]).graph_mail is None
    assert fake.graph_mail.subscriptions == []
    assert [s["resource"] for s in fake.graph.subscriptions] == ["me/events"]


def test_mail_microsoft_does_not_grant_leaves_the_calendar_connected_without_mail(outlook: Outlook) -> None:
    fake = outlook.fake
    # Given a tenant whose policy grants no mail permission
    fake.oauth.withheld.add("Mail.ReadBasic")
    # When the owner connects Outlook with mail chosen
    connection = outlook.connect(mail=True)
    # Then the calendar is connected, mail is off, and Sent Items are not watched
    assert "Mail.ReadBasic" in outlook.consent_scope.split()
    assert (connection["state"], connection["mail"]) == ("active", False)
    assert outlook.stored(connection["connection_id"]).graph_mail is None
    assert fake.graph_mail.subscriptions == []


def test_a_grant_written_as_graph_urls_counts_as_mail_read_basic(outlook: Outlook) -> None:
    # Given Microsoft answering the grant as https://graph.microsoft.com/Mail.ReadBasic and so on
    outlook.fake.oauth.graph_scope_urls = True
    # When the owner connects Outlook with mail chosen
    connection = outlook.connect(mail=True)
    # Then mail is on and Sent Items are watched
    assert connection["mail"] is True
    assert len(outlook.fake.graph_mail.subscriptions) == 1


def test_a_graph_refusing_the_sent_items_subscription_connects_the_calendar_alone(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    handshakes = 0

    # Given a webhook whose second validation handshake (the Sent Items subscription's) comes back wrong
    def second_echo_wrong(url: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        nonlocal handshakes
        handshakes += 1
        status, kind, echoed = kith.post_to_webhook(url, content_type, body)
        return (status, kind, echoed + b"!") if handshakes == 2 else (status, kind, echoed)

    fake.notify = second_echo_wrong
    # When the owner connects Outlook with mail chosen
    connection = outlook.connect(mail=True)
    # Then Graph refused only the Sent Items subscription: the calendar is connected, without mail
    assert (connection["state"], connection["mail"]) == ("active", False)
    assert [s["resource"] for s in fake.graph.subscriptions] == ["me/events"]


# -- a message sent -------------------------------------------------------------------------------------


def test_a_sent_message_moves_the_clocks_of_the_contacts_it_went_to(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    for name, address in (ANN, BEN):
        kith.create_contact(name, address, last_interaction_at="2026-10-01T12:00:00Z")
    connection = outlook.connect()
    subscription_id = outlook.mail_subscription(connection["connection_id"])
    ids = contact_ids(kith)
    # Given the owner sent Ann a message, Ben in Cc, a stranger in Bcc
    sent_at = NOW - timedelta(minutes=5)
    outlook.send("AAMkSent1", sent_at, [ANN], cc=[BEN], bcc=[("Stranger", "stranger@example.org")])
    # When Graph notifies it
    seen = len(fake.requests)
    status, _, _ = fake.graph_mail.notify_sent(subscription_id, "AAMkSent1")
    assert status == 202
    (queued,) = kith.receive("MeetingQueue")
    assert (json.loads(queued["Body"])["change"], json.loads(queued["Body"])["item_id"]) == (
        "mail_created",
        "AAMkSent1",
    )
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then the message was read once, for who and when only
    assert graph_calls(fake, seen) == ["GET /graph/v1.0/me/messages/AAMkSent1"]
    assert fake.graph_mail.selects == [MESSAGE_SELECT]
    # And Ann and Ben each have one email interaction at its sent time, their clocks moved to it
    for address in (ANN[1], BEN[1]):
        (email,) = timeline(kith, ids[address])
        assert (email["kind"], email["source"], email["start"], email["title"]) == (
            "email",
            "outlook",
            "2026-11-30T09:55:00Z",
            None,
        )
        assert last_interaction(kith, ids[address]) == "2026-11-30T09:55:00Z"
    # And the stranger, who is no contact, is kept nowhere
    assert "stranger@example.org" not in json.dumps(kith.items())


def test_a_subject_is_kept_only_when_the_owner_keeps_subjects(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_owner(keep_email_subjects=True)
    kith.create_contact(*ANN)
    connection = outlook.connect()
    # When a message with a subject is sent and notified
    outlook.send("AAMkSent1", NOW - timedelta(minutes=5), [ANN], subject="Dinner on Friday?")
    fake.graph_mail.notify_sent(outlook.mail_subscription(connection["connection_id"]), "AAMkSent1")
    kith.process_meetings()
    # Then its interaction carries the subject
    (email,) = timeline(kith, contact_ids(kith)[ANN[1]])
    assert email["title"] == "Dinner on Friday?"


def test_the_same_message_notified_twice_is_one_interaction(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_contact(*ANN)
    connection = outlook.connect()
    subscription_id = outlook.mail_subscription(connection["connection_id"])
    outlook.send("AAMkSent1", NOW - timedelta(minutes=5), [ANN])
    # When Graph notifies the message twice (a redelivery), each processed on its own
    for _ in range(2):
        assert fake.graph_mail.notify_sent(subscription_id, "AAMkSent1")[0] == 202
        assert kith.process_meetings() == {"batchItemFailures": []}
    # Then Ann has one email interaction
    assert len(timeline(kith, contact_ids(kith)[ANN[1]])) == 1


def test_a_message_to_more_people_than_the_meeting_size_limit_moves_no_clock(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_contact(*ANN, last_interaction_at="2026-10-01T12:00:00Z")
    connection = outlook.connect()
    # Given a message to Ann and eight others (the owner's limit is 8)
    others = [(f"Guest {n}", f"guest{n}@example.org") for n in range(8)]
    outlook.send("AAMkBig", NOW - timedelta(minutes=5), [ANN, *others])
    # When it is notified and read
    fake.graph_mail.notify_sent(outlook.mail_subscription(connection["connection_id"]), "AAMkBig")
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then Ann's clock stays, and nothing is recorded
    ann = contact_ids(kith)[ANN[1]]
    assert last_interaction(kith, ann) == "2026-10-01T12:00:00Z"
    assert timeline(kith, ann) == []


def test_a_message_gone_before_it_is_read_records_nothing(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_contact(*ANN)
    connection = outlook.connect()
    outlook.send("AAMkSent1", NOW - timedelta(minutes=5), [ANN])
    fake.graph_mail.notify_sent(outlook.mail_subscription(connection["connection_id"]), "AAMkSent1")
    # Given the owner deleted the message before Kith read it
    fake.graph_mail.delete_sent("AAMkSent1")
    # When the change is processed, Graph answers 404
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then nothing is recorded and the connection is fine
    assert timeline(kith, contact_ids(kith)[ANN[1]]) == []
    assert outlook.stored(connection["connection_id"]).state.value == "active"


# -- refusing what is not Graph's -------------------------------------------------------------------------


def test_a_wrong_client_state_is_401_and_asks_graph_nothing(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    stored = outlook.stored(connection["connection_id"])
    assert stored.graph is not None and stored.graph_mail is not None
    outlook.send("AAMkSent1", NOW - timedelta(minutes=5), [ANN])
    seen = len(fake.requests)
    # When a mail notification carries a forged clientState, or the calendar subscription's
    for forged in ("guess", stored.graph.client_state):
        status, _, _ = fake.graph_mail.notify_sent(stored.graph_mail.subscription_id, "AAMkSent1", client_state=forged)
        # Then it is refused
        assert status == 401
    # And so is a body with a valid calendar change and a forged mail one
    valid = fake.graph.notification(stored.graph.subscription_id, "created", "AAMk1")
    forged_mail = fake.graph_mail.notification(stored.graph_mail.subscription_id, "AAMkSent1") | {"clientState": "x"}
    assert outlook.post(connection, [valid, forged_mail]) == 401
    # And nothing was queued, and Graph was asked nothing
    assert kith.receive("MeetingQueue") == []
    assert graph_calls(fake, seen) == []


def test_a_calendar_and_a_mail_notification_in_one_body_are_each_queued(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    stored = outlook.stored(connection["connection_id"])
    assert stored.graph is not None and stored.graph_mail is not None
    # When Graph batches an event change and a sent message to the one webhook
    event = fake.graph.notification(stored.graph.subscription_id, "created", "AAMk1")
    message = fake.graph_mail.notification(stored.graph_mail.subscription_id, "AAMkSent1")
    assert outlook.post(connection, [event, message, message]) == 202
    # Then each is queued once, as what it is
    queued = sorted(
        (json.loads(m["Body"])["change"], json.loads(m["Body"])["item_id"]) for m in kith.receive("MeetingQueue")
    )
    assert queued == [("created", "AAMk1"), ("mail_created", "AAMkSent1")]


def test_the_validation_handshake_of_the_mail_subscription_is_echoed(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    echoes: list[tuple[int, str, bytes, bytes]] = []

    def watching(url: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        status, kind, echoed = kith.post_to_webhook(url, content_type, body)
        token = parse_qs(urlsplit(url).query).get("validationToken", [""])[0].encode()
        echoes.append((status, kind.split(";")[0], echoed, token))
        return status, kind, echoed

    fake.notify = watching
    # When Outlook is connected with mail, Graph validates the webhook for each subscription
    outlook.connect()
    # Then Kith answered both handshakes 200, in plain text, with the token decoded
    assert len(echoes) == 2
    for status, kind, echoed, token in echoes:
        assert (status, kind, echoed) == (200, "text/plain", token) and token.startswith(b"Validation: ")
    assert len(fake.graph_mail.subscriptions) == 1


# -- lifecycle, renewal, disconnect -------------------------------------------------------------------------


def test_reauthorization_of_the_mail_subscription_renews_it_alone(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    mail_id = outlook.mail_subscription(connection["connection_id"])
    later = kith.clock.advance(timedelta(days=1))
    # When Graph asks for the Sent Items subscription's reauthorization
    assert fake.graph.notify_lifecycle(mail_id, "reauthorizationRequired")[0] == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then that subscription, and only it, is renewed for a full lifetime from now
    patched = [r.path for r in fake.requests_to("/graph/v1.0/subscriptions") if r.method == "PATCH"]
    assert patched == [f"/graph/v1.0/subscriptions/{mail_id}"]
    stored = outlook.stored(connection["connection_id"]).graph_mail
    assert stored is not None and stored.expires_at == later + timedelta(minutes=SUBSCRIPTION_MINUTES)


def test_a_removed_mail_subscription_is_made_again_and_sent_items_reread(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_contact(*ANN)
    connection = outlook.connect()
    before = outlook.stored(connection["connection_id"]).graph_mail
    assert before is not None
    # Given a message sent while Graph had removed the subscription
    fake.graph.remove_subscription(before.subscription_id)
    outlook.send("AAMkSent1", NOW - timedelta(hours=1), [ANN])
    # When Graph says so, and the lifecycle notification is processed
    assert fake.graph.notify_lifecycle(before.subscription_id, "subscriptionRemoved")[0] == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then a new Sent Items subscription with a new clientState is stored, and the missed message counted
    (created,) = fake.graph_mail.subscriptions
    after = outlook.stored(connection["connection_id"]).graph_mail
    assert after is not None and after.subscription_id == created["id"] != before.subscription_id
    assert after.client_state != before.client_state
    assert len(timeline(kith, contact_ids(kith)[ANN[1]])) == 1


def test_missed_mail_notifications_reread_thirty_days_of_sent_items_page_by_page(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_contact(*ANN)
    kith.create_contact(*BEN)
    connection = outlook.connect()
    ids = contact_ids(kith)
    # Given 60 messages in the last days (Ann on the first 30 days' worth, Ben once), and one long ago
    for n in range(60):
        outlook.send(f"AAMk{n}", NOW - timedelta(hours=6 * n + 1), [ANN if n % 2 else BEN])
    outlook.send("AAMkOld", NOW - timedelta(days=45), [ANN])
    already = len(fake.requests_to("/graph/v1.0/me/mailFolders"))
    # When Graph says mail notifications were missed
    assert fake.graph.notify_lifecycle(outlook.mail_subscription(connection["connection_id"]), "missed")[0] == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then Sent Items since 30 days ago were read over two pages of 50, for who and when only
    pages = fake.requests_to("/graph/v1.0/me/mailFolders")[already:]
    assert len(pages) == 2
    assert pages[0].query["$filter"] == ["sentDateTime ge 2026-10-31T10:00:00.000000Z"]
    assert (pages[0].query["$top"], pages[0].query["$select"]) == (["50"], [MESSAGE_SELECT])
    assert "$skiptoken" in pages[1].query
    # And each contact has one email interaction per local day, the newest setting the clock
    ann_days = {(NOW - timedelta(hours=6 * n + 1)).date() for n in range(1, 60, 2)}
    assert len(timeline(kith, ids[ANN[1]])) == len(ann_days)
    assert last_interaction(kith, ids[ANN[1]]) == "2026-11-30T03:00:00Z"
    assert last_interaction(kith, ids[BEN[1]]) == "2026-11-30T09:00:00Z"


def test_the_sweep_renews_both_subscriptions_before_they_lapse(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    stored = outlook.stored(connection["connection_id"])
    assert stored.graph is not None and stored.graph_mail is not None
    assert stored.renews_at == NOW + timedelta(minutes=SUBSCRIPTION_MINUTES) - RENEWAL_MARGIN
    # Given the clock just past the renewal time
    assert stored.renews_at is not None
    now = kith.clock.advance(stored.renews_at - NOW + timedelta(minutes=5))
    # When the schedule ticks and the renewal is processed
    kith.tick()
    assert kith.process_meetings() == {"batchItemFailures": []}
    # Then both subscriptions were renewed in Graph and in Kith, a full lifetime from now
    patched = sorted(r.path for r in fake.requests_to("/graph/v1.0/subscriptions") if r.method == "PATCH")
    ids = (stored.graph.subscription_id, stored.graph_mail.subscription_id)
    assert patched == sorted(f"/graph/v1.0/subscriptions/{i}" for i in ids)
    renewed = outlook.stored(connection["connection_id"])
    expected = now + timedelta(minutes=SUBSCRIPTION_MINUTES)
    assert renewed.graph_mail is not None and renewed.graph_mail.expires_at == expected
    assert renewed.renews_at == expected - RENEWAL_MARGIN


def test_disconnecting_deletes_both_subscriptions(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    connection = outlook.connect()
    mail_id = outlook.mail_subscription(connection["connection_id"])
    # When the owner disconnects Outlook
    status, _ = kith.http("DELETE", f"/v1/connections/{connection['connection_id']}")
    # Then Graph holds neither subscription
    assert status == 204
    assert fake.graph.subscriptions == []
    assert [r.method for r in fake.requests_to(f"/graph/v1.0/subscriptions/{mail_id}")] == ["DELETE"]


# -- what it costs, and what it logs ----------------------------------------------------------------------


def dynamodb_calls(kith: Kith, function: str) -> Counter[str]:
    calls: Counter[str] = Counter()
    client = kith.lambdas.modules[function].runtime.dynamodb
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
    return calls


def test_each_sent_message_costs_one_graph_read_and_a_constant_number_of_requests(outlook: Outlook) -> None:
    kith, fake = outlook.kith, outlook.fake
    for n in range(3):
        kith.create_contact(f"Guest {n}", f"guest{n}@example.com")
    connection = outlook.connect()
    subscription_id = outlook.mail_subscription(connection["connection_id"])
    webhook, meetings = dynamodb_calls(kith, "WebhookFunction"), dynamodb_calls(kith, "MeetingsFunction")
    measured = []
    for n in range(3):
        outlook.send(f"AAMk{n}", NOW - timedelta(days=n, minutes=5), [(f"Guest {n}", f"guest{n}@example.com")])
        webhook.clear()
        meetings.clear()
        seen = len(fake.requests)
        # When one message is notified and read
        fake.graph_mail.notify_sent(subscription_id, f"AAMk{n}")
        kith.process_meetings()
        measured.append((sum(webhook.values()), sum(meetings.values()), graph_calls(fake, seen)))
    # Then each is one read from Graph, the webhook reads the connection once, and recording stays small
    for n, (at_webhook, at_worker, graph) in enumerate(measured):
        assert graph == [f"GET /graph/v1.0/me/messages/AAMk{n}"]
        assert (at_webhook, at_worker) == measured[0][:2]
    assert measured[0][0] == 1
    assert measured[0][1] <= 10


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(str(record.__dict__))


@pytest.fixture
def logs() -> Iterator[_Records]:
    records, underlying = _Records(), logging.getLogger(logger.name)
    level = underlying.level
    underlying.addHandler(records)
    logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        underlying.removeHandler(records)
        logger.setLevel(level)


def test_the_logs_carry_no_address_or_subject(outlook: Outlook, logs: _Records) -> None:
    kith, fake = outlook.kith, outlook.fake
    kith.create_contact(*ANN)
    connection = outlook.connect()
    subscription_id = outlook.mail_subscription(connection["connection_id"])
    # When messages are sent, notified, read, seen again and missed
    outlook.send("AAMkSent1", NOW - timedelta(minutes=5), [ANN], cc=[BEN], subject="Secret plans")
    big = [(f"Guest {n}", f"guest{n}@example.org") for n in range(9)]
    outlook.send("AAMkBig", NOW - timedelta(minutes=4), big, subject="Secret plans")
    for message_id in ("AAMkSent1", "AAMkBig", "AAMkSent1"):
        fake.graph_mail.notify_sent(subscription_id, message_id)
    fake.graph.notify_lifecycle(subscription_id, "missed")
    kith.process_meetings()
    # Then the worker logged what it did, and no address, name or subject
    text = "\n".join(logs.lines)
    assert "calendar change read" in text and "emails_counted" in text
    for secret in ("example.com", "example.org", "Ann", "Ben", "Olive", "Secret plans", "outlook.example"):
        assert secret not in text, secret
