"""kith: Kith from the command line, over its HTTP API.

    kith login [--api URL] [--no-browser]   sign in through your browser; the commands below then use it
    kith whoami | kith logout                who is signed in, to which API; forget the sign-in
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

Every command takes --json (the API's JSON as it is, for scripts), --api and --token. Without --token
(or KITH_TOKEN) a command uses the sign-in `kith login` keeps in ~/.config/kith/login.json (under
$XDG_CONFIG_HOME when it is set), and that sign-in's API unless --api names another.

Exit codes:
    0  done
    1  refused, nothing changed: the API said no (4xx, its reason printed), a contact named matches
       none or several, a question was answered no, or the sign-in was refused or has expired
    2  usage: a flag or value is wrong or missing (nothing was sent)
    3  the API cannot be reached, or it failed (5xx)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from kith_cli import activity, calendars, contacts, export, goals, imports, login, owner, tokens
from kith_cli.api import Api
from kith_cli.errors import ApiError, BadValue, Refused, Unreachable, UsageError
from kith_cli.login import SignInStore
from kith_cli.terminal import Terminal, shown

OK, REFUSED, USAGE, UNREACHABLE = 0, 1, 2, 3
UNAUTHORIZED, NOT_FOUND = 401, 404
NEEDS_API = (
    "nobody is signed in: run `kith login --api URL` (the stack's ApiUrl output; locally, the address "
    "`make serve` prints), or give --api URL --token TOKEN, or KITH_API_URL and KITH_TOKEN "
    "(locally, `make serve` takes development tokens: --token dev:me)"
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
    parser.add_argument(
        "--token",
        default=os.environ.get("KITH_TOKEN"),
        help="a bearer token (KITH_TOKEN); without one, the sign-in `kith login` keeps",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (login, owner, contacts, activity, goals, export, calendars, imports):
        module.register(commands, common)
    return parser


def main(
    argv: list[str] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    stdin: TextIO = sys.stdin,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    parser = _parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            arguments = parser.parse_args(argv)
    except SystemExit as stopped:  # argparse exits 2 on a usage error, 0 after --help
        return int(stopped.code or 0)
    store = SignInStore(tokens.login_file(os.environ), now)
    terminal = Terminal(out, err, stdin, json=arguments.json)
    if not getattr(arguments, "needs_api", True):
        return _ended(lambda: arguments.run(arguments, terminal, store), err)
    try:
        api = _api(arguments, store)
    except (UsageError, Refused) as wrong:
        print(f"kith: {wrong}", file=err)
        return USAGE if isinstance(wrong, UsageError) else REFUSED
    return _ended(
        lambda: arguments.run(api, arguments, terminal), err, api, arguments.command, signed_in=not arguments.token
    )


def _api(arguments: argparse.Namespace, store: SignInStore) -> Api:
    """The API with --token (or KITH_TOKEN); without one, the stored sign-in, renewed when it is about to expire."""
    if arguments.token:
        if not arguments.api:
            raise UsageError(NEEDS_API)
        return Api(_address(arguments.api), arguments.token)
    kept = tokens.load(store.path)
    if kept is None:
        raise UsageError(NEEDS_API)
    if arguments.api and _address(arguments.api) != kept.api:
        # The stored token goes only to the API it was issued for.
        raise UsageError(
            f"you are signed in to {kept.api}, not {_address(arguments.api)}: "
            f"run `kith login --api {_address(arguments.api)}`, or give --token"
        )
    return Api(kept.api, tokens.SignedIn(store.path, kept, store.now))


def _address(api: str) -> str:
    if not api.startswith(("http://", "https://")):
        raise UsageError(f"--api {api!r} is not an http:// or https:// address")
    return api.rstrip("/")


def _ended(
    run: Callable[[], int], err: TextIO, api: Api | None = None, command: str = "", *, signed_in: bool = False
) -> int:
    """The command's exit code: each way it can stop is told in words on stderr."""
    try:
        code: int = run()
    except ApiError as refused:
        reason = _explained(api, command, refused) if api else shown(refused)
        if refused.status == UNAUTHORIZED and signed_in:
            reason += ": the API refused your sign-in; run `kith login`"
        print(f"kith: {reason} (HTTP {refused.status})", file=err)
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
