"""What one run of part 8 sent and found: the webhooks, their deliveries, and the figures of the run."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Webhook:
    owner: int
    path: str
    body: bytes
    signature: str
    interaction: tuple[str, str]  # (owner id, interaction id) the booking must become
    attendees: int


@dataclass
class Delivery:
    index: int  # in the planned list
    status: int  # 0: no answer, after five tries
    seconds: float  # from the first try to the answer
    dropped: tuple[str, ...] = ()  # the errors of the tries that got no answer


@dataclass
class LoadRun:
    webhooks_planned: int
    clients: int
    owners: int
    cap_seconds: float
    one_at_a_time: bool = True
    # One client alone first (the time a webhook takes with nothing else running), then `clients` at once.
    alone: list[Delivery] = field(default_factory=list)
    alone_seconds: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    send_seconds: float = 0.0
    capped: bool = False
    handler_seconds: list[float] = field(default_factory=list)  # webhook handler invocations, concurrent phase
    lock_wait_seconds: list[float] = field(default_factory=list)
    drain_seconds: float = 0.0
    drained: int = 0
    drain_failures: int = 0
    queue_left: int = 0
    dead_letters: int = 0
    distinct_bookings: int = 0
    resends: int = 0
    misrouted: int = 0  # accepted webhooks whose own booking is not what got queued
    interactions_expected: int = 0
    interactions_stored: int = 0
    lost: int = 0
    unexpected: int = 0
    links_expected: int = 0
    links_stored: int = 0
    follow_ups_expected: int = 0
    follow_ups_stored: int = 0

    @property
    def answered(self) -> list[Delivery]:
        return self.alone + self.deliveries

    @property
    def sent(self) -> int:
        return len(self.answered)

    @property
    def statuses(self) -> Counter[int]:
        return Counter(delivery.status for delivery in self.answered)

    @property
    def dropped(self) -> Counter[str]:
        """Tries that got no answer, by error, and were sent again."""
        return Counter(error for delivery in self.answered for error in delivery.dropped)

    @property
    def all_accepted(self) -> bool:
        return all(200 <= delivery.status < 300 for delivery in self.answered)

    @property
    def doubled(self) -> int:
        """Stored beyond what the bookings call for: extra interactions, links or follow-ups."""
        return (
            self.unexpected
            + max(0, self.links_stored - self.links_expected)
            + max(0, self.follow_ups_stored - self.follow_ups_expected)
        )

    def latency_ms(self, quantile: float, alone: bool = False) -> float:
        """Nearest rank, over the webhooks sent by the concurrent clients (or by the one client alone)."""
        return nearest_rank_ms([delivery.seconds for delivery in (self.alone if alone else self.deliveries)], quantile)

    def handler_ms(self, part: slice = slice(None)) -> float:
        """p50 of the webhook handler's invocations in the concurrent phase (a slice of them, in time order)."""
        return nearest_rank_ms(self.handler_seconds[part], 0.5)

    @property
    def per_second(self) -> float:
        """Webhooks answered per second while the concurrent clients were sending."""
        return len(self.deliveries) / self.send_seconds if self.send_seconds else 0.0

    @property
    def per_second_alone(self) -> float:
        return len(self.alone) / self.alone_seconds if self.alone_seconds else 0.0

    def figures(self) -> dict[str, Any]:
        return {
            "webhooks_planned": self.webhooks_planned,
            "sent": self.sent,
            "clients": self.clients,
            "one_invocation_at_a_time": self.one_at_a_time,
            "owners": self.owners,
            "distinct_bookings": self.distinct_bookings,
            "resends": self.resends,
            "statuses": {str(status): count for status, count in sorted(self.statuses.items())},
            "tries_without_answer": dict(self.dropped),
            "alone": {
                "sent": len(self.alone),
                "seconds": self.alone_seconds,
                "per_second": self.per_second_alone,
                "latency_ms": {"p50": self.latency_ms(0.5, alone=True), "p99": self.latency_ms(0.99, alone=True)},
            },
            "concurrent": {
                "sent": len(self.deliveries),
                "seconds": self.send_seconds,
                "capped": self.capped,
                "per_second": self.per_second,
                "latency_ms": {"p50": self.latency_ms(0.5), "p99": self.latency_ms(0.99), "max": self.latency_ms(1)},
                "webhook_handler_ms_p50": self.handler_ms(),
                "webhook_handler_ms_p50_first_500": self.handler_ms(slice(None, 500)),
                "webhook_handler_ms_p50_last_500": self.handler_ms(slice(-500, None)),
                "waiting_for_the_handler_ms_p50": nearest_rank_ms(self.lock_wait_seconds, 0.5),
            },
            "drain": {
                "seconds": self.drain_seconds,
                "messages": self.drained,
                "failures": self.drain_failures,
                "queue_left": self.queue_left,
                "dead_letters": self.dead_letters,
            },
            "interactions": {"expected": self.interactions_expected, "stored": self.interactions_stored},
            "links": {"expected": self.links_expected, "stored": self.links_stored},
            "follow_ups": {"expected": self.follow_ups_expected, "stored": self.follow_ups_stored},
            "misrouted": self.misrouted,
            "lost": self.lost,
            "doubled": self.doubled,
        }


def nearest_rank_ms(seconds: Sequence[float], quantile: float) -> float:
    ordered = sorted(seconds)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(quantile * len(ordered)) - 1)] * 1000
