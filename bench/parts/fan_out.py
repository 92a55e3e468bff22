"""Part 10: the scheduler's fan-out, one tick with every owner's digest due in the same slot."""

from __future__ import annotations

from typing import Any

from bench import fanout
from bench.fanout import FanOut, fan_out
from bench.registry import Bench
from bench.report import table


def run(bench: Bench) -> list[dict[str, Any]]:
    fanned = bench.measure("fan_out", lambda: measure(bench))
    sizes = bench.options.fanout_owners
    print_fan_out(fanned, [size for size in (10_000, 100_000) if size not in sizes])
    return [run.figures() for run in fanned]


def measure(bench: Bench) -> list[FanOut]:
    return [fan_out(size) for size in bench.options.fanout_owners]


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
