"""Part 10: one scheduler tick when many owners' digests fall due in the same slot.

Owners are written straight into moto (BatchWriteItem of the items owner_to_item makes, so each lands
in DueIndex under DIGEST#<shard> for the stack's DueShards), all due at the same Monday 08:00 UTC;
then the SchedulerFunction's handler runs once, in process, with every request its clients make
counted. What moto cannot do at this size is stood in for, and said so in the figures:

- SQS: moto recomputes a queue's attributes over all its messages on every send (quadratic: 2,000
  messages took ~10 s), so SendMessageBatch is answered by a stand-in that records each entry and
  reports it sent. The count of requests and the jobs they carry are exact.
- DynamoDB UpdateItem (moving each owner's slot on): applied by moto up to `apply_up_to` owners
  (~4 ms each in moto); above that, answered by a stand-in as a success, so the request count is exact
  but the items are not moved (the check that nothing is due afterwards is then skipped).

The DueIndex queries always run on moto, with its 1 MB page limit, so the pages are real.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import boto3
from kith.domain.models import Owner, OwnerSettings
from kith.storage.items import owner_to_item
from kith.storage.table import to_wire
from kith_local.lambdas import LocalLambdas
from kith_local.stack import create_stack
from moto import mock_aws

from bench.capacity import item_size
from bench.counting import RequestLog
from bench.in_process import quiet_logs

SLOT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # a Monday, 08:00 UTC: every owner's digest slot
TICK = SLOT + timedelta(minutes=3)
SEND_BATCH = 10  # SendMessageBatch takes at most ten entries
SCHEDULER_TIMEOUT_SECONDS = 120  # template.yaml, SchedulerFunction Timeout
TICK_EVERY_SECONDS = 300  # rate(5 minutes)
# Assumed, not measured here: round trips from a Lambda function to DynamoDB and SQS in the same region.
DYNAMODB_MS = 5.0
SQS_BATCH_MS = 15.0
# Lambda gives a 512 MB function about 512/1769 of a vCPU; this machine's core is taken as one vCPU.
LAMBDA_CPU_SHARE = 512 / 1769


@dataclass
class FanOut:
    owners: int
    shards: int
    applied: bool  # slot moves written to moto (else counted only)
    seed_seconds: float
    tick_seconds: float
    in_requests_seconds: float  # of tick_seconds, between before-call and after-call of AWS requests
    result: dict[str, Any]
    dynamodb: dict[str, Any]
    sqs_batches: int
    sqs_entries: int
    jobs_per_owner: Counter[int]  # how many jobs each owner got -> how many owners
    query_pages_by_shard: dict[str, int]
    owners_by_shard: dict[str, int]
    due_after: int | None  # owners still due after the tick (None when not applied)
    item_bytes: int  # one owner item, as DynamoDB sizes it (approximately)
    notes: list[str] = field(default_factory=list)

    @property
    def minimum_batches(self) -> int:
        return math.ceil(self.owners / SEND_BATCH)

    @property
    def compute_seconds(self) -> float:
        return self.tick_seconds - self.in_requests_seconds

    def estimated_aws_seconds(self) -> float:
        """Sequential, as the tick runs: its own compute on a 512 MB Lambda, plus each round trip."""
        return (
            self.compute_seconds / LAMBDA_CPU_SHARE
            + self.dynamodb["requests"] * DYNAMODB_MS / 1000
            + self.sqs_batches * SQS_BATCH_MS / 1000
        )

    def figures(self) -> dict[str, Any]:
        return {
            "owners": self.owners,
            "shards": self.shards,
            "slot_moves_applied": self.applied,
            "seed_seconds": self.seed_seconds,
            "tick_seconds": self.tick_seconds,
            "in_requests_seconds": self.in_requests_seconds,
            "result": self.result,
            "dynamodb": {key: value for key, value in self.dynamodb.items() if key != "by_repository_method"},
            "sqs_send_message_batch": self.sqs_batches,
            "sqs_entries": self.sqs_entries,
            "minimum_batches": self.minimum_batches,
            "jobs_per_owner": dict(self.jobs_per_owner),
            "query_pages_by_shard": self.query_pages_by_shard,
            "owners_by_shard": self.owners_by_shard,
            "due_after": self.due_after,
            "owner_item_bytes": self.item_bytes,
            "estimated_aws_seconds": self.estimated_aws_seconds(),
            "assumed": {"dynamodb_ms": DYNAMODB_MS, "sqs_batch_ms": SQS_BATCH_MS, "lambda_cpu_share": LAMBDA_CPU_SHARE},
        }


def owner_item(index: int, shards: int) -> dict[str, Any]:
    owner = Owner(
        owner_id=f"owner-{index:07d}",
        email=f"owner{index}@fanout.example.com",
        name=f"Owner {index}",
        settings=OwnerSettings(time_zone="UTC"),
        created_at=SLOT - timedelta(days=90),
        next_digest_at=SLOT,
    )
    return to_wire(owner_to_item(owner, shards))


def seed_owners(table: str, owners: int, shards: int) -> float:
    """`owners` owner items due at SLOT, written straight into the table; the seconds it took."""
    client = boto3.client("dynamodb")
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for index in range(owners):
        batch.append({"PutRequest": {"Item": owner_item(index, shards)}})
        if len(batch) == 25 or index == owners - 1:
            pending: Any = {table: batch}
            while pending:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems")
            batch = []
    return time.perf_counter() - started


class _Stopwatch:
    """Time spent between before-call and after-call of every request on the clients it is attached to."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def attach(self, client: Any, service: str) -> None:
        client.meta.events.register(f"before-call.{service}.*", self._before)
        client.meta.events.register(f"after-call.{service}.*", self._after)

    def _before(self, context: dict[str, Any], **_: Any) -> None:
        context["bench_started"] = time.perf_counter()

    def _after(self, context: dict[str, Any], **_: Any) -> None:
        started = context.get("bench_started")
        if started is not None:
            self.seconds += time.perf_counter() - started


def fan_out(owners: int, apply_up_to: int = 20_000) -> FanOut:
    """Seed `owners` due at SLOT, run one tick at TICK, count what it sent."""
    with mock_aws(), quiet_logs():
        stack = create_stack()
        shards = int(stack.environment("SchedulerFunction")["KITH_DUE_SHARDS"])
        seed_seconds = seed_owners(stack.table_name, owners, shards)
        lambdas = LocalLambdas(stack)
        runtime = lambdas.modules["SchedulerFunction"].runtime
        dynamodb, sqs = runtime.dynamodb, runtime.sqs
        log = RequestLog().attach(dynamodb)
        pages: Counter[str] = Counter()

        def count_page(params: dict[str, Any], **_: Any) -> None:
            pages[json.loads(params["body"])["ExpressionAttributeValues"][":due"]["S"]] += 1

        dynamodb.meta.events.register("before-call.dynamodb.Query", count_page)
        stopwatch = _Stopwatch()
        stopwatch.attach(dynamodb, "dynamodb")
        stopwatch.attach(sqs, "sqs")
        jobs: Counter[str] = Counter()
        batches = 0

        def send_batch(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
            nonlocal batches
            batches += 1
            entries = json.loads(params["body"])["Entries"]
            for entry in entries:
                jobs[json.loads(entry["MessageBody"])["owner_id"]] += 1
            successful = [{"Id": e["Id"], "MessageId": e["Id"], "MD5OfMessageBody": ""} for e in entries]
            return SimpleNamespace(status_code=200, headers={}), {"Successful": successful, "Failed": []}

        sqs.meta.events.register("before-call.sqs.SendMessageBatch", send_batch)
        applied = owners <= apply_up_to
        if not applied:
            dynamodb.meta.events.register(
                "before-call.dynamodb.UpdateItem",
                lambda **_: (SimpleNamespace(status_code=200, headers={}), {}),
            )

        started = time.perf_counter()
        result = lambdas.tick(TICK)
        tick_seconds = time.perf_counter() - started

        dynamodb_summary = log.summary()
        pages_in_tick = dict(pages)
        due_after = None
        if applied:
            log.clear()
            due_after = sum(len(runtime.mail_store.due_digest_owners(shard, TICK)) for shard in range(shards))
        by_shard = Counter(owner_item(index, shards)["due_pk"]["S"] for index in range(owners))
        return FanOut(
            owners=owners,
            shards=shards,
            applied=applied,
            seed_seconds=seed_seconds,
            tick_seconds=tick_seconds,
            in_requests_seconds=stopwatch.seconds,
            result=result,
            dynamodb=dynamodb_summary,
            sqs_batches=batches,
            sqs_entries=sum(jobs.values()),
            jobs_per_owner=Counter(jobs.values()) + Counter({0: owners - len(jobs)}),
            query_pages_by_shard={
                key: pages_in_tick[key] for key in sorted(pages_in_tick) if key.startswith("DIGEST#")
            },
            owners_by_shard=dict(sorted(by_shard.items())),
            due_after=due_after,
            item_bytes=item_size(owner_item(0, shards)),
        )
