"""kith: calendar connections and contact imports from the command line, over Kith's HTTP API.

    kith connections                         list them, with their state
    kith connect calcom|calendly             a webhook URL and signing secret (shown once)
    kith connect google|outlook --code C --redirect-uri U
    kith disconnect CONNECTION_ID
    kith import FILE [--dry-run] [--yes]     LinkedIn, Google Contacts, vCard or Kith CSV: a dry run's
                                             report, then the import with a progress bar

The API's address and a token come from --api / --token or KITH_API_URL / KITH_TOKEN.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, TextIO

PROVIDERS = ("calcom", "calendly", "google", "outlook")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Api:
    def __init__(self, base_url: str, token: str) -> None:
        self._base = base_url.rstrip("/")
        self._token = token

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self._base + path, data=data, method=method)
        request.add_header("authorization", f"Bearer {self._token}")
        request.add_header("content-type", "application/octet-stream" if raw is not None else "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, _error_message(error.read()) or error.reason) from None
        return json.loads(payload) if payload else None


def _error_message(payload: bytes) -> str:
    try:
        document = json.loads(payload)
    except ValueError:
        return ""
    if isinstance(document, dict):
        return str(document.get("error") or document.get("message") or "")
    return ""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kith", description="Kith from the command line: calendar connections and contact imports."
    )
    parser.add_argument("--api", default=os.environ.get("KITH_API_URL"), help="the API's base URL (KITH_API_URL)")
    parser.add_argument("--token", default=os.environ.get("KITH_TOKEN"), help="a bearer token (KITH_TOKEN)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("connections", help="list calendar connections and their state")
    connect = commands.add_parser("connect", help="connect a calendar")
    connect.add_argument("provider", choices=PROVIDERS)
    connect.add_argument("--code", help="Google/Outlook: the OAuth authorization code")
    connect.add_argument("--redirect-uri", help="Google/Outlook: the redirect URI the code was issued for")
    disconnect = commands.add_parser("disconnect", help="disconnect a calendar")
    disconnect.add_argument("connection_id")
    imports = commands.add_parser("import", help="import contacts: LinkedIn, Google Contacts, vCard or Kith CSV")
    imports.add_argument("file", type=argparse.FileType("rb"))
    imports.add_argument("--dry-run", action="store_true", help="only report what the import would do")
    imports.add_argument("--yes", action="store_true", help="import without asking after the dry run")
    return parser


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    if not arguments.api or not arguments.token:
        parser.error("the API's address and a token are needed: --api and --token, or KITH_API_URL and KITH_TOKEN")
    api = Api(arguments.api, arguments.token)
    try:
        if arguments.command == "connections":
            _list(api, out)
        elif arguments.command == "connect":
            _connect(api, arguments, out)
        elif arguments.command == "import":
            return import_file(api, arguments.file.read(), arguments.file.name, arguments, out, err)
        else:
            api.call("DELETE", f"/v1/connections/{arguments.connection_id}")
            print(f"disconnected {arguments.connection_id}", file=out)
    except ApiError as refused:
        print(f"kith: {refused} (HTTP {refused.status})", file=err)
        return 1
    except urllib.error.URLError as unreachable:
        print(f"kith: cannot reach {arguments.api}: {unreachable.reason}", file=err)
        return 2
    return 0


def _list(api: Api, out: TextIO) -> None:
    listed = api.call("GET", "/v1/connections")["connections"]
    if not listed:
        print("no calendar connected", file=out)
        return
    for connection in listed:
        account = connection.get("account_email") or "-"
        expires = connection.get("expires_at") or "-"
        line = f"{connection['connection_id']}  {connection['provider']:<9} {connection['state']:<9} {account}"
        print(f"{line}  expires {expires}", file=out)


def _connect(api: Api, arguments: argparse.Namespace, out: TextIO) -> None:
    body: dict[str, str] = {"provider": arguments.provider}
    if arguments.code:
        body["authorization_code"] = arguments.code
    if arguments.redirect_uri:
        body["redirect_uri"] = arguments.redirect_uri
    created = api.call("POST", "/v1/connections", body)
    print(f"connected {created['provider']} as {created['connection_id']} ({created['state']})", file=out)
    if created.get("signing_secret"):
        print(f"webhook URL:    {created['webhook_url']}", file=out)
        print(f"signing secret: {created['signing_secret']}  (shown once: paste it into the provider now)", file=out)
    elif created.get("account_email"):
        print(f"account: {created['account_email']}", file=out)


PART = 500
SHOWN_PROBLEMS = 20


def import_file(api: Api, data: bytes, filename: str, arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """A dry run first; then, confirmed, the import in parts of PART rows with a progress bar on stderr."""
    name = urllib.parse.quote(filename.rsplit("/", 1)[-1])
    report = api.call("POST", f"/v1/imports?dry_run=true&filename={name}", raw=data)
    _summary(report, "would be", out)
    if arguments.dry_run:
        return 0
    if not arguments.yes and not _confirmed(out):
        print("nothing imported", file=out)
        return 1
    total = report["readable_rows"]
    done: dict[str, int] = {"new": 0, "merged": 0, "unchanged": 0, "skipped": 0}
    for start in range(0, max(total, 1), PART):
        end = min(start + PART, total)
        part = api.call("POST", f"/v1/imports?dry_run=false&filename={name}&rows={start}:{end}", raw=data)
        for outcome in done:
            done[outcome] += part[outcome]
        _progress(end, total, err)
    print(file=err)
    print(
        f"imported: {done['new']} new, {done['merged']} merged, {done['unchanged']} unchanged, "
        f"{done['skipped']} skipped",
        file=out,
    )
    return 0


def _summary(report: dict[str, Any], verb: str, out: TextIO) -> None:
    print(
        f"{report['format']} file: {report['new']} {verb} new, {report['merged']} merged, "
        f"{report['unchanged']} unchanged, {report['skipped']} skipped",
        file=out,
    )
    skipped = [row for row in report["rows"] if row["outcome"] == "skipped"]
    for row in skipped[:SHOWN_PROBLEMS]:
        print(f"  line {row['line']}: skipped, {row['reason']}", file=out)
    if len(skipped) > SHOWN_PROBLEMS:
        print(f"  ... and {len(skipped) - SHOWN_PROBLEMS} more skipped rows", file=out)


def _confirmed(out: TextIO) -> bool:
    print("Import these contacts? [y/N] ", end="", file=out, flush=True)
    return sys.stdin.readline().strip().lower() in {"y", "yes"}


def _progress(done: int, total: int, err: TextIO, width: int = 30) -> None:
    filled = width * done // total if total else width
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows", end="", file=err, flush=True)
