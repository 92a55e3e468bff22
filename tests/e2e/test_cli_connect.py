"""`kith connect google|outlook`: the consent URL printed and opened, and the wait for the connection, over HTTP."""

from __future__ import annotations

import io
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from kith_cli import calendars
from kith_cli.main import main
from kith_local.clock import SimulatedClock
from kith_local.demo_calendars import Webhooks
from kith_local.fake_providers import FakeProviders
from kith_local.harness import LocalKith
from kith_local.plain_browser import Browser, ConsentTrip, give_consent
from kith_local.provider_settings import google_overrides, microsoft_overrides

TOKEN = "dev:owner-connect"


@pytest.fixture
def kith(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalKith]:
    clock = SimulatedClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    with FakeProviders(clock) as fake, LocalKith(clock, stage="cli-connect") as local:
        local.use_settings(google_overrides(fake) | microsoft_overrides(fake))
        fake.notify = Webhooks(local.base_url, lambda *_: None).notify
        owner = {"email": "olive@example.com", "name": "Olive", "time_zone": "Europe/Berlin"}
        assert local.request("PUT", "/v1/owner", owner, token=TOKEN).status == 200
        monkeypatch.setattr(calendars, "POLL_SECONDS", 0.05)
        yield local


def _run(kith: LocalKith, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--api", kith.base_url, "--token", TOKEN, *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("provider", ["google", "outlook"])
def test_connect_opens_the_consent_page_and_waits_for_the_connection(
    kith: LocalKith, monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    # Given a browser in which the owner, once the page opens, allows a moment later
    trips: list[ConsentTrip] = []

    def open_in_browser(url: str) -> bool:
        allow = threading.Timer(0.2, lambda: trips.append(give_consent(Browser(), url)))
        allow.start()
        return True

    monkeypatch.setattr(calendars.webbrowser, "open", open_in_browser)
    # When the owner runs `kith connect`
    code, out, err = _run(kith, "connect", provider)
    # Then the consent URL was printed and opened, and the command waited for the connection and names it
    # (and the account the fake provider consented with)
    assert code == 0, err
    assert "Allow Kith to read your" in err and "/oauth2/" in err and "Ctrl-C stops" in err
    (trip,) = trips
    assert trip.landed.status == 303 and trip.landed.headers["location"].endswith(f"connected={provider}")
    (listed,) = kith.request("GET", "/v1/connections", token=TOKEN).body["connections"]
    assert out == f"connected {provider} as {listed['connection_id']} (active)\naccount: owner@example.com\n"


def test_connect_stops_waiting_at_its_timeout_and_says_nothing_was_connected(
    kith: LocalKith, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given no browser here, and an owner who never completes the consent
    monkeypatch.setattr(calendars.webbrowser, "open", lambda url: False)
    # When `kith connect google --timeout 1` runs
    code, out, err = _run(kith, "connect", "google", "--timeout", "1")
    # Then it says how to open the page, waits a second and stops, refusing (exit 1)
    assert code == 1 and out == ""
    assert "open the address above" in err
    assert "no Google Calendar connection appeared within 1 second: nothing was connected" in err


def test_ctrl_c_stops_the_wait_cleanly(kith: LocalKith, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the owner presses Ctrl-C while the command waits
    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(calendars, "_wait_for", interrupted)
    # When `kith connect outlook --no-browser` runs
    code, _, err = _run(kith, "connect", "outlook", "--no-browser")
    # Then it stops with exit 1, no traceback, saying where the calendar shows if the consent is completed later
    assert code == 1
    assert "stopped waiting" in err and "kith connections" in err and "Traceback" not in err


def test_a_booking_tool_is_still_connected_at_once(kith: LocalKith) -> None:
    code, out, _ = _run(kith, "connect", "calendly")
    assert code == 0 and "signing secret:" in out


def _allowing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A browser in which the owner allows whatever consent page opens, a moment later; the URLs it opened."""
    opened: list[str] = []

    def open_in_browser(url: str) -> bool:
        opened.append(url)
        threading.Timer(0.2, lambda: give_consent(Browser(), url)).start()
        return True

    monkeypatch.setattr(calendars.webbrowser, "open", open_in_browser)
    return opened


def _scope(url: str) -> set[str]:
    return set(urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["scope"][0].split())


@pytest.mark.parametrize("provider", ["google", "outlook"])
def test_connect_with_mail_asks_for_the_mail_too_and_the_list_says_whether_it_reads_it(
    kith: LocalKith, monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    opened = _allowing(monkeypatch)
    # When the owner connects without mail, disconnects, and connects with --mail
    assert _run(kith, "connect", provider)[0] == 0
    (plain,) = kith.request("GET", "/v1/connections", token=TOKEN).body["connections"]
    assert plain["mail"] is False
    assert _run(kith, "disconnect", plain["connection_id"])[0] == 0
    code, out, err = _run(kith, "connect", provider, "--mail")
    # Then the consent with mail asked for at least what the calendar's did, and the connection says what was granted
    assert code == 0, err
    assert _scope(opened[0]) <= _scope(opened[1])
    listed = kith.request("GET", "/v1/connections", token=TOKEN).body
    (connection,) = listed["connections"]
    word = "on" if connection["mail"] else "off"
    assert out.endswith(
        f"mail: {'on: the emails you send count' if connection['mail'] else 'off: the mail was not granted'}\n"
    )
    # And `kith connections` shows it in the MAIL column, with the owner's BCC address
    code, out, _ = _run(kith, "connections")
    assert code == 0
    (header, row) = out.splitlines()[:2]
    assert header.split()[:4] == ["ID", "PROVIDER", "STATE", "MAIL"]
    assert row.split()[:4] == [connection["connection_id"], provider, "active", word]
    assert f"BCC or forward to {listed['bcc_address']} to log any email" in out


def test_mail_is_refused_for_a_booking_tool_before_anything_is_asked(kith: LocalKith) -> None:
    code, out, err = _run(kith, "connect", "calcom", "--mail")
    assert code != 0 and out == ""
    assert "--mail: calcom has no mailbox" in err
    assert kith.request("GET", "/v1/connections", token=TOKEN).body["connections"] == []
