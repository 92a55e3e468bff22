"""Part 9: DynamoDB requests per operation, beside the fewest the operation needs."""

from __future__ import annotations

from typing import Any

from bench.fanout import FanOut
from bench.imports import ImportBench
from bench.operations import Measured, measure_operations, minimum
from bench.parts.fan_out import measure as measure_fan_out
from bench.parts.webhook import ROOMY_SIZE_LIMIT
from bench.registry import Bench
from bench.report import table
from bench.scenarios import DigestRun, WebhookCase


def run(bench: Bench) -> list[dict[str, Any]]:
    measured = bench.measure("operations", measure_operations)
    fanned = bench.measure("fan_out", lambda: measure_fan_out(bench))
    print_operations(
        measured,
        bench.measured.get("webhook", []),
        bench.measured.get("digest"),
        bench.measured.get("contact_import"),
        fanned,
    )
    return [m.figures() | {"fewest": minimum(m)[0]} for m in measured]


def print_operations(
    measured: list[Measured],
    cases: list[WebhookCase],
    digest: DigestRun | None,
    imported: ImportBench | None,
    fan: list[FanOut],
) -> None:
    print("9. DynamoDB requests per operation, beside the fewest the operation needs")
    print("   (each through its function's handler on moto in process, counted on the function's client; read and")
    print("   write request units estimated from the items read and written, as on-demand DynamoDB bills them:")
    print("   bench/capacity.py. 'earlier part': the same operation where parts 1, 2, 7 or 10 measured it)")
    print()
    earlier = _Earlier(cases, digest, imported, fan)
    rows = []
    reasons = []
    for m in measured:
        least, why = minimum(m)
        per = m.per > 1
        rows.append(
            [
                m.operation,
                f"{m.request_count:.4f}" if per else f"{m.request_count:.0f}",
                f"{least:.4f}" if per else f"{least:.0f}",
                f"{m.read_units:.2f}",
                f"{m.write_units:.2f}",
                m.operations() if not per else m.operations() + f" for {m.per}",
                earlier.figure(m.operation),
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


class _Earlier:
    """The same operation's figure where an earlier part measured it, when that part ran."""

    def __init__(
        self, cases: list[WebhookCase], digest: DigestRun | None, imported: ImportBench | None, fan: list[FanOut]
    ) -> None:
        self.roomy = {case.attendees: case for case in cases if case.size_limit == ROOMY_SIZE_LIMIT}
        self.digest = digest
        self.imported = imported
        self.fan = fan

    def figure(self, operation: str) -> str:
        if operation.startswith("webhook intake") and self.roomy:
            return f"part 1: {self.roomy[min(self.roomy)].intake['requests']}"
        if operation.startswith("meeting processing"):
            attendees = int(operation.split(", ")[1].split(" ")[0])
            return f"part 1: {self.roomy[attendees].processing['requests']}" if attendees in self.roomy else "-"
        if operation.startswith("digest") and self.digest is not None:
            return f"part 2: {self.digest.requests['requests']} (deliver() alone, no claim)"
        if operation.startswith("contact import"):
            return self._import()
        if operation.startswith("scheduler tick") and self.fan:
            fan = self.fan[0]
            return f"part 10: {fan.dynamodb['requests'] / fan.owners:.4f} ({fan.owners:,} owners)"
        return "-"

    def _import(self) -> str:
        runs = self.imported.runs if self.imported is not None else []
        run = next((run for run in runs if run.label == "import"), None)
        written = run.report.get("new", 0) + run.report.get("merged", 0) if run is not None else 0
        if run is None or not written or self.imported is None:
            return "-"
        return f"part 7: {run.requests.get('requests', 0) / written:.4f} ({self.imported.rows:,} rows)"
