"""Each webhook proof, edited by one byte or sent at the wrong time, is refused; garbage is refused, never a crash.

test_signature_properties.py shows a signed body verifies and any change to the body does not; these
properties change the proof itself (Cal.com's and Calendly's signature, Calendly's timestamp, Google's
channel token, Graph's clientState) and fuzz the headers that carry it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kith.calendars import calcom, calendly
from kith.calendars.google_account import GoogleCalendar
from kith.calendars.outlook_account import OutlookCalendar
from kith.domain.connections import CalendarConnection, GoogleWatch, GraphSubscription, Provider
from kith.errors import Unauthorized

from . import calcom_bodies, calendly_bodies

NOW = datetime(2026, 1, 2, 9, 14, 4, tzinfo=UTC)
SENT = int(NOW.timestamp())
TOLERANCE = 180  # seconds either way, as Calendly's own libraries allow
PROPERTY = settings(max_examples=200, deadline=None, database=None)

bodies = st.one_of(
    st.binary(max_size=300),
    st.just(calcom_bodies.encode(calcom_bodies.booking_created())),
    st.just(calendly_bodies.encode(calendly_bodies.invitee_created())),
)
secrets = st.text(min_size=1, max_size=64)


@st.composite
def one_byte_changed(draw: st.DrawFn, text: str) -> str:
    """`text` with one byte replaced by another (ASCII text: one character)."""
    at = draw(st.integers(0, len(text) - 1))
    replacement = draw(st.characters(min_codepoint=0, max_codepoint=255).filter(lambda c: c != text[at]))
    return text[:at] + replacement + text[at + 1 :]


def _same_hex_value(a: str, b: str) -> bool:
    """Hex digits name the same value in either case: `AB` and `ab` are one signature."""
    return a.strip().lower() == b.strip().lower()


def _calendly_parts(header: str) -> list[tuple[str, str]]:
    """`t=<seconds>,v1=<hex>` as its parts, read as Calendly documents them: spaces around parts do not count."""
    parts = (part.partition("=") for part in header.split(","))
    return [(key.strip(), value.strip().lower()) for key, _, value in parts]


@PROPERTY
@given(body=bodies, secret=secrets, data=st.data())
def test_calcom_refuses_a_signature_changed_in_any_one_byte(body: bytes, secret: str, data: st.DataObject) -> None:
    # Given a body and its genuine Cal.com signature, and that signature with one byte changed
    genuine = calcom_bodies.sign(body, secret)
    changed = data.draw(one_byte_changed(genuine))
    # When the changed signature is presented
    if _same_hex_value(changed, genuine):
        # Then a digit written in the other case is the same signature, and verifies
        calcom.verify({"X-Cal-Signature-256": changed}, body, secret, NOW)
        return
    # Then any other change is refused
    with pytest.raises(Unauthorized):
        calcom.verify({"X-Cal-Signature-256": changed}, body, secret, NOW)


@PROPERTY
@given(body=bodies, secret=secrets, data=st.data())
def test_calendly_refuses_its_header_changed_in_any_one_byte(body: bytes, secret: str, data: st.DataObject) -> None:
    # Given a body signed as Calendly signs it, now, and the header with one byte changed (t=, v1= or separators)
    genuine = calendly_bodies.sign(body, SENT, secret)
    changed = data.draw(one_byte_changed(genuine))
    # When the changed header is presented
    if _calendly_parts(changed) == _calendly_parts(genuine):
        # Then a hex digit in the other case is the same header, which verifies
        calendly.verify({"Calendly-Webhook-Signature": changed}, body, secret, NOW)
        return
    # Then any other change is refused
    with pytest.raises(Unauthorized):
        calendly.verify({"Calendly-Webhook-Signature": changed}, body, secret, NOW)


late_or_early = st.one_of(st.integers(TOLERANCE + 1, 10**14 - SENT), st.integers(-SENT, -TOLERANCE - 1))


@PROPERTY
@given(body=bodies, secret=secrets, skew=late_or_early)
def test_calendly_refuses_a_genuine_signature_made_outside_the_window(body: bytes, secret: str, skew: int) -> None:
    # Given a body signed with Calendly's key, but at a moment more than 3 minutes from now (either way)
    header = calendly_bodies.sign(body, SENT + skew, secret)
    # When it is verified now, Then the signature matches yet the delivery is refused as stale or from the future
    with pytest.raises(Unauthorized, match="more than 3 minutes off"):
        calendly.verify({"Calendly-Webhook-Signature": header}, body, secret, NOW)


calendly_headers = st.one_of(
    st.text(max_size=120),
    st.lists(
        st.tuples(st.sampled_from(["t", "v1", "v0", "", " t", "T"]), st.sampled_from(["=", "", "=="]), st.text()),
        max_size=4,
    ).map(lambda parts: ",".join(f"{key}{sep}{value}" for key, sep, value in parts)),
    st.integers(-(10**20), 10**20).map(lambda t: f"t={t},v1={'0' * 64}"),
)


@PROPERTY
@given(body=bodies, value=calendly_headers)
def test_any_made_up_calendly_header_is_unauthorized(body: bytes, value: str) -> None:
    # Given a Calendly-Webhook-Signature header made up by someone without the key
    # When it is verified, Then it is refused as Unauthorized (malformed or not matching), never a crash
    with pytest.raises(Unauthorized):
        calendly.verify({"Calendly-Webhook-Signature": value}, body, calendly_bodies.SECRET, NOW)


@PROPERTY
@given(body=bodies, value=st.text(max_size=80))
def test_any_made_up_calcom_header_is_unauthorized(body: bytes, value: str) -> None:
    # Given an X-Cal-Signature-256 header made up by someone without the secret
    # When it is verified, Then it is refused as Unauthorized, never a crash
    with pytest.raises(Unauthorized):
        calcom.verify({"X-Cal-Signature-256": value}, body, calcom_bodies.SECRET, NOW)


TOKEN = "Zb3x_9k2LmQ7vR1tY8wE4uI6oP0aS5dF3gH2jK1lZxC"  # as secrets.token_urlsafe(32) makes them
WATCH = GoogleWatch(channel_id="chan-1", resource_id="res-1", channel_token=TOKEN, expires_at=NOW + timedelta(days=7))
GOOGLE = CalendarConnection(connection_id="c-g", owner_id="o-1", provider=Provider.GOOGLE, created_at=NOW, google=WATCH)
SUBSCRIPTION = GraphSubscription(subscription_id="sub-1", client_state=TOKEN, expires_at=NOW + timedelta(days=2))
OUTLOOK = CalendarConnection(
    connection_id="c-o", owner_id="o-1", provider=Provider.OUTLOOK, created_at=NOW, graph=SUBSCRIPTION
)


@PROPERTY
@given(changed=one_byte_changed(TOKEN))
def test_google_refuses_a_channel_token_changed_in_any_one_byte(changed: str) -> None:
    # Given a push notification for the channel whose token differs from the channel's in one byte
    headers = {
        "X-Goog-Channel-ID": "chan-1",
        "X-Goog-Resource-ID": "res-1",
        "X-Goog-Channel-Token": changed,
        "X-Goog-Resource-State": "exists",
    }
    account = GoogleCalendar(cast(Any, None), cast(Any, None), "https://www.googleapis.com/calendar/v3")
    # When Kith receives it, Then it is refused and nothing is queued
    with pytest.raises(Unauthorized):
        account.receive(GOOGLE, headers, {}, b"", NOW)


@PROPERTY
@given(changed=one_byte_changed(TOKEN))
def test_graph_refuses_a_client_state_changed_in_any_one_byte(changed: str) -> None:
    # Given a change notification whose clientState differs from the subscription's in one byte
    item = {"subscriptionId": "sub-1", "clientState": changed, "changeType": "updated", "resourceData": {"id": "E1"}}
    body = json.dumps({"value": [item]}).encode()
    account = OutlookCalendar(cast(Any, None), cast(Any, None), "https://graph.test/v1.0")
    # When Kith receives it, Then it is refused and nothing is queued
    with pytest.raises(Unauthorized):
        account.receive(OUTLOOK, {}, {}, body, NOW)
