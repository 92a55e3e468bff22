"""Part 7: importing a LinkedIn Connections.csv through the API: requests and rows per second."""

from __future__ import annotations

from typing import Any

from bench.imports import ImportBench, import_costs
from bench.registry import Bench
from bench.report import table


def run(bench: Bench) -> dict[str, Any]:
    imported = bench.measure("contact_import", lambda: import_costs(bench.options.import_rows))
    print_import(imported)
    return {
        "rows": imported.rows,
        "file_bytes": imported.file_bytes,
        "parse_seconds": imported.parse_seconds,
        "plan_seconds": imported.plan_seconds,
        "runs": [
            {"call": run.label, "status": run.status, "seconds": run.seconds, "requests": run.requests}
            for run in imported.runs
        ],
    }


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
