"""Signing in through the development sign-in page: a first sign-in creates the profile, then Today."""

from __future__ import annotations

from kith_local.browser import sign_in, wait_until_shown
from playwright.sync_api import Page, expect

from tests.browser.support import OWNER_TIME_ZONE, Console, Owner


def test_a_first_sign_in_asks_for_the_profile_then_shows_today(
    console: Console, fresh_owner: Owner, page: Page
) -> None:
    # Given someone Kith does not know yet, When they sign in through the development sign-in page
    sign_in(page, console.base_url, fresh_owner.subject, fresh_owner.email)
    # Then the console welcomes them with a profile form: the e-mail they signed in with, the browser's time zone
    expect(page.get_by_role("heading", name="Welcome to Kith")).to_be_visible()
    assert page.url.endswith("/console/#/welcome")
    expect(page.get_by_label("Your e-mail")).to_have_value(fresh_owner.email)
    expect(page.get_by_label("Time zone")).to_have_value(OWNER_TIME_ZONE)
    assert console.api(fresh_owner, "GET", "/v1/owner").status == 404
    # When they give their name and start
    page.get_by_label("Your name").fill("Wanda Welcome")
    page.get_by_role("button", name="Start with Kith").click()
    # Then Today is shown, greeting them, and the profile is stored as typed
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    wait_until_shown(page)
    expect(page.locator("main")).to_contain_text("Wanda Welcome")
    assert page.url.endswith("/console/#/today")
    stored = console.api(fresh_owner, "GET", "/v1/owner").body
    assert (stored["name"], stored["email"], stored["settings"]["time_zone"]) == (
        "Wanda Welcome",
        fresh_owner.email,
        OWNER_TIME_ZONE,
    )
    # And the tokens are in this tab's sessionStorage only, never in localStorage
    assert page.evaluate("() => localStorage.length") == 0
    assert page.evaluate("() => Object.keys(sessionStorage).length") >= 1


def test_a_welcome_form_refused_by_the_api_says_why_beside_the_field_and_keeps_the_input(
    console: Console, fresh_owner: Owner, page: Page
) -> None:
    # Given a first sign-in on the Welcome form
    sign_in(page, console.base_url, fresh_owner.subject, fresh_owner.email)
    expect(page.get_by_role("heading", name="Welcome to Kith")).to_be_visible()
    # When the e-mail address is not one
    page.get_by_label("Your name").fill("Wanda Welcome")
    page.get_by_label("Your e-mail").fill("wanda@")
    page.get_by_role("button", name="Start with Kith").click()
    # Then the problem is shown in words beside the e-mail, what was typed stays, and no profile is stored
    email = page.get_by_label("Your e-mail")
    expect(email).to_have_attribute("aria-invalid", "true")
    problem = page.locator(".field:has(input[name=email]) .field-error")
    expect(problem).to_be_visible()
    assert problem.inner_text().strip() and "{" not in problem.inner_text()
    expect(page.get_by_label("Your name")).to_have_value("Wanda Welcome")
    expect(email).to_have_value("wanda@")
    assert page.url.endswith("#/welcome")
    assert console.api(fresh_owner, "GET", "/v1/owner").status == 404


def test_signing_out_clears_the_tab_and_shows_the_sign_in_button(console: Console, owner: Owner, page: Page) -> None:
    # Given a signed-in tab on Today
    sign_in(page, console.base_url, owner.subject, owner.email)
    wait_until_shown(page)
    # When the person signs out
    page.get_by_role("button", name="Sign out").click()
    # Then they are back on the console, signed out, with nothing kept in the tab
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    assert page.evaluate("() => sessionStorage.length + localStorage.length") == 0
