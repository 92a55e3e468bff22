"""Part 5: digests and follow-ups composed per second in one process."""

from __future__ import annotations

from typing import Any

from bench.registry import Bench
from bench.rendering import ROUNDS, RenderRate, render_rates
from bench.report import table


def run(bench: Bench) -> dict[str, Any]:
    rates = render_rates(bench.options.renders)
    print_rendering(rates, bench.options.renders)
    return {rate.label: rate.figures() for rate in rates}


def print_rendering(rates: list[RenderRate], iterations: int) -> None:
    print("5. Digests rendered per second in one process")
    print(f"   (kith.mail.compose, warm: {ROUNDS} rounds of {iterations:,} emails each after a warm-up; Berlin owner;")
    print("   the digest names 5 contacts with companies, goals and last meeting titles; the follow-up 2 contacts")
    print("   and one new attendee; each email signs its own one-click links, HMAC-SHA256, a fixed key ring;")
    print("   + as_bytes(): the composed message serialised too, as sending does; bytes: the serialised size)")
    print()
    rows = [[rate.label, rate.best, rate.median, rate.message_bytes, rate.links_signed] for rate in rates]
    print(table(["email", "per second, best", "median", "bytes", "links signed"], rows))
