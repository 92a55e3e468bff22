"""The bench's parts and what they share: the options they were run with, and what each measured.

A part is one module under bench/parts with one function, `run(bench) -> figures`: it measures, prints
its figures once and returns them as JSON values. A part that reports another's measurement (part 9
beside parts 1, 2, 7 and 10; part 11 from part 9) asks `bench.measured` for what already ran, or
`bench.measure` for what it cannot do without, which the other part then reuses instead of measuring again.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    repetitions: int = 7  # import-time runs per module
    notifications: int = 20  # measured notifications per calendar provider
    renders: int = 2000  # emails composed per timed round
    import_rows: int = 5000
    webhooks: int = 5000  # the load's webhooks
    clients: int = 50  # the load's concurrent clients
    load_seconds: float = 120.0  # cap on the load's concurrent phase
    fanout_owners: tuple[int, ...] = (10_000,)
    console_contacts: int = 10_000

    @classmethod
    def from_arguments(cls, arguments: argparse.Namespace) -> Options:
        quick = arguments.quick
        return cls(
            repetitions=arguments.repetitions or (3 if quick else 7),
            notifications=arguments.notifications or (5 if quick else 20),
            renders=arguments.renders or (500 if quick else 2000),
            import_rows=1000 if quick else 5000,
            webhooks=arguments.webhooks or (1000 if quick else 5000),
            clients=arguments.clients,
            load_seconds=arguments.load_seconds or (60.0 if quick else 120.0),
            fanout_owners=tuple(int(size) for size in str(arguments.fanout_owners).split(",") if size),
            console_contacts=arguments.console_contacts or (2000 if quick else 10_000),
        )


@dataclass
class Bench:
    options: Options
    measured: dict[str, Any] = field(default_factory=dict)

    def measure(self, name: str, work: Callable[[], T]) -> T:
        """What part `name` measures: measured now, the first time any part asks."""
        if name not in self.measured:
            self.measured[name] = work()
        result: T = self.measured[name]
        return result


@dataclass(frozen=True)
class Part:
    name: str  # for --part
    label: str  # in the table of seconds
    key: str  # in the JSON figures
    run: Callable[[Bench], Any]
