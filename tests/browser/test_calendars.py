"""Calendars: Cal.com's webhook secret shown once; Google and Outlook through the fake consent pages; a forged
state refused."""

from __future__ import annotations

import urllib.parse

import pytest
from kith_local.browser import sign_in, wait_until_shown
from playwright.sync_api import Page, expect

from tests.browser.support import Console, Owner, visit


def _connections(console: Console, owner: Owner) -> list[dict[str, object]]:
    listing = console.api(owner, "GET", "/v1/connections")
    assert listing.status == 200, listing.body
    return listing.body["connections"]


def test_cal_com_shows_its_secret_once_and_google_and_outlook_connect_through_their_consent_pages(
    console: Console, owner: Owner, page: Page
) -> None:
    # Given a signed-in owner on Calendars, with nothing connected
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/calendars")
    expect(page.locator("main")).to_contain_text("No calendar is connected yet")
    # When Cal.com is connected
    page.get_by_role("button", name="Connect Cal.com").click()
    # Then the webhook URL and the signing secret are shown, with the steps to paste them
    panel = page.locator(".secret-panel")
    expect(panel).to_be_visible()
    secret = panel.locator("code[aria-labelledby=created-secret]").inner_text()
    webhook_url = panel.locator("code[aria-labelledby=created-url]").inner_text()
    assert len(secret) >= 20 and webhook_url.startswith(f"{console.base_url}/webhooks/calcom/")
    expect(panel.get_by_role("button", name="Copy signing secret")).to_be_visible()
    expect(panel).to_contain_text("Settings → Developer → Webhooks")
    # And the API lists the connection as active, without its secret
    listed = _connections(console, owner)
    assert [(c["provider"], c["state"]) for c in listed] == [("calcom", "active")]
    assert secret not in str(listed) and webhook_url.endswith(str(listed[0]["connection_id"]))
    # When the page is reloaded, Then the secret is not shown again, and Cal.com is listed as active
    page.reload()
    wait_until_shown(page, "#/calendars")
    assert secret not in page.content()
    row = page.locator('li[data-state="active"]', has_text="Cal.com")
    expect(row).to_have_count(1)

    # When Google is connected, through its consent page
    page.get_by_role("button", name="Connect Google Calendar").click()
    page.wait_for_url(f"{console.fake.base_url}/**")
    expect(page.get_by_role("button", name="Allow")).to_be_visible()
    page.get_by_role("button", name="Allow").click()
    # Then the owner is back on Calendars, told it worked, and Google is listed as active
    page.wait_for_url(f"{console.base_url}/console/#/calendars?connected=google")
    wait_until_shown(page, "#/calendars")
    expect(page.locator(".notice-ok")).to_contain_text("Google Calendar is connected")
    expect(page.locator('li[data-state="active"]', has_text="Google Calendar")).to_have_count(1)
    # When Outlook is connected the same way, Then it is listed as active too, with the account that consented
    page.get_by_role("button", name="Connect Outlook").click()
    page.wait_for_url(f"{console.fake.base_url}/**")
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{console.base_url}/console/#/calendars?connected=outlook")
    wait_until_shown(page, "#/calendars")
    expect(page.locator('li[data-state="active"]', has_text="Outlook")).to_have_count(1)
    providers = sorted((c["provider"], c["state"]) for c in _connections(console, owner))
    assert providers == [("calcom", "active"), ("google", "active"), ("outlook", "active")]


def test_denying_google_consent_connects_nothing_and_says_so(console: Console, owner: Owner, page: Page) -> None:
    # Given a signed-in owner who starts connecting Google
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/calendars")
    page.get_by_role("button", name="Connect Google Calendar").click()
    page.wait_for_url(f"{console.fake.base_url}/**")
    # When they deny it on the provider's page
    page.get_by_role("button", name="Deny").click()
    # Then a page in words says nothing was connected, with the way back to Calendars
    page.wait_for_url(f"{console.base_url}/oauth/google/callback?*")
    body = page.locator("body").inner_text()
    assert "{" not in body and "Traceback" not in body
    expect(page.get_by_role("link", name="Calendars")).to_have_attribute("href", "/console/#/calendars")
    assert _connections(console, owner) == []


@pytest.mark.parametrize("forgery", ["made up", "altered", "another owner's"])
def test_a_forged_state_at_the_consent_callback_shows_a_page_in_words_and_connects_nothing(
    console: Console, owner: Owner, another_owner: Owner, page: Page, forgery: str
) -> None:
    # Given a consent under way for the owner (its state is in the consent URL Kith made)
    started = console.api(owner, "POST", "/v1/connections/google/authorize", {})
    assert started.status == 200, started.body
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(started.body["authorize_url"]).query)
    state = query["state"][0]
    if forgery == "made up":
        state = "a-state-kith-never-signed"
    elif forgery == "altered":
        state = state[:-2] + ("AA" if not state.endswith("AA") else "BB")
    else:
        theirs = console.api(another_owner, "POST", "/v1/connections/google/authorize", {}).body["authorize_url"]
        state = urllib.parse.parse_qs(urllib.parse.urlsplit(theirs).query)["state"][0]
    # (the first listing gives the owner their BCC address: listed once before, it is in `before` too)
    assert _connections(console, owner) == []
    before = console.items_of(owner)
    # When the browser arrives at Kith's callback with that state and a code
    callback = f"{console.base_url}/oauth/google/callback?" + urllib.parse.urlencode(
        {"code": "a-code-from-somewhere", "state": state}
    )
    answer = page.goto(callback)
    # Then it is a page in words, a 4xx, with the way back to Calendars
    assert answer is not None and 400 <= answer.status < 500
    assert (answer.headers.get("content-type") or "").startswith("text/html")
    expect(page.locator("h1")).to_be_visible()
    body = page.locator("body").inner_text()
    assert len(body) > 40 and "{" not in body and "Traceback" not in body
    expect(page.get_by_role("link", name="Calendars")).to_have_attribute("href", "/console/#/calendars")
    # And nothing is connected, for the owner or anyone: the owner's items are as they were
    assert _connections(console, owner) == []
    assert console.items_of(owner) == before
    if forgery == "another owner's":
        assert console.api(another_owner, "GET", "/v1/connections").body["connections"] == []
