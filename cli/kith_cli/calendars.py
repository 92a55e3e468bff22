"""`kith connections`, `kith connect`, `kith disconnect`: calendar connections (/v1/connections)."""

from __future__ import annotations

import argparse
from typing import Any

from kith_cli.api import Api
from kith_cli.terminal import Terminal

PROVIDERS = ("calcom", "calendly", "google", "outlook")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    commands.add_parser("connections", parents=[common], help="list calendar connections and their state").set_defaults(
        run=list_connections
    )
    connect = commands.add_parser("connect", parents=[common], help="connect a calendar")
    connect.add_argument("provider", choices=PROVIDERS)
    connect.add_argument("--code", help="Google/Outlook: the OAuth authorization code")
    connect.add_argument("--redirect-uri", help="Google/Outlook: the redirect URI the code was issued for")
    connect.set_defaults(run=connect_calendar)
    disconnect = commands.add_parser("disconnect", parents=[common], help="disconnect a calendar")
    disconnect.add_argument("connection_id")
    disconnect.set_defaults(run=disconnect_calendar)


def list_connections(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    listed = api.call("GET", "/v1/connections")

    def human() -> None:
        if not listed["connections"]:
            terminal.say("no calendar connected")
        else:
            rows = [
                [
                    item["connection_id"],
                    item["provider"],
                    item["state"],
                    item.get("account_email"),
                    item.get("expires_at"),
                ]
                for item in listed["connections"]
            ]
            terminal.table(["ID", "PROVIDER", "STATE", "ACCOUNT", "EXPIRES"], rows)
        if listed.get("available_providers"):
            terminal.say(f"this stack connects: {', '.join(listed['available_providers'])}")

    terminal.emit(listed, human)
    return 0


def connect_calendar(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    body: dict[str, str] = {"provider": arguments.provider}
    if arguments.code:
        body["authorization_code"] = arguments.code
    if arguments.redirect_uri:
        body["redirect_uri"] = arguments.redirect_uri
    created = api.call("POST", "/v1/connections", body)

    def human() -> None:
        terminal.say(f"connected {created['provider']} as {created['connection_id']} ({created['state']})")
        if created.get("signing_secret"):
            terminal.say(f"webhook URL:    {created['webhook_url']}")
            terminal.say(f"signing secret: {created['signing_secret']}  (shown once: paste it into the provider now)")
        elif created.get("account_email"):
            terminal.say(f"account: {created['account_email']}")

    terminal.emit(created, human)
    return 0


def disconnect_calendar(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    api.send("DELETE", f"/v1/connections/{arguments.connection_id}")
    terminal.say(f"disconnected {arguments.connection_id}")
    return 0
