"""Part 12: the web console in Chromium: its first load, requests per page view, a search."""

from __future__ import annotations

import statistics
from typing import Any

from bench.console import ConsoleBench, console_bench
from bench.registry import Bench
from bench.report import table


def run(bench: Bench) -> dict[str, Any]:
    console = console_bench(contacts=bench.options.console_contacts)
    print_console(console)
    figures: dict[str, Any] = console.figures()
    return figures


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
