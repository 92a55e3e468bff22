"""Part 2: the items one digest run reads, for an owner with a large network and a few contacts due."""

from __future__ import annotations

from typing import Any

from bench.registry import Bench
from bench.report import cell, table
from bench.scenarios import DigestRun, digest_requests


def run(bench: Bench) -> dict[str, Any]:
    digest = bench.measure("digest", digest_requests)
    print_digest(digest)
    return {
        "contacts": digest.contacts,
        "due": digest.due,
        "result": digest.result,
        "requests": digest.requests,
        "load_requests": digest.load_requests,
        "load_seconds": digest.load_seconds,
    }


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
            f"{cell(bool(run.result.get('sent')))}, naming {run.result.get('contacts', 0)} contacts (digest limit 5)",
        ],
        [
            "loading the contacts (not counted above)",
            f"{run.load_requests:,} BatchWriteItem in {run.load_seconds:.1f} s",
        ],
    ]
    print(table(["figure", "value"], rows, "ll"))
    print()
    print("   The read follows the due work (the DueIndex query), not the size of the network.")
