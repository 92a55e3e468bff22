"""kith: calendar connections from the command line, over Kith's HTTP API.

    kith connections                         list them, with their state
    kith connect calcom|calendly             a webhook URL and signing secret (shown once)
    kith connect google|outlook --code C --redirect-uri U
    kith disconnect CONNECTION_ID

The API's address and a token come from --api / --token or KITH_API_URL / KITH_TOKEN.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
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

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self._base + path, data=data, method=method)
        request.add_header("authorization", f"Bearer {self._token}")
        request.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
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
    parser = argparse.ArgumentParser(prog="kith", description="Kith's calendar connections, from the command line.")
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
