"""The due-index sweep: find what is due now and fan it out to the mail queue (PRODUCT.md §5).

Because the sweep asks "due <= now", a tick that never ran is caught up by the
next one. A digest slot is moved on only after its job is queued, and a queued
follow-up is leased rather than removed, so a crash at any point re-queues the
work instead of losing it; the mailer makes the re-queued job a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kith.domain.schedule import next_digest_slot
from kith.ports import ConnectionStore, MailStore, MessageQueue
from kith.usecases.intake import ConnectionRenewal
from kith.usecases.jobs import DigestJob, FollowUpJob

FOLLOW_UP_LEASE = timedelta(minutes=30)
RENEWAL_LEASE = timedelta(hours=1)


@dataclass
class SweepResult:
    digests_queued: int = 0
    follow_ups_queued: int = 0
    renewals_queued: int = 0
    queue_requests: int = 0


def sweep(
    store: MailStore,
    connections: ConnectionStore,
    mail: MessageQueue,
    meetings: MessageQueue,
    shards: int,
    now: datetime,
) -> SweepResult:
    """Every shard of the due index: `shards` is the count storage spreads due items over."""
    result = SweepResult()
    for shard in range(shards):
        _sweep_digests(store, mail, shard, now, result)
        _sweep_follow_ups(store, mail, shard, now, result)
        _sweep_renewals(connections, meetings, shard, now, result)
    return result


def _sweep_digests(store: MailStore, queue: MessageQueue, shard: int, now: datetime, result: SweepResult) -> None:
    owners = [owner for owner in store.due_digest_owners(shard, now) if owner.next_digest_at is not None]
    if not owners:
        return
    jobs = [DigestJob(owner_id=owner.owner_id, slot=owner.next_digest_at, as_of=now) for owner in owners]
    result.queue_requests += queue.send_all([job.to_message() for job in jobs])
    result.digests_queued += len(jobs)
    for owner, job in zip(owners, jobs, strict=True):
        store.advance_digest(owner.owner_id, job.slot, next_digest_slot(owner.settings, now))


def _sweep_follow_ups(store: MailStore, queue: MessageQueue, shard: int, now: datetime, result: SweepResult) -> None:
    due = store.due_follow_ups(shard, now)
    if not due:
        return
    jobs = [
        FollowUpJob(owner_id=owner_id, interaction_id=interaction_id, as_of=now) for owner_id, interaction_id, _ in due
    ]
    result.queue_requests += queue.send_all([job.to_message() for job in jobs])
    result.follow_ups_queued += len(jobs)
    for owner_id, interaction_id, due_key in due:
        store.lease_follow_up(owner_id, interaction_id, due_key, now + FOLLOW_UP_LEASE)


def _sweep_renewals(
    store: ConnectionStore, queue: MessageQueue, shard: int, now: datetime, result: SweepResult
) -> None:
    """Channels and subscriptions close to lapsing: renewed by the meetings function, which holds the tokens."""
    due = store.due_renewals(shard, now)
    if not due:
        return
    renewals = [ConnectionRenewal(connection_id=connection_id, as_of=now) for connection_id, _ in due]
    result.queue_requests += queue.send_all([renewal.model_dump(mode="json") for renewal in renewals])
    result.renewals_queued += len(renewals)
    for connection_id, due_key in due:
        store.lease_renewal(connection_id, due_key, now + RENEWAL_LEASE)
