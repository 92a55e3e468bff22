"""Today: whom the next digest names, in its order and with its limit; Done takes one off and logs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kith_local.browser import sign_in, wait_until_shown
from playwright.sync_api import Page, expect

from tests.browser.support import Console, Owner

# Seven people long out of touch, in every circle: more than the digest's limit of five.
NETWORK = [
    ("Ines Inner", "inner", 60),
    ("Carl Core", "core", 200),
    ("Wen Wider", "wider", 400),
    ("Ida Inner", "inner", 45),
    ("Cleo Core", "core", 120),
    ("Walt Wider", "wider", 900),
    ("Iris Inner", "inner", 90),
]


def _network(console: Console, owner: Owner) -> dict[str, str]:
    now = datetime.now(UTC)
    ids = {}
    for name, circle, days in NETWORK:
        last = (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"name": name, "emails": [f"{name.split()[0].lower()}@example.com"], "circle": circle}
        created = console.api(owner, "POST", "/v1/contacts", body | {"last_interaction_at": last})
        assert created.status == 201, created.body
        ids[created.body["contact_id"]] = name
    return ids


def _shown(page: Page) -> list[str]:
    return page.locator(".due-row").evaluate_all("rows => rows.map(row => row.dataset.contactId)")


def test_today_lists_the_next_digest_in_its_order_and_done_takes_one_off(
    console: Console, owner: Owner, page: Page
) -> None:
    # Given seven contacts due, more than the digest names
    names = _network(console, owner)
    due = console.api(owner, "GET", "/v1/due").body
    expected = [entry["contact_id"] for entry in due["contacts"]]
    assert len(expected) == 5
    # When the owner signs in
    sign_in(page, console.base_url, owner.subject, owner.email)
    # Then Today lists exactly the digest's five, in its order, each with why they are due
    assert _shown(page) == expected
    first = page.locator(".due-row").first
    expect(first).to_contain_text(names[expected[0]])
    expect(first).to_contain_text("circle")
    expect(first).to_contain_text("days ago")
    # When Done is pressed for the second one
    done = expected[1]
    page.locator(f'.due-row[data-contact-id="{done}"]').get_by_role("button", name="Done").click()
    # Then it leaves the list, the person is told, and the next in the digest's order moves up
    expect(page.locator(f'.due-row[data-contact-id="{done}"]')).to_have_count(0)
    expect(page.locator("#status")).to_contain_text(f"Marked done: {names[done]}")
    after = [entry["contact_id"] for entry in console.api(owner, "GET", "/v1/due").body["contacts"]]
    assert done not in after and len(after) == 5
    assert _shown(page) == after
    # And the API holds the interaction Done logged, on that contact's timeline, just now
    timeline = console.api(owner, "GET", f"/v1/contacts/{done}/interactions").body["interactions"]
    assert len(timeline) == 1 and timeline[0]["contact_ids"] == [done]
    logged = datetime.fromisoformat(timeline[0]["start"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - logged) < timedelta(minutes=5)
    contact = console.api(owner, "GET", f"/v1/contacts/{done}").body
    assert contact["last_interaction_at"] is not None
    # And after a reload the list is the API's still
    page.reload()
    wait_until_shown(page, "#/today")
    assert _shown(page) == after


def test_today_with_nobody_due_says_what_to_do_next(console: Console, owner: Owner, page: Page) -> None:
    # Given an owner with no contacts, When they sign in
    sign_in(page, console.base_url, owner.subject, owner.email)
    # Then Today says nobody is due and offers the ways to fill it
    expect(page.locator("main")).to_contain_text("Nobody is due")
    for link in ("Connect a calendar", "Import contacts", "Add a contact"):
        expect(page.get_by_role("link", name=link)).to_be_visible()
