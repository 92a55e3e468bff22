"""Part 1: DynamoDB requests for one Cal.com webhook, intake and processing, by attendees."""

from __future__ import annotations

from typing import Any

from bench.counting import OPERATIONS
from bench.registry import Bench
from bench.report import SHORT, table
from bench.scenarios import WebhookCase, webhook_requests

ATTENDEE_COUNTS = (1, 5, 20)
ROOMY_SIZE_LIMIT = 25  # above every attendee count, so each meeting moves its contacts' clocks
DEFAULT_SIZE_LIMIT = 8


def run(bench: Bench) -> list[dict[str, Any]]:
    cases = bench.measure("webhook", measure)
    print_webhook(cases)
    return [
        {
            "attendees": c.attendees,
            "size_limit": c.size_limit,
            "intake": c.intake,
            "processing": c.processing,
            "outcome": c.outcome,
        }
        for c in cases
    ]


def measure() -> list[WebhookCase]:
    return webhook_requests([(count, ROOMY_SIZE_LIMIT) for count in ATTENDEE_COUNTS] + [(20, DEFAULT_SIZE_LIMIT)])


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
        *(SHORT[op] + ("*" if op == "UpdateItem" else "") for op in OPERATIONS),
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
