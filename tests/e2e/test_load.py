"""Webhooks from many clients at once into the local HTTP API, then the meetings queue drained.

Prints what it measured; the only assertions are about what Kith did, never how fast.
"""

from __future__ import annotations

from kith_local.clock import SimulatedClock
from kith_local.harness import LocalKith

from bench.load import NOW, load


def test_300_webhooks_from_20_clients_each_become_one_interaction(endpoint: str) -> None:
    with LocalKith(SimulatedClock(NOW), stage="e2eload") as kith:
        # Given five owners with a Cal.com connection each, and 300 signed webhooks, 30 of them resends
        # When 20 clients send them at once over HTTP, and the meetings queue is drained
        run = load(kith, webhooks=300, clients=20, owners=5, alone=0, cap_seconds=120, drain_cap_seconds=300)
        print(
            f"\n300 webhooks, 20 clients: p50 {run.latency_ms(0.5):.0f} ms, p99 {run.latency_ms(0.99):.0f} ms, "
            f"{run.per_second:.0f}/s; drained {run.drained} messages in {run.drain_seconds:.1f} s"
        )
        # Then every webhook was answered 2xx and queued as itself
        assert run.sent == 300
        assert run.all_accepted, run.statuses
        assert run.misrouted == 0
        # And the queue is empty, nothing in the dead-letter queue
        assert (run.drained, run.drain_failures, run.queue_left, run.dead_letters) == (300, 0, 0, 0)
        # And each distinct booking is exactly one interaction, with its links and its follow-up
        assert run.resends == 30
        assert run.distinct_bookings == 270
        assert (run.lost, run.doubled) == (0, 0)
        assert run.interactions_stored == run.interactions_expected == 270
        assert run.links_stored == run.links_expected
        assert run.follow_ups_stored == run.follow_ups_expected == 270
