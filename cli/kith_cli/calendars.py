"""`kith connections`, `kith connect`, `kith disconnect`: calendar connections (/v1/connections).

`kith connect google|outlook` connects by consent, as the console does: it asks Kith for the
provider's consent URL, prints it (and opens it in a browser where it can), and waits for the
connection to appear once the owner has allowed and the provider sent the browser back to Kith.
With `--mail` the consent asks for the mail the owner sends too (who and when, never the message).
"""

from __future__ import annotations

import argparse
import time
import webbrowser
from typing import Any

from kith_cli.api import Api
from kith_cli.errors import Refused, UsageError
from kith_cli.login import _duration, _seconds
from kith_cli.terminal import Terminal, shown

PROVIDERS = ("calcom", "calendly", "google", "outlook")
BY_CONSENT = {"google": "Google Calendar", "outlook": "Outlook"}
POLL_SECONDS = 2.0
WAIT_SECONDS = 300


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    commands.add_parser("connections", parents=[common], help="list calendar connections and their state").set_defaults(
        run=list_connections
    )
    connect = commands.add_parser("connect", parents=[common], help="connect a calendar")
    connect.add_argument("provider", choices=PROVIDERS)
    connect.add_argument(
        "--no-browser", action="store_true", help="Google/Outlook: print the consent address instead of opening it"
    )
    connect.add_argument(
        "--timeout",
        type=_seconds,
        default=WAIT_SECONDS,
        help=f"Google/Outlook: seconds to wait for the consent ({WAIT_SECONDS})",
    )
    connect.add_argument(
        "--mail",
        action="store_true",
        help="Google/Outlook: also count the emails you send (reads who and when, never the message)",
    )
    connect.add_argument("--code", help="Google/Outlook: an OAuth authorization code obtained elsewhere")
    connect.add_argument("--redirect-uri", help="Google/Outlook: the redirect URI that code was issued for")
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
                    _mail(item),
                    item.get("account_email"),
                    item.get("expires_at"),
                ]
                for item in listed["connections"]
            ]
            terminal.table(["ID", "PROVIDER", "STATE", "MAIL", "ACCOUNT", "EXPIRES"], rows)
        if listed.get("available_providers"):
            terminal.say(f"this stack connects: {', '.join(listed['available_providers'])}")
        if listed.get("bcc_address"):
            terminal.say(f"BCC or forward to {shown(listed['bcc_address'])} to log any email")

    terminal.emit(listed, human)
    return 0


def _mail(connection: dict[str, Any]) -> str:
    """Whether a calendar's account counts the mail sent from it; a booking tool has no mail."""
    if connection["provider"] not in BY_CONSENT:
        return "-"
    return "on" if connection.get("mail") else "off"


def connect_calendar(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    if arguments.mail and arguments.provider not in BY_CONSENT:
        raise UsageError(f"--mail: {arguments.provider} has no mailbox; only google and outlook read sent mail")
    if arguments.provider in BY_CONSENT and not arguments.code:
        return _connect_by_consent(api, arguments, terminal)
    body: dict[str, Any] = {"provider": arguments.provider}
    if arguments.code:
        body["authorization_code"] = arguments.code
    if arguments.redirect_uri:
        body["redirect_uri"] = arguments.redirect_uri
    if arguments.mail:
        body["mail"] = True
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


def _connect_by_consent(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    provider, name = arguments.provider, BY_CONSENT[arguments.provider]
    known = {item["connection_id"] for item in api.call("GET", "/v1/connections")["connections"]}
    started = api.call("POST", f"/v1/connections/{provider}/authorize", {"mail": bool(arguments.mail)})
    url = str(started["authorize_url"])
    print(f"Allow Kith to read your {name} in your browser:\n  {shown(url)}", file=terminal.err)
    if not arguments.no_browser and not webbrowser.open(url):
        print("(no browser could be opened here: open the address above)", file=terminal.err)
    print(
        f"Waiting up to {_duration(arguments.timeout)} for the calendar to be connected; Ctrl-C stops.",
        file=terminal.err,
    )
    try:
        connection = _wait_for(api, provider, known, time.monotonic() + arguments.timeout)
    except KeyboardInterrupt:
        raise Refused(
            "stopped waiting: if you complete the consent in the browser, `kith connections` lists the calendar"
        ) from None
    if connection is None:
        raise Refused(f"no {name} connection appeared within {_duration(arguments.timeout)}: nothing was connected")

    def human() -> None:
        terminal.say(f"connected {provider} as {connection['connection_id']} ({connection['state']})")
        if connection.get("account_email"):
            terminal.say(f"account: {shown(connection['account_email'])}")
        if arguments.mail:
            granted = "on: the emails you send count" if connection.get("mail") else "off: the mail was not granted"
            terminal.say(f"mail: {granted}")

    terminal.emit(connection, human)
    return 0


def _wait_for(api: Api, provider: str, known: set[str], deadline: float) -> dict[str, Any] | None:
    """The first connection of `provider` not in `known`, asked for every POLL_SECONDS until the deadline."""
    while True:
        listed = api.call("GET", "/v1/connections")["connections"]
        new = [item for item in listed if item["provider"] == provider and item["connection_id"] not in known]
        if new:
            return dict(new[0])
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(POLL_SECONDS, left))


def disconnect_calendar(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    api.send("DELETE", f"/v1/connections/{arguments.connection_id}")
    terminal.say(f"disconnected {arguments.connection_id}")
    return 0
