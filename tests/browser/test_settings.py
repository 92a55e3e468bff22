"""Settings: a change is saved and still there after a reload; a refusal is shown beside its field."""

from __future__ import annotations

from kith_local.browser import sign_in, wait_until_shown
from playwright.sync_api import Page, expect

from tests.browser.support import Console, Owner, visit


def test_a_settings_change_persists_after_a_reload(console: Console, owner: Owner, page: Page) -> None:
    # Given a signed-in owner on Settings (digest on Mondays at 08:00 in Berlin, five people)
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/settings")
    # When the time zone, the digest's hour and size and its days are changed, and saved
    page.get_by_label("Time zone").select_option("America/New_York")
    page.get_by_label("Hour", exact=True).select_option("17")
    page.get_by_label("People per digest").fill("3")
    days = page.get_by_role("group", name="Days it comes")
    days.get_by_label("Thursday").check()
    page.get_by_role("button", name="Save settings").click()
    # Then the owner is told, and the API holds the new settings
    expect(page.locator("#status")).to_contain_text("Settings saved")
    settings = console.api(owner, "GET", "/v1/owner").body["settings"]
    assert (settings["time_zone"], settings["digest_hour"], settings["digest_limit"]) == ("America/New_York", 17, 3)
    assert 3 in settings["digest_weekdays"] and 0 in settings["digest_weekdays"]
    # And after a reload the form shows them
    page.reload()
    wait_until_shown(page, "#/settings")
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    expect(page.get_by_label("Hour", exact=True)).to_have_value("17")
    expect(page.get_by_label("People per digest")).to_have_value("3")
    expect(page.get_by_role("group", name="Days it comes").get_by_label("Thursday")).to_be_checked()
    expect(page.get_by_role("group", name="Days it comes").get_by_label("Monday")).to_be_checked()


def test_a_setting_the_api_refuses_is_shown_beside_its_field_and_nothing_typed_is_lost(
    console: Console, owner: Owner, page: Page
) -> None:
    # Given a signed-in owner on Settings
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/settings")
    before = console.api(owner, "GET", "/v1/owner").body
    # When a name is typed and the digest is given no one to name
    page.get_by_role("textbox", name="Name", exact=True).fill("Olive Renamed")
    page.get_by_label("People per digest").fill("0")
    page.get_by_role("button", name="Save settings").click()
    # Then the refusal is in words beside that field, and both inputs keep what was typed
    limit = page.get_by_label("People per digest")
    expect(limit).to_have_attribute("aria-invalid", "true")
    problem = page.locator(".field:has(input[name=digest_limit]) .field-error")
    expect(problem).to_be_visible()
    assert "{" not in problem.inner_text()
    expect(limit).to_have_value("0")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Olive Renamed")
    # And nothing was saved
    assert console.api(owner, "GET", "/v1/owner").body == before
