"""The console's relay page for `kith login` (console/cli.html), run by Chromium: the hand-over urllib cannot do."""

from __future__ import annotations

import io
import re
import threading
import time
from pathlib import Path

import pytest
from kith_cli.main import main
from playwright.sync_api import Page, expect

from tests.browser.support import Console, Owner

AUTHORIZE = re.compile(r"(http://127\.0\.0\.1:\d+/dev/oauth2/authorize\?\S+)")


def test_the_relay_page_hands_the_sign_in_to_kith_login(
    console: Console, owner: Owner, page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given `kith login --no-browser` waiting on 127.0.0.1
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    out, err = io.StringIO(), io.StringIO()
    codes: list[int] = []
    arguments = ["login", "--api", console.base_url, "--no-browser", "--timeout", "60"]
    login = threading.Thread(target=lambda: codes.append(main(arguments, out, err)), daemon=True)
    login.start()
    deadline = time.monotonic() + 30
    while not AUTHORIZE.search(err.getvalue()) and time.monotonic() < deadline:
        time.sleep(0.05)
    found = AUTHORIZE.search(err.getvalue())
    assert found, err.getvalue()
    # When the person opens the address it printed and signs in
    page.goto(found.group(1))
    page.fill("#subject", owner.subject)
    page.fill("#email", owner.email)
    page.get_by_role("button", name="Sign in").click()
    # Then the relay page forwards the sign-in to the command, and the browser says it is done
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/callback\?"))
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    login.join(timeout=30)
    assert codes == [0], err.getvalue()
    assert out.getvalue() == f"signed in to {console.base_url} as {owner.email} (subject {owner.subject})\n"
    assert (tmp_path / "kith" / "login.json").exists()


def test_the_relay_page_opened_without_a_sign_in_says_so(console: Console, page: Page) -> None:
    page.goto(f"{console.url}cli.html")
    expect(page.get_by_role("heading", name="Nothing to hand over")).to_be_visible()
    expect(page.get_by_role("link", name="Open the Kith console")).to_have_attribute("href", "./")


@pytest.mark.parametrize("state", ["80.abcdefghijklmnopqrstuvwxyz", "65536.abcdefghijklmnopqrstuvwxyz", "no-port"])
def test_the_relay_page_forwards_nowhere_but_a_loopback_port(console: Console, page: Page, state: str) -> None:
    page.goto(f"{console.url}cli.html?code=c&state={state}")
    expect(page.get_by_role("heading", name="This sign-in cannot be handed over")).to_be_visible()
    assert page.url.startswith(f"{console.url}cli.html")
