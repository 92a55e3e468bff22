"""Mail the owner sent moves their contacts' clocks: one email interaction per contact per local day (PRODUCT.md §12).

The use case runs on the stack's own store (moto); the API shows what it recorded. The owner lives in
Berlin (UTC+1 in winter): 23:00 UTC is their midnight.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from kith.domain.mail import MailSource, SentMessage
from kith.ports import SentMailStore
from kith.usecases.sent_mail import MailOutcome, record_sent_mail
from kith_local.provider_payloads import calcom_body

from tests.integration.support import NOW, OWNER, Kith

OWNER_EMAIL = "owner@example.com"
ANN = "ann@example.com"
BEN = "ben@example.com"
CY = "cy@example.com"
STRANGER = "stranger@elsewhere.example"
# 23:59:30 and 00:00:30 in Berlin, either side of the owner's midnight into Sunday 29 November
BEFORE_MIDNIGHT = datetime.fromisoformat("2026-11-28T22:59:30+00:00")
AFTER_MIDNIGHT = datetime.fromisoformat("2026-11-28T23:00:30+00:00")


@pytest.fixture
def people(kith: Kith) -> dict[str, dict[str, Any]]:
    kith.create_owner()
    return {
        "ann": kith.create_contact("Ann Attendee", ANN, last_interaction_at="2026-10-01T12:00:00Z"),
        "ben": kith.create_contact("Ben Builder", BEN, last_interaction_at="2026-09-01T12:00:00Z"),
        "cy": kith.create_contact("Cy Cole", CY),
    }


def _store(kith: Kith) -> SentMailStore:
    store: SentMailStore = kith.lambdas.modules["ApiFunction"].runtime.sent_mail_store
    return store


def _message(
    *to: str,
    message_id: str | None = "<m-1@mail.example>",
    at: datetime = NOW - timedelta(hours=1),
    source: MailSource = MailSource.GMAIL,
    subject: str | None = None,
) -> SentMessage:
    """A message as Gmail's sent folder or a BCC reports it: from the owner, to `to`."""
    return SentMessage(
        source=source,
        message_id=message_id,
        sent_at=at,
        sender=OWNER_EMAIL,
        recipients=to,
        from_sent_folder=source is not MailSource.BCC,
        subject=subject,
    )


def _send(kith: Kith, *messages: SentMessage) -> MailOutcome:
    return record_sent_mail(_store(kith), OWNER, messages, kith.clock.now())


def _timeline(kith: Kith, contact: dict[str, Any]) -> list[dict[str, Any]]:
    status, page = kith.http("GET", f"/v1/contacts/{contact['contact_id']}/interactions")
    assert status == 200, page
    return page["interactions"]  # type: ignore[no-any-return]


def _emails(kith: Kith, contact: dict[str, Any]) -> list[dict[str, Any]]:
    return [interaction for interaction in _timeline(kith, contact) if interaction["kind"] == "email"]


def _contact(kith: Kith, contact: dict[str, Any]) -> dict[str, Any]:
    return kith.http("GET", f"/v1/contacts/{contact['contact_id']}")[1]  # type: ignore[no-any-return]


def _mentions(value: Any, text: str) -> bool:
    """Whether any string in a stored item (keys, attributes, lists and maps within) contains `text`."""
    if isinstance(value, str):
        return text in value
    if isinstance(value, dict):
        return any(_mentions(inner, text) for inner in value.values())
    if isinstance(value, list):
        return any(_mentions(inner, text) for inner in value)
    return False


def _markers(kith: Kith, owner: str = OWNER) -> list[dict[str, Any]]:
    return [
        item for item in kith.items() if item["pk"]["S"] == f"OWNER#{owner}" and item["sk"]["S"].startswith("MESSAGE#")
    ]


# -- a counted message -----------------------------------------------------------------------------


def test_a_message_moves_each_contacts_clock_and_adds_one_email_on_each_timeline(kith: Kith, people: dict) -> None:
    # Given Ann and Ben last seen in the autumn
    sent = NOW - timedelta(hours=1)
    # When the owner's Gmail reports a message to both (and the owner, copied)
    outcome = _send(kith, _message(ANN, "Ben@Example.com", OWNER_EMAIL, at=sent, subject="Lunch?"))
    # Then it counted once, with one interaction and one moved clock each
    assert (outcome.counted, outcome.interactions, outcome.clocks_moved, outcome.skipped) == (1, 2, 2, {})
    for name in ("ann", "ben"):
        (email,) = _timeline(kith, people[name])
        assert email["kind"] == "email" and email["source"] == "gmail" and email["counts_for_cadence"] is True
        assert email["start"] == email["end"] == "2026-11-30T09:00:00Z"
        # the subject is not kept unless the owner chose to keep subjects
        assert email["title"] is None
        contact = _contact(kith, people[name])
        assert (contact["last_interaction_at"], contact["last_interaction_title"]) == ("2026-11-30T09:00:00Z", None)
    # And the owner's list shows the same two emails
    listed = kith.http("GET", "/v1/interactions")[1]["interactions"]
    assert sorted(interaction["contact_ids"][0] for interaction in listed) == sorted(
        people[name]["contact_id"] for name in ("ann", "ben")
    )
    assert _emails(kith, people["cy"]) == []


def test_several_messages_to_one_contact_on_one_day_are_one_interaction_with_the_clock_at_the_latest(
    kith: Kith, people: dict
) -> None:
    # Given three messages to Ann on Monday (Berlin), reported in no particular order
    times = [NOW - timedelta(hours=3), NOW - timedelta(minutes=5), NOW - timedelta(hours=2)]
    messages = [_message(ANN, message_id=f"<m-{n}@mail.example>", at=at) for n, at in enumerate(times)]
    # When they are recorded
    outcome = _send(kith, *messages)
    # Then all three counted, into one interaction, and Ann's clock stands at the last one sent
    assert (outcome.counted, outcome.interactions) == (3, 1)
    (email,) = _emails(kith, people["ann"])
    assert email["start"] == "2026-11-30T07:00:00Z"
    assert _contact(kith, people["ann"])["last_interaction_at"] == "2026-11-30T09:55:00Z"
    # And the next local day is another interaction
    kith.clock.set(NOW + timedelta(days=1))
    assert _send(kith, _message(ANN, message_id="<m-9@mail.example>", at=NOW + timedelta(days=1))).interactions == 1
    assert len(_emails(kith, people["ann"])) == 2


def test_the_same_message_from_gmail_then_bcc_across_midnight_is_one_interaction_on_the_first_day(
    kith: Kith, people: dict
) -> None:
    # Given Gmail reports a message to Ann at 23:59:30 on Saturday, Berlin time
    assert _send(kith, _message(ANN, message_id="<same@mail.example>", at=BEFORE_MIDNIGHT)).interactions == 1
    # When the owner's BCC of it arrives, its Date read as 00:00:30 on Sunday, its Message-ID written bare
    bcc = _message(ANN, message_id=" same@mail.example ", at=AFTER_MIDNIGHT, source=MailSource.BCC)
    outcome = _send(kith, bcc)
    # Then it records nothing new: the message counts on Saturday, the day it was first seen
    assert outcome.interactions == 0
    (email,) = _emails(kith, people["ann"])
    assert (email["start"], email["source"]) == ("2026-11-28T22:59:30Z", "gmail")
    # And a message of its own on Sunday morning is Sunday's interaction
    _send(kith, _message(ANN, message_id="<other@mail.example>", at=AFTER_MIDNIGHT, source=MailSource.BCC))
    assert [email["start"] for email in _emails(kith, people["ann"])] == [
        "2026-11-28T23:00:30Z",
        "2026-11-28T22:59:30Z",
    ]


def test_the_same_message_twice_from_one_source_records_nothing_twice(kith: Kith, people: dict) -> None:
    message = _message(ANN, BEN)
    _send(kith, message)
    before = kith.state()
    # When the same message is read again (a replayed push, a resync)
    outcome = _send(kith, message)
    # Then it counted, but nothing in the table changed
    assert (outcome.counted, outcome.interactions, outcome.clocks_moved) == (1, 0, 0)
    assert kith.state() == before


def test_an_email_never_cancels_or_moves_a_meeting_with_the_same_contact_that_day(kith: Kith, people: dict) -> None:
    # Given a meeting with Ann that ended at 09:30 today, and its follow-up pending
    connection = kith.connect()
    body = calcom_body("BOOKING_CREATED", "bk-1", NOW - timedelta(hours=1), [("Ann", ANN)], title="Roadmap")
    assert kith.webhook(connection, body)[0] == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    (meeting,) = _timeline(kith, people["ann"])
    # When the owner emails Ann before the meeting, then after it
    _send(kith, _message(ANN, message_id="<before@mail.example>", at=NOW - timedelta(hours=2)))
    assert _contact(kith, people["ann"])["last_interaction_title"] == "Roadmap"
    _send(kith, _message(ANN, message_id="<after@mail.example>", at=NOW - timedelta(minutes=10)))
    # Then the meeting is as it was, beside one email; the follow-up still waits
    timeline = {interaction["kind"]: interaction for interaction in _timeline(kith, people["ann"])}
    assert sorted(timeline) == ["email", "meeting"]
    assert timeline["meeting"] == meeting
    (follow_up,) = kith.http("GET", "/v1/follow-ups")[1]["follow_ups"]
    assert (follow_up["interaction_id"], follow_up["status"]) == (meeting["interaction_id"], "pending")
    # And the clock stands at the later email
    assert _contact(kith, people["ann"])["last_interaction_at"] == "2026-11-30T09:50:00Z"


def test_recipients_who_are_not_contacts_leave_nothing_in_the_table(kith: Kith, people: dict) -> None:
    # Given a message to Ann and a stranger, and one to the stranger alone
    outcome = _send(
        kith,
        _message(ANN, STRANGER, message_id="<both@mail.example>"),
        _message(STRANGER, "Other.Stranger@elsewhere.example", message_id="<alone@mail.example>"),
    )
    # Then only the first counted, for Ann
    assert (outcome.counted, outcome.interactions, outcome.skipped) == (1, 1, {"no_recipient": 1})
    # And no item anywhere holds a stranger's address, nor a Message-ID
    for item in kith.items():
        for text in ("elsewhere.example", "stranger", "both@mail", "alone@mail"):
            assert not _mentions(item, text), item
    # And the message that reached no contact left no marker: only the first is known
    assert len(_markers(kith)) == 1


def test_bulk_automated_and_not_the_owners_mail_moves_no_clock_and_writes_nothing(kith: Kith, people: dict) -> None:
    before = kith.state()
    big = tuple(f"person{n}@example.com" for n in range(9))
    messages = [
        _message(ANN, *big, message_id="<big@mail.example>"),
        SentMessage(MailSource.GMAIL, "<auto@x>", NOW, OWNER_EMAIL, (ANN,), from_sent_folder=True, auto_submitted=True),
        SentMessage(
            MailSource.GMAIL, "<list@x>", NOW, OWNER_EMAIL, (ANN,), from_sent_folder=True, list_unsubscribe=True
        ),
        SentMessage(MailSource.BCC, "<forged@x>", NOW, "mallory@example.org", (ANN,)),
    ]
    outcome = _send(kith, *messages)
    assert outcome.counted == 0
    assert outcome.skipped == {"too_many_recipients": 1, "automated": 1, "mailing_list": 1, "not_the_owners": 1}
    assert kith.state() == before


# -- what the owner chose --------------------------------------------------------------------------


def test_the_subject_is_stored_only_when_the_owner_keeps_subjects(kith: Kith, people: dict) -> None:
    # Given an owner who keeps no subjects (the default), When a message to Ann is recorded
    _send(kith, _message(ANN, message_id="<kept-not@mail.example>", subject="Quarterly numbers"))
    # Then neither her timeline nor any stored item holds the subject
    assert [email["title"] for email in _emails(kith, people["ann"])] == [None]
    assert not any(_mentions(item, "Quarterly") for item in kith.items())
    # When the owner turns keep_email_subjects on and writes to Ben
    owner = kith.create_owner(keep_email_subjects=True)
    assert owner["settings"]["keep_email_subjects"] is True
    _send(kith, _message(BEN, message_id="<kept@mail.example>", subject="  Coffee\n next   week? "))
    # Then Ben's email and clock carry the subject, its whitespace made plain
    assert [email["title"] for email in _emails(kith, people["ben"])] == ["Coffee next week?"]
    assert _contact(kith, people["ben"])["last_interaction_title"] == "Coffee next week?"


def test_a_bcc_from_one_of_the_owners_other_addresses_counts(kith: Kith, people: dict) -> None:
    # Given an owner who also sends from a work address
    kith.create_owner(other_addresses=["Olive@Work.Example"])
    bcc = SentMessage(MailSource.BCC, "<work@x>", NOW - timedelta(hours=1), "olive@work.example", (ANN,))
    # When a BCC from it arrives, Then it is the owner's
    assert _send(kith, bcc).interactions == 1


# -- export and erasure ----------------------------------------------------------------------------


def test_the_export_includes_email_interactions(kith: Kith, people: dict) -> None:
    _send(kith, _message(ANN, BEN))
    status, document = kith.http("GET", "/v1/export")
    assert status == 200
    emails = [interaction for interaction in document["interactions"] if interaction["kind"] == "email"]
    assert len(emails) == 2
    assert {email["source"] for email in emails} == {"gmail"}
    # the message is known by its Message-ID's hash, never the id itself
    assert all("mail.example" not in email["external_id"] for email in emails)


def test_erasing_a_contact_removes_its_email_interactions_and_links(kith: Kith, people: dict) -> None:
    # Given emails with Ann on two days, and one with Ben
    kith.clock.set(NOW + timedelta(days=1))
    _send(kith, _message(ANN, BEN), _message(ANN, message_id="<tue@mail.example>", at=NOW + timedelta(days=1)))
    ann_ids = [email["interaction_id"] for email in _emails(kith, people["ann"])]
    assert len(ann_ids) == 2
    # When Ann is deleted
    status, _ = kith.http("DELETE", f"/v1/contacts/{people['ann']['contact_id']}")
    assert status == 204
    # Then no item names her or her emails; Ben's email stays
    for item in kith.items():
        assert not _mentions(item, people["ann"]["contact_id"]), item
        assert not any(_mentions(item, interaction_id) for interaction_id in ann_ids), item
    assert len(_emails(kith, people["ben"])) == 1


def test_erasing_the_owner_removes_the_message_markers(kith: Kith, people: dict) -> None:
    _send(kith, _message(ANN), _message(BEN, message_id="<m-2@mail.example>"))
    assert len(_markers(kith)) == 2
    assert kith.http("DELETE", "/v1/owner")[0] == 204
    assert _markers(kith) == []
    assert not [item for item in kith.items() if item["pk"]["S"] == f"OWNER#{OWNER}"]


# -- the API -----------------------------------------------------------------------------------------


def test_an_email_cannot_be_logged_by_hand(kith: Kith, people: dict) -> None:
    before = kith.state()
    body = {"kind": "email", "contact_ids": [people["ann"]["contact_id"]], "at": "2026-11-29T10:00:00Z"}
    status, answer = kith.http("POST", "/v1/interactions", body)
    assert status == 422
    assert answer["error"].startswith("kind: ") and "emails come from the mail you send" in answer["error"]
    assert kith.state() == before


@pytest.mark.parametrize(
    ("addresses", "field"),
    [
        (["not an address"], "other_addresses.0"),
        ([f"me{n}@example.com" for n in range(11)], "other_addresses"),
        ("me@example.com", "other_addresses"),
    ],
)
def test_other_addresses_are_checked_like_contact_emails(kith: Kith, addresses: Any, field: str) -> None:
    kith.create_owner()
    before = kith.state()
    body = {"email": OWNER_EMAIL, "name": "Olive Owner", "other_addresses": addresses}
    status, answer = kith.http("PUT", "/v1/owner", body)
    assert status == 422 and answer["error"].startswith(f"{field}:"), answer
    assert kith.state() == before


def test_keep_email_subjects_takes_only_true_or_false(kith: Kith) -> None:
    kith.create_owner()
    status, answer = kith.http("PUT", "/v1/owner", {"email": OWNER_EMAIL, "name": "O", "keep_email_subjects": "yes"})
    assert status == 422 and answer["error"].startswith("keep_email_subjects:"), answer


def test_the_owners_other_addresses_are_kept_in_kiths_form_once_each(kith: Kith) -> None:
    owner = kith.create_owner(other_addresses=["Olive@Work.Example", "olive@work.example", "o@home.example"])
    assert owner["settings"]["other_addresses"] == ["olive@work.example", "o@home.example"]
    assert owner["settings"]["keep_email_subjects"] is False
    assert kith.http("GET", "/v1/owner")[1]["settings"] == owner["settings"]


# -- what it costs --------------------------------------------------------------------------------


@contextmanager
def _requests(kith: Kith) -> Iterator[Counter[str]]:
    """The DynamoDB requests the sent-mail store makes meanwhile, by operation."""
    client = kith.lambdas.modules["ApiFunction"].runtime.dynamodb
    counted: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counted[model.name] += 1

    client.meta.events.register("before-call.dynamodb.*", count)
    try:
        yield counted
    finally:
        client.meta.events.unregister("before-call.dynamodb.*", count)


def test_the_requests_one_message_costs(kith: Kith, people: dict) -> None:
    # One message to one contact: the owner, their accounts, the contact's address and the contact, the
    # message's marker, the day's interaction with its link, the clock
    with _requests(kith) as first:
        _send(kith, _message(ANN, at=NOW - timedelta(hours=2)))
    assert first == {
        "GetItem": 1,
        "Query": 1,
        "BatchGetItem": 2,
        "PutItem": 1,
        "TransactWriteItems": 1,
        "UpdateItem": 1,
    }
    # A second message the same day: the same, its interaction found recorded already (the transaction refused)
    with _requests(kith) as second:
        _send(kith, _message(ANN, message_id="<m-2@mail.example>"))
    assert second == first
    # A message to three contacts, later still: the marker once, an interaction and a clock each
    with _requests(kith) as three:
        _send(kith, _message(ANN, BEN, CY, message_id="<m-3@mail.example>", at=NOW - timedelta(minutes=30)))
    assert three == {
        "GetItem": 1,
        "Query": 1,
        "BatchGetItem": 2,
        "PutItem": 1,
        "TransactWriteItems": 3,
        "UpdateItem": 3,
    }
    print(f"\nrequests per message: one contact {first}; same day again {second}; three contacts {three}")
