"""Kith's benchmark: DynamoDB requests per webhook and per digest, cold-start import times, what
one calendar notification costs per provider, emails composed per second, how often the digest
ranking agrees with the hand-made table of expectations, a contact import, the local API under
concurrent webhooks, requests per operation beside the fewest needed, the scheduler's fan-out and
the cost per active owner-month, and the web console in a browser (its first load, requests per page view, a search
in a large network).

    .venv/bin/python bench/run.py [--quick] [--repetitions N] [--notifications N] [--renders N]
                                  [--webhooks N] [--clients N] [--fanout-owners N,M] [--console-contacts N]
                                  [--json PATH]

Prints figures for a person to read; it asserts nothing. Parts 1 and 2 run on moto in process
(request counts are exact, timings there would mean nothing); part 3 spawns fresh interpreters;
part 4 runs the functions' handlers in process, on moto and a fake provider server on 127.0.0.1;
parts 5 and 6 are pure Python in this process; part 8 runs moto's server and the local API server
on 127.0.0.1 in this process; parts 9 and 10 run handlers on moto in process; part 11 computes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

# `python bench/run.py` puts bench/ on the path, not the repository that holds the bench package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import cost as costs_per_owner
from bench import fanout
from bench.calendars import CalendarCost, calendar_costs
from bench.console import ConsoleBench, console_bench
from bench.counting import OPERATIONS
from bench.fanout import FanOut, fan_out
from bench.import_times import BASELINE, ImportTiming, import_times
from bench.imports import ImportBench, import_costs
from bench.load import LoadRun, load_bench, nearest_rank_ms
from bench.operations import Measured, measure_operations, minimum
from bench.rendering import ROUNDS, RenderRate, render_rates
from bench.scenarios import DigestRun, WebhookCase, digest_requests, use_fake_aws, webhook_requests
from tests.unit.ranking_cases import disagreeing_cases, ranking_agreement

T = TypeVar("T")
ATTENDEE_COUNTS = (1, 5, 20)
ROOMY_SIZE_LIMIT = 25  # above every attendee count, so each meeting moves its contacts' clocks
DEFAULT_SIZE_LIMIT = 8
STEPS = ("webhook", "processing")
_SHORT = {
    "GetItem": "Get",
    "BatchGetItem": "BatchGet",
    "Query": "Query",
    "PutItem": "Put",
    "UpdateItem": "Update",
    "BatchWriteItem": "BatchWrite",
    "TransactWriteItems": "TransactWrite",
}


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    """A plain text table; `align` has one letter per column, l or r (numbers right by default)."""
    cells = [[str(header) for header in headers], *[[_cell(value) for value in row] for row in rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    align = align or "l" + "r" * (len(headers) - 1)
    lines = []
    for index, row in enumerate(cells):
        parts = [
            cell.ljust(width) if side == "l" else cell.rjust(width)
            for cell, width, side in zip(row, widths, align, strict=True)
        ]
        lines.append("  " + "  ".join(parts).rstrip())
        if index == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def timed(label: str, durations: dict[str, float], work: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = work()
    durations[label] = time.perf_counter() - started
    return result


# -- part 1 ----------------------------------------------------------------------------------------


def print_webhook(cases: list[WebhookCase]) -> None:
    print("1. DynamoDB requests for one Cal.com BOOKING_CREATED webhook")
    print("   (meeting ended 1 h before the webhook; every attendee is a known contact; counted per API call")
    print("   with a before-call hook on the DynamoDB client of each function's Runtime)")
    print()
    headers = [
        "step",
        "attendees",
        "size limit",
        "requests",
        *(_SHORT[op] + ("*" if op == "UpdateItem" else "") for op in OPERATIONS),
        "items read",
        "cond. failed",
    ]
    rows = []
    for case in cases:
        for step, summary in (("intake", case.intake), ("processing", case.processing)):
            rows.append(
                [
                    step,
                    case.attendees,
                    case.size_limit,
                    summary["requests"],
                    *(summary["by_operation"][op] for op in OPERATIONS),
                    summary["items_returned"],
                    summary["conditions_failed"],
                ]
            )
    print(table(headers, rows, "lrrr" + "r" * len(OPERATIONS) + "rr"))
    print()
    print(
        table(
            ["attendees", "size limit", "contacts matched", "clocks moved", "follow-up created"],
            [
                [
                    c.attendees,
                    c.size_limit,
                    c.outcome["contacts_matched"],
                    c.outcome["clocks_moved"],
                    c.outcome["follow_up_created"],
                ]
                for c in cases
            ],
            "rrrrr",
        )
    )
    print()
    print("   processing, requests by Repository method (same meeting, growing attendee list):")
    roomy = [case for case in cases if case.size_limit == ROOMY_SIZE_LIMIT]
    calls = list(dict.fromkeys(key for case in roomy for key in case.processing["by_repository_method"]))
    print(
        table(
            ["Repository method", "operation", *(f"{case.attendees} att." for case in roomy)],
            [
                [*call.split(" ", 1), *(case.processing["by_repository_method"].get(call, 0) for case in roomy)]
                for call in calls
            ],
            "ll" + "r" * len(roomy),
        )
    )
    print()
    growth = ", ".join(f"{case.processing['by_operation'].get('UpdateItem', 0)} for {case.attendees}" for case in roomy)
    batch_gets = sorted({case.processing["by_operation"].get("BatchGetItem", 0) for case in cases})
    print(f"   BatchGetItem per webhook, whatever the number of attendees: {', '.join(map(str, batch_gets))}")
    print("     (contacts_by_emails: the e-mail lookup items, then the contacts, up to 100 keys a batch).")
    print("     Intake reads only the connection (1 GetItem) and queues the meeting.")
    print(f"   * UpdateItem grows with attendees ({growth}): one conditional clock move per contact")
    print("     (move_contact_clock); a hold on a planned meeting is released only where one is set.")


# -- part 2 ----------------------------------------------------------------------------------------


def print_digest(run: DigestRun) -> None:
    summary = run.requests
    print(f"2. Items read by one digest run: owner with {run.contacts:,} contacts, {run.due} of them due")
    print("   (kith.usecases.mailing.deliver for a DigestJob, SES on moto; counts from after-call hooks)")
    print()
    ops = summary["by_operation"]
    used = ", ".join(f"{op} {count}" for op, count in ops.items() if count)
    by_op = summary["items_returned_by_operation"]
    rows: list[list[object]] = [
        ["contacts stored for the owner", run.contacts],
        ["contacts due at the digest time", run.due],
        ["DynamoDB requests", f"{summary['requests']} ({used})"],
        [
            "items returned (Get + BatchGet + Query Count)",
            f"{summary['items_returned']} (GetItem {by_op['GetItem']}, "
            f"BatchGetItem {by_op['BatchGetItem']}, Query {by_op['Query']})",
        ],
        ["Query ScannedCount", summary["query_scanned_count"]],
        [
            "digest sent",
            f"{_cell(bool(run.result.get('sent')))}, naming {run.result.get('contacts', 0)} contacts (digest limit 5)",
        ],
        [
            "loading the contacts (not counted above)",
            f"{run.load_requests:,} BatchWriteItem in {run.load_seconds:.1f} s",
        ],
    ]
    print(table(["figure", "value"], rows, "ll"))
    print()
    print("   The read follows the due work (the DueIndex query), not the size of the network.")


# -- part 3 ----------------------------------------------------------------------------------------


def print_imports(timings: list[ImportTiming], repetitions: int) -> None:
    baseline = next(timing for timing in timings if timing.target == BASELINE)
    print(f"3. Import time in a fresh interpreter ({repetitions} runs each, round-robin, after one warm-up round)")
    print("   (measured inside the child with perf_counter around the import only; bytecode cached)")
    print()
    rows = [
        [
            BASELINE if timing.target == BASELINE else f"functions/{timing.target}/app.py",
            timing.median_ms,
            timing.min_ms,
            f"{timing.median_ms / baseline.median_ms:.2f}x",
        ]
        for timing in timings
    ]
    print(table(["module", "median ms", "min ms", "x boto3"], rows))
    print()
    print("   Functions read no environment at import time: each builds its kith.runtime.Runtime lazily.")


# -- part 4 ----------------------------------------------------------------------------------------


def _per_notification(values: Sequence[int]) -> str:
    """One figure when every notification cost the same, else the range."""
    return str(values[0]) if len(set(values)) == 1 else f"{min(values)}-{max(values)}"


def _provider_calls(cost: CalendarCost) -> str:
    calls = cost.provider_calls()
    names = sorted({name for counter in calls for name in counter})
    if not names:
        return "0"
    each = ", ".join(f"{_per_notification([counter[name] for counter in calls])} {name}" for name in names)
    return each if len(names) == 1 else f"{_per_notification([sum(counter.values()) for counter in calls])} ({each})"


def print_calendars(costs: list[CalendarCost], notifications: int) -> None:
    print(f"4. One calendar notification, per provider: a new meeting with two known contacts ({notifications} each)")
    print("   (handlers invoked in process with API Gateway and SQS events, on moto; Google and Graph are the fake")
    print("   provider server on 127.0.0.1; counts are per notification, after one warm-up notification)")
    print()
    rows = []
    for cost in costs:
        figures = cost.figures()
        rows.append(
            [
                cost.label,
                _per_notification(cost.requests("webhook")),
                _per_notification(cost.requests("processing")),
                _provider_calls(cost),
                figures["recorded_ms_median"],
                figures["recorded_ms_p95"],
                figures["provider_http_ms_median"] if any(cost.provider_calls()) else "-",
                figures["webhook_ms_median"],
            ]
        )
    headers = [
        "provider",
        "DynamoDB: webhook",
        "processing",
        "provider API calls",
        "ms to recorded",
        "p95",
        "provider HTTP",
        "webhook ms",
    ]
    print(table(headers, rows, "lrrlrrrr"))
    print()
    used = [op for op in OPERATIONS if any(sum(c.by_operation(step).get(op, [0])) for c in costs for step in STEPS)]
    print("   DynamoDB requests by operation, per notification:")
    print(
        table(
            ["provider", "step", *(_SHORT[op] for op in used)],
            [
                [cost.label, step, *(_per_notification(cost.by_operation(step).get(op, [0])) for op in used)]
                for cost in costs
                for step in STEPS
            ],
            "ll" + "r" * len(used),
        )
    )
    print()
    in_webhook = sum(len(n.provider_calls_webhook) for cost in costs for n in cost.notifications)
    print("   DynamoDB: requests per notification, counted on each function's own client. webhook: the webhook")
    print("     function verifying the notification and queueing it; processing: the meetings function consuming")
    print("     the one queued message.")
    print(f"   Provider API calls: to the fake server's calendar, Graph and token endpoints ({in_webhook} of them")
    print("     made by the webhook step); Cal.com and Calendly carry the meeting in the webhook, so none.")
    print("   Calendly: one invitee.created carries both contacts (the invitee and a guest they added).")
    print("   ms to recorded (median, and p95 by nearest rank): perf_counter from just before the webhook handler")
    print("     is invoked with the notification to the meetings handler's return with the interaction recorded,")
    print("     the SQS receive between them included; moto answers every AWS request in process (no network).")
    print("     provider HTTP: of that, the median time inside the meetings function's provider HTTP client")
    print("     (the fake's answer included; its connections get TCP_NODELAY, else half its answers wait ~40 ms")
    print("     for a delayed ACK). webhook ms: the webhook handler alone, median.")
    print("   Not counted: the one-time connect (code exchange, watch channel or subscription, the first read")
    print("     of the calendar and its token refresh) and one warm-up notification per provider after it.")


# -- part 5 ----------------------------------------------------------------------------------------


def print_rendering(rates: list[RenderRate], iterations: int) -> None:
    print("5. Digests rendered per second in one process")
    print(f"   (kith.mail.compose, warm: {ROUNDS} rounds of {iterations:,} emails each after a warm-up; Berlin owner;")
    print("   the digest names 5 contacts with companies, goals and last meeting titles; the follow-up 2 contacts")
    print("   and one new attendee; each email signs its own one-click links, HMAC-SHA256, a fixed key ring;")
    print("   + as_bytes(): the composed message serialised too, as sending does; bytes: the serialised size)")
    print()
    rows = [[rate.label, rate.best, rate.median, rate.message_bytes, rate.links_signed] for rate in rates]
    print(table(["email", "per second, best", "median", "bytes", "links signed"], rows))


# -- part 6 ----------------------------------------------------------------------------------------


def print_ranking(agreeing: int, total: int, disagreeing: list[str]) -> None:
    print("6. Ranking agreement: the digest ranking against a hand-made table of expected digests")
    print("   (tests/unit/ranking_cases.py: each case's expected names and order written from PRODUCT.md §1, §2, §5)")
    print()
    print(table(["figure", "value"], [["cases agreeing", f"{agreeing} of {total} ({agreeing / total:.0%})"]], "ll"))
    if disagreeing:
        print()
        print("   disagreeing (noted in the table, an expected failure in tests/unit/test_ranking_table.py):")
        for name in disagreeing:
            print(f"     - {name}")


# -- part 7 ----------------------------------------------------------------------------------------


def print_import(bench: ImportBench) -> None:
    print(f"7. Importing a {bench.rows:,}-row LinkedIn Connections.csv ({bench.file_bytes:,} bytes) through the API")
    print("   (POST /v1/imports to the ApiFunction's handler in process, on moto; DynamoDB requests counted on the")
    print("   function's client; each transaction is counted, then stored by moto's batch writes, as moto copies")
    print("   its whole table per transaction: rows/s is Kith's own rate; on DynamoDB add the transactions' latency)")
    print()
    rows = []
    for run in bench.runs:
        report, requests = run.report, run.requests
        written = 0 if report.get("dry_run") else report.get("new", 0) + report.get("merged", 0)
        operations = ", ".join(f"{op} {n}" for op, n in requests.get("by_operation", {}).items() if n)
        rows.append(
            [
                run.label,
                run.status,
                "/".join(str(report.get(outcome, 0)) for outcome in ("new", "merged", "unchanged", "skipped")),
                f"{run.seconds:.2f}",
                f"{bench.rows / run.seconds:,.0f}",
                requests.get("requests", 0),
                f"{requests.get('requests', 0) / written:.3f}" if written else "-",
                operations,
            ]
        )
    headers = ["call", "status", "new/merged/same/skipped", "s", "rows/s", "requests", "per contact", "by operation"]
    print(table(headers, rows, "lrlrrrrl"))
    print()
    per_second = bench.rows / bench.parse_seconds
    print(f"   reading the file (parse_contacts_file): {bench.parse_seconds:.3f} s, {per_second:,.0f} rows/s")
    print(f"   planning against the stored contacts (plan_import, no writes): {bench.plan_seconds:.3f} s")


# -- part 8 ----------------------------------------------------------------------------------------


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
        ["each accepted webhook queued as itself", f"{_cell(run.misrouted == 0)} ({run.misrouted} misrouted)"],
        [
            "distinct bookings recorded once",
            f"{run.interactions_stored:,} interactions of {run.interactions_expected:,}; lost {run.lost}",
        ],
        [
            "nothing doubled",
            f"{_cell(run.doubled == 0)}: contact links {run.links_stored:,} of {run.links_expected:,}, "
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


# -- part 9 ----------------------------------------------------------------------------------------


def print_operations(
    measured: list[Measured], cases: list[WebhookCase], digest: DigestRun, imported: ImportBench, fan: list[FanOut]
) -> None:
    print("9. DynamoDB requests per operation, beside the fewest the operation needs")
    print("   (each through its function's handler on moto in process, counted on the function's client; read and")
    print("   write request units estimated from the items read and written, as on-demand DynamoDB bills them:")
    print("   bench/capacity.py. 'earlier part': the same operation where parts 1, 2, 7 or 10 measured it)")
    print()
    roomy = {case.attendees: case for case in cases if case.size_limit == ROOMY_SIZE_LIMIT}
    import_run = next((run for run in imported.runs if run.label == "import"), None)
    rows = []
    reasons = []
    for m in measured:
        least, why = minimum(m)
        earlier = "-"
        if m.operation.startswith("webhook intake") and roomy:
            earlier = f"part 1: {roomy[min(roomy)].intake['requests']}"
        elif m.operation.startswith("meeting processing"):
            attendees = int(m.operation.split(", ")[1].split(" ")[0])
            if attendees in roomy:
                earlier = f"part 1: {roomy[attendees].processing['requests']}"
        elif m.operation.startswith("digest"):
            earlier = f"part 2: {digest.requests['requests']} (deliver() alone, no claim)"
        elif m.operation.startswith("contact import") and import_run is not None:
            written = import_run.report.get("new", 0) + import_run.report.get("merged", 0)
            if written:
                earlier = f"part 7: {import_run.requests.get('requests', 0) / written:.4f} ({imported.rows:,} rows)"
        elif m.operation.startswith("scheduler tick") and fan:
            earlier = f"part 10: {fan[0].dynamodb['requests'] / fan[0].owners:.4f} ({fan[0].owners:,} owners)"
        per = m.per > 1
        rows.append(
            [
                m.operation,
                f"{m.request_count:.4f}" if per else f"{m.request_count:.0f}",
                f"{least:.4f}" if per else f"{least:.0f}",
                f"{m.read_units:.2f}",
                f"{m.write_units:.2f}",
                m.operations() if not per else m.operations() + f" for {m.per}",
                earlier,
            ]
        )
        reasons.append(f"     {m.operation}: {why}")
    print(
        table(
            ["operation", "requests", "fewest", "read units", "write units", "by operation", "earlier part"],
            rows,
            "lrrrrll",
        )
    )
    print()
    print("   fewest, and why:")
    print("\n".join(reasons))
    print()
    print("   Where Kith makes more: separate writes where a transaction could carry them (a transaction costs twice")
    print("   the write units), a sent-history read and a suppression read before each email, the contact read twice")
    print("   by a one-click link, and erasure's per-item conditional writes. Write units count the DueIndex copy.")


# -- part 10 ---------------------------------------------------------------------------------------


def print_fan_out(runs: list[FanOut], skipped: list[int]) -> None:
    shards = runs[0].shards if runs else 4
    print(f"10. The scheduler's fan-out: one tick with every owner's digest due in the same slot (DueShards {shards})")
    print("   (owners written straight into moto's table under DIGEST#<shard>; the SchedulerFunction handler run once;")
    print("   SendMessageBatch answered by a stand-in that records each entry, as moto's SQS slows quadratically;")
    print("   slot moves applied by moto up to 20,000 owners, above that counted and answered by a stand-in)")
    print()
    rows = []
    for run in runs:
        ops = run.dynamodb["by_operation"]
        pages = sum(run.query_pages_by_shard.values())
        dynamodb_pages = sum(max(1, -(-n * run.item_bytes // (1024 * 1024))) for n in run.owners_by_shard.values())
        estimate = run.estimated_aws_seconds()
        rows.append(
            [
                run.owners,
                run.sqs_batches,
                run.minimum_batches,
                run.sqs_entries,
                run.jobs_per_owner.get(1, 0),
                f"{ops['Query']} ({pages} / {dynamodb_pages})",
                ops["UpdateItem"],
                "applied" if run.applied else "counted",
                f"{run.tick_seconds:.1f} ({run.in_requests_seconds:.1f})",
                f"{estimate:,.0f}" + (" > 120" if estimate > fanout.SCHEDULER_TIMEOUT_SECONDS else ""),
            ]
        )
    print(
        table(
            [
                "owners",
                "SendMessageBatch",
                "ceil(n/10)",
                "jobs",
                "owners with one job",
                "Query (digest pages: moto / 1 MB)",
                "UpdateItem",
                "slot moves",
                "local s (in requests)",
                "est. AWS s",
            ],
            rows,
            "rrrrrrrlrr",
        )
    )
    print()
    for run in runs:
        by_shard = ", ".join(f"{shard} {n:,}" for shard, n in run.owners_by_shard.items())
        after = "nothing due after the tick" if run.due_after == 0 else f"{run.due_after} still due after the tick"
        print(f"   {run.owners:,}: {by_shard}; owner item {run.item_bytes} bytes; " + (after if run.applied else ""))
    if skipped:
        print(
            f"   Not measured in this run: {', '.join(f'{n:,}' for n in skipped)} owners (--fanout-owners to include;"
        )
        print("     100,000 took about 5 minutes here: seeding ~45 s, moto's DueIndex pages and 100,000 requests).")
    print("   SendMessageBatch: one per ten jobs in each shard, so at most ceil(n/10) + DueShards - 1.")
    print(f"   est. AWS s: the tick's own compute (local seconds outside requests, / {fanout.LAMBDA_CPU_SHARE:.2f} for")
    print(
        f"     the vCPU share of a 512 MB function) + {fanout.DYNAMODB_MS:.0f} ms per DynamoDB request + "
        f"{fanout.SQS_BATCH_MS:.0f} ms per SendMessageBatch, one"
    )
    print("     after another as the tick runs them (assumed round trips, not measured). The function's Timeout is")
    print("     120 s (template.yaml): past it the tick is cut off; the next tick (5 min later) queues again what is")
    print("     still due (the mailer's once-per-email claim makes the repeats no-ops) and moves more slots on.")


# -- part 11 ---------------------------------------------------------------------------------------


def print_cost(lines: list[costs_per_owner.Line]) -> None:
    c = costs_per_owner
    print(f"11. Cost per active owner and month at us-east-1 list prices (as of {c.PRICES_AS_OF}; free tiers left out)")
    a = c.ACTIVITY
    print(
        f"   (an active owner, assumed: {a['digests']:.2f} digests, {a['meetings']:.1f} meetings with known contacts"
        f" ({a['attendees_per_meeting']} each, {a['webhooks_per_meeting']} webhooks each),"
    )
    print(
        f"   a follow-up per meeting, {a['clicks']} one-click actions, {a['contacts_imported']} contacts imported and"
        f" {a['contacts_erased']} erased; requests and units per thing from part 9;"
    )
    print(
        f"   Lambda at 512 MB arm64 for {c.BASE_MS:.0f} ms + {c.DYNAMODB_MS:.0f} ms per DynamoDB request +"
        f" {c.SQS_MS:.0f} ms per SQS request + {c.SES_MS:.0f} ms per email, estimated)"
    )
    print()
    sizes = (1, 10_000, 1_000_000)
    rows: list[list[object]] = []
    for line in lines:
        rows.append(
            [
                line.item + (" (per stack)" if line.fixed else ""),
                *(f"{(line.dollars / n if line.fixed else line.dollars):.5f}" for n in sizes),
                line.basis,
            ]
        )
    rows.append(["total", *(f"{c.per_owner(lines, n):.4f}" for n in sizes), ""])
    headers = ["item", "$ (1 owner)", "$ (10,000 owners)", "$ (1,000,000 owners)", "basis (a month)"]
    print(table(headers, rows, "lrrrl"))
    print()
    variable = sum(line.dollars for line in lines if not line.fixed)
    fixed = sum(line.dollars for line in lines if line.fixed)
    print(
        f"   Variable: ${variable:.4f} per active owner-month; fixed: ${fixed:.2f} per stack-month, shared by owners."
    )
    print(f"   Not in the totals: Cognito, ${c.PRICES['cognito_mau']} per owner who signs in during the month, above")
    print("     10,000 such owners (Essentials tier; emails and one-click links need no sign-in); API use beyond the")
    print(
        "     import and erasure (not measured); data transfer out; Google and Outlook connections (part 4's provider"
    )
    print("     calls, and a KMS decrypt per token refresh at $0.03 per 10,000).")
    priced = [
        f"{name} {value * 1e6:g} a million" if value < 0.01 else f"{name} {value:g}" for name, value in c.PRICES.items()
    ]
    print("   Prices (USD): " + ", ".join(priced[:6]))
    for start in range(6, len(priced), 6):
        print("     " + ", ".join(priced[start : start + 6]))


# -- part 12 ---------------------------------------------------------------------------------------


def print_console(run: ConsoleBench) -> None:
    print("12. The web console in Chromium, over the local API server (bench/console.py)")
    if run.available:
        print(f"   skipped: {run.available}")
        return
    print("   (Debian's Chromium through Playwright; the server, the functions and moto are threads of this process:")
    print("   times are this machine's harness, not API Gateway's, Lambda's and DynamoDB's)")
    print()
    rows = []
    for kind in ("console", "api", "sign-in"):
        items = [item for item in run.first_load if item.kind == kind]
        if items:
            rows.append(
                [kind, len(items), *(run.total(kind, unit) for unit in ("body_bytes", "wire_bytes", "gzip_bytes"))]
            )
    totals = (run.total(None, unit) for unit in ("body_bytes", "wire_bytes", "gzip_bytes"))
    rows.append(["first load", len(run.first_load), *totals])
    print("   The demo network (20 contacts). First load, signed in, cache off: every response until Today is shown")
    print("   (console: its files and config.json, gzipped by ConsoleFunction; on the wire: with headers, as served)")
    print(table(["responses", "count", "bytes", "on the wire", "gzip -9"], rows))
    print()
    median = statistics.median(run.today_shown_ms)
    spread = ", ".join(f"{ms:.0f}" for ms in run.today_shown_ms)
    print(f"   Until Today is shown, from the navigation's start: median {median:.0f} ms of {run.loads} ({spread} ms)")
    for view, asked in run.requests_per_view.items():
        print(f"   API requests for {view}: {len(asked)}  ({'; '.join(asked)})")
    print()
    print(f"   {run.contacts:,} contacts (written to the table in {run.seed_seconds:.0f} s):")
    print(
        f"     Today shown in {run.large_today_shown_ms:,.0f} ms, People's first page in {run.people_shown_ms:,.0f} ms"
    )
    searches = ", ".join(f"{ms:,.0f}" for ms in run.search_ms)
    found = sorted(set(run.search_hits))
    print(
        f"     a search result shown, from the last keystroke (the page waits 250 ms for typing to pause): median "
        f"{statistics.median(run.search_ms):,.0f} ms ({searches} ms; {'/'.join(map(str, found))} found of "
        f"{run.contacts:,})"
    )
    reads = run.search_reads[0] if run.search_reads else {}
    print(
        f"     the same searches through the API alone: median {statistics.median(run.search_api_ms):,.0f} ms, "
        f"DynamoDB requests each: {', '.join(f'{name} {count}' for name, count in reads.items() if count)}"
    )
    print(
        "     (a name search reads the owner's contacts page by page and filters them: moto answers each page slowly)"
    )


# -- main ------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 import-time runs per module instead of 7, 5 notifications instead of 20, 500 renders instead of 2,000, "
        "1,000 webhooks instead of 5,000 for the load, capped at 60 s instead of 120",
    )
    parser.add_argument("--repetitions", type=int, help="import-time runs per module (overrides --quick)")
    parser.add_argument(
        "--notifications", type=int, help="measured notifications per calendar provider (default 20, --quick 5)"
    )
    parser.add_argument("--renders", type=int, help="emails composed per timed round (default 2,000, --quick 500)")
    parser.add_argument(
        "--webhooks", type=int, help="webhooks the load sends (default 5,000, --quick 1,000), from --clients at once"
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients of the load (default 50)")
    parser.add_argument(
        "--load-seconds", type=float, help="cap on the load's concurrent phase (default 120 s, --quick 60 s)"
    )
    parser.add_argument(
        "--fanout-owners",
        default="10000",
        help="owners due in one slot for the fan-out, comma-separated (default 10000; 100000 takes ~5 minutes)",
    )
    parser.add_argument(
        "--console-contacts",
        type=int,
        help="contacts in the network the console searches (default 10,000, --quick 2,000)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON to PATH")
    arguments = parser.parse_args(argv)
    repetitions = arguments.repetitions or (3 if arguments.quick else 7)
    notifications = arguments.notifications or (5 if arguments.quick else 20)
    renders = arguments.renders or (500 if arguments.quick else 2000)
    import_rows = 1000 if arguments.quick else 5000
    webhooks = arguments.webhooks or (1000 if arguments.quick else 5000)
    fan_sizes = [int(size) for size in str(arguments.fanout_owners).split(",") if size]
    console_contacts = arguments.console_contacts or (2000 if arguments.quick else 10_000)

    use_fake_aws()
    durations: dict[str, float] = {}
    cases = timed(
        "1. webhook requests",
        durations,
        lambda: webhook_requests([(count, ROOMY_SIZE_LIMIT) for count in ATTENDEE_COUNTS] + [(20, DEFAULT_SIZE_LIMIT)]),
    )
    print_webhook(cases)
    print()
    digest = timed("2. digest items read", durations, digest_requests)
    print_digest(digest)
    print()
    timings = timed("3. import times", durations, lambda: import_times(repetitions))
    print_imports(timings, repetitions)
    print()
    calendars = timed("4. calendar notifications", durations, lambda: calendar_costs(notifications))
    print_calendars(calendars, notifications)
    print()
    rates = timed("5. emails rendered", durations, lambda: render_rates(renders))
    print_rendering(rates, renders)
    print()
    agreeing, total = timed("6. ranking agreement", durations, ranking_agreement)
    disagreeing = disagreeing_cases()
    print_ranking(agreeing, total, disagreeing)
    print()
    imported = timed("7. contact import", durations, lambda: import_costs(import_rows))
    print_import(imported)
    print()
    load_seconds = arguments.load_seconds or (60.0 if arguments.quick else 120.0)
    loaded = timed("8. load", durations, lambda: load_bench(webhooks, arguments.clients, load_seconds))
    print_load(loaded)
    print()
    use_fake_aws()
    measured = timed("9. requests per operation", durations, measure_operations)
    fanned = timed("10. scheduler fan-out", durations, lambda: [fan_out(size) for size in fan_sizes])
    print_operations(measured, cases, digest, imported, fanned)
    print()
    print_fan_out(fanned, [size for size in (10_000, 100_000) if size not in fan_sizes])
    print()
    lines = costs_per_owner.cost_lines(measured)
    print_cost(lines)
    print()
    console = timed("12. web console", durations, lambda: console_bench(contacts=console_contacts))
    print_console(console)
    print()
    print(table(["part", "seconds"], [[label, seconds] for label, seconds in durations.items()]))
    print(f"  total {sum(durations.values()):.1f} s")

    if arguments.json:
        figures: dict[str, Any] = {
            "webhook": [
                {
                    "attendees": c.attendees,
                    "size_limit": c.size_limit,
                    "intake": c.intake,
                    "processing": c.processing,
                    "outcome": c.outcome,
                }
                for c in cases
            ],
            "digest": {
                "contacts": digest.contacts,
                "due": digest.due,
                "result": digest.result,
                "requests": digest.requests,
                "load_requests": digest.load_requests,
                "load_seconds": digest.load_seconds,
            },
            "import_times": {
                "repetitions": repetitions,
                "modules": [
                    {"module": t.target, "median_ms": t.median_ms, "min_ms": t.min_ms, "samples_ms": t.samples_ms}
                    for t in timings
                ],
            },
            "calendars": {
                "notifications": notifications,
                "providers": {cost.provider: cost.figures() for cost in calendars},
            },
            "rendering": {rate.label: rate.figures() for rate in rates},
            "ranking_agreement": {
                "agreeing": agreeing,
                "total": total,
                "share": agreeing / total,
                "disagreeing": disagreeing,
            },
            "contact_import": {
                "rows": imported.rows,
                "file_bytes": imported.file_bytes,
                "parse_seconds": imported.parse_seconds,
                "plan_seconds": imported.plan_seconds,
                "runs": [
                    {"call": run.label, "status": run.status, "seconds": run.seconds, "requests": run.requests}
                    for run in imported.runs
                ],
            },
            "load": loaded.figures(),
            "requests_per_operation": [m.figures() | {"fewest": minimum(m)[0]} for m in measured],
            "fan_out": [run.figures() for run in fanned],
            "cost_per_owner_month": {
                "assumptions": costs_per_owner.assumptions(),
                "lines": [vars(line) for line in lines],
                "per_owner": {str(n): costs_per_owner.per_owner(lines, n) for n in (1, 10_000, 1_000_000)},
            },
            "console": console.figures(),
            "durations_seconds": durations,
        }
        arguments.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"  figures written to {arguments.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
