"""Parts 1 and 2: one Cal.com webhook and one digest run, on moto in process, with every request counted.

Each step gets the clients production would build: a kith.runtime.Runtime per function, configured
with the environment template.yaml gives that function on the stack kith_local creates from it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kith.domain.connections import CalendarConnection, Provider
from kith.domain.models import Circle, Contact, Owner, OwnerSettings
from kith.runtime import Runtime
from kith.storage.items import contact_to_item
from kith.usecases.intake import MeetingMessage, receive_webhook
from kith.usecases.jobs import DigestJob
from kith.usecases.mailing import deliver
from kith.usecases.meetings import apply_meeting_event
from kith_local import provider_payloads
from kith_local.provider_payloads import CALCOM_SIGNATURE, calcom_signature
from kith_local.stack import LocalStack, create_stack
from moto import mock_aws

from bench.counting import RequestLog

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # a Monday, at the default digest hour
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_SESSION_TOKEN": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def use_fake_aws() -> None:
    """Throwaway credentials and a region before any client exists; no endpoint override, so moto intercepts."""
    os.environ.update(FAKE_AWS)
    os.environ.pop("AWS_ENDPOINT_URL", None)


def runtime_for(stack: LocalStack, function: str) -> Runtime:
    return Runtime(environ=stack.environment(function))


# -- part 1: one webhook ---------------------------------------------------------------------------


@dataclass
class WebhookCase:
    attendees: int
    size_limit: int
    intake: dict[str, Any] = field(default_factory=dict)
    processing: dict[str, Any] = field(default_factory=dict)
    outcome: dict[str, Any] = field(default_factory=dict)


def calcom_body(uid: str, owner_email: str, attendees: list[str], start: datetime) -> bytes:
    """A booking of a catch-up with every attendee, as Cal.com sends it an hour before NOW."""
    people = [(f"Attendee {index}", email) for index, email in enumerate(attendees)]
    return provider_payloads.calcom_body(
        "BOOKING_CREATED",
        uid,
        start,
        people,
        title="Catch-up",
        organizer=("Olive Owner", owner_email),
        created_at=NOW - timedelta(hours=1),
    )


def _webhook_case(stack: LocalStack, attendees: int, size_limit: int) -> WebhookCase:
    webhook = runtime_for(stack, "WebhookFunction")
    meetings = runtime_for(stack, "MeetingsFunction")
    owner_id = f"owner-webhook-{attendees}-{size_limit}"
    owner = Owner(
        owner_id=owner_id,
        email=f"{owner_id}@example.com",
        name="Olive Owner",
        settings=OwnerSettings(meeting_size_limit=size_limit),
        created_at=NOW - timedelta(days=400),
    )
    contacts = meetings.contact_store
    contacts.save_owner(owner)
    emails = [f"contact{index}@{owner_id}.example.com" for index in range(attendees)]
    for index, email in enumerate(emails):
        contacts.create_contact(
            Contact(
                contact_id=f"c{index:03d}",
                owner_id=owner_id,
                name=f"Attendee {index}",
                emails=(email,),
                circle=Circle.CORE,
                added_at=NOW - timedelta(days=300),
                last_interaction_at=NOW - timedelta(days=40),
            ),
            owner.settings,
        )
    connection = CalendarConnection(
        connection_id=f"conn-{owner_id}",
        owner_id=owner_id,
        provider=Provider.CALCOM,
        signing_secret="bench-secret",
        created_at=NOW - timedelta(days=30),
    )
    meetings.connection_store.create_connection(connection)

    # The meeting ended an hour before the webhook arrives: clocks move and a follow-up is due.
    body = calcom_body(f"booking-{owner_id}", owner.email, emails, NOW - timedelta(minutes=90))
    headers = {CALCOM_SIGNATURE: calcom_signature(connection.signing_secret, body)}
    case = WebhookCase(attendees=attendees, size_limit=size_limit)

    intake_log = RequestLog().attach(webhook.dynamodb)
    receive_webhook(
        webhook.meeting_store, webhook.meeting_queue, dict, "calcom", connection.connection_id, headers, {}, body, NOW
    )
    case.intake = intake_log.summary()

    queue = webhook.meeting_queue
    received = webhook.client("sqs").receive_message(QueueUrl=queue.url, MaxNumberOfMessages=1)["Messages"]
    message = MeetingMessage.model_validate_json(received[0]["Body"])
    webhook.client("sqs").delete_message(QueueUrl=queue.url, ReceiptHandle=received[0]["ReceiptHandle"])

    processing_log = RequestLog().attach(meetings.dynamodb)
    outcome = apply_meeting_event(meetings.meeting_store, message.owner_id, message.event, message.received_at)
    case.processing = processing_log.summary()
    case.outcome = {
        "contacts_matched": outcome.contacts_matched,
        "clocks_moved": outcome.clocks_moved,
        "follow_up_created": outcome.follow_up_created,
    }
    return case


def webhook_requests(cases: list[tuple[int, int]]) -> list[WebhookCase]:
    """(attendees, meeting size limit) per case; each case gets its own owner on one fresh stack."""
    with mock_aws():
        stack = create_stack()
        return [_webhook_case(stack, attendees, size_limit) for attendees, size_limit in cases]


# -- part 2: one digest --------------------------------------------------------------------------


@dataclass
class DigestRun:
    contacts: int
    due: int
    load_requests: int
    load_seconds: float
    result: dict[str, Any]
    requests: dict[str, Any]


def _contacts(owner_id: str, total: int, due: int) -> list[Contact]:
    """`due` contacts seen 70 days ago (a 60-day cadence: due), spread through the list; the rest not due yet."""
    every = total // due
    contacts: list[Contact] = []
    for index in range(total):
        is_due = index % every == every // 2 and index // every < due
        contacts.append(
            Contact(
                contact_id=f"c{index:05d}",
                owner_id=owner_id,
                name=f"Contact {index:05d}",
                emails=(f"contact{index:05d}@example.com",),
                circle=Circle.CORE,
                added_at=NOW - timedelta(days=200),
                last_interaction_at=NOW - timedelta(days=70 if is_due else 1 + index % 55),
            )
        )
    return contacts


def digest_requests(total: int = 10_000, due: int = 10) -> DigestRun:
    with mock_aws():
        stack = create_stack()
        mailer = runtime_for(stack, "MailerFunction")
        settings = OwnerSettings()
        owner = Owner(owner_id="owner-digest", email="owner@example.com", name="Olive Owner", created_at=NOW)
        mailer.contact_store.save_owner(owner)

        load_log = RequestLog().attach(mailer.dynamodb)
        started = time.perf_counter()
        mailer.contact_store._batch_write(
            puts=[contact_to_item(contact, settings.zone) for contact in _contacts(owner.owner_id, total, due)]
        )
        load_seconds = time.perf_counter() - started
        load_requests = len(load_log.requests)
        load_log.clear()

        result = deliver(
            mailer.mail_store, mailer.mailer, mailer.linker, DigestJob(owner_id=owner.owner_id, slot=NOW, as_of=NOW)
        )
        return DigestRun(
            contacts=total,
            due=due,
            load_requests=load_requests,
            load_seconds=load_seconds,
            result=result.record(),
            requests=load_log.summary(),
        )
