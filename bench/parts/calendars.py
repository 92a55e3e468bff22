"""Part 4: what one calendar notification costs, per provider (Cal.com, Calendly, Google, Outlook)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.calendars import CalendarCost, calendar_costs
from bench.counting import OPERATIONS
from bench.registry import Bench
from bench.report import SHORT, table

STEPS = ("webhook", "processing")


def run(bench: Bench) -> dict[str, Any]:
    notifications = bench.options.notifications
    costs = calendar_costs(notifications)
    print_calendars(costs, notifications)
    return {"notifications": notifications, "providers": {cost.provider: cost.figures() for cost in costs}}


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
            ["provider", "step", *(SHORT[op] for op in used)],
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
