"""`kith login`, `kith whoami`, `kith logout`: signing the command line in through the browser.

`kith login` runs the console's sign-in (authorization code with PKCE) with the console's relay page,
<api>/console/cli.html, as its redirect URI: the sign-in server returns only to addresses it knows, and
the relay forwards the answer to this command on 127.0.0.1, at the port the state begins with.
"""

from __future__ import annotations

import argparse
import hmac
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kith_cli import oauth, tokens
from kith_cli.errors import BadValue, Refused, Unreachable, UsageError
from kith_cli.loopback import Loopback, Outcome, Page
from kith_cli.terminal import Terminal, shown

WAIT = timedelta(minutes=5)
NEEDS_ADDRESS = (
    "kith login needs the API's address: --api URL or KITH_API_URL "
    "(the stack's ApiUrl output; locally, the address `make serve` prints)"
)


@dataclass(frozen=True)
class SignInStore:
    """Where the sign-in is kept, and the clock its expiry is read by."""

    path: Path
    now: Callable[[], datetime]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    login = commands.add_parser(
        "login", parents=[common], help="sign in through your browser; every command then uses that sign-in"
    )
    login.add_argument(
        "--no-browser", action="store_true", help="print the address to open instead of opening a browser"
    )
    login.add_argument(
        "--timeout", type=_seconds, default=int(WAIT.total_seconds()), help="seconds to wait for the browser (300)"
    )
    login.set_defaults(run=sign_in, needs_api=False)
    commands.add_parser("whoami", parents=[common], help="who is signed in, to which API, until when").set_defaults(
        run=whoami, needs_api=False
    )
    commands.add_parser("logout", parents=[common], help="forget the sign-in kith login keeps").set_defaults(
        run=sign_out, needs_api=False
    )


def sign_in(arguments: argparse.Namespace, terminal: Terminal, store: SignInStore) -> int:
    api = _address(arguments.api, store)
    config = oauth.fetch_config(api)
    redirect_uri = f"{api}/console/cli.html"
    pkce = oauth.Pkce.new()
    attempt = _Attempt(api, config, redirect_uri, pkce.verifier, store)
    with Loopback(attempt.receive) as loopback:
        attempt.state = oauth.new_state(loopback.port)
        url = oauth.authorize_url(config, redirect_uri, attempt.state, pkce.challenge)
        print(f"Sign in to Kith in your browser, on this computer:\n  {url}", file=terminal.err)
        if not arguments.no_browser and not webbrowser.open(url):
            print("(no browser could be opened here: open the address above)", file=terminal.err)
        print(f"Waiting up to {_duration(arguments.timeout)} for the sign-in; Ctrl-C stops.", file=terminal.err)
        try:
            outcome = loopback.wait(arguments.timeout)
        except KeyboardInterrupt:
            raise Refused("sign-in stopped: nothing stored") from None
    if outcome is None:
        raise Refused(f"no sign-in came back within {_duration(arguments.timeout)}: nothing stored")
    if outcome.error is not None:
        raise outcome.error
    assert attempt.login is not None
    login = attempt.login
    terminal.emit(_who(login), lambda: terminal.say(f"signed in to {login.api} as {_name(login)}"))
    return 0


def whoami(arguments: argparse.Namespace, terminal: Terminal, store: SignInStore) -> int:
    login = tokens.load(store.path)
    if login is None:
        raise Refused("nobody is signed in: run `kith login --api URL`")
    now = store.now()

    def human() -> None:
        terminal.say(f"signed in as {_name(login)}")
        terminal.say(f"API:    {login.api}")
        when = f"{login.expires_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        renewal = "renewed with the refresh token when needed" if login.refresh_token else "then run `kith login`"
        lapse = "expires" if login.expires_at > now else "expired"
        terminal.say(f"token:  {lapse} {when} ({renewal})")

    terminal.emit(_who(login), human)
    return 0


def sign_out(arguments: argparse.Namespace, terminal: Terminal, store: SignInStore) -> int:
    try:
        login = tokens.load(store.path)
    except Refused:
        login = None  # unreadable or open to others: removed all the same
    if login is not None and login.revoke_url and login.refresh_token:
        try:
            oauth.revoke(login.revoke_url, login.client_id, login.refresh_token)
        except (oauth.OAuthRefused, Unreachable) as failed:
            print(f"kith: the sign-in server did not revoke the refresh token ({failed})", file=terminal.err)
    if tokens.forget(store.path):
        terminal.say(f"signed out{f' of {login.api}' if login else ''}: {store.path} removed")
    else:
        terminal.say(f"nobody was signed in ({store.path} does not exist)")
    return 0


class _Attempt:
    """One sign-in: what the browser must bring back, and what to do with it."""

    def __init__(
        self, api: str, config: oauth.SignInConfig, redirect_uri: str, verifier: str, store: SignInStore
    ) -> None:
        self.api = api
        self.config = config
        self.redirect_uri = redirect_uri
        self.verifier = verifier
        self.store = store
        self.state = ""
        self.login: tokens.StoredLogin | None = None

    def receive(self, answer: dict[str, str]) -> Outcome:
        if not self.state or not hmac.compare_digest(answer.get("state", "").encode(), self.state.encode()):
            return _refused(
                "This answer does not belong to the kith login waiting here, so it was refused and nothing was "
                "stored. Run kith login again.",
                "the browser came back with a sign-in this kith login did not start (its state differs): "
                "refused, nothing stored",
            )
        if answer.get("error"):
            if answer["error"] == "access_denied":
                return _refused("Sign-in was cancelled; nothing was stored.", "sign-in cancelled: nothing stored")
            reason = shown(answer["error"]) + (
                f" ({shown(answer['error_description'])})" if answer.get("error_description") else ""
            )
            return _refused(
                f"The sign-in server did not sign you in: {reason}. Nothing was stored.",
                f"the sign-in server did not sign you in: {reason}; nothing stored",
            )
        if not answer.get("code"):
            return _refused("The answer holds no code; nothing was stored.", "the browser came back without a code")
        try:
            granted = oauth.exchange_code(self.config, answer["code"], self.redirect_uri, self.verifier)
        except oauth.OAuthRefused as refused:
            return _refused(
                f"The sign-in server refused the code ({refused}); nothing was stored. Run kith login again.",
                f"the sign-in server refused the code ({refused}): nothing stored",
            )
        except Unreachable as unreachable:
            page = Page(502, "Sign-in failed", "The sign-in server could not be reached; nothing was stored.")
            return Outcome(page, unreachable)
        if not granted.refresh_token:
            return _refused("The sign-in server gave no refresh token; nothing was stored.", "no refresh token given")
        login = tokens.StoredLogin(
            api=self.api,
            token_url=self.config.token_url,
            client_id=self.config.client_id,
            access_token=granted.access_token,
            id_token=granted.id_token or "",
            refresh_token=granted.refresh_token,
            expires_at=self.store.now() + timedelta(seconds=granted.expires_in),
            revoke_url=self.config.revoke_url,
        )
        try:
            tokens.save(self.store.path, login)
        except OSError as failed:
            page = Page(500, "Sign-in not kept", "The kith command could not store the sign-in; see the terminal.")
            return Outcome(page, Refused(f"cannot write {self.store.path}: {failed.strerror or failed}"))
        self.login = login
        page = Page(200, "Signed in", f"The kith command is signed in as {_name(login)}. You can close this tab.")
        return Outcome(page)


def _refused(sentence: str, message: str) -> Outcome:
    return Outcome(Page(400, "Sign-in refused", sentence), Refused(message))


def _address(given: str | None, store: SignInStore) -> str:
    if not given:
        try:
            kept = tokens.load(store.path)
        except Refused:
            kept = None
        if kept is None:
            raise UsageError(NEEDS_ADDRESS)
        given = kept.api
    if not given.startswith(("http://", "https://")):
        raise UsageError(f"--api {given!r} is not an http:// or https:// address")
    return given.rstrip("/")


def _who(login: tokens.StoredLogin) -> dict[str, Any]:
    claims = login.claims()
    return {
        "api": login.api,
        "email": claims.get("email"),
        "sub": claims.get("sub"),
        "expires_at": login.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _name(login: tokens.StoredLogin) -> str:
    claims = login.claims()
    email, subject = claims.get("email"), claims.get("sub")
    if email and subject:
        return f"{shown(email)} (subject {shown(subject)})"
    return shown(email or subject or "someone the sign-in server does not name")


def _duration(seconds: int) -> str:
    if seconds % 60 == 0 and seconds >= 120:
        return f"{seconds // 60} minutes"
    return "1 second" if seconds == 1 else f"{seconds} seconds"


def _seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadValue(f"{text!r} is not a number of seconds") from None
    if not 1 <= value <= 3600:
        raise BadValue("give 1 to 3600 seconds")
    return value
