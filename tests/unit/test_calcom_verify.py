"""Cal.com webhook signatures (PRODUCT.md §3; STYLE: verify before anything else)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from kith.calendars import calcom
from kith.errors import Unauthorized, Unprocessable

from .calcom_bodies import SECRET, booking_created, encode, meeting_ended_flat, sign

# A minute after booking_created()'s signed createdAt (2026-01-02T09:14:03.511Z).
NOW = datetime(2026, 1, 2, 9, 15, tzinfo=UTC)

BODY = encode(booking_created())


def test_correct_signature_passes() -> None:
    # Given a body signed with the connection's secret
    headers = {"X-Cal-Signature-256": sign(BODY)}
    # When verified, Then nothing is raised
    calcom.verify(headers, BODY, SECRET, NOW)


def test_signature_is_lowercase_hex_sha256() -> None:
    # Given the signer used by these tests, Then it produces what Cal.com sends: 64 lowercase hex digits
    signature = sign(BODY)
    assert len(signature) == 64
    assert signature == signature.lower()
    int(signature, 16)


@pytest.mark.parametrize("name", ["x-cal-signature-256", "X-CAL-SIGNATURE-256", "X-Cal-Signature-256"])
def test_header_name_is_case_insensitive(name: str) -> None:
    # Given the signature under any spelling of the header name (API Gateway lowercases, others do not)
    # When verified, Then it passes
    calcom.verify({"Content-Type": "application/json", name: sign(BODY)}, BODY, SECRET, NOW)


def test_missing_header_is_unauthorized() -> None:
    # Given no signature header, When verified, Then it is Unauthorized and says which header
    with pytest.raises(Unauthorized, match="X-Cal-Signature-256"):
        calcom.verify({"content-type": "application/json"}, BODY, SECRET, NOW)


def test_empty_signature_is_unauthorized() -> None:
    # Given an empty header value, When verified, Then it is Unauthorized
    with pytest.raises(Unauthorized):
        calcom.verify({"x-cal-signature-256": ""}, BODY, SECRET, NOW)


def test_wrong_signature_is_unauthorized() -> None:
    # Given a signature made with another secret, When verified, Then it is Unauthorized
    with pytest.raises(Unauthorized, match="does not match"):
        calcom.verify({"x-cal-signature-256": sign(BODY, "another-secret")}, BODY, SECRET, NOW)


def test_signature_of_another_body_is_unauthorized() -> None:
    # Given a valid signature replayed onto a different, equally valid body
    other = encode({**booking_created(), "createdAt": "2026-01-02T09:14:04.000Z"})
    # When verified, Then it is Unauthorized
    with pytest.raises(Unauthorized):
        calcom.verify({"x-cal-signature-256": sign(BODY)}, other, SECRET, NOW)


def test_any_one_byte_change_of_a_signed_body_is_unauthorized() -> None:
    # Given a signed body
    headers = {"x-cal-signature-256": sign(BODY)}
    # When each byte in turn is flipped
    accepted = []
    for index in range(len(BODY)):
        tampered = bytearray(BODY)
        tampered[index] ^= 0x01
        try:
            calcom.verify(headers, bytes(tampered), SECRET, NOW)
        except Unauthorized:
            continue
        accepted.append(index)
    # Then no tampered body is accepted
    assert accepted == []


def test_appending_a_byte_is_unauthorized() -> None:
    # Given a signed body with trailing whitespace added in transit, When verified, Then it is Unauthorized
    with pytest.raises(Unauthorized):
        calcom.verify({"x-cal-signature-256": sign(BODY)}, BODY + b" ", SECRET, NOW)


@pytest.mark.parametrize("age", [timedelta(hours=24, seconds=1), timedelta(days=30)])
def test_a_signed_delivery_created_more_than_a_day_ago_is_a_refused_replay(age: timedelta) -> None:
    # Given a genuine, correctly signed delivery whose signed createdAt is older than a day
    created = datetime(2026, 1, 2, 9, 14, 3, 511000, tzinfo=UTC)
    # When it is verified that long after, Then it is refused as a replay
    with pytest.raises(Unauthorized, match="more than 24 hours ago"):
        calcom.verify({"X-Cal-Signature-256": sign(BODY)}, BODY, SECRET, created + age)


def test_a_signed_delivery_a_day_old_is_still_accepted() -> None:
    # Given a delivery received exactly 24 hours after Cal.com created it, Then it verifies
    created = datetime(2026, 1, 2, 9, 14, 3, 511000, tzinfo=UTC)
    calcom.verify({"X-Cal-Signature-256": sign(BODY)}, BODY, SECRET, created + timedelta(hours=24))


def test_a_wrapped_delivery_without_createdat_cannot_be_dated() -> None:
    # Given a signed wrapped event that carries no createdAt, When verified, Then it is refused
    body = encode({key: value for key, value in booking_created().items() if key != "createdAt"})
    with pytest.raises(Unprocessable, match="createdAt"):
        calcom.verify({"X-Cal-Signature-256": sign(body)}, body, SECRET, NOW)


def test_the_flat_meeting_ended_shape_carries_the_bookings_own_createdat_and_is_accepted() -> None:
    # Given the scheduled MEETING_ENDED job's flat body, whose createdAt is when the booking was made
    body = encode(meeting_ended_flat())
    # When verified months later, Then it passes: its createdAt does not date the delivery
    calcom.verify({"X-Cal-Signature-256": sign(body)}, body, SECRET, NOW + timedelta(days=90))
