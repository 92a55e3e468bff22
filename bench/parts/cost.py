"""Part 11: the cost per active owner and month, from part 9's requests at list prices."""

from __future__ import annotations

from typing import Any

from bench import cost as costs_per_owner
from bench.operations import measure_operations
from bench.registry import Bench
from bench.report import table


def run(bench: Bench) -> dict[str, Any]:
    lines = costs_per_owner.cost_lines(bench.measure("operations", measure_operations))
    print_cost(lines)
    return {
        "assumptions": costs_per_owner.assumptions(),
        "lines": [vars(line) for line in lines],
        "per_owner": {str(n): costs_per_owner.per_owner(lines, n) for n in (1, 10_000, 1_000_000)},
    }


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
