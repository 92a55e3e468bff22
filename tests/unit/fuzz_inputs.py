"""Hypothesis strategies for what a webhook sender, broken or hostile, can put on the wire.

Three kinds of input: any JSON value (keys drawn partly from the fields the parsers read, so the
fuzz reaches past the first check), a realistic provider document with a few fields broken, and raw
bytes (any bytes, or a document serialised and then corrupted: invalid UTF-8, NUL, lone surrogates).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

# Field names and values the four parsers look at: a fuzz that knows them gets past `triggerEvent`.
FIELDS = (
    "triggerEvent", "payload", "uid", "title", "startTime", "endTime", "organizer", "attendees", "email", "name",
    "iCalUID", "rescheduleUid", "bookingUid", "noShow", "event", "rescheduled", "old_invitee", "scheduled_event",
    "uri", "start_time", "end_time", "event_memberships", "user_email", "event_guests", "id", "status", "summary",
    "start", "end", "dateTime", "date", "timeZone", "displayName", "responseStatus", "self", "resource",
    "recurringEventId", "originalStartTime", "subject", "isAllDay", "isCancelled", "type", "originalStart",
    "emailAddress", "address", "response", "iCalUId", "value", "subscriptionId", "clientState", "changeType",
    "lifecycleEvent", "resourceData", "items", "nextPageToken", "nextSyncToken",
)  # fmt: skip
WORDS = (
    "BOOKING_CREATED", "BOOKING_RESCHEDULED", "BOOKING_CANCELLED", "BOOKING_REJECTED", "MEETING_ENDED", "PING",
    "BOOKING_NO_SHOW_UPDATED", "BOOKING_PAID", "invitee.created", "invitee.canceled", "cancelled", "confirmed",
    "accepted", "declined", "tentative", "needsAction", "organizer", "occurrence", "exception", "seriesMaster",
    "created", "updated", "deleted", "reauthorizationRequired", "subscriptionRemoved", "missed", "UTC",
    "Europe/Berlin", "W. Europe Standard Time", "Mars/Olympus", "ann@example.com", "Ann@Example.COM",
    "https://api.calendly.com/scheduled_events/E1/invitees/I1",
)  # fmt: skip
# Instants at the edges of what Python can count: a year 1 or 9999 with an offset leaves the UTC calendar.
EDGE_INSTANTS = (
    "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59Z", "9999-12-31T23:59:59", "2026-02-30T10:00:00Z", "2026-11-30T10:00:00+24:00", "",
)  # fmt: skip

_offsets = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59))
)
instants = st.one_of(
    st.sampled_from(EDGE_INSTANTS),
    st.datetimes(timezones=st.none() | _offsets).map(datetime.isoformat),
    st.dates().map(date.isoformat),
)
# Any text, with control characters and line separators often. Lone surrogates come only inside bodies:
# every JSON text Kith reads goes through kith.events.read_json, which refuses them.
texts = st.one_of(st.text(max_size=30), st.text(st.characters(categories=["Cc", "Zl", "Zp", "Cf"]), max_size=4))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    texts,
    instants,
    st.sampled_from(WORDS),
    st.emails(),
)
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=8))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
    max_leaves=24,
)
json_objects = st.dictionaries(keys, json_values, max_size=8)


def _mutate(draw: st.DrawFn, node: Any) -> Any:
    """Walk down to one place in the document and replace, delete or keep descending."""
    if not isinstance(node, dict | list) or not node or draw(st.integers(0, 4)) == 0:
        return draw(json_values)
    where = draw(st.sampled_from(list(node))) if isinstance(node, dict) else draw(st.integers(0, len(node) - 1))
    action = draw(st.sampled_from(["descend", "descend", "replace", "delete"]))
    if action == "delete":
        del node[where]
    elif action == "replace":
        node[where] = draw(json_values)
    else:
        node[where] = _mutate(draw, node[where])
    return node


TIME_FIELDS = frozenset({"startTime", "endTime", "start_time", "end_time", "dateTime", "date", "originalStart"})


def _retime(node: Any, instant: str) -> Any:
    """Every time in the document set to one instant: the meeting stays well-formed, its time goes to an edge."""
    if isinstance(node, dict):
        return {key: instant if key in TIME_FIELDS else _retime(value, instant) for key, value in node.items()}
    if isinstance(node, list):
        return [_retime(value, instant) for value in node]
    return node


@st.composite
def broken(draw: st.DrawFn, seeds: Sequence[Callable[[], Any]]) -> Any:
    """A realistic document (a fresh copy from one of `seeds`) retimed, or with one to three places broken."""
    document = copy.deepcopy(draw(st.sampled_from(seeds))())
    if draw(st.integers(0, 3)) == 0:
        return _retime(document, draw(instants))
    for _ in range(draw(st.integers(1, 3))):
        document = _mutate(draw, document)
    return document


def serialised(document: Any, ascii_only: bool) -> bytes:
    """JSON as a sender writes it; a lone surrogate stays a \\udXXX escape, or becomes invalid UTF-8 bytes."""
    return json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


# What people type: a meeting's title, a person's name.
TEXT_FIELDS = frozenset({"title", "name", "summary", "subject", "displayName"})


def _with_surrogate(node: Any, surrogate: str) -> Any:
    """Every title and name in the document ending in half a UTF-16 surrogate pair."""
    if isinstance(node, dict):
        return {
            key: value + surrogate
            if key in TEXT_FIELDS and isinstance(value, str)
            else _with_surrogate(value, surrogate)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_with_surrogate(value, surrogate) for value in node]
    return node


# Byte sequences that are not UTF-8 (a stray continuation byte, an overlong NUL, an encoded surrogate), and NUL.
NOT_UTF8 = (b"\xff", b"\x80", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00")


@st.composite
def bodies(draw: st.DrawFn, seeds: Sequence[Callable[[], Any]]) -> bytes:
    """A request body: any bytes, any JSON, a broken realistic document, one corrupted in place or holding
    lone surrogates, or arrays nested past Python's stack."""
    kind = draw(st.sampled_from(["bytes", "json", "broken", "broken", "corrupted", "surrogate", "deep"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "deep":
        return draw(st.sampled_from([b"[", b'{"a":'])) * draw(st.integers(100, 30_000))
    if kind == "surrogate":
        surrogate = chr(draw(st.integers(0xD800, 0xDFFF)))
        document = draw(st.sampled_from(seeds))()
        return serialised(_with_surrogate(document, surrogate), draw(st.booleans()))
    if kind == "json":
        return serialised(draw(json_values), draw(st.booleans()))
    body = serialised(draw(broken(seeds)), draw(st.booleans()))
    if kind == "corrupted":
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from(NOT_UTF8)) + body[at:]
    return body
