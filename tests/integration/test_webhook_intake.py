"""Webhook intake: what is accepted is queued before the answer; what is refused changes nothing."""

from __future__ import annotations

import json

import pytest
from kith.calendars.signing import hmac_sha256_hex
from kith_local.provider_payloads import calcom_body

from tests.integration.support import NOW, Kith

ATTENDEE = [("Ann Attendee", "ann@example.com")]


@pytest.fixture
def connection(kith: Kith) -> dict:
    kith.create_owner()
    kith.create_contact("Ann Attendee", "ann@example.com")
    return kith.connect()


def _snapshot(kith: Kith) -> tuple[int, int]:
    return len(kith.items()), len(kith.receive("MeetingQueue"))


def test_a_signed_booking_is_queued_before_the_answer(kith: Kith, connection: dict) -> None:
    # Given a connected Cal.com calendar
    # When a correctly signed BOOKING_CREATED arrives
    status, body = kith.webhook(connection, calcom_body("BOOKING_CREATED", "bk-1", NOW, ATTENDEE))
    # Then it is answered 202 and the meeting is on the queue, parsed, with the owner's id
    assert (status, body) == (202, {"status": "queued"})
    (message,) = kith.receive("MeetingQueue")
    queued = json.loads(message["Body"])
    assert queued["owner_id"] == "owner-1"
    assert queued["event"]["external_id"] == "bk-1"
    assert queued["event"]["attendees"][0]["email"] == "ann@example.com"


def test_a_ping_is_acknowledged_and_queues_nothing(kith: Kith, connection: dict) -> None:
    body = json.dumps({"triggerEvent": "PING", "createdAt": "2026-11-30T09:00:00Z", "payload": {"type": "Test"}})
    before = _snapshot(kith)
    status, answer = kith.webhook(connection, body.encode())
    assert (status, answer) == (200, {"status": "acknowledged"})
    assert _snapshot(kith) == before


@pytest.mark.parametrize(
    ("signature", "expected_error"),
    [
        (None, "missing X-Cal-Signature-256 header"),
        ("0" * 64, "X-Cal-Signature-256 does not match the body"),
        ("not-hex", "X-Cal-Signature-256 does not match the body"),
    ],
)
def test_a_wrong_or_missing_signature_is_401_and_changes_nothing(
    kith: Kith, connection: dict, signature: str | None, expected_error: str
) -> None:
    before = _snapshot(kith)
    status, body = kith.webhook(connection, calcom_body("BOOKING_CREATED", "bk-1", NOW, ATTENDEE), signature)
    assert status == 401
    assert body == {"error": expected_error}
    assert _snapshot(kith) == before


def test_a_body_signed_with_another_secret_is_refused(kith: Kith, connection: dict) -> None:
    other = {**connection, "signing_secret": "someone-elses-secret"}
    body = calcom_body("BOOKING_CREATED", "bk-1", NOW, ATTENDEE)
    status, _ = kith.http(
        "POST",
        f"/webhooks/calcom/{connection['connection_id']}",
        raw=body,
        headers={"x-cal-signature-256": hmac_sha256_hex(other["signing_secret"], body)},
    )
    assert status == 401


def test_unknown_connection_and_unknown_provider_are_404(kith: Kith, connection: dict) -> None:
    before = _snapshot(kith)
    body = calcom_body("BOOKING_CREATED", "bk-1", NOW, ATTENDEE)
    status, answer = kith.webhook({**connection, "connection_id": "nope"}, body)
    assert (status, answer) == (404, {"error": "unknown calendar connection"})
    status, answer = kith.http("POST", f"/webhooks/zoom/{connection['connection_id']}", raw=body)
    assert status == 404
    assert "unknown calendar provider" in answer["error"]
    assert _snapshot(kith) == before


# When Cal.com created these deliveries: an hour before the request (NOW).
SENT = "2026-11-30T09:00:00Z"


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (b"\xff\xfe\x00binary", 400, "not valid JSON"),
        (json.dumps({"triggerEvent": 7}).encode(), 422, "triggerEvent"),
        (
            json.dumps({"triggerEvent": "BOOKING_EXPLODED", "createdAt": SENT, "payload": {}}).encode(),
            422,
            "BOOKING_EXPLODED",
        ),
        (
            json.dumps(
                {"triggerEvent": "BOOKING_CREATED", "createdAt": SENT, "payload": {"uid": "x", "startTime": "soon"}}
            ).encode(),
            422,
            "startTime",
        ),
        (
            json.dumps({"triggerEvent": "BOOKING_CREATED", "createdAt": SENT, "payload": "nope"}).encode(),
            422,
            "payload",
        ),
        (json.dumps({"triggerEvent": "BOOKING_CREATED", "payload": {"uid": "x"}}).encode(), 422, "createdAt"),
    ],
)
def test_malformed_bodies_get_a_4xx_that_says_what_is_wrong(
    kith: Kith, connection: dict, body: bytes, status: int, fragment: str
) -> None:
    before = _snapshot(kith)
    got_status, answer = kith.webhook(connection, body)
    assert got_status == status
    assert fragment in answer["error"]
    assert _snapshot(kith) == before


def test_a_body_over_256_kb_is_413(kith: Kith, connection: dict) -> None:
    before = _snapshot(kith)
    padding = "x" * (256 * 1024)
    body = json.dumps({"triggerEvent": "BOOKING_CREATED", "payload": {"title": padding}}).encode()
    status, answer = kith.webhook(connection, body)
    assert status == 413
    assert "limit is 262144" in answer["error"]
    assert _snapshot(kith) == before


def test_a_signed_cancellation_of_an_unknown_booking_is_accepted_and_harmless(kith: Kith, connection: dict) -> None:
    status, _ = kith.webhook(connection, calcom_body("BOOKING_CANCELLED", "never-booked", NOW, ATTENDEE))
    assert status == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    status, interactions = kith.http("GET", "/v1/interactions")
    assert interactions == {"interactions": [], "next_cursor": None}
