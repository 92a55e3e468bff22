"""`kith due` (the next digest's list, in its order) and `kith log` (a call, message or note by hand)."""

from __future__ import annotations

import argparse
from typing import Any
from zoneinfo import ZoneInfo

from kith_cli import times
from kith_cli.api import Api
from kith_cli.contacts import find
from kith_cli.terminal import Terminal, shown

KINDS = ("call", "message", "note")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    due = commands.add_parser(
        "due", parents=[common], help="whom the next digest names, in its order, and how late each is"
    )
    due.add_argument("--limit", type=times.number(1, 200), help="list this many (default: your digest's size)")
    due.set_defaults(run=show_due)
    log = commands.add_parser("log", parents=[common], help="log a call, a message or a note: it resets their clocks")
    log.add_argument("kind", choices=KINDS)
    log.add_argument("contacts", nargs="+", metavar="CONTACT", help="an id, or a search matching only that contact")
    log.add_argument("--at", default="now", metavar="WHEN", help="when it happened (default now)")
    log.add_argument("--title", help="what it was about")
    log.set_defaults(run=log_interaction)


def show_due(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    path = "/v1/due" + (f"?limit={arguments.limit}" if arguments.limit else "")
    due = api.call("GET", path)

    def human() -> None:
        zone = due["time_zone"]
        if not due["contacts"]:
            terminal.say(f"nobody is due by the next digest ({times.local(due['digest_at'], zone, True)})")
            return
        terminal.say(f"next digest: {times.local(due['digest_at'], zone, True)} ({zone})")
        rows = [
            [
                rank,
                entry["name"],
                entry["circle"],
                entry["goal"],
                _lateness(entry),
                times.local(entry["last_interaction_at"], zone),
                entry["last_interaction_title"],
                entry["contact_id"],
            ]
            for rank, entry in enumerate(due["contacts"], start=1)
        ]
        terminal.table(["#", "NAME", "CIRCLE", "GOAL", "LATE", "LAST SEEN", "TITLE", "ID"], rows)

    terminal.emit(due, human)
    return 0


def _lateness(entry: dict[str, Any]) -> str:
    days = entry["days_late"]
    late = "due that day" if days == 0 else f"{days} day{'s' if days != 1 else ''}"
    return f"{late}, overdue" if entry["overdue"] else late


def log_interaction(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    contacts = [find(api, reference) for reference in arguments.contacts]
    ids = list(dict.fromkeys(contact["contact_id"] for contact in contacts))
    at = times.instant(arguments.at, ZoneInfo(times.machine_time_zone()))
    body: dict[str, Any] = {"kind": arguments.kind, "contact_ids": ids, "at": times.iso(at)}
    if arguments.title:
        body["title"] = arguments.title
    logged = api.call("POST", "/v1/interactions", body)
    names = ", ".join(shown(contact["name"]) for contact in {c["contact_id"]: c for c in contacts}.values())
    terminal.emit(logged, lambda: terminal.say(f"logged a {arguments.kind} with {names} at {logged['start']}"))
    return 0
