"""An email SES refuses for good is kept as failed and acknowledged; one it cannot send yet is retried."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kith_local.provider_payloads import calcom_body

from tests.integration.support import Kith

MONDAY_0800_BERLIN = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


@pytest.fixture
def owner(kith: Kith) -> dict[str, Any]:
    kith.clock.set(MONDAY_0800_BERLIN - timedelta(days=1))
    owner = kith.create_owner(digest_weekdays=[0], digest_hour=8)
    kith.create_contact("Ann Overdue", "ann@example.com", circle="inner", last_interaction_at="2026-09-01T12:00:00Z")
    return owner


def _ses_refuses(kith: Kith, code: str, status: int = 400) -> dict[str, int]:
    """Make the mailer's SES client answer every send with `code`; the count of sends tried is returned."""
    from botocore.exceptions import ClientError

    ses_client = kith.lambdas.modules["MailerFunction"].runtime.mailer._client
    calls = {"n": 0}

    def refuse(**_: Any) -> None:
        calls["n"] += 1
        error = {"Error": {"Code": code, "Message": "refused"}, "ResponseMetadata": {"HTTPStatusCode": status}}
        raise ClientError(error, "SendEmail")  # type: ignore[arg-type]

    ses_client.send_email = refuse
    return calls


def _kept(kith: Kith) -> dict[str, Any]:
    """What the one once-per-email record keeps."""
    (record,) = [item for item in kith.items() if item["pk"]["S"] == "IDEMPOTENCY#mail"]  # type: ignore[index]
    result: dict[str, Any] = json.loads(record["data"]["S"])  # type: ignore[index]
    return result


@pytest.mark.parametrize("code", ["MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException"])
def test_a_digest_ses_refuses_is_kept_as_failed_and_not_retried(kith: Kith, owner: dict, code: str) -> None:
    # Given SES refuses the digest for good
    kith.tick(MONDAY_0800_BERLIN)
    (job,) = kith.take("MailQueue")
    tried = _ses_refuses(kith, code)
    # When the job is delivered, Then it is acknowledged, not handed back for a retry into the dead-letter queue
    assert kith.deliver("MailQueue", [job]) == {"batchItemFailures": []}
    assert kith.sent() == [] and tried["n"] == 1
    # And the once-per-email record keeps it as failed, saying what SES said
    assert _kept(kith) == {
        "sent": False,
        "reason": "rejected",
        "detail": f"SES rejected the message ({code})",
    }
    # And a redelivery does not try again
    assert kith.deliver("MailQueue", [job]) == {"batchItemFailures": []}
    assert tried["n"] == 1
    assert kith.http("GET", "/v1/sent")[1]["sent"] == []


def test_a_follow_up_ses_refuses_is_closed_as_skipped(kith: Kith, owner: dict) -> None:
    # Given a meeting whose follow-up falls due, and SES refusing the message
    connection = kith.connect()
    meeting = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "bk-r", meeting, [("Ann Overdue", "ann@example.com")]))
    kith.process_meetings()
    kith.tick(datetime(2026, 11, 30, 10, 30, tzinfo=UTC))
    jobs = [job for job in kith.take("MailQueue") if "follow_up" in job["Body"]]
    assert len(jobs) == 1
    tried = _ses_refuses(kith, "MessageRejected")
    # When it is delivered, Then it is acknowledged and nothing is sent
    assert kith.deliver("MailQueue", jobs) == {"batchItemFailures": []}
    assert kith.sent() == [] and tried["n"] == 1
    # And the follow-up is closed, so no later tick queues it again
    (follow_up,) = kith.http("GET", "/v1/follow-ups")[1]["follow_ups"]
    assert follow_up["status"] == "skipped"
    kith.tick(datetime(2026, 11, 30, 12, 30, tzinfo=UTC))
    assert [job for job in kith.take("MailQueue") if "follow_up" in job["Body"]] == []


def test_sending_paused_for_the_account_is_retried_later(kith: Kith, owner: dict) -> None:
    # Given SES says the account's sending is paused (until someone resumes it)
    kith.tick(MONDAY_0800_BERLIN)
    (job,) = kith.take("MailQueue")
    _ses_refuses(kith, "SendingPausedException")
    # When the job is delivered, Then it is handed back for a retry, and nothing is kept for it
    assert kith.deliver("MailQueue", [job]) == {"batchItemFailures": [{"itemIdentifier": job["MessageId"]}]}
    assert [item for item in kith.items() if item["pk"]["S"] == "IDEMPOTENCY#mail"] == []  # type: ignore[index]
