"""Email in the console: sent mail on a contact's timeline, mail asked for at consent, the BCC address, and the
settings of the mail the owner sends."""

from __future__ import annotations

import urllib.parse
from datetime import UTC, datetime, timedelta

from kith.domain.mail import MailSource, SentMessage
from kith.runtime import Runtime
from kith.usecases.sent_mail import record_sent_mail
from kith_local.browser import PHONE, horizontal_overflow, sign_in, wait_until_shown
from playwright.sync_api import Page, expect

from tests.browser.support import Console, Owner, visit

MAIL_CHOICE = "Also count the emails I send (reads who and when, never the message)"


def _send(console: Console, owner: Owner, to: str, *, subject: str | None = None, days_ago: int = 0) -> None:
    """A message the owner sent, as Gmail's sent folder reports it, recorded on the stack's own table."""
    now = datetime.now(UTC)
    message = SentMessage(
        source=MailSource.GMAIL,
        message_id=f"<{subject or 'none'}-{days_ago}@{owner.subject}.example>",
        sent_at=now - timedelta(days=days_ago, minutes=5),
        sender=owner.email,
        recipients=(to,),
        from_sent_folder=True,
        subject=subject,
    )
    store = Runtime(environ=console.kith.stack.environment("ApiFunction")).sent_mail_store
    assert record_sent_mail(store, owner.subject, [message], now).interactions == 1


def test_a_sent_email_is_on_the_timeline_as_email_titled_only_by_a_kept_subject(
    console: Console, owner: Owner, page: Page
) -> None:
    # Given a contact the owner emailed two days ago (no subject kept) and today, after choosing to keep subjects
    created = console.api(owner, "POST", "/v1/contacts", {"name": "Kim Lee", "emails": ["kim@example.com"]})
    contact_id = created.body["contact_id"]
    _send(console, owner, "kim@example.com", subject="Old news", days_ago=2)
    profile = console.api(owner, "GET", "/v1/owner").body
    kept = {"email": owner.email, "name": profile["name"], **profile["settings"], "keep_email_subjects": True}
    assert console.api(owner, "PUT", "/v1/owner", kept).status == 200
    _send(console, owner, "kim@example.com", subject="Coffee next week?")
    # When the owner opens the contact
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, f"#/people/{contact_id}")
    rows = page.locator(".timeline li[data-interaction-id]")
    expect(rows).to_have_count(2)
    # Then both are Emails sent from Gmail; only the one sent since subjects are kept has a title
    latest, earlier = rows.nth(0), rows.nth(1)
    expect(latest.locator(".badge")).to_have_text("Email")
    expect(latest.locator(".timeline-title")).to_have_text("Coffee next week?")
    expect(latest).to_contain_text("sent from Gmail")
    expect(earlier.locator(".badge")).to_have_text("Email")
    expect(earlier.locator(".timeline-title")).to_have_count(0)
    expect(earlier).not_to_contain_text("Old news")
    # And an email cannot be deleted by hand
    expect(earlier.get_by_role("button", name="Delete")).to_have_count(0)


def test_connecting_google_with_the_mail_box_ticked_asks_for_mail_and_shows_it_on(
    console: Console, owner: Owner, page: Page
) -> None:
    # Given a signed-in owner on Calendars
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/calendars")
    google = page.locator('li[data-provider="google"]')
    box = google.get_by_label(MAIL_CHOICE)
    expect(box).not_to_be_checked()
    expect(page.locator('li[data-provider="calcom"]').get_by_label(MAIL_CHOICE)).to_have_count(0)
    # When the owner ticks the box and connects Google
    box.check()
    with page.expect_request("**/v1/connections/google/authorize") as asked:
        google.get_by_role("button", name="Connect Google Calendar").click()
    assert asked.value.post_data_json == {"mail": True}
    page.wait_for_url(f"{console.fake.base_url}/**")
    scope = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query).get("scope", [""])[0]
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{console.base_url}/console/#/calendars?connected=google")
    wait_until_shown(page, "#/calendars")
    # Then the connection says whether mail is on, as the API does
    (listed,) = console.api(owner, "GET", "/v1/connections").body["connections"]
    row = page.locator(f'li[data-connection-id="{listed["connection_id"]}"]')
    state = "on" if listed["mail"] else "off"
    expect(row.locator(".mail-state")).to_have_attribute("data-mail", state)
    expect(row.locator(".mail-state")).to_contain_text(f"Mail: {state}.")
    assert scope, "the consent page was reached without a scope"


def test_the_calendars_page_shows_the_bcc_address_with_a_copy_button(
    console: Console, owner: Owner, page: Page
) -> None:
    # Given a stack that receives mail: the API gives the owner an address
    address = console.api(owner, "GET", "/v1/connections").body["bcc_address"]
    assert address and address.startswith("log+")
    # When the owner opens Calendars
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/calendars")
    panel = page.locator(".bcc-panel")
    # Then the address is shown with its one line and a copy button
    expect(panel.locator("code")).to_have_text(address)
    expect(panel).to_contain_text("BCC or forward to this address to log any email")
    # And the button copies it
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=console.base_url)
    panel.get_by_role("button", name="Copy address").click()
    expect(page.locator("#status")).to_contain_text("Copied the address.")
    assert page.evaluate("navigator.clipboard.readText()") == address


def test_other_addresses_and_kept_subjects_are_saved_and_a_bad_address_is_shown_beside_its_field(
    console: Console, owner: Owner, page: Page
) -> None:
    # Given a signed-in owner on Settings, keeping no subjects and naming no other address
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/settings")
    addresses = page.get_by_label("Other addresses you send from")
    subjects = page.get_by_label("Keep the subjects of the emails I send")
    expect(addresses).to_have_value("")
    expect(subjects).not_to_be_checked()
    # When an address that is none is typed, Then the refusal is beside the field and nothing is saved
    before = console.api(owner, "GET", "/v1/owner").body
    addresses.fill("olive@work.example\nnot an address")
    page.get_by_role("button", name="Save settings").click()
    expect(addresses).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field:has(textarea[name=other_addresses]) .field-error")).to_be_visible()
    assert console.api(owner, "GET", "/v1/owner").body == before
    # When two addresses (one twice, in another case) and kept subjects are saved
    addresses.fill("Olive@Work.Example\nolive@home.example, olive@work.example")
    subjects.check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#status")).to_contain_text("Settings saved")
    # Then the API holds them in Kith's form, once each, and a reload shows them
    settings = console.api(owner, "GET", "/v1/owner").body["settings"]
    assert settings["other_addresses"] == ["olive@work.example", "olive@home.example"]
    assert settings["keep_email_subjects"] is True
    page.reload()
    wait_until_shown(page, "#/settings")
    expect(page.get_by_label("Other addresses you send from")).to_have_value("olive@work.example\nolive@home.example")
    expect(page.get_by_label("Keep the subjects of the emails I send")).to_be_checked()


def test_the_changed_pages_fit_a_phone(console: Console, owner: Owner, new_page: object) -> None:
    phone: Page = new_page(PHONE)  # type: ignore[operator]
    created = console.api(owner, "POST", "/v1/contacts", {"name": "Kim Lee", "emails": ["kim@example.com"]})
    _send(console, owner, "kim@example.com")
    sign_in(phone, console.base_url, owner.subject, owner.email)
    for route in ("#/calendars", "#/settings", f"#/people/{created.body['contact_id']}"):
        visit(phone, console, route)
        assert horizontal_overflow(phone) == 0, route
