"""One owner's morning through every flow, and what the platform does when a flow fails.

The world is built once: one stack in moto, an owner with three contacts and a Cal.com calendar.
Walking the pipeline fault-free leaves a snapshot before each flow (table, queues, sent mail); a
scenario restores the snapshot its flow starts from, gives every function a cold start whose
clients report to the injector, runs the flow, and replays what the platform would until the flow
goes through: the provider re-sends a webhook answered 5xx, SQS redelivers a failed record (the
same message), the next tick runs, the person clicks again.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer
from kith.storage import keys
from kith_local.clock import SimulatedClock
from kith_local.events import sqs_event
from kith_local.provider_payloads import calcom_body
from kith_local.stack import create_stack
from moto import mock_aws
from moto.backends import get_backend

from tests.faults.injector import Call, Fault, Injector, cold_start, nth_call
from tests.integration.support import Kith

SUNDAY = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
MONDAY_0800_UTC = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
FIRST_TICK = MONDAY_0800_UTC + timedelta(minutes=5)
TICK_EVERY = timedelta(minutes=5)
CLICK_AT = MONDAY_0800_UTC + timedelta(hours=1)
MAX_ATTEMPTS = 5
_deserialize = TypeDeserializer().deserialize
LINK = re.compile(r"^\s*(?P<label>[A-Za-z ][A-Za-z0-9 ]*): (?P<url>https://[\w.-]+/a/\S+)$", re.MULTILINE)


class Lost(AssertionError):
    """The platform gave up: a refusal it does not retry, or retries that ran out."""


@dataclass
class Snapshot:
    items: list[dict[str, Any]]
    queues: dict[str, list[str]]
    sent: list[Any]


@dataclass
class World:
    """The stack, its functions (cold-started per scenario) and the injector their clients report to."""

    kith: Kith
    injector: Injector
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    session: boto3.session.Session = field(default_factory=boto3.session.Session)

    def cold_start(self) -> None:
        cold_start(self.kith.lambdas, self.injector, self.session)

    def snapshot(self, name: str) -> None:
        self.snapshots[name] = Snapshot(
            items=[dict(item) for item in self.kith.items()],
            queues={queue: [m["Body"] for m in self.kith.receive(queue)] for queue in self.kith.stack.queue_urls},
            sent=list(_ses().sent_messages),
        )

    def restore(self, name: str) -> None:
        snapshot, kith = self.snapshots[name], self.kith
        table = kith.stack.table_name
        keys_only = kith.dynamodb.get_paginator("scan").paginate(TableName=table, ProjectionExpression="pk, sk")
        current = [{"DeleteRequest": {"Key": key}} for page in keys_only for key in page["Items"]]
        wanted = [{"PutRequest": {"Item": item}} for item in snapshot.items]
        for requests in (current, wanted):
            for start in range(0, len(requests), 25):
                kith.dynamodb.batch_write_item(RequestItems={table: requests[start : start + 25]})
        for queue, url in kith.stack.queue_urls.items():
            kith.take(queue)
            for body in snapshot.queues[queue]:
                kith.sqs.send_message(QueueUrl=url, MessageBody=body)
        _ses().sent_messages[:] = snapshot.sent


def _ses() -> Any:
    return get_backend("ses")["123456789012"]["us-east-1"]


@dataclass(frozen=True)
class Flow:
    name: str
    starts_from: str  # the snapshot
    clock: datetime
    run: Callable[[World], None]  # the flow and the platform's replays, until it goes through
    settle: Callable[[World], None] = lambda world: None  # what follows downstream, fault-free
    retry_instants: Callable[[], dict[str, str]] = dict  # instants a retry stamps -> the first try's


# -- what the platform does --------------------------------------------------------------------------


def until_accepted(what: str, request: Callable[[], tuple[Any, ...]]) -> None:
    """A provider re-sends, a person clicks again, while the answer is a 5xx (or the function crashed)."""
    for _ in range(MAX_ATTEMPTS):
        try:
            status = request()[0]
        except Exception:  # a crashed invocation is API Gateway's 500
            continue
        if status < 300:
            return
        if status < 500:
            raise Lost(f"{what}: refused with {status}, which nobody retries")
    raise Lost(f"{what}: still failing after {MAX_ATTEMPTS} tries")


def until_consumed(kith: Kith, queue: str, messages: list[dict[str, Any]]) -> None:
    """SQS redelivers what failed (the same messages) after the visibility timeout, until none fails."""
    pending = messages
    arn = kith.stack.references[f"{queue}.Arn"]
    function = kith.lambdas.consumer_of(queue)
    for _ in range(MAX_ATTEMPTS):
        try:
            result = kith.lambdas.invoke(function, sqs_event(pending, arn))
            failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
        except Exception:  # a crashed invocation returns the whole batch
            failed = {message["MessageId"] for message in pending}
        pending = [message for message in pending if message["MessageId"] in failed]
        if not pending:
            return
        _visibility_timeout_passes(kith)
    raise Lost(f"{queue}: {len(pending)} messages still failing after {MAX_ATTEMPTS} deliveries")


def _visibility_timeout_passes(kith: Kith) -> None:
    """A redelivery comes after the visibility timeout (360 s), longer than a function may run (60 s).

    By then the once-per-email claim of a run that stopped half-way has lapsed: its in-progress
    expiry (wall-clock milliseconds) is moved into the past.
    """
    claims = kith.dynamodb.query(
        TableName=kith.stack.table_name,
        KeyConditionExpression="pk = :claims",
        ExpressionAttributeValues={":claims": {"S": "IDEMPOTENCY#mail"}},
    )["Items"]
    for claim in claims:
        if claim.get("status") == {"S": "INPROGRESS"}:
            claim["in_progress_expiration"] = {"N": "0"}
            kith.dynamodb.put_item(TableName=kith.stack.table_name, Item=claim)


def until_ticked(world: World) -> None:
    """A tick that fails is followed by the next one, five minutes later."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            world.kith.tick(FIRST_TICK + attempt * TICK_EVERY)
            return
        except Exception:  # a failed tick is over; the schedule fires again
            continue
    raise Lost(f"the tick still failing after {MAX_ATTEMPTS} runs")


# -- the flows ------------------------------------------------------------------------------------------


def _intake(world: World) -> None:
    for body in world.inputs["bookings"]:
        until_accepted("webhook", partial(world.kith.webhook, world.inputs["connection"], body))


def _consume(queue: str) -> Callable[[World], None]:
    """What the queue's event source mapping does with the messages waiting on it."""

    def consume(world: World) -> None:
        if messages := world.kith.take(queue):
            until_consumed(world.kith, queue, messages)

    return consume


def _clicks(world: World) -> None:
    for url in world.inputs["clicks"]:
        until_accepted("one-click link", partial(world.kith.open_link, "POST", url))


def _tick_retries() -> dict[str, str]:
    first = keys.instant(FIRST_TICK)
    return {keys.instant(FIRST_TICK + n * TICK_EVERY): first for n in range(1, MAX_ATTEMPTS)}


FLOWS = (
    # Two Cal.com bookings; then the meetings function reads what was queued.
    Flow("webhook intake", "calendar", MONDAY_0800_UTC, _intake, settle=_consume("MeetingQueue")),
    # The two queued meetings, in one batch.
    Flow("processing", "meetings queued", MONDAY_0800_UTC, _consume("MeetingQueue")),
    # The tick that finds the Monday digest and the coffee's follow-up due; then the mailer sends what was queued.
    Flow("scheduler tick", "meetings recorded", FIRST_TICK, until_ticked, _consume("MailQueue"), _tick_retries),
    # The digest and the follow-up jobs, in one batch.
    Flow("mailer", "mail queued", FIRST_TICK, _consume("MailQueue")),
    # A hard bounce of the owner's address and a complaint, in one batch.
    Flow("SES events", "bounced", CLICK_AT, _consume("SesEventsQueue")),
    # Snooze from the digest, done from the follow-up.
    Flow("email actions", "mail sent", CLICK_AT, _clicks),
)


# -- the world --------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    calls: list[Call]
    outcome: Outcome


def run(
    world: World, flow: Flow, fail_at: int | None = None, fault: Fault = Fault.THROTTLE, *, settle: bool = True
) -> Scenario:
    """Restore the flow's start, cold-start the functions, run it (failing call `fail_at`), settle, observe."""
    world.restore(flow.starts_from)
    world.cold_start()
    world.kith.clock.set(flow.clock)
    world.injector.start(nth_call(fail_at) if fail_at else None, fault)
    try:
        flow.run(world)
    finally:
        calls = world.injector.stop()
    if settle:
        flow.settle(world)
    return Scenario(calls, outcome(world.kith, flow.retry_instants()))


def build_world() -> Iterator[World]:
    """The stack and the owner's morning, walked once fault-free, with a snapshot before each flow."""
    with mock_aws():
        kith = Kith(create_stack(), SimulatedClock(SUNDAY))
        world = World(kith, Injector())
        world.cold_start()
        kith.create_owner(digest_weekdays=[0], digest_hour=8)
        kith.create_contact(
            "Ann Overdue", "ann@example.com", circle="inner", last_interaction_at="2026-09-01T12:00:00Z"
        )
        kith.create_contact(
            "Ben Due", "ben@example.com", circle="inner", last_interaction_at="2026-11-05T12:00:00Z", goal="mentorship"
        )
        kith.create_contact("Cy Core", "cy@example.com", circle="core", last_interaction_at="2026-11-20T12:00:00Z")
        world.inputs["connection"] = kith.connect()
        world.inputs["bookings"] = [
            # A coffee that ended this morning, with a guest who is not a contact yet: clocks move, a follow-up is due.
            calcom_body(
                "BOOKING_CREATED",
                "bk-coffee",
                datetime(2026, 11, 30, 6, 0, tzinfo=UTC),
                [("Ben Due", "ben@example.com"), ("Nia New", "nia@example.com")],
                title="Coffee",
            ),
            # A lunch on Wednesday: Cy's nudges wait for it.
            calcom_body(
                "BOOKING_CREATED", "bk-lunch", datetime(2026, 12, 2, 11, 0, tzinfo=UTC), [("Cy", "cy@example.com")]
            ),
        ]
        intake, processing, tick, mailer, ses_events, actions = FLOWS
        world.snapshot(intake.starts_from)
        run(world, intake, settle=False)
        world.snapshot(processing.starts_from)
        run(world, processing)
        world.snapshot(tick.starts_from)
        run(world, tick, settle=False)
        world.snapshot(mailer.starts_from)
        run(world, mailer)
        world.snapshot(actions.starts_from)
        world.inputs["clicks"] = _clicks_to_make(kith)
        _ses_publishes_events(kith)
        world.snapshot(ses_events.starts_from)
        yield world


def _ses_publishes_events(kith: Kith) -> None:
    """SES reports a hard bounce of the owner's address and a complaint, through SNS onto the events queue."""
    sns = boto3.client("sns")
    for event in (
        {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": "owner@example.com", "status": "5.1.1"}],
                "timestamp": "2026-11-30T08:30:00.000Z",
            },
            "mail": {"messageId": "ses-1", "destination": ["owner@example.com"]},
        },
        {
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": "Other@Example.com"}],
                "timestamp": "2026-11-30T08:40:00Z",
            },
            "mail": {"messageId": "ses-2", "destination": ["other@example.com"]},
        },
    ):
        sns.publish(TopicArn=kith.stack.references["SesEventsTopic"], Message=json.dumps(event))


def _clicks_to_make(kith: Kith) -> list[str]:
    """Snooze for Ann from the digest, done for Ben from the follow-up."""
    links: dict[tuple[str, str], str] = {}
    for sent in kith.sent():
        message = email.message_from_string(sent.raw_data, policy=email.policy.default)
        plain = message.get_body(preferencelist=("plain",))
        assert plain is not None
        text = plain.get_content()
        for match in LINK.finditer(text):
            links.setdefault((_subject(sent), match["label"].strip()), match["url"])
    return [
        links[("Time to reconnect with Ann Overdue", "Snooze 14 days")],
        links[("Follow up with Ben Due after “Coffee”", "Done")],
    ]


# -- what is compared ------------------------------------------------------------------------------------------

Key = tuple[str, str]  # an item's (pk, sk)


@dataclass
class Outcome:
    """Where a flow left the platform, as values: the table's items, the mail SES accepted, what waits on each queue."""

    items: dict[Key, dict[str, Any]]
    emails: Counter[tuple[tuple[str, ...], str]]  # (recipients, subject) -> copies sent
    queued: dict[str, int]


def outcome(kith: Kith, retry_instants: dict[str, str]) -> Outcome:
    """The end state, with what legitimately differs set aside (instants a retry stamps, SES's message ids)."""
    ses_ids = {sent.id: f"<SES message: {_subject(sent)}>" for sent in kith.sent()}
    replacements = {**retry_instants, **ses_ids}
    items = {}
    for raw in kith.items():
        item = {name: _replaced(_deserialize(value), replacements) for name, value in raw.items()}
        if item["pk"].startswith("IDEMPOTENCY#"):
            # Wall-clock expiries of the once-per-email records, not the simulated time.
            item.pop("expires_at", None)
            item.pop("in_progress_expiration", None)
            # A sent-history line written after the claim was kept (the run that sent could not) rides in the result.
            if "data" in item:
                stored = json.loads(item["data"])
                stored.pop("unrecorded", None)
                item["data"] = stored
        items[(item["pk"], item["sk"])] = item
    return Outcome(
        items=items,
        emails=Counter((tuple(sent.destinations), _subject(sent)) for sent in kith.sent()),
        queued={queue: len(kith.receive(queue)) for queue in kith.stack.queue_urls},
    )


def _subject(sent: Any) -> str:
    return str(email.message_from_string(sent.raw_data, policy=email.policy.default)["Subject"])


def _replaced(value: Any, replacements: dict[str, str]) -> Any:
    """A stored value with the replacements made in every text it holds (map keys, lists and sets included)."""
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {_replaced(key, replacements): _replaced(inner, replacements) for key, inner in value.items()}
    if isinstance(value, list):
        return [_replaced(inner, replacements) for inner in value]
    if isinstance(value, set):
        return {_replaced(inner, replacements) for inner in value}
    return value
