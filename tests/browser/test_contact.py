"""A contact's page: a stale save is a conflict that keeps what was typed; logging a call adds to the timeline."""

from __future__ import annotations

from kith_local.browser import sign_in
from playwright.sync_api import Page, expect

from tests.browser.support import Console, Owner, visit


def _contact(console: Console, owner: Owner) -> str:
    body = {"name": "Kim Lee", "emails": ["kim@example.com"], "company": "Quill", "notes": "Likes climbing"}
    created = console.api(owner, "POST", "/v1/contacts", body)
    assert created.status == 201, created.body
    return str(created.body["contact_id"])


def test_a_stale_edit_shows_the_conflict_and_keeps_what_was_typed(console: Console, owner: Owner, page: Page) -> None:
    # Given a contact open on its page
    contact_id = _contact(console, owner)
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, f"#/people/{contact_id}")
    # When the owner types new notes, while the contact's company is changed elsewhere behind the page's back
    page.get_by_label("Notes").fill("Likes climbing and chess")
    opened = console.api(owner, "GET", f"/v1/contacts/{contact_id}")
    behind = console.api(
        owner, "PATCH", f"/v1/contacts/{contact_id}", {"company": "Fjord"}, headers={"if-match": opened.headers["etag"]}
    )
    assert behind.status == 200, behind.body
    page.get_by_role("button", name="Save changes").click()
    # Then the page says it was changed elsewhere and nothing was saved
    conflict = page.locator(".conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("changed elsewhere")
    # And what was typed is still in the form, and the untouched field shows the saved version
    expect(page.get_by_label("Notes")).to_have_value("Likes climbing and chess")
    expect(page.get_by_label("Company")).to_have_value("Fjord")
    stored = console.api(owner, "GET", f"/v1/contacts/{contact_id}").body
    assert (stored["notes"], stored["company"]) == ("Likes climbing", "Fjord")
    # When the owner saves theirs over it, Then both changes are kept
    page.get_by_role("button", name="Save mine over it").click()
    expect(conflict).to_be_hidden()
    expect(page.locator("#status")).to_contain_text("Saved Kim Lee")
    stored = console.api(owner, "GET", f"/v1/contacts/{contact_id}").body
    assert (stored["notes"], stored["company"]) == ("Likes climbing and chess", "Fjord")


def test_a_call_logged_on_the_contact_page_joins_the_timeline(console: Console, owner: Owner, page: Page) -> None:
    # Given a contact with nothing on its timeline, open on its page
    contact_id = _contact(console, owner)
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, f"#/people/{contact_id}")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Nothing recorded with them yet")
    # When a call is logged
    page.get_by_label("What").select_option("call")
    page.get_by_label("About").fill("Caught up about the move")
    page.get_by_role("button", name="Log it").click()
    # Then it is on the timeline, and in the API's
    expect(timeline.locator("li[data-interaction-id]")).to_have_count(1)
    expect(timeline).to_contain_text("Caught up about the move")
    logged = console.api(owner, "GET", f"/v1/contacts/{contact_id}/interactions").body["interactions"]
    assert [(item["kind"], item["title"]) for item in logged] == [("call", "Caught up about the move")]
