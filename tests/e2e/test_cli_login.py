"""`kith login` against the local API server and its development sign-in, a "browser" driven with urllib.

The relay page (console/cli.html) forwards the sign-in to the command in JavaScript, which urllib does not
run: these tests fetch the page, then do its one step themselves, reading the port from the state and
calling http://127.0.0.1:<port>/callback with the code and state, as the page would.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import stat
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kith_cli.main import main
from kith_local.clock import WallClock
from kith_local.dev_sign_in import PREFILLED_EMAIL, PREFILLED_SUBJECT
from kith_local.harness import LocalKith

OWNER = {"email": PREFILLED_EMAIL, "name": "Ada Moreau", "time_zone": "Europe/Berlin", "digest_limit": 5}
AUTHORIZE = re.compile(r"(http://127\.0\.0\.1:\d+/dev/oauth2/authorize\?\S+)")
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


BROWSER = urllib.request.build_opener(_NoRedirects)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def _browse(url: str, form: dict[str, str] | None = None) -> Answer:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data)
    if form is not None:
        request.add_header("content-type", "application/x-www-form-urlencoded")
    try:
        with BROWSER.open(request, timeout=30) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return Answer(status, {name.lower(): value for name, value in headers.items()}, body.decode())


class Login:
    """`kith login --no-browser` running on its own thread, as in a terminal."""

    def __init__(self, base_url: str, timeout: int = 60) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        self.code: int | None = None
        arguments = ["login", "--api", base_url, "--no-browser", "--timeout", str(timeout)]
        self.thread = threading.Thread(target=self._run, args=(arguments,), daemon=True)
        self.thread.start()

    def _run(self, arguments: list[str]) -> None:
        self.code = main(arguments, self.out, self.err)

    def authorize_url(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = AUTHORIZE.search(self.err.getvalue())
            if found:
                return found.group(1)
            time.sleep(0.05)
        raise AssertionError(f"kith login printed no address: {self.err.getvalue()!r}")

    def finished(self) -> int:
        self.thread.join(timeout=30)
        assert self.code is not None, "kith login is still waiting"
        return self.code


def _relay(location: str) -> Answer:
    """What cli.html does in the browser: forward code and state (or error) to the port the state names."""
    received = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    port = int(received["state"].split(".", 1)[0])
    return _browse(f"http://127.0.0.1:{port}/callback?{urllib.parse.urlencode(received)}")


def _sign_in_page(url: str) -> dict[str, str]:
    page = _browse(url)
    assert page.status == 200 and "Sign in to Kith (development)" in page.text, page.text
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}
    subject = re.search(r'id="subject"[^>]* value="([^"]*)"', page.text)
    email = re.search(r'id="email"[^>]* value="([^"]*)"', page.text)
    assert subject and email
    return {**fields, "subject": html.unescape(subject.group(1)), "email": html.unescape(email.group(1))}


@pytest.fixture(scope="module")
def kith() -> Iterator[LocalKith]:
    from kith_local.aws import local_aws

    with local_aws(), LocalKith(WallClock(), stage="cli-login") as local:
        assert local.request("PUT", "/v1/owner", OWNER, token=f"dev:{PREFILLED_SUBJECT}").status == 200
        long_ago = (datetime.now(UTC) - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
        contact = {"name": "Priya Natarajan", "circle": "inner", "last_interaction_at": long_ago}
        assert local.request("POST", "/v1/contacts", contact, token=f"dev:{PREFILLED_SUBJECT}").status == 201
        yield local


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("KITH_TOKEN", raising=False)
    monkeypatch.delenv("KITH_API_URL", raising=False)
    return tmp_path / "kith" / "login.json"


def _kith(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_kith_login_signs_in_through_the_browser_and_every_command_then_uses_it(
    kith: LocalKith, config_home: Path
) -> None:
    # Given `kith login --no-browser`, waiting on 127.0.0.1
    login = Login(kith.base_url)
    url = login.authorize_url()
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["redirect_uri"] == f"{kith.base_url}/console/cli.html" and query["code_challenge_method"] == "S256"
    # When the person opens the address and signs in as the prefilled demo owner
    form = _sign_in_page(url)
    assert (form["subject"], form["email"]) == (PREFILLED_SUBJECT, PREFILLED_EMAIL)
    signed = _browse(url.split("?", 1)[0], {**form, "action": "sign-in"})
    # Then the browser is sent to the console's relay page, which is there
    assert signed.status == 302 and signed.headers["location"].startswith(f"{kith.base_url}/console/cli.html?code=")
    relay_page = _browse(signed.headers["location"])
    assert relay_page.status == 200 and 'src="cli.js"' in relay_page.text
    # And once the relay hands over code and state, the browser is told it may close the tab
    handed = _relay(signed.headers["location"])
    assert handed.status == 200 and "You can close this tab" in handed.text
    # And the command says who signed in, and keeps the sign-in for its owner alone
    assert login.finished() == 0, login.err.getvalue()
    assert login.out.getvalue() == f"signed in to {kith.base_url} as {PREFILLED_EMAIL} (subject {PREFILLED_SUBJECT})\n"
    assert stat.S_IMODE(os.stat(config_home).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(config_home.parent).st_mode) == 0o700

    # When whoami and due run with no --token and no --api
    code, out, _ = _kith("whoami")
    assert code == 0 and out.startswith(f"signed in as {PREFILLED_EMAIL} (subject {PREFILLED_SUBJECT})\n")
    assert f"API:    {kith.base_url}\n" in out
    code, out, err = _kith("due")
    # Then they use the stored sign-in and its API
    assert (code, err) == (0, "") and "Priya Natarajan" in out

    # When the token is about to expire, Then the next command renews it with the refresh token and stores that
    stored = json.loads(config_home.read_text())
    config_home.write_text(json.dumps({**stored, "expires_at": datetime.now(UTC).isoformat()}))
    config_home.chmod(0o600)
    assert _kith("due")[0] == 0
    renewed = json.loads(config_home.read_text())
    assert datetime.fromisoformat(renewed["expires_at"]) > datetime.now(UTC) + timedelta(minutes=55)
    assert renewed["refresh_token"] == stored["refresh_token"]

    # When the refresh token is refused, Then the command says the sign-in has expired, and stops
    config_home.write_text(json.dumps({**renewed, "expires_at": "2020-01-01T00:00:00+00:00", "refresh_token": "gone"}))
    code, _, err = _kith("due")
    assert (code, err) == (1, "kith: your sign-in has expired: run `kith login`\n")

    # When the person signs out, Then the file is gone, nobody is signed in, and the refresh token is revoked
    config_home.write_text(json.dumps(renewed))
    config_home.chmod(0o600)
    code, out, _ = _kith("logout")
    assert code == 0 and out == f"signed out of {kith.base_url}: {config_home} removed\n" and not config_home.exists()
    assert _kith("whoami")[0] == 1
    assert _kith("due")[0] == 2
    form = {"grant_type": "refresh_token", "refresh_token": renewed["refresh_token"], "client_id": renewed["client_id"]}
    refresh = urllib.request.Request(renewed["token_url"], urllib.parse.urlencode(form).encode(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(refresh, timeout=30)
    assert refused.value.code == 400 and json.loads(refused.value.read())["error"] == "invalid_grant"


def test_a_forged_state_at_the_callback_is_refused_and_stores_nothing(kith: LocalKith, config_home: Path) -> None:
    # Given kith login waiting, and a page that knows its port but not its state
    login = Login(kith.base_url)
    real_state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(login.authorize_url()).query))["state"]
    port = real_state.split(".", 1)[0]
    # When that page calls the callback with a state of its own and a code
    forged = _browse(f"http://127.0.0.1:{port}/callback?code=attackers-code&state={port}.forged-state-value")
    # Then the browser is told it was refused, the command stops with exit 1, and nothing is stored
    assert forged.status == 400 and "does not belong to the kith login" in forged.text
    assert login.finished() == 1 and "did not start" in login.err.getvalue()
    assert not config_home.exists()


def test_cancelling_on_the_sign_in_page_stores_nothing(kith: LocalKith, config_home: Path) -> None:
    login = Login(kith.base_url)
    url = login.authorize_url()
    cancelled = _browse(url.split("?", 1)[0], {**_sign_in_page(url), "action": "cancel"})
    assert cancelled.status == 302 and "error=access_denied" in cancelled.headers["location"]
    assert "cancelled" in _relay(cancelled.headers["location"]).text
    assert login.finished() == 1 and "sign-in cancelled: nothing stored" in login.err.getvalue()
    assert not config_home.exists()


def test_a_sign_in_that_never_comes_back_times_out_storing_nothing(kith: LocalKith, config_home: Path) -> None:
    login = Login(kith.base_url, timeout=1)
    assert login.finished() == 1
    assert login.err.getvalue().endswith("kith: no sign-in came back within 1 second: nothing stored\n")
    assert not config_home.exists()


def test_login_to_an_address_that_is_not_kiths_api_says_so(config_home: Path) -> None:
    code, _, err = _kith("login", "--api", "http://127.0.0.1:9", "--no-browser")
    assert code == 3 and "cannot reach http://127.0.0.1:9" in err and not config_home.exists()
