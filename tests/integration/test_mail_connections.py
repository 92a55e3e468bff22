"""Asking at consent for the mail an account sends, and seeing it on the connections list (PRODUCT.md §12)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from kith.domain.connections import CalendarConnection, Provider
from kith_local.fake_providers import FakeProviders
from kith_local.provider_settings import google_overrides

from tests.integration.support import NOW, OWNER, Kith

OAUTH_CLIENTS = {
    "KITH_GOOGLE_CLIENT_ID": "kith-app",
    "KITH_GOOGLE_CLIENT_SECRET": "s3cret",
    "KITH_MICROSOFT_CLIENT_ID": "kith-app",
    "KITH_MICROSOFT_CLIENT_SECRET": "s3cret",
}


@pytest.fixture
def owner(kith: Kith) -> dict[str, Any]:
    kith.use_settings(OAUTH_CLIENTS)
    return kith.create_owner()


def _pending(kith: Kith) -> list[bool]:
    """Whether each consent under way asked for mail."""
    return [item["mail"]["BOOL"] for item in kith.items() if item["type"]["S"] == "consent"]


def _scope(started: dict[str, Any]) -> set[str]:
    return set(parse_qs(urlsplit(started["authorize_url"]).query)["scope"][0].split())


@pytest.mark.parametrize("provider", ["google", "outlook"])
def test_consent_asks_for_mail_only_when_the_owner_chooses_it(kith: Kith, owner: dict, provider: str) -> None:
    # When the owner asks for the consent URL without a body, with mail false, and with mail true
    plain = kith.http("POST", f"/v1/connections/{provider}/authorize")
    without = kith.http("POST", f"/v1/connections/{provider}/authorize", {"mail": False})
    asked = kith.http("POST", f"/v1/connections/{provider}/authorize", {"mail": True})
    # Then each is a consent URL, and only the last consent carries the choice to the connection
    assert [status for status, _ in (plain, without, asked)] == [200, 200, 200]
    assert sorted(_pending(kith)) == [False, False, True]
    # And the mail consent asks for at least what the calendar's does
    assert _scope(plain[1]) == _scope(without[1]) <= _scope(asked[1])


@pytest.mark.parametrize(
    ("body", "field"),
    [({"mail": "yes"}, "mail"), ({"mail": 1}, "mail"), ({"mail": True, "calendar": True}, "calendar"), ([], "body")],
)
def test_a_consent_body_other_than_mail_true_or_false_is_a_422(kith: Kith, owner: dict, body: Any, field: str) -> None:
    before = kith.state()
    status, answer = kith.http("POST", "/v1/connections/google/authorize", body)
    assert status == 422 and answer["error"].startswith(f"{field}:"), answer
    assert kith.state() == before


def test_a_booking_tool_has_no_mail_to_ask_for(kith: Kith, owner: dict) -> None:
    before = kith.state()
    status, answer = kith.http("POST", "/v1/connections", {"provider": "calcom", "mail": True})
    assert status == 422, answer
    assert answer["error"].startswith("mail: ") and "only Google and Outlook" in answer["error"]
    assert kith.state() == before
    # And without mail it connects as ever
    assert kith.http("POST", "/v1/connections", {"provider": "calcom", "mail": False})[0] == 201


def test_the_code_flow_takes_mail_with_the_code(kith: Kith, owner: dict) -> None:
    # Given Google on its fake, and a code it never issued
    with FakeProviders(kith.clock) as fake:
        kith.use_settings(google_overrides(fake))
        before = kith.state()
        body = {"provider": "google", "authorization_code": "forged", "redirect_uri": "https://app.example/oauth"}
        # When connected with mail, Then the code is what is refused (mail is taken), and nothing is kept
        status, answer = kith.http("POST", "/v1/connections", {**body, "mail": True})
    assert status == 422, answer
    assert answer["error"].startswith("google refused the authorization"), answer
    assert kith.state() == before


def test_the_connections_list_says_whether_each_reads_mail(kith: Kith, owner: dict) -> None:
    # Given a Google connection reading mail and an Outlook one not
    store = kith.lambdas.modules["ApiFunction"].runtime.connection_store
    for connection_id, provider, mail in (("c-google", Provider.GOOGLE, True), ("c-outlook", Provider.OUTLOOK, False)):
        store.create_connection(
            CalendarConnection(
                connection_id=connection_id,
                owner_id=OWNER,
                provider=provider,
                created_at=NOW - timedelta(days=1),
                webhook_url=f"https://api.kith.test/webhooks/{provider.value}/{connection_id}",
                account_email="owner@example.com",
                mail=mail,
            )
        )
    # When the owner lists their connections
    status, listed = kith.http("GET", "/v1/connections")
    # Then each says whether it reads mail
    assert status == 200
    assert {item["connection_id"]: item["mail"] for item in listed["connections"]} == {
        "c-google": True,
        "c-outlook": False,
    }
    assert "bcc_address" in listed


def test_the_connections_list_gives_the_owner_their_bcc_address_the_same_each_time(kith: Kith, owner: dict) -> None:
    # When the owner lists their connections twice
    first = kith.http("GET", "/v1/connections")[1]["bcc_address"]
    again = kith.http("GET", "/v1/connections")[1]["bcc_address"]
    # Then both name one address at the stack's mail domain, never the owner's id or e-mail
    assert first == again
    local, _, domain = first.partition("@")
    assert domain == "in.kith.local" and local.startswith("log+")
    assert OWNER not in first and "owner" not in local


def test_a_caller_without_a_profile_is_given_no_bcc_address_and_nothing_is_written(kith: Kith) -> None:
    before = kith.state()
    status, listed = kith.http("GET", "/v1/connections", owner="no-profile-yet")
    assert (status, listed["connections"], listed["bcc_address"]) == (200, [], None)
    assert kith.state() == before
