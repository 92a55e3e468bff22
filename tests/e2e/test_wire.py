"""The pipeline over the real wire: HTTP into the local API, boto3 over HTTP to moto's server."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import boto3
from kith.calendars.signing import hmac_sha256_hex
from kith_local.aws import sent_emails
from kith_local.clock import SimulatedClock
from kith_local.harness import LocalKith
from kith_local.lambdas import LocalLambdas

START = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
TOKEN = "dev:owner-e2e"


def _booking(uid: str, start: datetime) -> bytes:
    return json.dumps(
        {
            "triggerEvent": "BOOKING_CREATED",
            "createdAt": start.isoformat(),
            "payload": {
                "title": "Catch-up",
                "startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "endTime": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "organizer": {"name": "Owen", "email": "owen@example.com", "timeZone": "UTC"},
                "attendees": [{"name": "Kim", "email": "kim@example.com", "timeZone": "UTC"}],
                "uid": uid,
            },
        }
    ).encode()


def _set_up(kith: LocalKith) -> dict:
    owner = {"email": "owen@example.com", "name": "Owen", "time_zone": "UTC", "digest_weekdays": [0], "digest_hour": 8}
    assert kith.request("PUT", "/v1/owner", owner, token=TOKEN).status == 200
    contact = {
        "name": "Kim",
        "emails": ["kim@example.com"],
        "circle": "inner",
        "last_interaction_at": "2026-10-01T09:00:00Z",
    }
    assert kith.request("POST", "/v1/contacts", contact, token=TOKEN).status == 201
    connection = kith.request("POST", "/v1/connections", {"provider": "calcom"}, token=TOKEN).body
    assert connection["webhook_url"].startswith(kith.base_url + "/webhooks/calcom/")
    return connection  # type: ignore[no-any-return]


def _post(kith: LocalKith, connection: dict, body: bytes, signature: str | None = None) -> int:
    path = "/webhooks/calcom/" + connection["connection_id"]
    sig = signature if signature is not None else hmac_sha256_hex(connection["signing_secret"], body)
    return kith.request("POST", path, raw=body, headers={"x-cal-signature-256": sig}).status


def test_the_api_refuses_requests_without_a_development_token(endpoint: str) -> None:
    with LocalKith(SimulatedClock(START), stage="e2e1") as kith:
        assert kith.request("GET", "/v1/owner").status == 401
        assert kith.request("GET", "/v1/owner", token="not-a-dev-token").status == 401
        assert kith.request("GET", "/v1/owner", token=TOKEN).status == 404
        assert kith.request("GET", "/nowhere", token=TOKEN).status == 404


def test_a_webhook_delivered_three_times_and_two_mailers_make_one_interaction_and_one_email(endpoint: str) -> None:
    clock = SimulatedClock(START)
    with LocalKith(clock, stage="e2e2") as kith:
        # Given an owner, a contact and a Cal.com connection, all made over HTTP
        connection = _set_up(kith)
        body = _booking("bk-wire", START - timedelta(hours=2))
        # When the same signed webhook arrives three times over HTTP, and a forged copy once
        assert [_post(kith, connection, body) for _ in range(3)] == [202, 202, 202]
        assert _post(kith, connection, body, signature="f" * 64) == 401
        assert kith.queue_depth("MeetingQueue") == 3
        kith.process_meetings()
        # Then one interaction is recorded
        interactions = kith.request("GET", "/v1/interactions", token=TOKEN).body["interactions"]
        assert len(interactions) == 1
        # When the follow-up falls due and two mailers (two warm containers) drain the queue at once
        clock.set(START + timedelta(hours=16))  # Monday 10:00, inside working hours
        assert kith.lambdas.tick(clock.now())["follow_ups_queued"] == 1
        second = LocalLambdas(kith.stack)
        sqs = boto3.client("sqs")
        threads = [
            threading.Thread(target=lambdas.drain, args=(sqs, "MailQueue")) for lambdas in (kith.lambdas, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        kith.send_mail()
        # Then exactly one follow-up email went out, and the queue is empty
        subjects = [json.dumps(message.raw_data) for message in sent_emails()]
        assert len(subjects) == 1 and "Follow up with Kim" in subjects[0]
        assert kith.queue_depth("MailQueue") == 0
        sent = kith.request("GET", "/v1/sent", token=TOKEN).body["sent"]
        assert [item["kind"] for item in sent] == ["follow_up"]


def test_an_oversized_webhook_is_413_over_the_wire(endpoint: str) -> None:
    with LocalKith(SimulatedClock(START), stage="e2e3") as kith:
        connection = _set_up(kith)
        body = b'{"triggerEvent": "BOOKING_CREATED", "pad": "' + b"x" * (300 * 1024) + b'"}'
        assert _post(kith, connection, body) == 413
        assert kith.queue_depth("MeetingQueue") == 0


def test_the_local_api_reads_chunked_bodies_and_keeps_the_connection_in_step(endpoint: str) -> None:
    import http.client

    with LocalKith(SimulatedClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)), stage="chunked") as kith:
        host, port = kith.server.server_address[:2]
        connection = http.client.HTTPConnection(str(host), port, timeout=10)
        # Given a form sent in chunks, with no length, on a kept-alive connection
        connection.request(
            "POST",
            "/a/k1.cut.link",
            body=iter([b"circle=inner", b"&until=2026-12-01"]),
            headers={"content-type": "application/x-www-form-urlencoded"},
            encode_chunked=True,
        )
        first = connection.getresponse()
        first.read()
        # When a second request follows on the same connection
        connection.request("GET", "/a/k1.cut.link")
        second = connection.getresponse()
        # Then both got a real answer (a forged link: 403), the chunks read whole
        assert (first.status, second.status) == (403, 403)
        assert second.getheader("content-type", "").startswith("text/html")
        connection.close()
