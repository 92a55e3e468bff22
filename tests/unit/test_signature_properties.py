"""Properties of every provider's signature check: a signed body verifies; any change to it does not.

The signers are the test helpers (calcom_bodies.sign, calendly_bodies.sign), written apart from Kith.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from kith.calendars import calcom, calendly
from kith.errors import Unauthorized

from . import calcom_bodies, calendly_bodies

NOW = datetime(2026, 1, 2, 9, 14, 4, tzinfo=UTC)
SENT = int(NOW.timestamp())

# No example database: the run leaves nothing behind in the working tree.
PROPERTY = settings(max_examples=200, deadline=None, database=None)

bodies = st.one_of(
    st.binary(max_size=400),
    st.sampled_from(
        [
            calcom_bodies.encode(calcom_bodies.booking_created()),
            calendly_bodies.encode(calendly_bodies.invitee_created()),
            calendly_bodies.encode(calendly_bodies.invitee_canceled()),
        ]
    ),
)
secrets = st.text(min_size=1, max_size=64)
edits = st.lists(
    st.tuples(st.sampled_from(["flip", "insert", "delete"]), st.integers(min_value=0), st.integers(0, 255)),
    min_size=1,
    max_size=6,
)


@st.composite
def signed_and_tampered(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A body and a copy changed by flipping, inserting or deleting bytes: never equal to the original."""
    body = draw(bodies)
    tampered = bytearray(body)
    for kind, where, value in draw(edits):
        if kind == "insert":
            tampered.insert(where % (len(tampered) + 1), value)
        elif tampered and kind == "flip":
            tampered[where % len(tampered)] ^= value % 255 + 1
        elif tampered:
            del tampered[where % len(tampered)]
    assume(bytes(tampered) != body)
    return body, bytes(tampered)


@PROPERTY
@given(pair=signed_and_tampered(), secret=secrets)
def test_calcom_accepts_the_signed_body_and_refuses_any_change_to_it(pair: tuple[bytes, bytes], secret: str) -> None:
    # Given a body signed as Cal.com signs it, and a copy changed in transit
    body, tampered = pair
    headers = {"X-Cal-Signature-256": calcom_bodies.sign(body, secret)}
    # When both are verified, Then the original passes and the changed copy is refused
    calcom.verify(headers, body, secret, NOW)
    with pytest.raises(Unauthorized, match="does not match"):
        calcom.verify(headers, tampered, secret, NOW)


@PROPERTY
@given(pair=signed_and_tampered(), secret=secrets, skew=st.integers(-180, 180))
def test_calendly_accepts_the_signed_body_and_refuses_any_change_to_it(
    pair: tuple[bytes, bytes], secret: str, skew: int
) -> None:
    # Given a body signed as Calendly signs it, within the tolerance, and a copy changed in transit
    body, tampered = pair
    headers = {"Calendly-Webhook-Signature": calendly_bodies.sign(body, SENT + skew, secret)}
    # When both are verified, Then the original passes and the changed copy is refused
    calendly.verify(headers, body, secret, NOW)
    with pytest.raises(Unauthorized, match="does not match"):
        calendly.verify(headers, tampered, secret, NOW)
