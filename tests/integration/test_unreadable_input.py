"""Input the fuzzers found a way in with, refused with a 4xx instead of a 500 or a message that fails forever.

- A JSON body in bytes that are not UTF-8 (Schemathesis, tests/e2e/test_fuzz_api.py): Powertools failed
  decoding it before validation, a 500.
- `"circle": null` in a contact PATCH (Schemathesis): the circle was read before validation, a 500.
- An instant Kith cannot write (the year 1 at +14:00 leaves the calendar in UTC; years below 1000 are not
  written with four digits, so the stored contact no longer reads back): a 500 for the API, and from a
  booking tool a 202 whose queued meeting failed on every retry (Hypothesis, tests/unit/test_webhook_fuzz.py).
- A lone surrogate (`"\\ud800"`) in a JSON string: json.loads accepts it, DynamoDB and SQS cannot carry it.
- Arrays nested past Python's stack: json.loads raises RecursionError.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from kith_local.provider_payloads import calcom_body

from tests.integration.support import NOW, Kith

# Outside 1900-2199 (UTC): each of these once became a 500, or a stored contact that could not be read.
UNKEEPABLE = ["0001-01-01T00:00:00+14:00", "0054-06-12T02:05:38Z", "9999-12-31T23:59:59-12:00", "2200-01-01T00:00:00Z"]


@pytest.fixture
def contact(kith: Kith) -> dict[str, Any]:
    kith.create_owner()
    return kith.create_contact("Kim", "kim@example.com")


def test_a_json_body_that_is_not_utf8_is_a_400(kith: Kith, contact: dict[str, Any]) -> None:
    # Given a contact body whose bytes are not UTF-8 (API Gateway hands it over base64-encoded)
    body = b'{"name": "K\xffm"}'
    # When it is POSTed, Then it is refused as unreadable JSON, and nothing is added
    status, answer = kith.http("POST", "/v1/contacts", raw=body)
    assert (status, answer) == (400, {"error": "body is not valid JSON: it is not UTF-8"})
    assert [c["name"] for c in kith.http("GET", "/v1/contacts")[1]["contacts"]] == ["Kim"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"email": "o\\ud800@example.com", "name": "Olive"}', "lone surrogate"),
        (b'{"email": "o@example.com", "name": "Olive", "time_zone": "UTC", "\\udfff": 1}', "lone surrogate"),
        (b"[" * 50_000, "nested too deeply"),
    ],
    ids=["lone-surrogate-value", "lone-surrogate-key", "nested-50000-deep"],
)
def test_json_python_reads_but_nothing_can_store_is_a_400(kith: Kith, body: bytes, problem: str) -> None:
    # Given an owner body holding half a surrogate pair, or nested deeper than Python's stack
    # When it is PUT, Then it is refused as JSON Kith cannot read, saying why, and no owner exists
    status, answer = kith.http("PUT", "/v1/owner", raw=body)
    assert status == 400 and answer["error"].startswith("body is not valid JSON: ") and problem in answer["error"]
    assert kith.http("GET", "/v1/owner")[0] == 404


def test_a_null_circle_in_a_patch_is_a_422_and_changes_nothing(kith: Kith, contact: dict[str, Any]) -> None:
    # Given a contact, When a PATCH sets its circle to null
    status, answer = kith.http("PATCH", f"/v1/contacts/{contact['contact_id']}", {"circle": None})
    # Then it is refused naming the circle, and the contact is as it was
    assert status == 422 and answer["error"].startswith("circle:"), answer
    assert kith.http("GET", f"/v1/contacts/{contact['contact_id']}")[1] == contact


@pytest.mark.parametrize("instant", UNKEEPABLE)
def test_an_instant_outside_the_years_kith_keeps_is_a_422_wherever_it_is_given(
    kith: Kith, contact: dict[str, Any], instant: str
) -> None:
    path = f"/v1/contacts/{contact['contact_id']}"
    # Given an instant Kith cannot keep, When it is given as each instant the API takes
    attempts = {
        "last_interaction_at": kith.http("POST", "/v1/contacts", {"name": "Lee", "last_interaction_at": instant}),
        "snoozed_until": kith.http("PATCH", path, {"snoozed_until": instant}),
        "at": kith.http(
            "POST", "/v1/interactions", {"kind": "call", "contact_ids": [contact["contact_id"]], "at": instant}
        ),
        "paused_until": kith.http("PUT", "/v1/owner", {"email": "o@example.com", "name": "O", "paused_until": instant}),
    }
    # Then each is refused naming its field and the years Kith keeps
    for field, (status, answer) in attempts.items():
        assert status == 422 and answer["error"].startswith(f"{field}:"), (field, answer)
        assert "outside the years Kith keeps (1900 to 2199)" in answer["error"]
    # And the contact still reads back as it was
    assert kith.http("GET", path)[1] == contact


def test_a_kith_csv_row_with_an_unkeepable_instant_is_skipped_with_its_line(kith: Kith, contact: dict) -> None:
    # Given a Kith CSV whose second row was last in touch in the year 54
    header = (
        "name,emails,linkedin_url,company,title,circle,cadence_days,goal,tags,notes,"
        "last_interaction_at,last_interaction_title,contact_id,snoozed_until\n"
    )
    data = header + "Good,good@example.com,,,,core,,,,,2026-10-01T10:00:00Z,,,\n"
    data += "Old,old@example.com,,,,core,,,,,0054-06-12T02:05:38Z,,,\n"
    # When it is imported
    status, report = kith.http(
        "POST", "/v1/imports?dry_run=false", raw=data.encode(), headers={"content-type": "text/csv"}
    )
    # Then the good row is added and the other skipped, naming its line and why
    assert status == 201 and (report["new"], report["skipped"]) == (1, 1), report
    skipped = next(row for row in report["rows"] if row["outcome"] == "skipped")
    assert skipped["line"] == 3 and "outside the years Kith keeps" in skipped["reason"]
    assert sorted(c["name"] for c in kith.http("GET", "/v1/contacts")[1]["contacts"]) == ["Good", "Kim"]


def _booking(**changes: Any) -> bytes:
    document = json.loads(
        calcom_body("BOOKING_CREATED", "bk-edge", NOW - timedelta(hours=2), [("Kim", "kim@example.com")])
    )
    document["payload"].update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (_booking(startTime="9999-12-31T22:00:00-05:00", endTime="9999-12-31T23:00:00-05:00"), 422, "payload.start"),
        (_booking(startTime="0001-01-01T00:00:00+05:00", endTime="0001-01-01T01:00:00+05:00"), 422, "payload.start"),
        (_booking(title="Coffee \ud800"), 400, "lone surrogate"),
        (_booking(attendees=[{"name": "K\udc00m", "email": "kim@example.com"}]), 400, "lone surrogate"),
        (b"[" * 200_000, 400, "nested too deeply"),
    ],
    ids=["year-9999", "year-1", "surrogate-title", "surrogate-name", "nested"],
)
def test_a_signed_booking_kith_could_not_record_is_refused_at_once_and_nothing_is_queued(
    kith: Kith, contact: dict[str, Any], body: bytes, status: int, fragment: str
) -> None:
    # Given a Cal.com connection, and a correctly signed body Kith could not record
    connection = kith.connect()
    # When it arrives, Then Cal.com gets a 4xx at once (it was a 202, then a message failing every retry)
    answered, answer = kith.webhook(connection, body)
    assert answered == status and fragment in answer["error"], answer
    # And nothing was queued
    assert kith.receive("MeetingQueue") == []
