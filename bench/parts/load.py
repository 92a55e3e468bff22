"""Part 8: signed webhooks into the local HTTP API from many clients at once, then the queue drained."""

from __future__ import annotations

from typing import Any

from bench.load import load_bench
from bench.load_run import LoadRun, nearest_rank_ms
from bench.registry import Bench
from bench.report import cell, table


def run(bench: Bench) -> dict[str, Any]:
    options = bench.options
    loaded = load_bench(options.webhooks, options.clients, options.load_seconds)
    print_load(loaded)
    figures: dict[str, Any] = loaded.figures()
    return figures


def print_load(run: LoadRun) -> None:
    print(
        f"8. Load: {run.webhooks_planned:,} signed Cal.com webhooks into the local HTTP API from {run.clients} "
        "clients at once, then the meetings queue drained"
    )
    print(
        f"   ({run.owners} owners with 12 contacts each; {run.distinct_bookings:,} distinct bookings and "
        f"{run.resends:,} exact resends, shuffled; 70% of the"
    )
    print("   meetings over, 30% ahead. Clients, kith_local's ThreadingHTTPServer, the functions and moto's server")
    mode = "one invocation at a time, as in a Lambda environment" if run.one_at_a_time else "as served, several at once"
    print(f"   are threads of this one process, on one GIL; handlers run {mode}.")
    print(f"   The {run.clients}-client phase is capped at {run.cap_seconds:.0f} s)")
    print()
    rows = [
        [
            "one client alone",
            len(run.alone),
            run.alone_seconds,
            run.per_second_alone,
            f"{run.latency_ms(0.5, alone=True):.0f}",
            f"{run.latency_ms(0.99, alone=True):.0f}",
            f"{run.latency_ms(1.0, alone=True):.0f}",
        ],
        [
            f"{run.clients} clients" + (" (capped)" if run.capped else ""),
            len(run.deliveries),
            run.send_seconds,
            run.per_second,
            f"{run.latency_ms(0.5):.0f}",
            f"{run.latency_ms(0.99):.0f}",
            f"{run.latency_ms(1.0):.0f}",
        ],
    ]
    print(table(["phase", "webhooks", "seconds", "per second", "p50 ms", "p99 ms", "max ms"], rows))
    print()
    statuses = ", ".join(f"{status}: {count:,}" for status, count in sorted(run.statuses.items()))
    handler_ms = nearest_rank_ms(run.handler_seconds, 0.5)
    waiting_ms = nearest_rank_ms(run.lock_wait_seconds, 0.5)
    drain_rate = run.drained / run.drain_seconds if run.drain_seconds else 0
    figures = [
        ["answers", statuses],
        [
            "tries without an answer, sent again",
            ", ".join(f"{error} {n}" for error, n in sorted(run.dropped.items())) or "none",
        ],
        [
            f"webhook handler, p50 ({run.clients} clients)",
            f"{handler_ms:.1f} ms (first 500 {run.handler_ms(slice(None, 500)):.1f}, last 500 "
            f"{run.handler_ms(slice(-500, None)):.1f}); waiting for it, p50 {waiting_ms:.0f} ms",
        ],
        [
            "meetings queue drained (batches of 10, one consumer)",
            f"{run.drained:,} messages in {run.drain_seconds:.1f} s ({drain_rate:.0f}/s), {run.drain_failures} failed, "
            f"{run.queue_left} left, {run.dead_letters} dead letters",
        ],
        ["each accepted webhook queued as itself", f"{cell(run.misrouted == 0)} ({run.misrouted} misrouted)"],
        [
            "distinct bookings recorded once",
            f"{run.interactions_stored:,} interactions of {run.interactions_expected:,}; lost {run.lost}",
        ],
        [
            "nothing doubled",
            f"{cell(run.doubled == 0)}: contact links {run.links_stored:,} of {run.links_expected:,}, "
            f"follow-ups {run.follow_ups_stored:,} of {run.follow_ups_expected:,}",
        ],
    ]
    print(table(["figure", "value"], figures, "ll"))
    print()
    alone_ms = run.latency_ms(0.5, alone=True)
    print("   What limits it: one interpreter. The handler (its GetItem and SendMessage to moto over HTTP and moto's")
    print(f"     work included) holds it ~{handler_ms:.0f} ms a webhook, so {run.clients} clients add queueing (p50 ~")
    print("     clients x that), not throughput; API Gateway and Lambda would run webhooks in parallel environments.")
    print("     The handler slows as the queue fills: moto's SQS recounts every message it holds on each SendMessage")
    print("     (and each receive and delete of the drain), which SQS does not.")
    print(f"     With one client a webhook takes ~{alone_ms:.0f} ms end to end (the server answers with TCP_NODELAY).")
    print("   Tries without an answer: a client that gets no answer sends the same webhook again on a new")
    print("     connection, up to five tries (the server's listen backlog is 128).")
    print("   One invocation at a time per function, as in a Lambda execution environment: Powertools keeps an")
    print("     invocation's event in process-wide state, so kith_local runs a function's invocations one by one.")
