"""`make serve` over the wire: its links and webhook URLs lead back to it, its mail lands in outbox/,
and a failing function gets the answer API Gateway gives, not a dropped connection."""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kith.calendars.signing import hmac_sha256_hex
from kith_local.clock import SimulatedClock
from kith_local.demo_seed import seed_demo
from kith_local.dev_sign_in import PREFILLED_SUBJECT
from kith_local.harness import LocalKith
from kith_local.outbox import Outbox
from kith_local.serve import Serving

START = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)  # a Sunday evening
TOKEN = "dev:owner-serve"
OWNER = {"email": "owen@example.com", "name": "Owen", "time_zone": "UTC", "digest_weekdays": [0], "digest_hour": 8}


def _meeting(connection: dict[str, Any], kith: LocalKith) -> int:
    body = json.dumps(
        {
            "triggerEvent": "BOOKING_CREATED",
            "createdAt": (START - timedelta(hours=3)).isoformat(),
            "payload": {
                "title": "Catch-up",
                "startTime": (START - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "endTime": (START - timedelta(hours=1, minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "organizer": {"name": "Owen", "email": "owen@example.com", "timeZone": "UTC"},
                "attendees": [{"name": "Kim", "email": "kim@example.com", "timeZone": "UTC"}],
                "uid": "bk-serve",
            },
        }
    ).encode()
    signature = hmac_sha256_hex(connection["signing_secret"], body)
    path = "/webhooks/calcom/" + connection["connection_id"]
    return kith.request("POST", path, raw=body, headers={"x-cal-signature-256": signature}).status


def _links(eml: Path) -> list[str]:
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    return re.findall(r'href="([^"]+)"', html)


def test_serve_mails_links_to_itself_and_writes_every_email_it_sends_to_the_outbox(
    endpoint: str, tmp_path: Path
) -> None:
    clock = SimulatedClock(START)
    with LocalKith(clock, stage="serve1") as kith:
        serving = Serving(kith, Outbox(tmp_path / "outbox"), timedelta(minutes=5), lambda _: None)
        # Given an owner, a contact and a Cal.com connection made over HTTP
        assert kith.request("PUT", "/v1/owner", OWNER, token=TOKEN).status == 200
        contact = {"name": "Kim", "emails": ["kim@example.com"], "circle": "inner"}
        assert kith.request("POST", "/v1/contacts", contact, token=TOKEN).status == 201
        connection = kith.request("POST", "/v1/connections", {"provider": "calcom"}, token=TOKEN).body
        # Then the webhook URL it hands out is this server's own, over plain HTTP
        assert connection["webhook_url"] == f"{kith.base_url}/webhooks/calcom/{connection['connection_id']}"
        # When a meeting with the contact arrives, and serve runs until the follow-up is due
        assert _meeting(connection, kith) == 202
        assert serving.step() == []
        clock.set(START + timedelta(hours=15))  # Monday 09:00, inside working hours
        written = serving.step()
        # Then the follow-up is in the outbox as .eml and .html
        assert [entry.subject.split(" after ")[0] for entry in written] == ["Follow up with Kim"]
        assert written[0].eml.parent == tmp_path / "outbox" and written[0].html is not None
        assert sorted(path.suffix for path in (tmp_path / "outbox").iterdir()) == [".eml", ".html"]
        # And every one-click link in it leads to this server, and answers there
        actions = [link for link in _links(written[0].eml) if "/a/" in link]
        assert actions and all(link.startswith(kith.base_url + "/a/") for link in actions)
        with urllib.request.urlopen(actions[0], timeout=10) as page:
            assert page.status == 200
        # And a later step writes nothing twice
        assert serving.step() == []
        assert len(list((tmp_path / "outbox").iterdir())) == 2


def _fail_with(kith: LocalKith, handler: Any) -> None:
    """The API function's handler, replaced for this test by one that misbehaves."""
    name = kith.stack.functions["ApiFunction"].handler_name
    setattr(kith.lambdas.modules["ApiFunction"], name, handler)


def _raises(event: dict[str, Any], context: Any) -> Any:
    raise RuntimeError("a bug in the function")


@pytest.mark.parametrize(
    ("returned", "status", "body"),
    [
        ({"statusCode": "two hundred", "body": "{}"}, 502, {"message": "Internal Server Error"}),
        ({"statusCode": 200, "body": {"not": "a string"}}, 502, {"message": "Internal Server Error"}),
        ({"statusCode": 200, "body": "%%%", "isBase64Encoded": True}, 502, {"message": "Internal Server Error"}),
        ({"statusCode": 200, "headers": ["x"], "body": ""}, 502, {"message": "Internal Server Error"}),
        (object(), 502, {"message": "Internal Server Error"}),
        # Payload 2.0: JSON without a statusCode is the body of a 200
        ({"ok": True}, 200, {"ok": True}),
    ],
)
def test_a_function_answering_in_a_shape_api_gateway_cannot_read_is_a_502(
    endpoint: str, capfd: pytest.CaptureFixture[str], returned: Any, status: int, body: Any
) -> None:
    with LocalKith(SimulatedClock(START), stage="serve3") as kith:
        _fail_with(kith, lambda event, context: returned)
        answer = kith.request("GET", "/v1/owner", token=TOKEN)
        assert (answer.status, answer.body) == (status, body)
        if status == 502:
            assert "ApiFunction answered in a shape API Gateway cannot read" in capfd.readouterr().err


def test_a_function_that_raises_is_a_500_with_api_gateways_body_and_the_connection_stays_usable(
    endpoint: str, capfd: pytest.CaptureFixture[str]
) -> None:
    with LocalKith(SimulatedClock(START), stage="serve2") as kith:
        _fail_with(kith, _raises)
        host, port = kith.server.server_address[:2]
        connection = http.client.HTTPConnection(str(host), port, timeout=10)
        # When a request reaches a function that raises
        connection.request("GET", "/v1/owner", headers={"authorization": f"Bearer {TOKEN}"})
        first = connection.getresponse()
        # Then the client gets API Gateway's 500, not a dropped connection
        assert (first.status, json.loads(first.read())) == (500, {"message": "Internal Server Error"})
        assert first.getheader("content-type") == "application/json"
        # And the traceback is on the server's stderr
        err = capfd.readouterr().err
        assert "ApiFunction raised" in err and "RuntimeError: a bug in the function" in err
        # And the same connection carries the next request (a route no function serves: 404)
        connection.request("GET", "/nowhere")
        assert connection.getresponse().status == 404
        connection.close()


def test_make_serve_prints_http_addresses_of_its_own_and_hands_out_webhook_urls_on_them(tmp_path: Path) -> None:
    # Given `kith-local serve` started as `make serve` starts it
    command = [sys.executable, "-m", "kith_local", "serve", "--outbox", str(tmp_path / "outbox")]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        assert server.stdout is not None
        printed = [server.stdout.readline() for _ in range(8)]
        # Then the console's address comes first, then the development sign-in
        console = printed[0].split()[1]
        assert printed[0].startswith("Console ") and re.fullmatch(r"http://127\.0\.0\.1:\d+/", console), printed
        base = console.rstrip("/")
        assert printed[1].startswith("Sign-in ") and "no password" in printed[1]
        assert f"`kith login --api {base}`" in printed[1]
        # And it names its API, its webhooks and its outbox, all on its own plain-HTTP address
        assert printed[2].split()[2] == base
        assert printed[3].split()[1] == f"{base}/webhooks/<provider>/<connection_id>"
        # And the fake Google and Microsoft whose consent pages stand in for the providers'
        assert printed[4].startswith("Calendars ") and "consent pages" in printed[4]
        providers = printed[4].split()[6]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", providers), printed
        assert printed[5].split()[1] == f"{tmp_path / 'outbox'}/" and (tmp_path / "outbox").is_dir()
        assert printed[7].startswith("Tick ")
        # And the console's address answers with the console
        with urllib.request.urlopen(console, timeout=30) as page:
            assert page.url == f"{base}/console/" and page.headers["content-type"].startswith("text/html")
        # And a connection made over HTTP gets a webhook URL on that address
        headers = {"authorization": "Bearer dev:me", "content-type": "application/json"}
        for path, body in (("/v1/owner", OWNER), ("/v1/connections", {"provider": "calendly"})):
            method = "PUT" if path == "/v1/owner" else "POST"
            request = urllib.request.Request(base + path, json.dumps(body).encode(), headers, method=method)
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.loads(response.read())
        assert answer["webhook_url"].startswith(f"{base}/webhooks/calendly/")
        # And Connect Google Calendar sends the browser to the fake Google's consent page, which answers
        request = urllib.request.Request(base + "/v1/connections/google/authorize", b"", headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            consent_url = json.loads(response.read())["authorize_url"]
        assert consent_url.startswith(f"{providers}/google/")
        with urllib.request.urlopen(consent_url, timeout=30) as page:
            assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)
    assert out.strip().endswith("stopped")


def test_serve_demo_seeds_the_demo_owner_so_the_console_opens_on_a_full_today(endpoint: str, tmp_path: Path) -> None:
    with LocalKith(SimulatedClock(START), stage="serve4") as kith:
        # When serve starts with --demo
        seeded = seed_demo(kith)
        banner = Serving(kith, Outbox(tmp_path / "outbox"), timedelta(minutes=5), lambda _: None).banner("x", seeded)
        # Then the banner says who was seeded, and the sign-in is prefilled with that owner
        assert banner[2] == f"Demo          seeded {PREFILLED_SUBJECT}: 20 contacts, 2 meetings   " + (
            f"(sign in as {PREFILLED_SUBJECT} to see them)"
        )
        token = f"dev:{PREFILLED_SUBJECT}"
        # And that owner's Today is full: a digest's worth due, a nudge held back, a follow-up pending
        due = kith.request("GET", "/v1/due", token=token).body
        assert len(due["contacts"]) == 5
        assert [held["name"] for held in due["held_back"]] == ["Tomás Ortega"]
        follow_ups = kith.request("GET", "/v1/follow-ups", token=token).body["follow_ups"]
        assert "Portfolio review" in [item["title"] for item in follow_ups if item["status"] == "pending"]
        # And every contact has a timeline
        priya = next(item for item in due["contacts"] if item["name"] == "Priya Natarajan")
        timeline = kith.request("GET", f"/v1/contacts/{priya['contact_id']}/interactions", token=token).body
        assert [item["title"] for item in timeline["interactions"]] == ["Mentorship call"]
