"""Calendar consent in one click: the consent URL, the fake provider's page, and Kith's callback, end to end.

The owner's browser goes from POST /v1/connections/{provider}/authorize to the fake Google or
Microsoft on 127.0.0.1, presses Allow or Deny, and is sent back to GET /oauth/{provider}/callback,
invoked in process. Every refusal is a page in words, and leaves no connection and no new consent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import boto3
import pytest
from kith.actions.tokens import KeyRing
from kith.calendars.consent_state import ConsentClaim, code_challenge, sign_state, verify_state
from kith.domain.connections import Provider
from kith_local.fake_providers import GOOGLE_CLIENT, MICROSOFT_CLIENT, FakeProviders
from kith_local.plain_browser import Page
from kith_local.provider_settings import google_overrides, microsoft_overrides

from tests.integration.support import API_ORIGIN, NOW, OWNER, Kith

CALENDARS = ["google", "outlook"]
ON_THE_FAKE = {"google": "google", "outlook": "microsoft"}


@pytest.fixture
def fake(kith: Kith) -> Iterator[FakeProviders]:
    with FakeProviders(kith.clock) as providers:
        kith.use_settings(google_overrides(providers) | microsoft_overrides(providers))
        providers.notify = kith.post_to_webhook
        kith.create_owner()
        yield providers


def ring(kith: Kith) -> KeyRing:
    """The keys the stack signs with (the same secret as the emails' links)."""
    keys: KeyRing = kith.lambdas.modules["ApiFunction"].runtime.action_keys()
    return keys


def kept(kith: Kith) -> list[tuple[str, str]]:
    """The connections and pending consents the table holds, by key."""
    kinds = {"connection", "connection_listing", "consent"}
    return sorted((item["pk"]["S"], item["sk"]["S"]) for item in kith.items() if item["type"]["S"] in kinds)


def connections(kith: Kith, owner: str = OWNER) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = kith.http("GET", "/v1/connections", owner=owner)[1]["connections"]
    return listed


def allowed(kith: Kith, provider: str) -> str:
    """The owner allowed on the provider's page: the callback URL the browser is sent back to (not yet opened)."""
    status, started = kith.begin_consent(provider)
    assert status == 200, started
    browser = kith.browser()
    back = browser.submit(browser.get(started["authorize_url"]), "Allow")
    assert back.status == 302 and back.location is not None
    return back.location


def open_callback(kith: Kith, url: str) -> Page:
    return kith.browser().get(url)


def with_query(url: str, **changes: str | None) -> str:
    """The URL with these query values replaced (None: left out)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) | changes
    kept_values = {name: value for name, value in query.items() if value is not None}
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(kept_values)}"


def state_of(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))["state"]


def assert_refused(page: Page, status: int, *words: str) -> None:
    """A page in words, for a person: the status, what happened, the way back, and nothing of a program."""
    assert page.status == status, page.text
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
    assert '<a href="/console/#/calendars"' in page.text
    assert "Traceback" not in page.text and '{"error"' not in page.text and "<script" not in page.text
    for word in words:
        # The reason is shown as a sentence: its first letter may be a capital.
        assert word in page.text or word[:1].upper() + word[1:] in page.text, page.text


# -- the consent URL --------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", CALENDARS)
def test_the_consent_url_asks_for_the_least_kith_needs_with_pkce_and_a_signed_state(
    kith: Kith, fake: FakeProviders, provider: str
) -> None:
    # When the owner asks for the consent URL
    status, started = kith.begin_consent(provider)
    # Then it is the provider's consent endpoint with exactly these parameters
    assert status == 200, started
    url = urlsplit(started["authorize_url"])
    endpoint = fake.google_authorize_url if provider == "google" else fake.microsoft_authorize_url()
    assert f"{url.scheme}://{url.netloc}{url.path}" == endpoint
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert all(len(values) == 1 for values in parse_qs(url.query).values())
    common = {
        "response_type": "code",
        "redirect_uri": f"{API_ORIGIN}/oauth/{provider}/callback",
        "code_challenge_method": "S256",
    }
    if provider == "google":
        expected = common | {
            "client_id": GOOGLE_CLIENT[0],
            "scope": "openid email https://www.googleapis.com/auth/calendar.events.readonly",
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
        }
    else:
        expected = common | {
            "client_id": MICROSOFT_CLIENT[0],
            "scope": "offline_access User.Read Calendars.Read",
            "response_mode": "query",
        }
    assert {name: query[name] for name in query if name not in ("state", "code_challenge")} == expected
    # And it can be completed for 10 minutes
    assert started["expires_at"] == "2026-11-30T10:10:00Z"
    # And the state is signed with the stack's keys and names the owner and the calendar
    claim = verify_state(query["state"], ring(kith), NOW)
    assert (claim.owner_id, claim.provider.value) == (OWNER, provider)
    # And the pending consent is kept under the state's nonce, expiring with it, holding the verifier of the challenge
    (item,) = [item for item in kith.items() if item["type"]["S"] == "consent"]
    assert (item["pk"]["S"], item["sk"]["S"], item["owner_id"]["S"], item["provider"]["S"]) == (
        f"OWNER#{OWNER}",
        f"CONSENT#{claim.nonce}",
        OWNER,
        provider,
    )
    assert int(item["expires_at"]["N"]) == int((NOW + timedelta(minutes=10)).timestamp())
    assert code_challenge(item["code_verifier"]["S"]) == query["code_challenge"]
    assert item["code_verifier"]["S"] not in started["authorize_url"]
    # And nothing is connected yet
    assert connections(kith) == []


@pytest.mark.parametrize("provider", ["calcom", "calendly"])
def test_a_booking_tool_is_connected_with_post_connections_not_consent(
    kith: Kith, fake: FakeProviders, provider: str
) -> None:
    # When the consent URL is asked for a tool that signs its webhooks
    status, answer = kith.begin_consent(provider)
    # Then it is a 422 saying how to connect it instead, and nothing is kept
    assert status == 422, answer
    assert answer["error"] == f"connect {provider} with POST /v1/connections: it signs its webhooks"
    assert kept(kith) == []


def test_a_calendar_the_stack_has_no_oauth_client_for_is_the_same_422_as_connecting_it(kith: Kith) -> None:
    # Given a stack deployed without Google's or Microsoft's OAuth client, and an owner
    kith.create_owner()
    for provider in CALENDARS:
        # When the consent URL is asked for
        status, answer = kith.begin_consent(provider)
        # Then it is refused exactly as POST /v1/connections refuses the calendar, and nothing is kept
        connect_status, connect_answer = kith.http("POST", "/v1/connections", {"provider": provider})
        assert (status, answer) == (connect_status, connect_answer) == (422, answer)
        assert "is not set up on this stack" in answer["error"]
    assert kept(kith) == []


def test_without_an_owner_profile_the_consent_url_is_the_404_connecting_gives(kith: Kith, fake: FakeProviders) -> None:
    # When someone without a profile asks for a consent URL
    status, answer = kith.begin_consent("google", owner="nobody-yet")
    # Then it is the 404 POST /v1/connections gives, and nothing is kept
    connect = kith.http("POST", "/v1/connections", {"provider": "calcom"}, owner="nobody-yet")
    assert (status, answer) == connect == (404, {"error": "no owner profile yet: create it with PUT /v1/owner"})
    assert kept(kith) == []


def test_a_provider_kith_does_not_know_is_a_422_naming_the_path(kith: Kith, fake: FakeProviders) -> None:
    status, answer = kith.begin_consent("zoom")
    assert status == 422 and answer["details"][0]["field"] == "provider"
    assert kept(kith) == []


# -- consent given -----------------------------------------------------------------------------------------


def test_allowing_google_connects_it_opens_a_channel_and_queues_the_first_read(kith: Kith, fake: FakeProviders) -> None:
    # When the owner allows on Google's consent page and is sent back
    trip = kith.consent("google")
    # Then the browser goes on to the console's calendars page, which says what was connected
    assert trip.landed.status == 303, trip.landed.text
    assert trip.landed.headers["location"] == "/console/#/calendars?connected=google"
    assert trip.landed.headers["referrer-policy"] == "no-referrer"
    # And the calendar is connected, active, with the account the ID token names
    (listed,) = connections(kith)
    assert (listed["provider"], listed["state"], listed["account_email"]) == ("google", "active", "owner@example.com")
    # And Google holds a channel to the connection's webhook
    (channel,) = fake.google.channels
    assert kith.stored_connection(listed["connection_id"])["google"]["channel_id"] == channel["id"]
    # And the first read is queued, as POST /v1/connections queues it
    (queued,) = kith.receive("MeetingQueue")
    work = json.loads(queued["Body"])
    assert (work["connection_id"], work["change"]) == (listed["connection_id"], "initial")
    # And the code was exchanged once (the fake's token endpoint checks its verifier and redirect URI)
    assert [request.method for request in fake.requests if request.path == "/google/token"] == ["POST"]
    # And the pending consent is spent
    assert [key for key in kept(kith) if key[1].startswith("CONSENT#")] == []


def test_allowing_outlook_connects_it_and_subscribes(kith: Kith, fake: FakeProviders) -> None:
    # When the owner allows on Microsoft's consent page and is sent back
    connection = kith.connect_by_consent("outlook")
    # Then Outlook is connected and Graph holds a subscription to its webhook (validated by the handshake)
    assert (connection["state"], connection["account_email"]) == ("active", "owner@example.com")
    (subscription,) = fake.graph.subscriptions
    assert subscription["notificationUrl"] == connection["webhook_url"]


# -- refusals: a page in words, and nothing stored or connected ---------------------------------------------


@pytest.mark.parametrize("provider", CALENDARS)
def test_declining_on_the_consent_page_connects_nothing(kith: Kith, fake: FakeProviders, provider: str) -> None:
    # When the owner presses Deny on the provider's page
    trip = kith.consent(provider, decision="Deny")
    # Then the provider sends them back with access_denied, and Kith says they declined
    assert dict(parse_qsl(urlsplit(trip.callback_url).query))["error"] == "access_denied"
    assert_refused(trip.landed, 403, "you declined")
    # And nothing is connected, and the consent is over
    assert kept(kith) == []
    assert fake.google.channels == [] and fake.graph.subscriptions == []


def _forged_payload(url: str) -> str:
    payload, signature = state_of(url).split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    return f"{flipped}.{signature}"


def _other_key(kith: Kith, url: str) -> str:
    claim = verify_state(state_of(url), ring(kith), NOW)
    return sign_state(
        claim, KeyRing({ring(kith).current: b"not-the-stack-key-but-long-enough-" * 2}, ring(kith).current)
    )


@pytest.mark.parametrize(
    ("case", "status", "words"),
    [
        ("altered", 403, "not started by Kith"),
        ("unsigned", 400, "arrived incomplete"),
        ("another key", 403, "not started by Kith"),
        ("no state", 400, "sent you back without Kith&#39;s consent state"),
        ("no code", 400, "without an authorization code"),
        ("a code Google never gave", 422, "invalid_grant"),
        ("a state too long", 400, "arrived incomplete"),
        ("a code too long", 400, "longer than any it gives"),
        ("a state in other characters", 400, "arrived incomplete"),
    ],
)
def test_a_callback_that_is_not_a_genuine_completed_consent_is_refused(
    kith: Kith, fake: FakeProviders, case: str, status: int, words: str
) -> None:
    # Given the owner allowed on Google's page: the genuine way back to Kith
    url = allowed(kith, "google")
    before = kept(kith)
    forged = {
        "altered": lambda: with_query(url, state=_forged_payload(url)),
        "unsigned": lambda: with_query(url, state=state_of(url).split(".")[0]),
        "another key": lambda: with_query(url, state=_other_key(kith, url)),
        "no state": lambda: with_query(url, state=None),
        "no code": lambda: with_query(url, code=None),
        "a code Google never gave": lambda: with_query(url, code="4/0A-made-up"),
        "a state too long": lambda: with_query(url, state=state_of(url) + "A" * 2000),
        "a code too long": lambda: with_query(url, code="4/0A" + "x" * 5000),
        "a state in other characters": lambda: with_query(url, state="\u202e" + state_of(url) + "<b>"),
    }[case]()
    # When the browser arrives with what was changed
    page = open_callback(kith, forged)
    # Then a page says what happened, and nothing was connected or stored
    assert_refused(page, status, words)
    assert connections(kith) == [] and fake.google.channels == []
    assert set(kept(kith)) <= set(before)


def test_an_expired_consent_is_refused_after_ten_minutes(kith: Kith, fake: FakeProviders) -> None:
    # Given a consent allowed on Google's page, and the owner coming back ten minutes after it began
    url = allowed(kith, "google")
    before = kept(kith)
    kith.clock.advance(timedelta(minutes=10))
    # When the browser arrives
    page = open_callback(kith, url)
    # Then the consent has expired, and nothing is connected
    assert_refused(page, 403, "10 minutes")
    assert connections(kith) == [] and set(kept(kith)) <= set(before)


def test_a_consent_completed_within_its_ten_minutes_connects(kith: Kith, fake: FakeProviders) -> None:
    url = allowed(kith, "google")
    kith.clock.advance(timedelta(minutes=9, seconds=59))
    assert open_callback(kith, url).status == 303
    assert len(connections(kith)) == 1


def test_a_state_for_google_brought_to_outlooks_callback_is_refused(kith: Kith, fake: FakeProviders) -> None:
    # Given a consent allowed for Google, When its answer arrives at Outlook's callback
    url = allowed(kith, "google")
    page = open_callback(kith, url.replace("/oauth/google/callback", "/oauth/outlook/callback"))
    # Then it is refused, naming both
    assert_refused(page, 400, "this consent was for Google, not Outlook")
    assert connections(kith) == []


def test_another_owners_state_for_this_consent_connects_nothing_for_either(kith: Kith, fake: FakeProviders) -> None:
    # Given a second owner, and the first owner's consent allowed on Google's page
    kith.create_owner(owner_id="owner-2")
    url = allowed(kith, "google")
    genuine = verify_state(state_of(url), ring(kith), NOW)
    # When a state signed with the stack's key names the second owner with the first owner's consent
    claim = ConsentClaim(
        owner_id="owner-2", provider=Provider.GOOGLE, nonce=genuine.nonce, expires_at=genuine.expires_at
    )
    page = open_callback(kith, with_query(url, state=sign_state(claim, ring(kith))))
    # Then it is refused (the second owner has no such consent to spend), and neither has a calendar connected
    assert_refused(page, 409, "not begun from your account")
    assert connections(kith) == [] and connections(kith, "owner-2") == []
    assert fake.google.channels == []
    # And the first owner's own consent is still theirs to complete
    assert open_callback(kith, url).status == 303
    assert len(connections(kith)) == 1


def test_erasing_the_account_takes_a_consent_under_way_with_it(kith: Kith, fake: FakeProviders) -> None:
    # Given a consent begun and allowed on Google's page, not yet completed
    url = allowed(kith, "google")
    # When the owner erases the account
    assert kith.http("DELETE", "/v1/owner")[0] == 204
    # Then no item of the consent is left, and completing it afterwards connects nothing
    assert [item for item in kith.items() if item["type"]["S"] == "consent"] == []
    assert_refused(open_callback(kith, url), 409, "already used")
    assert connections(kith) == []


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        ("server_error", "“server_error”"),
        ("<script>alert(1)</script>", "“&lt;script&gt;alert(1)&lt;/script&gt;”"),
        ("temporarily_unavailable" + "x" * 100, "“temporarily_unavailable" + "x" * 41 + "”"),
    ],
)
def test_a_provider_error_is_shown_by_its_code_escaped_and_short(
    kith: Kith, fake: FakeProviders, error: str, shown: str
) -> None:
    # Given the owner allowed, When the provider's answer carries an error instead
    url = allowed(kith, "google")
    page = open_callback(kith, with_query(url, code=None, error=error))
    # Then the page names the error as the provider wrote it, escaped and cut short, and nothing is connected
    assert_refused(page, 400, "Google answered with the error", shown)
    assert connections(kith) == [] and kept(kith) == []


def test_an_error_the_fake_provider_sends_back_itself_is_shown(kith: Kith, fake: FakeProviders) -> None:
    # Given a consent URL whose scope was changed on the way to something Google does not know
    _, started = kith.begin_consent("google")
    authorize = with_query(started["authorize_url"], scope="https://www.googleapis.com/auth/everything")
    # When the browser opens it, Google sends it straight back with invalid_scope
    browser = kith.browser()
    back = browser.get(authorize)
    assert back.status == 302 and "error=invalid_scope" in (back.location or "")
    # Then Kith's page names that error, and nothing is connected
    assert_refused(browser.follow(back), 400, "“invalid_scope”")
    assert connections(kith) == [] and kept(kith) == []


@pytest.mark.parametrize(
    "path", ["/oauth/calcom/callback", "/oauth/zoom/callback", "/oauth/" + "g" * 300 + "/callback"]
)
def test_a_callback_for_anything_but_google_or_outlook_is_a_404_page(
    kith: Kith, fake: FakeProviders, path: str
) -> None:
    page = open_callback(kith, f"{API_ORIGIN}{path}?code=c&state=s")
    assert_refused(page, 404, "Google and Outlook")


def test_pkce_is_checked_a_code_with_another_verifier_is_refused(kith: Kith, fake: FakeProviders) -> None:
    # Given the owner allowed, and the verifier Kith kept for the consent replaced
    url = allowed(kith, "google")
    nonce = verify_state(state_of(url), ring(kith), NOW).nonce
    boto3.client("dynamodb").update_item(
        TableName=kith.stack.table_name,
        Key={"pk": {"S": f"OWNER#{OWNER}"}, "sk": {"S": f"CONSENT#{nonce}"}},
        UpdateExpression="SET code_verifier = :other",
        ExpressionAttributeValues={":other": {"S": "another-verifier-of-at-least-forty-three-characters"}},
    )
    # When the browser arrives, Then Google's token endpoint refuses the code and nothing is connected
    assert_refused(open_callback(kith, url), 422, "invalid_grant")
    assert connections(kith) == [] and kept(kith) == []


# -- completed twice: connected once -----------------------------------------------------------------------------


@pytest.mark.parametrize("provider", CALENDARS)
def test_a_consent_completed_twice_connects_once(kith: Kith, fake: FakeProviders, provider: str) -> None:
    # Given a consent completed: the calendar is connected
    url = allowed(kith, provider)
    assert open_callback(kith, url).status == 303
    # When the same answer arrives again (a reload, the back button, a second click)
    page = open_callback(kith, url)
    # Then the page says it was used, and that the calendar is connected if it was completed
    assert_refused(page, 409, "already used", "your calendar is connected")
    assert len(connections(kith)) == 1
    assert len(fake.google.channels) + len(fake.graph.subscriptions) == 1


# Two invocations at once in one process: warnings.catch_warnings, which each uses, is not thread-safe.
@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_two_racing_completions_connect_once(kith: Kith, fake: FakeProviders) -> None:
    # Given the same answer arriving at two function instances at once, both past checking the state
    url = allowed(kith, "google")
    instances = [Kith(kith.stack, kith.clock), Kith(kith.stack, kith.clock)]
    both_checked = threading.Barrier(2, timeout=20)
    one_at_a_time = threading.Lock()  # DynamoDB applies conditional writes to one item one at a time
    for instance in instances:
        store = instance.lambdas.modules["ApiFunction"].runtime.connection_store
        spend = store.spend_consent

        def racing(owner_id: str, nonce: str, spend: Any = spend) -> Any:
            both_checked.wait()
            with one_at_a_time:
                return spend(owner_id, nonce)

        store.spend_consent = racing
    pages: list[Page] = []
    threads = [threading.Thread(target=lambda i=i: pages.append(open_callback(i, url))) for i in instances]
    # When both complete it
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Then one connects and sends the browser on; the other finds the consent spent
    assert sorted(page.status for page in pages) == [303, 409]
    assert len(connections(kith)) == 1 and len(fake.google.channels) == 1
    assert len([request for request in fake.requests if request.path == "/google/token"]) == 1
