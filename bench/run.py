"""Kith's benchmark: DynamoDB requests per webhook and per digest, cold-start import times, what
one calendar notification costs per provider, emails composed per second, and how often the digest
ranking agrees with the hand-made table of expectations.

    .venv/bin/python bench/run.py [--quick] [--repetitions N] [--notifications N] [--renders N] [--json PATH]

Prints figures for a person to read; it asserts nothing. Parts 1 and 2 run on moto in process
(request counts are exact, timings there would mean nothing); part 3 spawns fresh interpreters;
part 4 runs the functions' handlers in process, on moto and a fake provider server on 127.0.0.1;
parts 5 and 6 are pure Python in this process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

# `python bench/run.py` puts bench/ on the path, not the repository that holds the bench package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.calendars import CalendarCost, calendar_costs
from bench.counting import OPERATIONS
from bench.import_times import BASELINE, ImportTiming, import_times
from bench.imports import ImportBench, import_costs
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


# -- main ------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 import-time runs per module instead of 7, 5 notifications instead of 20, 500 renders instead of 2,000",
    )
    parser.add_argument("--repetitions", type=int, help="import-time runs per module (overrides --quick)")
    parser.add_argument(
        "--notifications", type=int, help="measured notifications per calendar provider (default 20, --quick 5)"
    )
    parser.add_argument("--renders", type=int, help="emails composed per timed round (default 2,000, --quick 500)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON to PATH")
    arguments = parser.parse_args(argv)
    repetitions = arguments.repetitions or (3 if arguments.quick else 7)
    notifications = arguments.notifications or (5 if arguments.quick else 20)
    renders = arguments.renders or (500 if arguments.quick else 2000)
    import_rows = 1000 if arguments.quick else 5000

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
            "durations_seconds": durations,
        }
        arguments.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"  figures written to {arguments.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
