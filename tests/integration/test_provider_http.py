"""The provider HTTP client against the fake Google and Microsoft servers, over real sockets on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from kith.calendars.errors import (
    ProviderAuthError,
    ProviderGone,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
)
from kith.calendars.http_client import ProviderHttp, ProviderResponse
from kith.observability import logger
from kith_local.clock import SimulatedClock
from kith_local.fake_providers import GOOGLE_CLIENT, MICROSOFT_CLIENT, FakeProviders, Fault
from kith_local.plain_browser import Browser
from urllib3.util import Timeout

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
CALENDAR = "owner@example.com"
READ_TIMEOUT = 0.25


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW)


@pytest.fixture
def fake(clock: SimulatedClock) -> Iterator[FakeProviders]:
    with FakeProviders(clock) as providers:
        yield providers


@pytest.fixture
def slept() -> list[float]:
    return []


def client(slept: list[float], **options: Any) -> ProviderHttp:
    """Sleeps are recorded, not slept; jitter is pinned at half the exponential delay."""
    return ProviderHttp(
        timeout=Timeout(connect=1, read=READ_TIMEOUT),
        sleep=slept.append,
        random=lambda: 0.5,
        wall_clock=lambda: NOW,
        **options,
    )


@pytest.fixture
def http(slept: list[float]) -> Iterator[ProviderHttp]:
    with client(slept) as provider_http:
        yield provider_http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events_url(fake: FakeProviders, calendar: str = CALENDAR) -> str:
    return f"{fake.google_calendar_url}/calendars/{quote(calendar, safe='')}/events"


def meeting(event_id: str, day: int, summary: str = "Coffee", **extra: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "summary": summary,
        "start": {"dateTime": f"2026-12-{day:02d}T09:00:00+01:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": f"2026-12-{day:02d}T09:30:00+01:00", "timeZone": "Europe/Berlin"},
        "organizer": {"email": CALENDAR, "self": True},
        "attendees": [
            {"email": CALENDAR, "self": True, "organizer": True, "responseStatus": "accepted"},
            {"email": "ada@example.org", "displayName": "Ada", "responseStatus": "needsAction"},
        ],
        **extra,
    }


def list_events(http: ProviderHttp, fake: FakeProviders, token: str, **params: Any) -> dict[str, Any]:
    return http.request("GET", events_url(fake), headers=bearer(token), params=params).json()


# -- retries ---------------------------------------------------------------------------------


def test_429_waits_what_retry_after_says_then_succeeds(
    fake: FakeProviders, http: ProviderHttp, slept: list[float]
) -> None:
    # Given Google throttles the next two calls, asking for 1 then 2 seconds
    token = fake.oauth.grant("google").access_token
    fake.fail_next("/google/calendar", Fault(429, {"Retry-After": "1"}), Fault(429, {"Retry-After": "2"}))
    # When Kith lists events
    page = list_events(http, fake, token)
    # Then it waited exactly what the server asked, and the third call succeeded
    assert slept == [1.0, 2.0]
    assert page["kind"] == "calendar#events"
    assert len(fake.requests_to("/google/calendar")) == 3
    assert http.requests_made == 3


def test_503_is_retried_after_a_jittered_backoff(fake: FakeProviders, http: ProviderHttp, slept: list[float]) -> None:
    # Given Graph is unavailable once, with no Retry-After
    token = fake.oauth.grant("microsoft").access_token
    fake.graph.put_event(graph_meeting("AAMk1"))
    fake.fail_next("/graph/v1.0/me/events", Fault(503))
    # When Kith reads the event
    event = http.request("GET", f"{fake.graph_url}/me/events/AAMk1", headers=bearer(token)).json()
    # Then it backed off for random() * base (0.5 * 0.5s) and got the event on the second call
    assert slept == [0.25]
    assert event["id"] == "AAMk1"
    assert http.requests_made == 2


def test_gives_up_after_max_attempts_with_exponential_backoff(
    fake: FakeProviders, http: ProviderHttp, slept: list[float]
) -> None:
    # Given Google answers 503 to more calls than the client will make
    token = fake.oauth.grant("google").access_token
    fake.fail_next("/google/calendar", *[Fault(503)] * 6)
    # When Kith lists events
    with pytest.raises(ProviderUnavailable) as raised:
        list_events(http, fake, token)
    # Then four attempts were made, three backoffs doubled in between, and the error says what happened last
    assert raised.value.attempts == 4
    assert raised.value.last_status == 503
    assert slept == [0.25, 0.5, 1.0]
    assert len(fake.requests_to("/google/calendar")) == 4
    assert CALENDAR not in str(raised.value) and token not in str(raised.value)


def test_backoff_never_exceeds_the_cap(slept: list[float]) -> None:
    # Given a client whose backoff is capped at 3 seconds and whose jitter draws its maximum
    capped = ProviderHttp(backoff_base=0.5, backoff_cap=3.0, sleep=slept.append, random=lambda: 1.0)
    # When it computes the delays for attempts 1 to 6
    delays = [capped.backoff(attempt) for attempt in range(1, 7)]
    # Then they double until the cap and stay there
    assert delays == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_read_timeouts_are_retried_then_unavailable(fake: FakeProviders, slept: list[float]) -> None:
    # Given Google holds the next two answers longer than the client's read timeout
    token = fake.oauth.grant("google").access_token
    fake.fail_next("/google/calendar", *[Fault(delay=READ_TIMEOUT * 4)] * 2)
    # When a client that makes two attempts lists events
    with client(slept, max_attempts=2) as http, pytest.raises(ProviderUnavailable) as raised:
        list_events(http, fake, token)
    # Then both attempts timed out, with one backoff between them
    assert raised.value.attempts == 2
    assert raised.value.last_status is None
    assert "timed out" in str(raised.value)
    assert slept == [0.25]
    assert len(fake.requests_to("/google/calendar")) == 2


def test_a_read_timeout_recovers_on_the_next_attempt(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given Google holds only the next answer past the read timeout
    token = fake.oauth.grant("google").access_token
    fake.google.put_event(CALENDAR, meeting("evt1", 1))
    fake.fail_next("/google/calendar", Fault(delay=READ_TIMEOUT * 4))
    # When Kith lists events
    page = list_events(http, fake, token)
    # Then the second attempt answered
    assert [item["id"] for item in page["items"]] == ["evt1"]
    assert http.requests_made == 2


def test_a_post_that_timed_out_is_not_sent_twice(fake: FakeProviders, http: ProviderHttp, slept: list[float]) -> None:
    # Given Graph holds the answer to a subscription request past the read timeout (it may have created it)
    token = fake.oauth.grant("microsoft").access_token
    fake.fail_next("/graph/v1.0/subscriptions", Fault(delay=READ_TIMEOUT * 4))
    # When Kith creates a subscription
    with pytest.raises(ProviderUnavailable) as raised:
        http.request("POST", f"{fake.graph_url}/subscriptions", headers=bearer(token), json=subscription_body())
    # Then it does not risk a second subscription: one request, no backoff
    assert raised.value.attempts == 1
    assert len(fake.requests_to("/graph/v1.0/subscriptions")) == 1
    assert slept == []


def test_refused_connections_are_retried_then_unavailable(slept: list[float]) -> None:
    # Given nothing listens on a port of 127.0.0.1
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # When Kith calls it
    with client(slept, max_attempts=3) as http, pytest.raises(ProviderUnavailable) as raised:
        http.request("POST", f"http://127.0.0.1:{port}/google/token", form={"grant_type": "refresh_token"})
    # Then every attempt was made (nothing was received, so even a POST is safe to repeat)
    assert raised.value.attempts == 3
    assert http.requests_made == 3
    assert slept == [0.25, 0.5]


def test_retry_after_as_an_http_date_is_measured_against_the_answers_date(
    fake: FakeProviders, http: ProviderHttp, slept: list[float]
) -> None:
    # Given Google is down until 7 seconds after the time on its own Date header
    token = fake.oauth.grant("google").access_token
    until = format_datetime(NOW + timedelta(seconds=7), usegmt=True)
    fake.fail_next("/google/calendar", Fault(503, {"Retry-After": until}))
    # When Kith lists events
    list_events(http, fake, token)
    # Then it waited those 7 seconds
    assert slept == [7.0]


def test_retry_after_beyond_the_cap_gives_up_at_once(
    fake: FakeProviders, http: ProviderHttp, slept: list[float]
) -> None:
    # Given Graph asks for two minutes of quiet, more than the client's 30 second cap
    token = fake.oauth.grant("microsoft").access_token
    fake.fail_next("/graph/v1.0/me/events", Fault(429, {"Retry-After": "120"}))
    # When Kith reads an event
    with pytest.raises(ProviderUnavailable) as raised:
        http.request("GET", f"{fake.graph_url}/me/events/AAMk1", headers=bearer(token))
    # Then it neither sleeps nor retries, and says how long the provider wanted
    assert slept == []
    assert raised.value.retry_after == 120.0
    assert raised.value.attempts == 1
    assert "120s" in str(raised.value)
    assert len(fake.requests_to("/graph")) == 1


def test_google_403_rate_limit_is_retried_but_other_403_is_an_auth_error(
    fake: FakeProviders, http: ProviderHttp, slept: list[float]
) -> None:
    # Given Google answers one 403 rateLimitExceeded (which its docs say to back off from), then a 403 forbidden
    token = fake.oauth.grant("google").access_token
    limited = {"error": {"code": 403, "errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded"}]}}
    forbidden = {"error": {"code": 403, "errors": [{"domain": "global", "reason": "forbidden"}]}}
    fake.fail_next("/google/calendar", Fault(403, body=limited), Fault(403, body=forbidden))
    # When Kith lists events
    with pytest.raises(ProviderAuthError) as raised:
        list_events(http, fake, token)
    # Then the rate limit was waited out once, and the forbidden answer ended it without another retry
    assert slept == [0.25]
    assert raised.value.status == 403 and raised.value.reason == "forbidden"
    assert len(fake.requests_to("/google/calendar")) == 2


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(str(record.__dict__))


def test_logs_name_the_call_but_carry_no_token_path_or_body(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given debug logging, and a calendar call that is retried once
    token = fake.oauth.grant("google").access_token
    fake.google.put_event(CALENDAR, meeting("evt1", 1))
    fake.fail_next("/google/calendar", Fault(503))
    records, underlying = _Records(), logging.getLogger(logger.name)
    level = underlying.level
    underlying.addHandler(records)
    logger.setLevel(logging.DEBUG)
    try:
        # When Kith lists events
        list_events(http, fake, token)
    finally:
        underlying.removeHandler(records)
        logger.setLevel(level)
    # Then the answers and the retry were logged, without the token, the calendar id (an address) or attendees
    text = "\n".join(records.lines)
    assert "provider call retried" in text and "provider answered" in text
    assert token not in text and "ada@example.org" not in text
    assert CALENDAR not in text and quote(CALENDAR, safe="") not in text


# -- answers that are not retried -----------------------------------------------------------


def test_400_is_rejected_without_a_retry(fake: FakeProviders, http: ProviderHttp, slept: list[float]) -> None:
    # Given Google refuses a sync token combined with a time window
    token = fake.oauth.grant("google").access_token
    sync_token = list_events(http, fake, token)["nextSyncToken"]
    # When Kith asks for both
    with pytest.raises(ProviderRejected) as raised:
        list_events(http, fake, token, syncToken=sync_token, timeMin="2026-12-01T00:00:00Z")
    # Then exactly one request was made for it, and the error carries Google's reason
    assert raised.value.status == 400
    assert raised.value.reason == "syncTokenWithRequestRestrictions"
    assert len(fake.requests_to("/google/calendar")) == 2
    assert slept == []


def test_401_without_a_token_is_an_auth_error_in_each_providers_shape(
    fake: FakeProviders, http: ProviderHttp, slept: list[float]
) -> None:
    # Given no Authorization header
    # When Kith calls Google and Graph
    with pytest.raises(ProviderAuthError) as google:
        http.request("GET", events_url(fake))
    with pytest.raises(ProviderAuthError) as graph:
        http.request("POST", f"{fake.graph_url}/subscriptions", json=subscription_body())
    # Then both answer 401 with their documented error bodies (Google's errors[].reason, Graph's error.code)
    assert (google.value.status, google.value.reason) == (401, "authError")
    assert (graph.value.status, graph.value.reason) == (401, "InvalidAuthenticationToken")
    assert http.requests_made == 2 and slept == []


def test_a_token_from_the_other_provider_is_refused(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given a Microsoft access token
    token = fake.oauth.grant("microsoft").access_token
    # When it is presented to Google
    with pytest.raises(ProviderAuthError):
        list_events(http, fake, token)
    # Then Google refused it, once
    assert len(fake.requests_to("/google")) == 1


def test_404_is_not_found(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given Graph holds no event with this id
    token = fake.oauth.grant("microsoft").access_token
    # When Kith reads it
    with pytest.raises(ProviderNotFound) as raised:
        http.request("GET", f"{fake.graph_url}/me/events/AAMk-missing", headers=bearer(token))
    # Then it is a ProviderNotFound with Graph's code, after one request
    assert raised.value.reason == "ErrorItemNotFound"
    assert http.requests_made == 1


def test_410_after_the_sync_token_is_invalidated(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given a full sync gave a sync token, and Google has since invalidated it
    token = fake.oauth.grant("google").access_token
    fake.google.put_event(CALENDAR, meeting("evt1", 1))
    sync_token = list_events(http, fake, token)["nextSyncToken"]
    fake.google.invalidate_sync_tokens(CALENDAR)
    # When Kith syncs incrementally
    with pytest.raises(ProviderGone) as raised:
        list_events(http, fake, token, syncToken=sync_token)
    # Then Google says a full sync is required, and a full sync works again
    assert raised.value.reason == "fullSyncRequired"
    assert [item["id"] for item in list_events(http, fake, token)["items"]] == ["evt1"]
    assert http.requests_made == 3


def test_a_post_declared_idempotent_is_retried_after_a_timeout(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given a watched channel, and Google holding the next answer to channels.stop past the read timeout
    token = fake.oauth.grant("google").access_token
    watch = {"id": "kith-channel-2", "type": "web_hook", "address": "https://kith.example/webhooks/google"}
    channel = http.request("POST", f"{events_url(fake)}/watch", headers=bearer(token), json=watch).json()
    fake.fail_next("/google/calendar/v3/channels/stop", Fault(delay=READ_TIMEOUT * 4))
    # When Kith stops the channel, declaring that stopping twice is harmless
    stop = {"id": channel["id"], "resourceId": channel["resourceId"]}
    url = f"{fake.google_calendar_url}/channels/stop"
    stopped = http.request("POST", url, headers=bearer(token), json=stop, idempotent=True)
    # Then the second attempt stopped it
    assert stopped.status == 204
    assert len(fake.requests_to("/google/calendar/v3/channels/stop")) == 2


def test_an_expired_access_token_is_an_auth_error(
    fake: FakeProviders, http: ProviderHttp, clock: SimulatedClock
) -> None:
    # Given an access token issued an hour ago (Google's tokens last 3599 seconds)
    token = fake.oauth.grant("google").access_token
    clock.advance(timedelta(hours=1))
    # When Kith uses it
    with pytest.raises(ProviderAuthError) as raised:
        list_events(http, fake, token)
    # Then Google refuses it as invalid credentials
    assert (raised.value.status, raised.value.reason) == (401, "authError")


# -- the fake speaks the documented shapes ----------------------------------------------------


def token_form(client_id_secret: tuple[str, str], **fields: str) -> dict[str, str]:
    return {"client_id": client_id_secret[0], "client_secret": client_id_secret[1], **fields}


# What a client registers and keeps while the owner consents: its callback and its PKCE verifier.
CALLBACK = {
    "google": "http://127.0.0.1:8000/oauth/google/callback",
    "microsoft": "http://127.0.0.1:8000/oauth/outlook/callback",
}
VERIFIER = "a-pkce-verifier-of-forty-three-characters-or-more"


def consented(fake: FakeProviders, provider: Literal["google", "microsoft"], scope: str, **extra: str) -> str:
    """The owner allowed on the fake's consent page: the code the browser brings back to the client."""
    client_id = (GOOGLE_CLIENT if provider == "google" else MICROSOFT_CLIENT)[0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    query = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK[provider],
        "scope": scope,
        "state": "st-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    url = fake.google_authorize_url if provider == "google" else fake.microsoft_authorize_url()
    browser = Browser()
    back = browser.submit(browser.get(f"{url}?{urlencode(query)}"), "Allow")
    assert back.status == 302 and back.location is not None
    answered = dict(parse_qsl(urlsplit(back.location).query))
    assert answered["state"] == "st-1"
    return answered["code"]


def exchange(provider: Literal["google", "microsoft"], code: str, **fields: str) -> dict[str, str]:
    """The token request for a consented code: its redirect URI and verifier, unless `fields` says otherwise."""
    client = GOOGLE_CLIENT if provider == "google" else MICROSOFT_CLIENT
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK[provider]}
    return token_form(client, **(form | {"code_verifier": VERIFIER} | fields))


def test_google_code_exchange_refresh_and_revocation(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given the owner consented to read-only access to events, offline
    scope = "https://www.googleapis.com/auth/calendar.events.readonly"
    code = consented(fake, "google", scope, access_type="offline")
    # When Kith exchanges the code, then refreshes
    issued = http.request("POST", fake.google_token_url, form=exchange("google", code)).json()
    refreshed = http.request(
        "POST",
        fake.google_token_url,
        form=token_form(GOOGLE_CLIENT, grant_type="refresh_token", refresh_token=issued["refresh_token"]),
    ).json()
    # Then the answers have Google's token shape; only the exchange carries a refresh token; the new token works
    assert issued.keys() == {"access_token", "expires_in", "token_type", "scope", "refresh_token"}
    assert (issued["token_type"], issued["scope"], issued["expires_in"]) == ("Bearer", scope, 3599)
    assert refreshed.keys() == {"access_token", "expires_in", "token_type", "scope"}
    assert list_events(http, fake, refreshed["access_token"])["items"] == []
    # And a code works once only
    with pytest.raises(ProviderAuthError) as reused:
        http.request("POST", fake.google_token_url, form=exchange("google", code))
    assert (reused.value.status, reused.value.reason) == (400, "invalid_grant")
    # And once the owner revokes access, neither the refresh token nor its access tokens work
    fake.oauth.revoke_refresh_token(issued["refresh_token"])
    with pytest.raises(ProviderAuthError) as revoked:
        http.request(
            "POST",
            fake.google_token_url,
            form=token_form(GOOGLE_CLIENT, grant_type="refresh_token", refresh_token=issued["refresh_token"]),
        )
    assert revoked.value.reason == "invalid_grant"
    with pytest.raises(ProviderAuthError):
        list_events(http, fake, refreshed["access_token"])
    assert issued["refresh_token"] not in str(revoked.value)


def test_microsoft_code_exchange_and_rotating_refresh(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given the owner consented to offline calendar access
    scope = "offline_access Calendars.Read"
    code = consented(fake, "microsoft", scope)
    url = fake.microsoft_token_url("common")
    # When Kith exchanges the code and refreshes
    issued = http.request("POST", url, form=exchange("microsoft", code, scope=scope)).json()
    refreshed = http.request(
        "POST",
        url,
        form=token_form(
            MICROSOFT_CLIENT, grant_type="refresh_token", refresh_token=issued["refresh_token"], scope=scope
        ),
    ).json()
    # Then both have the v2.0 endpoint's shape, and the refresh hands out a new refresh token
    for answer in (issued, refreshed):
        assert answer.keys() == {"access_token", "expires_in", "ext_expires_in", "token_type", "scope", "refresh_token"}
        assert (answer["token_type"], answer["scope"]) == ("Bearer", scope)
    assert refreshed["refresh_token"] != issued["refresh_token"]
    # And without offline_access there is no refresh token at all
    online = http.request(
        "POST", url, form=exchange("microsoft", consented(fake, "microsoft", "Calendars.Read"), scope="Calendars.Read")
    ).json()
    assert "refresh_token" not in online
    # And a wrong client secret is an auth error, not something to retry
    with pytest.raises(ProviderAuthError) as wrong_client:
        http.request(
            "POST",
            url,
            form=token_form((MICROSOFT_CLIENT[0], "not-the-secret"), grant_type="authorization_code", code="x"),
        )
    assert (wrong_client.value.status, wrong_client.value.reason) == (401, "invalid_client")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"code_verifier": "another-verifier-of-at-least-forty-three-characters"}, "invalid code verifier"),
        ({"code_verifier": ""}, "invalid code verifier"),
        ({"redirect_uri": "http://127.0.0.1:9999/oauth/google/callback"}, "redirect_uri"),
    ],
)
def test_the_token_endpoint_checks_pkce_and_the_redirect_uri(
    fake: FakeProviders, http: ProviderHttp, fields: dict[str, str], reason: str
) -> None:
    # Given a code from an offline consent, When it is exchanged with another verifier, none, or another redirect URI
    code = consented(fake, "google", "https://www.googleapis.com/auth/calendar.events.readonly", access_type="offline")
    with pytest.raises(ProviderAuthError) as refused:
        http.request("POST", fake.google_token_url, form=exchange("google", code, **fields))
    # Then Google refuses it as invalid_grant, and the code is spent: the right verifier no longer helps
    assert (refused.value.status, refused.value.reason) == (400, "invalid_grant")
    with pytest.raises(ProviderAuthError):
        http.request("POST", fake.google_token_url, form=exchange("google", code))


def test_google_gives_a_refresh_token_only_to_an_offline_consent_and_an_id_token_to_openid(
    fake: FakeProviders, http: ProviderHttp
) -> None:
    # Given one consent without access_type=offline, and one offline with openid email
    online = consented(fake, "google", "https://www.googleapis.com/auth/calendar.events.readonly")
    offline = consented(
        fake, "google", "openid email https://www.googleapis.com/auth/calendar.events.readonly", access_type="offline"
    )
    # When both codes are exchanged
    first = http.request("POST", fake.google_token_url, form=exchange("google", online)).json()
    second = http.request("POST", fake.google_token_url, form=exchange("google", offline)).json()
    # Then only the offline one carries a refresh token, and only the openid one an ID token naming the account
    assert "refresh_token" not in first and "id_token" not in first
    assert second["refresh_token"]
    claims = second["id_token"].split(".")[1]
    identity = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert (identity["email"], identity["aud"]) == (CALENDAR, GOOGLE_CLIENT[0])


def _authorize(fake: FakeProviders, **changes: str | None) -> tuple[int, dict[str, str], str]:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    query: dict[str, str | None] = {
        "client_id": GOOGLE_CLIENT[0],
        "response_type": "code",
        "redirect_uri": CALLBACK["google"],
        "scope": "https://www.googleapis.com/auth/calendar.events.readonly",
        "state": "st-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    } | changes
    sent = {name: value for name, value in query.items() if value is not None}
    page = Browser().get(f"{fake.google_authorize_url}?{urlencode(sent)}")
    return page.status, page.headers, page.text


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"client_id": "someone-else.apps.googleusercontent.com"}, "invalid_client"),
        ({"redirect_uri": "http://kith.example/oauth/google/callback"}, "redirect_uri_mismatch"),
        ({"redirect_uri": "https://api.kith.test/oauth/outlook/callback"}, "redirect_uri_mismatch"),
        ({"redirect_uri": None}, "redirect_uri_mismatch"),
    ],
)
def test_the_consent_page_never_sends_a_browser_to_an_unregistered_client_or_address(
    fake: FakeProviders, changes: dict[str, str | None], error: str | None
) -> None:
    # When the authorize URL names another client, or a redirect URI other than a Kith callback
    status, headers, text = _authorize(fake, **changes)
    if error is None:
        # (an https callback on any host is what the fake counts as registered: Kith's address varies by stack)
        assert status == 200
        return
    # Then Google shows its error page and sends the browser nowhere
    assert status == 400 and "location" not in headers
    assert error in text


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "https://www.googleapis.com/auth/everything"}, "invalid_scope"),
        ({"scope": None}, "invalid_scope"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
    ],
)
def test_a_wrong_authorize_request_goes_back_to_the_client_with_the_error(
    fake: FakeProviders, changes: dict[str, str | None], error: str
) -> None:
    # When the authorize URL asks for something Google does not grant (another flow, a scope, no PKCE S256)
    status, headers, _ = _authorize(fake, **changes)
    # Then the browser is sent back to the client with the error and the state
    assert status == 302
    answered = dict(parse_qsl(urlsplit(headers["location"]).query))
    assert answered == {"error": error, "state": "st-1"}


def test_events_list_pages_then_gives_a_sync_token_on_the_last_page(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given five events
    token = fake.oauth.grant("google").access_token
    for day in range(1, 6):
        fake.google.put_event(CALENDAR, meeting(f"evt{day}", day))
    # When Kith lists them two at a time, following nextPageToken
    pages = [list_events(http, fake, token, maxResults=2)]
    while "nextPageToken" in pages[-1]:
        pages.append(list_events(http, fake, token, maxResults=2, pageToken=pages[-1]["nextPageToken"]))
    # Then there are three pages: nextPageToken on the first two, nextSyncToken only on the last
    assert [("nextPageToken" in page, "nextSyncToken" in page) for page in pages] == [
        (True, False),
        (True, False),
        (False, True),
    ]
    assert [item["id"] for page in pages for item in page["items"]] == [f"evt{day}" for day in range(1, 6)]
    assert len(fake.requests_to(f"/google/calendar/v3/calendars/{CALENDAR}/events")) == 3
    first = pages[0]["items"][0]
    assert first["kind"] == "calendar#event" and first["status"] == "confirmed"
    assert first["iCalUID"] == "evt1@google.com"
    assert first["attendees"][1] == {"email": "ada@example.org", "displayName": "Ada", "responseStatus": "needsAction"}


def test_incremental_sync_returns_only_what_changed_including_cancellations(
    fake: FakeProviders, http: ProviderHttp, clock: SimulatedClock
) -> None:
    # Given a full sync of three events
    token = fake.oauth.grant("google").access_token
    for day in (1, 2, 3):
        fake.google.put_event(CALENDAR, meeting(f"evt{day}", day))
    sync_token = list_events(http, fake, token)["nextSyncToken"]
    # When one is renamed and another cancelled, and Kith syncs with the token
    clock.advance(timedelta(minutes=5))
    fake.google.update_event(CALENDAR, "evt1", {"summary": "Lunch"})
    fake.google.cancel_event(CALENDAR, "evt2")
    changes = list_events(http, fake, token, syncToken=sync_token)
    # Then only those two come back: the rename in full, the cancellation with Google's minimal fields
    assert [item["id"] for item in changes["items"]] == ["evt1", "evt2"]
    renamed, cancelled = changes["items"]
    assert renamed["summary"] == "Lunch" and renamed["updated"] == "2026-11-30T10:05:00.000Z"
    assert cancelled["status"] == "cancelled" and "attendees" not in cancelled
    # And the next sync, with nothing changed, is empty; a full sync no longer shows the cancelled event
    assert list_events(http, fake, token, syncToken=changes["nextSyncToken"])["items"] == []
    assert [item["id"] for item in list_events(http, fake, token)["items"]] == ["evt1", "evt3"]
    assert [item["id"] for item in list_events(http, fake, token, showDeleted="true")["items"]] == [
        "evt1",
        "evt2",
        "evt3",
    ]


def test_time_window_and_single_events(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given a weekly series (its master and one instance) and two single meetings
    token = fake.oauth.grant("google").access_token
    fake.google.put_event(CALENDAR, meeting("series", 1, recurrence=["RRULE:FREQ=WEEKLY"]))
    fake.google.put_event(
        CALENDAR,
        meeting(
            "series_20261208T080000Z",
            8,
            recurringEventId="series",
            originalStartTime={"dateTime": "2026-12-08T09:00:00+01:00", "timeZone": "Europe/Berlin"},
        ),
    )
    fake.google.put_event(CALENDAR, meeting("early", 2))
    fake.google.put_event(CALENDAR, meeting("late", 20))
    # When Kith lists instances within the first half of December, all instances, and series unexpanded
    window = list_events(
        http, fake, token, singleEvents="true", timeMin="2026-12-02T00:00:00Z", timeMax="2026-12-15T00:00:00Z"
    )
    expanded = list_events(http, fake, token, singleEvents="true")
    unexpanded = list_events(http, fake, token)
    # Then the window holds the instance and the meeting inside it; without singleEvents the master stands in
    assert [item["id"] for item in window["items"]] == ["series_20261208T080000Z", "early"]
    assert [item["id"] for item in expanded["items"]] == ["series_20261208T080000Z", "early", "late"]
    assert [item["id"] for item in unexpanded["items"]] == ["series", "early", "late"]
    # And an empty window is Google's documented 400
    with pytest.raises(ProviderRejected) as empty:
        list_events(http, fake, token, timeMin="2026-12-02T00:00:00Z", timeMax="2026-12-01T00:00:00Z")
    assert empty.value.reason == "timeRangeEmpty"


def test_watch_then_stop_a_channel(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given an access token
    token = fake.oauth.grant("google").access_token
    request = {
        "id": "kith-channel-1",
        "type": "web_hook",
        "address": "https://kith.example/webhooks/google",
        "token": "owner=owner-1",
        "params": {"ttl": "3600"},
    }
    # When Kith watches the calendar's events
    channel = http.request("POST", f"{events_url(fake)}/watch", headers=bearer(token), json=request).json()
    # Then it gets an api#channel that echoes its id and token and expires at the requested ttl (ms, as a string)
    assert channel["kind"] == "api#channel"
    assert (channel["id"], channel["token"]) == ("kith-channel-1", "owner=owner-1")
    assert channel["resourceId"]
    assert channel["resourceUri"].startswith(
        "https://www.googleapis.com/calendar/v3/calendars/owner@example.com/events"
    )
    assert channel["expiration"] == str(int((NOW + timedelta(hours=1)).timestamp() * 1000))
    # And stopping it answers 204 with no body; stopping it again finds nothing
    stop = {"id": channel["id"], "resourceId": channel["resourceId"]}
    stopped = http.request("POST", f"{fake.google_calendar_url}/channels/stop", headers=bearer(token), json=stop)
    assert (stopped.status, stopped.body) == (204, b"")
    with pytest.raises(ProviderNotFound):
        http.request("POST", f"{fake.google_calendar_url}/channels/stop", headers=bearer(token), json=stop)


def subscription_body(**changes: str) -> dict[str, str]:
    return {
        "changeType": "created,updated,deleted",
        "notificationUrl": "https://kith.example/webhooks/graph",
        "lifecycleNotificationUrl": "https://kith.example/webhooks/graph/lifecycle",
        "resource": "me/events",
        "expirationDateTime": "2026-12-02T10:00:00.0000000Z",
        "clientState": "client-state-secret",
        **changes,
    }


def test_graph_subscription_create_renew_delete(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given a Microsoft access token
    token = fake.oauth.grant("microsoft").access_token
    url = f"{fake.graph_url}/subscriptions"
    # When Kith subscribes to the owner's events
    created: ProviderResponse = http.request("POST", url, headers=bearer(token), json=subscription_body())
    subscription = created.json()
    # Then Graph's 201 subscription comes back, with an id and what was asked for
    assert created.status == 201
    assert subscription["id"]
    assert subscription["@odata.context"].endswith("#subscriptions/$entity")
    assert {k: subscription[k] for k in ("changeType", "resource", "clientState", "lifecycleNotificationUrl")} == {
        "changeType": "created,updated,deleted",
        "resource": "me/events",
        "clientState": "client-state-secret",
        "lifecycleNotificationUrl": "https://kith.example/webhooks/graph/lifecycle",
    }
    assert subscription["expirationDateTime"] == "2026-12-02T10:00:00.0000000Z"
    # And renewing moves the expiry; deleting answers 204; the deleted subscription is then not found
    renewed = http.request(
        "PATCH",
        f"{url}/{subscription['id']}",
        headers=bearer(token),
        json={"expirationDateTime": "2026-12-05T10:00:00Z"},
    )
    assert (renewed.status, renewed.json()["expirationDateTime"]) == (200, "2026-12-05T10:00:00.0000000Z")
    deleted = http.request("DELETE", f"{url}/{subscription['id']}", headers=bearer(token))
    assert (deleted.status, deleted.body) == (204, b"")
    with pytest.raises(ProviderNotFound):
        http.request("PATCH", f"{url}/{subscription['id']}", headers=bearer(token), json={"expirationDateTime": "x"})


def test_graph_subscription_beyond_the_event_limit_is_rejected(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given a Microsoft access token
    token = fake.oauth.grant("microsoft").access_token
    # When Kith asks for an event subscription that lasts longer than Graph's 10080 minutes
    too_long = subscription_body(expirationDateTime="2026-12-08T10:00:00Z")
    with pytest.raises(ProviderRejected) as raised:
        http.request("POST", f"{fake.graph_url}/subscriptions", headers=bearer(token), json=too_long)
    # Then Graph refuses it as an invalid request, once
    assert (raised.value.status, raised.value.reason) == (400, "InvalidRequest")
    assert http.requests_made == 1


def graph_meeting(event_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "subject": "Coffee",
        "start": {"dateTime": "2026-12-01T09:00:00.0000000", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-12-01T09:30:00.0000000", "timeZone": "W. Europe Standard Time"},
        "organizer": {"emailAddress": {"name": "Owner", "address": CALENDAR}},
        "attendees": [
            {
                "type": "required",
                "status": {"response": "accepted", "time": "2026-11-29T08:00:00Z"},
                "emailAddress": {"name": "Ada", "address": "ada@example.org"},
            },
            {
                "type": "resource",
                "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": "Room 1", "address": "room1@example.com"},
            },
        ],
        **changes,
    }


def test_graph_event_in_utc_or_in_the_preferred_time_zone(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given an Outlook meeting at 09:00 Berlin time (08:00 UTC in December)
    token = fake.oauth.grant("microsoft").access_token
    fake.graph.put_event(graph_meeting("AAMk1"))
    url = f"{fake.graph_url}/me/events/AAMk1"
    # When Kith reads it with Prefer: outlook.timezone="UTC", then in Pacific time
    utc = http.request("GET", url, headers={**bearer(token), "Prefer": 'outlook.timezone="UTC"'})
    pacific = http.request("GET", url, headers={**bearer(token), "Prefer": 'outlook.timezone="Pacific Standard Time"'})
    # Then start and end are given in the zone asked for, in Graph's seven-digit format, and the preference is echoed
    assert utc.json()["start"] == {"dateTime": "2026-12-01T08:00:00.0000000", "timeZone": "UTC"}
    assert utc.headers["preference-applied"] == 'outlook.timezone="UTC"'
    assert pacific.json()["end"] == {"dateTime": "2026-12-01T00:30:00.0000000", "timeZone": "Pacific Standard Time"}
    event = utc.json()
    assert (event["isAllDay"], event["isCancelled"], event["type"], event["seriesMasterId"]) == (
        False,
        False,
        "singleInstance",
        None,
    )
    assert event["iCalUId"] and event["organizer"]["emailAddress"]["address"] == CALENDAR
    assert [a["type"] for a in event["attendees"]] == ["required", "resource"]


def test_graph_event_updates_and_cancellation_show_on_the_next_read(fake: FakeProviders, http: ProviderHttp) -> None:
    # Given an Outlook meeting that is an occurrence of a series
    token = fake.oauth.grant("microsoft").access_token
    fake.graph.put_event(graph_meeting("AAMk2", type="occurrence", seriesMasterId="AAMk-series"))
    ical_uid = http.request("GET", f"{fake.graph_url}/me/events/AAMk2", headers=bearer(token)).json()["iCalUId"]
    # When it is renamed, then cancelled
    fake.graph.update_event("AAMk2", {"subject": "Lunch"})
    fake.graph.cancel_event("AAMk2")
    event = http.request("GET", f"{fake.graph_url}/me/events/AAMk2", headers=bearer(token)).json()
    # Then the read shows both, keeps the event's identity, and its time is unchanged (UTC without a Prefer header)
    assert (event["subject"], event["isCancelled"]) == ("Lunch", True)
    assert (event["type"], event["seriesMasterId"], event["iCalUId"]) == ("occurrence", "AAMk-series", ical_uid)
    assert event["start"] == {"dateTime": "2026-12-01T08:00:00.0000000", "timeZone": "UTC"}
