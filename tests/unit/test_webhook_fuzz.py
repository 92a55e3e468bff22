"""Every way a calendar provider's notification enters Kith, fed arbitrary JSON and bytes.

Each entry point either reads its input or refuses it with one of Kith's typed 4xx errors
(kith.errors, mapped to statuses in kith.http): anything else is a 500 for a webhook, or a queued
message that fails on every retry. What a parser accepts must also be recordable: it goes on a
queue as UTF-8 JSON, and its instants become table keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kith.calendars import calcom, calendly, google, graph
from kith.calendars.accounts import Answer, CalendarChange
from kith.calendars.errors import ProviderMalformedResponse
from kith.calendars.google_account import GoogleCalendar
from kith.calendars.outlook_account import CHANGE_TYPES, LIFECYCLE_EVENTS, OutlookCalendar
from kith.domain.connections import CalendarConnection, GoogleWatch, GraphSubscription, Provider
from kith.domain.meetings import MeetingEvent
from kith.errors import KithError, MalformedBody, NotFound, Unauthorized, Unprocessable
from kith.http import status_for
from kith.storage import keys

from . import calcom_bodies, calendly_bodies
from .fuzz_inputs import bodies, broken, json_objects, json_values, texts

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
# No example database: the run leaves nothing behind in the working tree.
FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
T = TypeVar("T")


def read_or_refused(call: Callable[[], T]) -> T | KithError:
    """The entry point's answer, or the typed error it refused with; any other exception fails the test."""
    try:
        return call()
    except KithError as refused:
        status = status_for(refused)
        assert 400 <= status < 500, f"{type(refused).__name__} ({refused}) would be a {status}"
        return refused


def assert_recordable(meeting: MeetingEvent) -> None:
    """A parsed meeting is queued as UTF-8 JSON, and each of its instants is written as a table key."""
    json.dumps(meeting.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")
    for moment in (meeting.start, meeting.end, meeting.instance_start):
        if moment is not None:
            assert keys.parse_instant(keys.instant(moment)) == moment.astimezone(UTC).replace(microsecond=0)


# -- Cal.com and Calendly: the signed body carries the meeting -----------------------------------------------

CALCOM_SEEDS = (
    calcom_bodies.booking_created,
    calcom_bodies.booking_rescheduled,
    calcom_bodies.booking_cancelled,
    calcom_bodies.meeting_ended_wrapped,
    calcom_bodies.meeting_ended_flat,
    calcom_bodies.ping,
    lambda: {
        "triggerEvent": "BOOKING_NO_SHOW_UPDATED",
        "payload": {"bookingUid": "bk_1", "attendees": [{"email": "ann@example.com", "noShow": True}]},
    },
)
CALENDLY_SEEDS = (
    calendly_bodies.invitee_created,
    calendly_bodies.invitee_canceled,
    calendly_bodies.rescheduled_cancel,
    calendly_bodies.rescheduled_create,
    calendly_bodies.group_event_second_invitee,
    calendly_bodies.routing_form_submission,
)


@FUZZ
@given(body=bodies(CALCOM_SEEDS))
def test_calcom_reads_or_refuses_any_body(body: bytes) -> None:
    # Given any body, When Cal.com's parser reads it
    outcome = read_or_refused(lambda: calcom.parse(body))
    # Then it is a meeting Kith can record, or a 4xx
    if isinstance(outcome, MeetingEvent):
        assert_recordable(outcome)


@FUZZ
@given(body=bodies(CALENDLY_SEEDS))
def test_calendly_reads_or_refuses_any_body(body: bytes) -> None:
    # Given any body, When Calendly's parser reads it
    outcome = read_or_refused(lambda: calendly.parse(body))
    # Then it is a meeting Kith can record, or a 4xx
    if isinstance(outcome, MeetingEvent):
        assert_recordable(outcome)


# -- Google Calendar: push headers, then events.list pages ---------------------------------------------------

WATCH = GoogleWatch(
    channel_id="chan-1", resource_id="res-1", channel_token="tok-1", expires_at=NOW + timedelta(days=7), sync_token="s1"
)
GOOGLE = CalendarConnection(
    connection_id="conn-g", owner_id="owner-1", provider=Provider.GOOGLE, created_at=NOW, google=WATCH
)
GENUINE_PUSH = {
    "X-Goog-Channel-ID": "chan-1",
    "X-Goog-Resource-ID": "res-1",
    "X-Goog-Channel-Token": "tok-1",
    "X-Goog-Resource-State": "exists",
    "X-Goog-Message-Number": "7",
    "X-Goog-Resource-URI": "https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json",
}
header_values = st.one_of(texts, st.sampled_from(["chan-1", "res-1", "tok-1", "sync", "exists", "not_exists", ""]))


@st.composite
def push_headers(draw: st.DrawFn) -> dict[str, str]:
    """Google's headers, each kept, changed or left out, its name in any case; and any extra headers."""
    headers: dict[str, str] = {}
    for name, value in GENUINE_PUSH.items():
        fate = draw(st.sampled_from(["keep", "keep", "change", "drop"]))
        if fate == "drop":
            continue
        spelled = draw(st.sampled_from([name, name.lower(), name.upper()]))
        headers[spelled] = value if fate == "keep" else draw(header_values)
    headers.update(draw(st.dictionaries(st.text(min_size=1, max_size=8), texts, max_size=3)))
    return headers


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


@FUZZ
@given(headers=push_headers(), query=st.dictionaries(texts, texts, max_size=2), body=st.binary(max_size=64))
def test_a_google_push_is_queued_acknowledged_or_refused_as_google_documents(
    headers: dict[str, str], query: dict[str, str], body: bytes
) -> None:
    # Given a push notification with any mix of Google's headers, When Kith receives it
    account = GoogleCalendar(cast(Any, None), cast(Any, None), "https://www.googleapis.com/calendar/v3")
    outcome = read_or_refused(lambda: account.receive(GOOGLE, headers, query, body, NOW))
    # Then an unknown channel is a 404, a wrong token a 401, a state Google does not send a 400;
    # `sync` is acknowledged and a change is queued once
    known = _header(headers, "x-goog-channel-id") == "chan-1" and _header(headers, "x-goog-resource-id") == "res-1"
    state = _header(headers, "x-goog-resource-state")
    if not known:
        assert isinstance(outcome, NotFound)
    elif _header(headers, "x-goog-channel-token") != "tok-1":
        assert isinstance(outcome, Unauthorized)
    elif state == "sync":
        assert isinstance(outcome, Answer) and (outcome.status, outcome.changes) == (200, [])
    elif state in ("exists", "not_exists"):
        assert isinstance(outcome, Answer) and outcome.status == 202
        assert [change.change for change in outcome.changes] == ["sync"]
    else:
        assert isinstance(outcome, MalformedBody)


def _google_timed() -> dict[str, Any]:
    return {
        "kind": "calendar#event",
        "id": "evt1",
        "status": "confirmed",
        "iCalUID": "evt1@google.com",
        "summary": "Roadmap",
        "start": {"dateTime": "2026-11-30T10:00:00+01:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-11-30T10:45:00+01:00", "timeZone": "Europe/Berlin"},
        "attendees": [
            {"email": "me@example.com", "self": True, "organizer": True, "responseStatus": "accepted"},
            {"email": "Ann@Example.com", "displayName": "Ann", "responseStatus": "accepted"},
            {"email": "c_188@resource.calendar.google.com", "resource": True, "responseStatus": "accepted"},
        ],
    }


def _google_all_day() -> dict[str, Any]:
    return {**_google_timed(), "start": {"date": "2026-11-30"}, "end": {"date": "2026-12-01"}}


def _google_instance() -> dict[str, Any]:
    return {
        **_google_timed(),
        "id": "evt1_20261207T090000Z",
        "recurringEventId": "evt1",
        "originalStartTime": {"dateTime": "2026-12-07T10:00:00", "timeZone": "Europe/Berlin"},
    }


def _google_cancelled() -> dict[str, Any]:
    return {"kind": "calendar#event", "id": "evt2", "status": "cancelled"}


GOOGLE_EVENTS = (_google_timed, _google_all_day, _google_instance, _google_cancelled)
zones = st.one_of(st.none(), st.sampled_from(["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Nowhere/Else"]), texts)


@FUZZ
@given(event=st.one_of(broken(GOOGLE_EVENTS), json_objects), zone=zones)
def test_any_google_event_is_a_recordable_meeting_or_unprocessable(event: dict[str, Any], zone: str | None) -> None:
    # Given one item of events.list, broken anywhere, When it is read as a meeting in the calendar's zone
    outcome = read_or_refused(lambda: google.meeting_from_event(event, zone))
    # Then it is a meeting Kith can record, or a 4xx (the sync skips that one event)
    if isinstance(outcome, MeetingEvent):
        assert_recordable(outcome)


class _Answer:
    def __init__(self, document: Any) -> None:
        self.document = document

    def json(self) -> Any:
        return self.document


class _EventsList:
    """events.list answering with the fuzzed page first, then a last page with a sync token."""

    def __init__(self, page: Any) -> None:
        self.pages = [page, {"items": [], "nextSyncToken": "s-last"}]

    def request(self, method: str, url: str, **_: Any) -> _Answer:
        return _Answer(self.pages.pop(0) if len(self.pages) > 1 else self.pages[0])


class _Tokens:
    def access_token(self, connection: CalendarConnection, now: datetime) -> tuple[str, str | None]:
        return "access", None


pages = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"items": st.lists(st.one_of(broken(GOOGLE_EVENTS), json_objects), max_size=4)},
        optional={"nextSyncToken": texts, "nextPageToken": texts},
    ),
)


@FUZZ
@given(page=pages)
def test_an_events_list_page_gives_recordable_meetings_or_is_a_malformed_answer(page: Any) -> None:
    # Given events.list answering an incremental sync with any page
    account = GoogleCalendar(cast(Any, _EventsList(page)), cast(Any, _Tokens()), "https://calendar.test/v3")
    change = CalendarChange(owner_id="owner-1", connection_id="conn-g", received_at=NOW, change="sync")
    # When Kith reads the change
    try:
        reading = account.read(GOOGLE, change, NOW)
    except ProviderMalformedResponse:
        return  # a page that is not Google's shape: the read is retried, nothing is recorded
    # Then every event it could read is a recordable meeting, and events it could not are skipped
    items = page.get("items", []) if isinstance(page, dict) else []
    assert len(reading.meetings) <= len(items)
    for meeting in reading.meetings:
        assert_recordable(meeting)


# -- Microsoft Graph: the validation handshake, change and lifecycle notifications, events -------------------

SUBSCRIPTION = GraphSubscription(subscription_id="sub-1", client_state="state-1", expires_at=NOW + timedelta(days=2))
OUTLOOK = CalendarConnection(
    connection_id="conn-o", owner_id="owner-1", provider=Provider.OUTLOOK, created_at=NOW, graph=SUBSCRIPTION
)


def _change(kind: str) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "value": [
            {
                "subscriptionId": "sub-1",
                "clientState": "state-1",
                "changeType": kind,
                "resource": "Users/u1/Events/AAMk1",
                "resourceData": {"@odata.type": "#Microsoft.Graph.Event", "id": "AAMk1"},
            }
        ]
    }


def _lifecycle(event: str) -> Callable[[], dict[str, Any]]:
    return lambda: {"value": [{"subscriptionId": "sub-1", "clientState": "state-1", "lifecycleEvent": event}]}


NOTIFICATIONS = tuple(_change(kind) for kind in CHANGE_TYPES) + tuple(_lifecycle(event) for event in LIFECYCLE_EVENTS)
queries: st.SearchStrategy[dict[str, str]] = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"validationToken": texts}),
    st.dictionaries(st.sampled_from(["validationToken", "x"]), texts, max_size=2),
)


@FUZZ
@given(query=queries, body=bodies(NOTIFICATIONS))
def test_a_graph_post_is_the_handshake_a_notification_or_refused(query: dict[str, str], body: bytes) -> None:
    # Given any query and body POSTed to an Outlook connection's webhook, When Kith receives it
    account = OutlookCalendar(cast(Any, None), cast(Any, None), "https://graph.test/v1.0")
    outcome = read_or_refused(lambda: account.receive(OUTLOOK, {}, query, body, NOW))
    # Then the handshake echoes its token as text, and a notification queues only changes Kith reads
    if "validationToken" in query:
        token = query["validationToken"]
        if token:
            assert isinstance(outcome, Answer)
            assert (outcome.status, outcome.content_type, outcome.body) == (200, "text/plain", token)
        else:
            assert isinstance(outcome, MalformedBody)
    elif isinstance(outcome, Answer):
        assert outcome.status == 202
        for change in outcome.changes:
            assert change.change in (*CHANGE_TYPES, *LIFECYCLE_EVENTS)
            if change.change in LIFECYCLE_EVENTS:
                assert change.item_id == "sub-1"


@FUZZ
@given(event=st.sampled_from(LIFECYCLE_EVENTS), state=st.one_of(st.just("state-1"), st.text(max_size=40)))
def test_a_lifecycle_notification_is_queued_only_with_the_subscriptions_client_state(event: str, state: str) -> None:
    # Given a lifecycle notification for the subscription, carrying some clientState
    body = json.dumps({"value": [{"subscriptionId": "sub-1", "clientState": state, "lifecycleEvent": event}]})
    account = OutlookCalendar(cast(Any, None), cast(Any, None), "https://graph.test/v1.0")
    # When Kith receives it
    outcome = read_or_refused(lambda: account.receive(OUTLOOK, {}, {}, body.encode(), NOW))
    # Then only the subscription's own clientState gets the event queued
    if state == "state-1":
        assert isinstance(outcome, Answer) and [(c.change, c.item_id) for c in outcome.changes] == [(event, "sub-1")]
    else:
        assert isinstance(outcome, Unauthorized)


def _graph_single() -> dict[str, Any]:
    return {
        "id": "AAMk1",
        "iCalUId": "040000008200E00074C5B7101A82E008",
        "subject": "Quarterly review",
        "type": "singleInstance",
        "start": {"dateTime": "2026-11-30T09:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-30T10:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"name": "Ann", "address": "ann@example.com"}},
        "attendees": [
            {"type": "required", "status": {"response": "accepted"}, "emailAddress": {"address": "me@example.com"}},
            {"type": "resource", "status": {"response": "none"}, "emailAddress": {"address": "room@example.com"}},
        ],
    }


def _graph_occurrence() -> dict[str, Any]:
    return {
        **_graph_single(),
        "type": "occurrence",
        "originalStart": "2026-11-30T09:00:00Z",
        "start": {"dateTime": "2026-07-01T09:00:00.0000000", "timeZone": "W. Europe Standard Time"},
    }


GRAPH_EVENTS = (
    _graph_single,
    _graph_occurrence,
    lambda: {**_graph_single(), "isCancelled": True},
    lambda: {**_graph_single(), "type": "seriesMaster"},
)


@FUZZ
@given(event=st.one_of(broken(GRAPH_EVENTS), json_objects), mailbox=st.one_of(st.just("me@example.com"), texts))
def test_any_graph_event_is_a_recordable_meeting_nothing_or_unprocessable(event: dict[str, Any], mailbox: str) -> None:
    # Given an event as Graph answers it, broken anywhere, When it is read for the mailbox
    outcome = read_or_refused(lambda: graph.meeting_from_event(event, mailbox))
    # Then it is a meeting Kith can record, None (a series master), or a 4xx
    if isinstance(outcome, MeetingEvent):
        assert_recordable(outcome)


# -- what the fuzz found: a time that leaves the calendar once in UTC was an OverflowError ------------------

YEAR_1_AT_PLUS_14 = {"dateTime": "0001-01-01T00:00:00+14:00"}


@pytest.mark.parametrize(
    "read",
    [
        lambda: google.meeting_from_event({"id": "e1", "start": YEAR_1_AT_PLUS_14, "end": YEAR_1_AT_PLUS_14}),
        lambda: google.meeting_from_event(
            {"id": "e1", "start": {"date": "0001-01-01"}, "end": {"date": "0001-01-02"}}, "Pacific/Kiritimati"
        ),
        lambda: graph.meeting_from_event(
            {"id": "e1", "start": {**YEAR_1_AT_PLUS_14, "timeZone": "UTC"}, "end": {**YEAR_1_AT_PLUS_14}}, "me@x.com"
        ),
        lambda: calcom.parse(
            json.dumps(
                {
                    "triggerEvent": "BOOKING_CREATED",
                    "payload": {
                        "uid": "b1",
                        "startTime": "9999-12-31T23:00:00-05:00",
                        "endTime": "9999-12-31T23:30:00-05:00",
                    },
                }
            ).encode()
        ),
    ],
    ids=["google-timed", "google-all-day", "graph", "calcom"],
)
def test_a_meeting_at_a_time_kith_cannot_keep_is_unprocessable(read: Callable[[], object]) -> None:
    # Given a meeting in the year 1 east of UTC (or 9999 west of it), When it is read, Then it is a 422
    with pytest.raises(Unprocessable):
        read()
