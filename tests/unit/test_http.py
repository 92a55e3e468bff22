"""Kith errors become HTTP statuses and JSON bodies in one place."""

from __future__ import annotations

import json

import pytest
from kith.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidCursor,
    InvalidInput,
    InvalidLink,
    KithError,
    MalformedBody,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    Retryable,
    Unauthorized,
    Unprocessable,
)
from kith.http import error_response, etag, expected_version, status_for, validation_response


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (MalformedBody("x"), 400),
        (InvalidLink("x"), 400),
        (InvalidCursor("x"), 400),
        (Unauthorized("x"), 401),
        (Forbidden("x"), 403),
        (NotFound("x"), 404),
        (Conflict("x"), 409),
        (Gone("x"), 410),
        (PreconditionFailed("x"), 412),
        (PayloadTooLarge("x"), 413),
        (Unprocessable("x"), 422),
        (InvalidInput("x"), 422),
        (Retryable("x"), 503),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_each_error_has_its_status(error: KithError, status: int) -> None:
    # Given a typed Kith error, When mapped, Then it gets its own status
    assert status_for(error) == status


def test_an_unmapped_kith_error_is_a_500() -> None:
    # Given the base error (a server fault), When mapped, Then it is a 500
    assert status_for(KithError("boom")) == 500


def test_subclass_inherits_its_parents_status() -> None:
    # Given a more specific NotFound, When mapped, Then it is still a 404
    class ContactNotFound(NotFound):
        pass

    assert status_for(ContactNotFound("c-1")) == 404


def test_error_response_is_json_with_message_and_details() -> None:
    # Given an Unprocessable with details, When turned into a response
    response = error_response(Unprocessable("payload.uid: Field required", [{"field": "uid", "problem": "required"}]))
    # Then it is a 422 JSON body with the message and the details
    assert response.status_code == 422
    assert json.loads(response.body) == {
        "error": "payload.uid: Field required",
        "details": [{"field": "uid", "problem": "required"}],
    }


def test_error_response_without_details_has_only_the_message() -> None:
    # Given a NotFound, When turned into a response, Then the body says only what was wrong
    response = error_response(NotFound("no such contact"))
    assert response.status_code == 404
    assert json.loads(response.body) == {"error": "no such contact"}


def test_unreadable_json_is_a_400() -> None:
    # Given Powertools reporting invalid JSON among other errors, When shaped, Then it is a 400
    response = validation_response([{"type": "missing", "loc": ("body", "name")}, {"type": "json_invalid"}])
    assert response.status_code == 400
    assert json.loads(response.body) == {"error": "body is not valid JSON"}


def test_wrong_shape_is_a_422_naming_the_field() -> None:
    # Given Powertools errors for a missing nested field and a wrong type
    errors = [
        {"type": "missing", "loc": ("body", "settings", "time_zone"), "msg": "Field required"},
        {"type": "int_parsing", "loc": ("body", "digest_hour"), "msg": "Input should be a valid integer"},
    ]
    # When shaped
    response = validation_response(errors)
    body = json.loads(response.body)
    # Then it is a 422 whose message names the first field (without "body") and details list both
    assert response.status_code == 422
    assert body["error"] == "settings.time_zone: Field required"
    assert [detail["field"] for detail in body["details"]] == ["settings.time_zone", "digest_hour"]


def test_whole_body_error_falls_back_to_body() -> None:
    # Given an error about the body itself, When shaped, Then the message says "body"
    response = validation_response([{"type": "model_type", "loc": ("body",), "msg": "Input should be an object"}])
    assert response.status_code == 422
    assert json.loads(response.body)["error"] == "body: Input should be an object"


def test_a_query_parameter_error_names_the_parameter_alone() -> None:
    # Given Powertools reporting a query parameter out of range
    errors = [
        {"type": "less_than_equal", "loc": ("query", "limit"), "msg": "Input should be less than or equal to 200"}
    ]
    # When shaped, Then the message names `limit`, not where it came from
    body = json.loads(validation_response(errors).body)
    assert body["error"] == "limit: Input should be less than or equal to 200"
    assert body["details"] == [{"field": "limit", "problem": "Input should be less than or equal to 200"}]


@pytest.mark.parametrize(
    ("header", "version"), [(None, None), ('"3"', 3), ("3", 3), (' "12" ', 12), ("*", None)], ids=str
)
def test_if_match_gives_the_version_asked_for(header: str | None, version: int | None) -> None:
    # Given an If-Match header quoted as an ETag, bare, absent or `*`, When read, Then it asks for that version
    assert expected_version(header) == version


@pytest.mark.parametrize("header", ['W/"3"', '"three"', "", '"', "3, 4", "-1", "٣"], ids=str)
def test_an_if_match_that_is_not_a_version_is_refused_naming_the_header(header: str) -> None:
    # Given an If-Match that names no version, When read, Then it is refused (422) and the message names it
    with pytest.raises(InvalidInput, match="If-Match"):
        expected_version(header)


def test_an_etag_is_the_version_quoted() -> None:
    # Given a version, When turned into an ETag, Then it is quoted, as If-Match sends it back
    assert etag(7) == '"7"'
    assert expected_version(etag(7)) == 7
