"""Client input that once became a 500, and what each is now: a 4xx that says what was wrong, nothing changed.

- a JSON number of more than 4,300 digits (json.loads raised ValueError), on every /v1 route and webhook;
- a time zone of 300 characters (ZoneInfo raised OSError);
- a calendar whose OAuth client the stack was not deployed with (an unmapped ConfigurationError);
- a one-click link whose claim is validly signed but malformed (an expiry of 1e20, a list, attendee -1);
- a JWT subject longer than DynamoDB's key limit (a ValidationException);
- a multipart Content-Type without a boundary (Powertools raised ValueError).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import boto3
import pytest
from kith.actions.tokens import KeyRing
from kith_local.provider_payloads import calcom_body

from tests.integration.support import Kith

BIG = "9" * 4301
OWNER_BODY = {"email": "owner@example.com", "name": "Olive"}
# Every /v1 route that reads a JSON body, with a body that is otherwise right.
JSON_ROUTES = [
    ("PUT", "/v1/owner", '{"email": "owner@example.com", "name": "Olive", "digest_hour": %s}'),
    ("POST", "/v1/contacts", '{"name": "Kim", "cadence_days": %s}'),
    ("POST", "/v1/contacts/batch", '{"contacts": [{"name": "Kim", "cadence_days": %s}]}'),
    ("PATCH", "/v1/contacts/{contact_id}", '{"cadence_days": %s}'),
    ("POST", "/v1/connections", '{"provider": "calcom", "n": %s}'),
    ("POST", "/v1/interactions", '{"kind": "call", "contact_ids": ["{contact_id}"], "at": %s}'),
    ("PUT", "/v1/goals", '{"goals": [{"name": "job", "active": %s}]}'),
]


@pytest.fixture
def contact(kith: Kith) -> dict[str, Any]:
    kith.create_owner()
    return kith.create_contact("Kim", "kim@example.com")


def _body(template: str, number: str, contact: dict[str, Any]) -> bytes:
    return template.replace("{contact_id}", contact["contact_id"]).replace("%s", number).encode()


@pytest.mark.parametrize(("method", "path", "template"), JSON_ROUTES, ids=[f"{m} {p}" for m, p, _ in JSON_ROUTES])
@pytest.mark.parametrize("number", [BIG, "1e400", "NaN", "-Infinity"], ids=["4301-digits", "1e400", "NaN", "-Inf"])
def test_a_number_json_cannot_carry_is_a_400_on_every_json_route(
    kith: Kith, contact: dict[str, Any], method: str, path: str, template: str, number: str
) -> None:
    # Given any /v1 route that reads JSON, and a body holding a number past what JSON or Python reads
    before = kith.state()
    # When it is sent, Then it is refused as unreadable JSON naming the number, and nothing changed
    status, answer = kith.http(
        method, path.replace("{contact_id}", contact["contact_id"]), raw=_body(template, number, contact)
    )
    assert status == 400 and answer["error"].startswith("body is not valid JSON: "), answer
    assert any(word in answer["error"] for word in ("digits", "too large", "not a JSON value")), answer
    assert kith.state() == before


def test_a_name_twice_in_one_object_is_a_400(kith: Kith, contact: dict[str, Any]) -> None:
    # Given a contact body naming "name" twice (parsers disagree on which one wins)
    status, answer = kith.http("POST", "/v1/contacts", raw=b'{"name": "Kim", "name": "Eve"}')
    # Then it is refused, saying which name
    assert (status, answer) == (400, {"error": "body is not valid JSON: the name 'name' appears twice in one object"})


@pytest.mark.parametrize("number", [BIG, "1e400", "NaN"])
def test_a_signed_webhook_with_a_number_json_cannot_carry_is_a_400_and_nothing_is_queued(
    kith: Kith, contact: dict[str, Any], number: str
) -> None:
    # Given a correctly signed Cal.com delivery whose booking holds such a number
    connection = kith.connect()
    body = calcom_body("BOOKING_CREATED", "bk-1", kith.clock.now(), [("Kim", "kim@example.com")])
    document = body.decode().replace('"status": "ACCEPTED"', f'"status": "ACCEPTED", "seats": {number}')
    # When it arrives, Then it is refused at once as unreadable JSON, and nothing is queued
    status, answer = kith.webhook(connection, document.encode())
    assert status == 400 and answer["error"].startswith("body is not valid JSON"), answer
    assert kith.receive("MeetingQueue") == []


@pytest.mark.parametrize(
    "zone", ["A" * 300, "Europe/" + "B" * 250, "../../etc/passwd", "Europe/Berlin\x00", "/etc/localtime", ""]
)
def test_a_time_zone_that_is_not_one_is_a_422_naming_the_field(kith: Kith, zone: str) -> None:
    # Given an owner body whose time zone is too long for a file name, a path, or empty
    status, answer = kith.http("PUT", "/v1/owner", {**OWNER_BODY, "time_zone": zone})
    # Then it is refused naming time_zone, and no owner exists
    assert status == 422 and answer["error"].startswith("time_zone:"), answer
    assert kith.http("GET", "/v1/owner")[0] == 404


@pytest.mark.parametrize("provider", ["google", "outlook"])
def test_a_calendar_the_stack_has_no_oauth_client_for_is_a_422_saying_so(
    kith: Kith, contact: dict[str, Any], provider: str
) -> None:
    # Given a stack deployed without Google's or Microsoft's OAuth client
    before = kith.state()
    # When the owner connects that calendar with a code
    body = {"provider": provider, "authorization_code": "c0de", "redirect_uri": "https://app.example/oauth"}
    status, answer = kith.http("POST", "/v1/connections", body)
    # Then it is refused saying the provider is not set up here and what is, and nothing is stored
    assert status == 422, answer
    assert answer["error"].startswith(f"{provider} is not set up on this stack")
    assert "available here: calcom, calendly" in answer["error"]
    assert kith.state() == before


def test_the_connections_list_says_which_providers_this_stack_can_connect(kith: Kith, contact: dict[str, Any]) -> None:
    # Given a stack without OAuth clients, Then only the booking tools are available
    listed = kith.http("GET", "/v1/connections")[1]
    assert (listed["connections"], listed["available_providers"]) == ([], ["calcom", "calendly"])
    # When it is deployed with Google's client, Then Google is available too
    kith.use_settings({"KITH_GOOGLE_CLIENT_ID": "kith-app", "KITH_GOOGLE_CLIENT_SECRET": "s3cret"})
    assert kith.http("GET", "/v1/connections")[1]["available_providers"] == ["calcom", "calendly", "google"]


@pytest.mark.parametrize("subject", ["x" * 3000, "x" * 129, "owner#PROFILE", "own er", "ownér"])
def test_a_token_subject_kith_cannot_key_a_table_by_is_a_401(kith: Kith, subject: str) -> None:
    # Given a token whose subject is longer than a key may be, or holds a key separator, a space or non-ASCII
    status, answer = kith.http("PUT", "/v1/owner", OWNER_BODY, owner=subject)
    # Then it is refused as a token Kith cannot use, and nothing is written
    assert status == 401 and "subject" in answer["error"], answer
    assert kith.items() == []


def test_a_subject_of_128_characters_is_an_owner(kith: Kith) -> None:
    subject = "auth0|" + "x" * 122
    assert kith.http("PUT", "/v1/owner", OWNER_BODY, owner=subject)[0] == 200
    assert kith.http("GET", "/v1/owner", owner=subject)[1]["owner_id"] == subject


@pytest.mark.parametrize("value", ["yes", "true", 1, "1", None])
def test_subscribed_is_a_json_boolean_or_a_422(kith: Kith, contact: dict[str, Any], value: object) -> None:
    # Given the owner, When "subscribed" is sent as anything but true or false
    status, answer = kith.http("PUT", "/v1/owner", {**OWNER_BODY, "subscribed": value})
    if value is None:
        assert status == 200  # left out (null): it stays as it is
        return
    # Then it is refused naming the field
    assert status == 422 and answer["error"].startswith("subscribed:"), answer


def test_a_goals_active_flag_is_a_json_boolean_or_a_422(kith: Kith, contact: dict[str, Any]) -> None:
    status, answer = kith.http("PUT", "/v1/goals", {"goals": [{"name": "job", "active": "no"}]})
    assert status == 422 and answer["error"].startswith("goals.0.active:"), answer


def test_two_goals_that_differ_only_in_case_are_one_goal_named_twice(kith: Kith, contact: dict[str, Any]) -> None:
    # Given goals "Job" and "job", When declared together, Then they are refused as one goal named twice
    status, answer = kith.http("PUT", "/v1/goals", {"goals": [{"name": "Job"}, {"name": "job"}]})
    assert status == 422 and "named twice" in answer["error"], answer
    assert kith.http("GET", "/v1/goals")[1] == {"goals": []}


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x"],
)
def test_a_json_body_sent_as_another_media_type_is_a_415_in_kiths_error_shape(
    kith: Kith, contact: dict[str, Any], content_type: str
) -> None:
    # Given a contact body in JSON, When sent with a Content-Type that is not JSON
    before = kith.state()
    status, answer = kith.http("POST", "/v1/contacts", {"name": "Lee"}, headers={"content-type": content_type})
    # Then it is refused with 415, {"error": ...} naming the type, and nothing is added
    assert status == 415, answer
    assert set(answer) == {"error"} and content_type.split(";")[0] in answer["error"], answer
    assert kith.state() == before


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"]
)
def test_json_media_types_are_read(kith: Kith, contact: dict[str, Any], content_type: str) -> None:
    status, _ = kith.http("POST", "/v1/contacts", {"name": "Lee"}, headers={"content-type": content_type})
    assert status == 201


def test_an_import_still_takes_a_file_of_any_media_type(kith: Kith, contact: dict[str, Any]) -> None:
    vcard = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lee\r\nEMAIL:lee@example.com\r\nEND:VCARD\r\n"
    status, report = kith.http("POST", "/v1/imports", raw=vcard, headers={"content-type": "text/vcard"})
    assert status == 200 and report["new"] == 1


def _forged_link(kith: Kith, claim: object) -> str:
    """A link whose claim is these JSON bytes, signed with the stack's own current key."""
    secret_id = kith.stack.environment("ActionsFunction")["KITH_ACTION_KEYS_SECRET"]
    secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    ring = KeyRing.from_secret(secret)
    key = ring.key(ring.current)
    assert key is not None
    body = base64.urlsafe_b64encode(json.dumps(claim).encode()).rstrip(b"=").decode()
    signed = f"{ring.current}.{body}"
    signature = base64.urlsafe_b64encode(hmac.new(key, signed.encode(), hashlib.sha256).digest()).rstrip(b"=")
    return f"https://kith.local/a/{signed}.{signature.decode()}"


@pytest.mark.parametrize(
    "claim",
    [
        {"o": "owner-1", "a": "done", "c": "{contact_id}", "x": 1e20, "r": "n-1"},
        [{"o": "owner-1", "a": "done"}],
        {"o": "owner-1", "a": "add", "i": "i-1", "n": -1, "x": 1900000000, "r": "n-1"},
    ],
    ids=["expiry-1e20", "a-list", "attendee-minus-one"],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_validly_signed_malformed_link_is_a_400_page_and_changes_nothing(
    kith: Kith, contact: dict[str, Any], claim: Any, method: str
) -> None:
    # Given a link signed with the stack's key whose claim Kith never writes
    if isinstance(claim, dict) and "c" in claim:
        claim = {**claim, "c": contact["contact_id"]}
    before = kith.state()
    # When it is opened or submitted, Then a page says the link cannot be read (400), and nothing changed
    status, headers, page = kith.open_link(
        method, _forged_link(kith, claim), form=b"confirm=1" if method == "POST" else b""
    )
    assert status == 400 and headers["content-type"].startswith("text/html"), page
    assert kith.state() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/contacts/{long}"),
        ("PATCH", "/v1/contacts/{long}"),
        ("DELETE", "/v1/contacts/{long}"),
        ("DELETE", "/v1/interactions/{long}"),
        ("DELETE", "/v1/connections/{long}"),
    ],
)
def test_an_id_longer_than_any_kith_gives_out_is_refused_before_it_reaches_a_key(
    kith: Kith, contact: dict[str, Any], method: str, path: str
) -> None:
    # Given an id of 1,100 characters: as a sort key it is past DynamoDB's 1,024 bytes
    long = "x" * 1100
    # When a route is asked for it, Then it is a 422 naming the path parameter, and nothing changed
    before = kith.state()
    status, answer = kith.http(method, path.format(long=long), {} if method == "PATCH" else None)
    assert status == 422 and answer["error"].split(":")[0] in {"contact_id", "interaction_id", "connection_id"}, answer
    assert kith.state() == before


def test_a_webhook_for_a_connection_id_longer_than_any_kith_gives_out_is_a_404(kith: Kith) -> None:
    status, answer = kith.http("POST", "/webhooks/calcom/" + "x" * 3000, raw=b"{}")
    assert (status, answer) == (404, {"error": "unknown calendar connection"})
