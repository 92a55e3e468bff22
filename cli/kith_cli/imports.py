"""`kith import FILE`: a dry run's report, then, confirmed, the import in parts with a progress bar."""

from __future__ import annotations

import argparse
import urllib.parse
from typing import Any

from kith_cli.api import Api
from kith_cli.errors import Refused, UsageError
from kith_cli.terminal import Terminal, shown

PART = 500
SHOWN_PROBLEMS = 20
OUTCOMES = ("new", "merged", "unchanged", "skipped")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    imports = commands.add_parser(
        "import", parents=[common], help="import contacts: LinkedIn, Google Contacts, vCard or Kith CSV"
    )
    imports.add_argument("file", type=argparse.FileType("rb"))
    imports.add_argument("--dry-run", action="store_true", help="only report what the import would do")
    imports.add_argument("--yes", action="store_true", help="import without asking after the dry run")
    imports.set_defaults(run=run)


def run(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    with arguments.file as file:
        data, filename = file.read(), file.name
    name = urllib.parse.quote(str(filename).rsplit("/", 1)[-1])
    report = api.call("POST", f"/v1/imports?dry_run=true&filename={name}", raw=data)
    if arguments.dry_run:
        terminal.emit(report, lambda: _summary(report, "would be", terminal))
        return 0
    if terminal.json and not arguments.yes:
        raise UsageError("with --json, say --yes to import (or --dry-run for the report alone)")
    _summary(report, "would be", terminal)
    if not arguments.yes and not terminal.confirm("Import these contacts?"):
        raise Refused("nothing imported")
    total = report["readable_rows"]
    done = dict.fromkeys(OUTCOMES, 0)
    rows: list[dict[str, Any]] = []
    for start in range(0, max(total, 1), PART):
        end = min(start + PART, total)
        part = api.call("POST", f"/v1/imports?dry_run=false&filename={name}&rows={start}:{end}", raw=data)
        for outcome in OUTCOMES:
            done[outcome] += part[outcome]
        rows.extend(part["rows"])
        _progress(end, total, terminal)
    print(file=terminal.err)
    summary = "imported: " + ", ".join(f"{done[outcome]} {outcome}" for outcome in OUTCOMES)
    terminal.emit({"format": report["format"], "dry_run": False, **done, "rows": rows}, lambda: terminal.say(summary))
    return 0


def _summary(report: dict[str, Any], verb: str, terminal: Terminal) -> None:
    terminal.say(
        f"{report['format']} file: {report['new']} {verb} new, {report['merged']} merged, "
        f"{report['unchanged']} unchanged, {report['skipped']} skipped"
    )
    skipped = [row for row in report["rows"] if row["outcome"] == "skipped"]
    for row in skipped[:SHOWN_PROBLEMS]:
        terminal.say(f"  line {row['line']}: skipped, {shown(row['reason'])}")
    if len(skipped) > SHOWN_PROBLEMS:
        terminal.say(f"  ... and {len(skipped) - SHOWN_PROBLEMS} more skipped rows")


def _progress(done: int, total: int, terminal: Terminal, width: int = 30) -> None:
    filled = width * done // total if total else width
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows", end="", file=terminal.err, flush=True)
