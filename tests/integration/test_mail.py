"""The sweep and the mailer: due work goes out once, on time, and is never lost or doubled."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import UTC, datetime, timedelta

import pytest
from kith_local.events import sqs_event
from kith_local.provider_payloads import calcom_body

from tests.integration.support import Kith

MONDAY_0800_BERLIN = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


@pytest.fixture
def owner(kith: Kith) -> dict:
    kith.clock.set(MONDAY_0800_BERLIN - timedelta(days=1))
    owner = kith.create_owner(digest_weekdays=[0, 3], digest_hour=8, digest_limit=2)
    kith.create_contact(
        "Ann <b>Overdue</b>", "ann@example.com", circle="inner", last_interaction_at="2026-09-01T12:00:00Z"
    )
    kith.create_contact(
        "Ben Due", "ben@example.com", circle="inner", last_interaction_at="2026-11-05T12:00:00Z", goal="mentorship"
    )
    kith.create_contact("Cy Due Too", "cy@example.com", circle="core", last_interaction_at="2026-09-20T12:00:00Z")
    kith.create_contact("Dee Recent", "dee@example.com", circle="inner", last_interaction_at="2026-11-25T12:00:00Z")
    kith.create_contact("Eve Never", "eve@example.com", circle="never")
    return owner


def _bodies(kith: Kith) -> list[email.message.EmailMessage]:
    parsed = []
    for sent in kith.sent():
        message = email.message_from_string(sent.raw_data, policy=email.policy.default)
        parsed.append(message)
    return parsed


def test_the_digest_goes_out_at_the_owners_local_hour_with_the_top_due_contacts(kith: Kith, owner: dict) -> None:
    # Given the owner's first digest is Monday 08:00 in Berlin (07:00 UTC)
    assert owner["next_digest_at"] == "2026-11-30T07:00:00Z"
    # When a tick runs a minute before, nothing is queued
    assert kith.tick(MONDAY_0800_BERLIN - timedelta(minutes=1))["digests_queued"] == 0
    # When the tick at 08:05 local runs and the mailer works
    assert kith.tick(MONDAY_0800_BERLIN + timedelta(minutes=5))["digests_queued"] == 1
    assert kith.send_mail() == {"batchItemFailures": []}
    # Then one email names the two best-ranked due contacts (limit 2): the most overdue, then the inner
    # contact with a goal ahead of a core contact without one; escaped in HTML, intact in text
    (message,) = _bodies(kith)
    assert message["To"].addresses[0].addr_spec == "owner@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Ann <b>Overdue</b>" in text and "Ben Due" in text and "Goal: mentorship" in text
    assert "Cy Due Too" not in text and "Dee Recent" not in text and "Eve Never" not in text
    assert text.index("Ann <b>Overdue</b>") < text.index("Ben Due")
    assert "Ann &lt;b&gt;Overdue&lt;/b&gt;" in html and "<b>Overdue</b>" not in html
    # And the next digest is Thursday 08:00 Berlin
    assert kith.http("GET", "/v1/owner")[1]["next_digest_at"] == "2026-12-03T07:00:00Z"
    _, sent = kith.http("GET", "/v1/sent")
    assert [item["kind"] for item in sent["sent"]] == ["digest"]


def test_missed_ticks_are_caught_up_once(kith: Kith, owner: dict) -> None:
    # Given the scheduler was down from Sunday until Monday noon
    late = MONDAY_0800_BERLIN + timedelta(hours=5)
    assert kith.tick(late)["digests_queued"] == 1
    assert kith.tick(late + timedelta(minutes=5))["digests_queued"] == 0
    kith.send_mail()
    assert len(kith.sent()) == 1


def test_a_replayed_tick_and_a_redelivered_job_send_one_digest(kith: Kith, owner: dict) -> None:
    kith.tick(MONDAY_0800_BERLIN)
    (job,) = kith.take("MailQueue")
    # The same job delivered twice (SQS at-least-once), then replayed again later
    assert kith.deliver("MailQueue", [job]) == {"batchItemFailures": []}
    assert kith.deliver("MailQueue", [job]) == {"batchItemFailures": []}
    assert kith.deliver("MailQueue", [job, job]) == {"batchItemFailures": []}
    assert kith.tick(MONDAY_0800_BERLIN)["digests_queued"] == 0
    assert len(kith.sent()) == 1


def test_two_mailers_on_the_same_messages_send_one_email(kith: Kith, owner: dict) -> None:
    # Given a digest job and a follow-up job on the queue
    connection = kith.connect()
    kith.webhook(
        connection,
        calcom_body("BOOKING_CREATED", "bk", MONDAY_0800_BERLIN - timedelta(hours=3), [("Ben", "ben@example.com")]),
    )
    kith.process_meetings()
    kith.tick(MONDAY_0800_BERLIN + timedelta(hours=1, minutes=5))
    jobs = kith.take("MailQueue")
    assert len(jobs) == 2
    # And a second mailer: the same function code, its own warm container
    from kith_local.lambdas import LocalLambdas

    other = LocalLambdas(kith.stack)
    # When both work on the same messages at the same moment
    gate = threading.Barrier(2)
    results: list[dict] = []

    def work(lambdas: LocalLambdas) -> None:
        gate.wait()
        results.append(lambdas.invoke("MailerFunction", _event(kith, jobs)))

    threads = [threading.Thread(target=work, args=(lambdas,)) for lambdas in (kith.lambdas, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # And whatever one of them handed back for retry is redelivered
    failed = {item["itemIdentifier"] for result in results for item in result["batchItemFailures"]}
    if failed:
        kith.deliver("MailQueue", [job for job in jobs if job["MessageId"] in failed])
    # Then exactly one digest and one follow-up went out
    subjects = sorted(str(message["Subject"]) for message in _bodies(kith))
    assert len(subjects) == 2
    assert subjects[0].startswith("2 people to reconnect") and subjects[1].startswith("Follow up with Ben Due")


def _event(kith: Kith, jobs: list[dict]) -> dict:
    return sqs_event(jobs, kith.stack.references["MailQueue.Arn"])


def test_nothing_due_means_no_email(kith: Kith) -> None:
    kith.clock.set(MONDAY_0800_BERLIN - timedelta(days=1))
    kith.create_owner()
    kith.create_contact("Fresh Face", "fresh@example.com", circle="inner", last_interaction_at="2026-11-28T12:00:00Z")
    assert kith.tick(MONDAY_0800_BERLIN)["digests_queued"] == 1
    assert kith.send_mail() == {"batchItemFailures": []}
    assert kith.sent() == []


def test_a_follow_up_is_sent_once_after_its_delay_and_names_the_meeting(kith: Kith, owner: dict) -> None:
    connection = kith.connect()
    meeting = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    guests = [("Ben Due", "ben@example.com"), ("New <Person>", "new@person.example")]
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "bk-f", meeting, guests, title="Pitch & plan"))
    kith.process_meetings()
    # Not before meeting end + 1 h (10:30 UTC)
    kith.tick(datetime(2026, 11, 30, 10, 25, tzinfo=UTC))
    kith.send_mail()
    assert [str(m["Subject"]) for m in _bodies(kith) if "Follow up" in str(m["Subject"])] == []
    kith.tick(datetime(2026, 11, 30, 10, 30, tzinfo=UTC))
    kith.send_mail()
    kith.tick(datetime(2026, 11, 30, 11, 30, tzinfo=UTC))
    kith.send_mail()
    follow_ups = [m for m in _bodies(kith) if str(m["Subject"]).startswith("Follow up")]
    assert len(follow_ups) == 1
    html = follow_ups[0].get_body(preferencelist=("html",)).get_content()
    text = follow_ups[0].get_body(preferencelist=("plain",)).get_content()
    assert "Pitch &amp; plan" in html and "New &lt;Person&gt;" in html
    assert "Pitch & plan" in text and "new@person.example" in text and "Goal: mentorship" in text
    assert kith.http("GET", "/v1/follow-ups")[1]["follow_ups"][0]["status"] == "sent"


@pytest.mark.parametrize(
    ("code", "http_status"),
    [("TooManyRequestsException", 429), ("Throttling", 400)],
    ids=["sesv2-429", "maximum-send-rate"],
)
def test_a_throttled_send_is_returned_for_retry_and_sent_once_later(
    kith: Kith, owner: dict, code: str, http_status: int
) -> None:
    from botocore.exceptions import ClientError

    # Given SES answers the first send with a throttling error (SES v2's 429, or the classic maximum send rate)
    kith.tick(MONDAY_0800_BERLIN)
    (job,) = kith.take("MailQueue")
    ses_client = kith.lambdas.modules["MailerFunction"].runtime.mailer._client
    real_send = ses_client.send_email
    calls = {"n": 0}

    def throttled_once(**request):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            error = {"Error": {"Code": code, "Message": "Maximum sending rate exceeded."}}
            raise ClientError({**error, "ResponseMetadata": {"HTTPStatusCode": http_status}}, "SendEmail")
        return real_send(**request)

    ses_client.send_email = throttled_once
    # When the job is delivered, it is handed back for a later retry and nothing is sent
    assert kith.deliver("MailQueue", [job]) == {"batchItemFailures": [{"itemIdentifier": job["MessageId"]}]}
    assert kith.sent() == []
    # Then the retry sends it, and a further redelivery does not send it again
    assert kith.deliver("MailQueue", [job]) == {"batchItemFailures": []}
    assert kith.deliver("MailQueue", [job]) == {"batchItemFailures": []}
    assert len(kith.sent()) == 1


def test_a_paused_owner_gets_no_digest_and_follow_ups_wait_for_the_pause_to_end(kith: Kith) -> None:
    # Given an owner away until Wednesday 2026-12-02 08:00 UTC, with a due contact and a meeting on Monday morning
    kith.clock.set(MONDAY_0800_BERLIN - timedelta(days=1))
    kith.create_owner(digest_weekdays=[0], paused_until="2026-12-02T08:00:00Z")
    kith.create_contact("Ann Due", "ann@example.com", circle="inner", last_interaction_at="2026-09-01T12:00:00Z")
    connection = kith.connect()
    meeting = MONDAY_0800_BERLIN - timedelta(hours=3)
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "bk-away", meeting, [("Ann", "ann@example.com")]))
    kith.process_meetings()
    # When Monday's digest and the follow-up fall due during the pause
    monday = MONDAY_0800_BERLIN + timedelta(hours=2)
    result = kith.tick(monday)
    assert (result["digests_queued"], result["follow_ups_queued"]) == (1, 1)
    assert kith.send_mail() == {"batchItemFailures": []}
    # Then nothing is sent, and the follow-up is still pending, due when the pause ends
    assert kith.sent() == []
    (follow_up,) = kith.http("GET", "/v1/follow-ups")[1]["follow_ups"]
    assert (follow_up["status"], follow_up["due_at"]) == ("pending", "2026-12-02T08:00:00Z")
    assert kith.tick(monday + timedelta(hours=6))["follow_ups_queued"] == 0
    # When the pause is over, the follow-up goes out, once
    assert kith.tick(datetime(2026, 12, 2, 8, 5, tzinfo=UTC))["follow_ups_queued"] == 1
    kith.send_mail()
    kith.tick(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    kith.send_mail()
    assert [str(message["Subject"]) for message in _bodies(kith)] == ["Follow up with Ann Due after “Coffee”"]
