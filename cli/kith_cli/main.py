"""kith: Kith from the command line, over its HTTP API.

    kith setup                               your profile and settings (asks in a terminal; flags for scripts)
    kith contacts list [--circle C] [--due] [--overdue] [--goal G]
    kith contacts search TEXT
    kith contacts add NAME [--email E]... [--circle C] [--goal G] [--company C] ...
    kith contacts show|edit|delete CONTACT   by id, or by a search that matches that contact alone
    kith due [--limit N]                     whom the next digest names, in its order
    kith log call|message|note CONTACT... [--at WHEN] [--title T]
    kith goals [list] | kith goals set NAME... [--inactive NAME]...
    kith export [--csv] [-o FILE]            everything as JSON, or the contacts as CSV
    kith connections | connect PROVIDER | disconnect ID
    kith import FILE [--dry-run] [--yes]     LinkedIn, Google Contacts, vCard or Kith CSV

Every command takes --json (the API's JSON as it is, for scripts), --api and --token.

Exit codes:
    0  done
    1  refused, nothing changed: the API said no (4xx, its reason printed), a contact named matches
       none or several, or a question was answered no
    2  usage: a flag or value is wrong or missing (nothing was sent)
    3  the API cannot be reached, or it failed (5xx)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TextIO

from kith_cli import activity, calendars, contacts, export, goals, imports, owner
from kith_cli.api import Api
from kith_cli.errors import ApiError, BadValue, Refused, Unreachable, UsageError
from kith_cli.terminal import Terminal, shown

OK, REFUSED, USAGE, UNREACHABLE = 0, 1, 2, 3
NOT_FOUND = 404
NEEDS_API = (
    "the API's address and a token are needed: --api URL --token TOKEN, or KITH_API_URL and KITH_TOKEN "
    "(locally, `make serve` prints the address, and it takes development tokens: --token dev:me)"
)


def _parser() -> argparse.ArgumentParser:
    # Accepted before or after the command: `kith --json due` and `kith due --json` are one.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the API's JSON")
    common.add_argument("--api", default=argparse.SUPPRESS, help="the API's base URL (KITH_API_URL)")
    common.add_argument("--token", default=argparse.SUPPRESS, help="a bearer token (KITH_TOKEN)")
    parser = argparse.ArgumentParser(
        prog="kith",
        description="Kith from the command line: your profile, contacts, digest, calendars and imports.",
        epilog=__doc__.split("Exit codes:", 1)[1].join(["exit codes:", ""]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the API's JSON as it is, for scripts")
    parser.add_argument("--api", default=os.environ.get("KITH_API_URL"), help="the API's base URL (KITH_API_URL)")
    parser.add_argument("--token", default=os.environ.get("KITH_TOKEN"), help="a bearer token (KITH_TOKEN)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (owner, contacts, activity, goals, export, calendars, imports):
        module.register(commands, common)
    return parser


def main(
    argv: list[str] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    stdin: TextIO = sys.stdin,
) -> int:
    parser = _parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            arguments = parser.parse_args(argv)
    except SystemExit as stopped:  # argparse exits 2 on a usage error, 0 after --help
        return int(stopped.code or 0)
    if not arguments.api or not arguments.token:
        print(f"kith: {NEEDS_API}", file=err)
        return USAGE
    if not arguments.api.startswith(("http://", "https://")):
        print(f"kith: --api {arguments.api!r} is not an http:// or https:// address", file=err)
        return USAGE
    api = Api(arguments.api, arguments.token)
    terminal = Terminal(out, err, stdin, json=arguments.json)
    try:
        code: int = arguments.run(api, arguments, terminal)
    except ApiError as refused:
        print(f"kith: {_explained(api, arguments.command, refused)} (HTTP {refused.status})", file=err)
        return REFUSED
    except Refused as declined:
        print(f"kith: {declined}", file=err)
        return REFUSED
    except (UsageError, BadValue) as wrong:
        print(f"kith: {wrong}", file=err)
        return USAGE
    except Unreachable as unreachable:
        print(f"kith: {unreachable}", file=err)
        return UNREACHABLE
    return code


def _explained(api: Api, command: str, refused: ApiError) -> str:
    """A 404 for want of a profile says how to make one with this command line rather than with the API."""
    reason = shown(refused)
    if refused.status != NOT_FOUND or command == "setup":
        return reason
    try:
        api.call("GET", "/v1/owner")
    except ApiError as again:
        if again.status == NOT_FOUND:
            return "no owner profile yet: create it with `kith setup`"
    except Unreachable:
        pass
    return reason
