"""Regressions the fault points found: a run that fails half-way, then is replayed, loses and doubles nothing.

- A meeting whose first delivery failed after its interaction was written came back as a "replay"
  with nothing changed: its contact links and its follow-up were never written.
- An email whose sending run failed after SES accepted it (writing the sent history, closing the
  follow-up, completing the once-per-email claim) was sent again when the job was redelivered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kith_local.provider_payloads import calcom_body

from tests.faults.flows import FIRST_TICK, until_consumed
from tests.faults.injector import Call, Fault, Injector, Target, after
from tests.integration.support import Kith

SEND = Call("sesv2", "SendEmail")
PUT = Call("dynamodb", "PutItem")
UPDATE = Call("dynamodb", "UpdateItem")
LINKS_WRITE = Call("dynamodb", "BatchWriteItem")
COFFEE = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


@pytest.fixture
def morning(kith: Kith) -> dict[str, Any]:
    """An owner with a digest due Monday 08:00 in Berlin, Ann overdue, Ben met for coffee this morning."""
    kith.clock.set(COFFEE - timedelta(days=1))
    kith.create_owner(digest_weekdays=[0], digest_hour=8)
    kith.create_contact("Ann Overdue", "ann@example.com", circle="inner", last_interaction_at="2026-09-01T12:00:00Z")
    ben = kith.create_contact("Ben Due", "ben@example.com", circle="inner", last_interaction_at="2026-11-05T12:00:00Z")
    connection = kith.connect()
    kith.clock.set(COFFEE + timedelta(hours=2))
    guests = [("Ben Due", "ben@example.com"), ("Nia New", "nia@example.com")]
    status, _ = kith.webhook(connection, calcom_body("BOOKING_CREATED", "bk-coffee", COFFEE, guests, title="Coffee"))
    assert status == 202
    return {"ben": ben}


def _table(kith: Kith, prefix: str) -> list[dict[str, Any]]:
    return [item for item in kith.items() if item["sk"]["S"].startswith(prefix)]


def test_a_meeting_redelivered_after_failing_half_way_gets_its_links_and_follow_up(
    kith: Kith, injector: Injector, morning: dict[str, Any]
) -> None:
    # Given the coffee is on the meeting queue
    messages = kith.take("MeetingQueue")
    # When the meetings function is throttled writing the contact links, after the interaction was written
    injector.start(lambda calls: calls[-1] == LINKS_WRITE, Fault.THROTTLE)
    result = kith.deliver("MeetingQueue", messages)
    injector.stop()
    assert injector.fired == LINKS_WRITE and len(result["batchItemFailures"]) == 1
    # And SQS redelivers the message
    until_consumed(kith, "MeetingQueue", messages)
    # Then Ben's link to the meeting and the follow-up are there, as if nothing had failed
    links = [item for item in _table(kith, "LINK#") if item["interaction_id"]["S"] != "stated"]
    assert [link["contact_id"]["S"] for link in links] == [morning["ben"]["contact_id"]]
    _, follow_ups = kith.http("GET", "/v1/follow-ups")
    assert [(f["title"], f["status"]) for f in follow_ups["follow_ups"]] == [("Coffee", "pending")]
    assert kith.http("GET", f"/v1/contacts/{morning['ben']['contact_id']}")[1]["last_interaction_at"].startswith(
        "2026-11-30T06:30"
    )


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        ("digest", after(SEND, PUT)),  # the sent-history line
        ("digest", after(SEND, UPDATE)),  # the once-per-email claim completed
        ("follow_up", after(SEND, PUT)),  # the sent-history line
        ("follow_up", after(SEND, UPDATE)),  # the follow-up closed
        ("follow_up", after(SEND, UPDATE, nth=2)),  # the once-per-email claim completed
    ],
    ids=["digest-history", "digest-claim", "follow-up-history", "follow-up-close", "follow-up-claim"],
)
@pytest.mark.parametrize("fault", [Fault.THROTTLE, Fault.READ_TIMEOUT], ids=lambda fault: fault.name.lower())
def test_an_email_whose_run_failed_after_sending_is_not_sent_again(
    kith: Kith, injector: Injector, morning: dict[str, Any], kind: str, target: Target, fault: Fault
) -> None:
    # Given the digest and the coffee's follow-up are queued
    kith.process_meetings()
    kith.tick(FIRST_TICK)
    (job,) = [message for message in kith.take("MailQueue") if f'"kind":"{kind}"' in message["Body"]]
    # When a write after SES accepted the email fails
    injector.start(target, fault)
    until_consumed(kith, "MailQueue", [job])
    injector.stop()
    assert injector.fired is not None
    # And the job comes again later (a duplicate delivery, a replayed tick)
    until_consumed(kith, "MailQueue", [job])
    # Then the email went out once, and the sent history and the follow-up say so
    assert len(kith.sent()) == 1
    _, sent = kith.http("GET", "/v1/sent")
    assert [item["kind"] for item in sent["sent"]] == [kind]
    _, follow_ups = kith.http("GET", "/v1/follow-ups")
    assert [f["status"] for f in follow_ups["follow_ups"]] == ["sent" if kind == "follow_up" else "pending"]
