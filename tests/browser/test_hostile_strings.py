"""Hostile strings through the console: markup, bidi overrides and 10,000-character text never execute,
are shown exactly as written, and the layout holds at a phone's width and a desktop's.

They enter as the API takes them (names, companies, titles, goals, notes: up to the API's limits) and
as a calendar sends them (a meeting's title and a guest's name have no limit: 10,000 characters here).
Any dialog, page error or console error fails the test (the page watch in conftest).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kith.calendars.signing import hmac_sha256_hex
from kith_local.browser import DESKTOP, PHONE, horizontal_overflow, sign_in
from kith_local.provider_payloads import calcom_body
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.support import OWNER_TIME_ZONE, Console, Owner, visit
from tests.integration.test_hostile_strings import HOSTILE, LONG_NAME, LONG_TITLE, OWNER_NAME

LONGEST_NAME = "N" * 200  # the API's limit for a name: one word that cannot break anywhere but anywhere
LONG_NOTE = "word" * 1250  # 5,000 characters without a space
GUEST = (LONG_NAME, "long-guest@example.org")


def _hostile_network(console: Console, owner: Owner) -> dict[str, str]:
    """Every hostile string as a contact long out of touch (so Today names them); their ids by name."""
    profile = {"email": owner.email, "name": OWNER_NAME, "time_zone": OWNER_TIME_ZONE, "digest_limit": 50}
    assert console.api(owner, "PUT", "/v1/owner", profile).status == 200
    long_ago = (datetime.now(UTC) - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ids: dict[str, str] = {}
    for index, (key, text) in enumerate([*HOSTILE.items(), ("longest", LONGEST_NAME)]):
        contact: dict[str, Any] = {
            "name": text,
            "emails": [f"hostile-{key}@example.org"],
            "company": text[:200],
            "title": text[:200],
            "goal": text[:100],
            "tags": [text[:50]],
            "notes": LONG_NOTE if key == "longest" else text,
            "circle": ("inner", "core", "wider")[index % 3],
            "last_interaction_at": long_ago,
        }
        created = console.api(owner, "POST", "/v1/contacts", contact)
        assert created.status == 201, (key, created.body)
        ids[key] = created.body["contact_id"]
    return ids


def _meeting_with_a_long_title(console: Console, owner: Owner) -> None:
    """A Cal.com meeting that ended an hour ago, titled with 10,006 characters, with a 10,000-character guest."""
    connection = console.api(owner, "POST", "/v1/connections", {"provider": "calcom"}).body
    now = datetime.now(UTC)
    body = calcom_body(
        "BOOKING_CREATED",
        f"bk-hostile-{owner.subject}",
        now - timedelta(hours=1, minutes=30),
        [(LONGEST_NAME, "hostile-longest@example.org"), GUEST],
        created_at=now,
        minutes=30,
        title=LONG_TITLE,
        organizer=(OWNER_NAME, owner.email),
        time_zone=OWNER_TIME_ZONE,
    )
    path = connection["webhook_url"].removeprefix(console.base_url)
    signature = hmac_sha256_hex(connection["signing_secret"], body)
    assert console.kith.request("POST", path, raw=body, headers={"x-cal-signature-256": signature}).status == 202
    console.kith.process_meetings()


def _nothing_ran(page: Page) -> None:
    """Only the console's own script and markup are in the document: no string became an element."""
    assert page.locator("script").count() == 1
    assert page.locator("img:not([src$='favicon.svg'])").count() == 0
    assert page.locator("main b, main bdi").count() == 0


def _layout_holds(page: Page, viewport: ViewportSize) -> None:
    """Nothing scrolls sideways, each piece of text a person supplied stays inside the window, in its own direction."""
    assert horizontal_overflow(page) <= 0, f"the page is wider than {viewport['width']} px"
    outside = page.evaluate(
        """() => Array.from(document.querySelectorAll('.user-text'))
            .filter(el => el.getClientRects().length)
            .filter(el => {
                const box = el.getBoundingClientRect();
                return box.left < -1 || box.right > innerWidth + 1;
            })
            .map(el => el.textContent.slice(0, 40))"""
    )
    assert outside == []
    undirected = page.evaluate(
        "() => Array.from(document.querySelectorAll('.user-text')).filter(el => el.dir !== 'auto').length"
    )
    assert undirected == 0


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_hostile_strings_are_shown_as_written_and_the_layout_holds(
    console: Console, owner: Owner, new_page: Any, viewport: ViewportSize
) -> None:
    # Given contacts named with markup, bidi overrides, emoji and 200 unbroken characters, and a meeting
    # whose title and guest run to 10,000 characters
    ids = _hostile_network(console, owner)
    _meeting_with_a_long_title(console, owner)
    page: Page = new_page(viewport)
    # When the owner signs in, Then Today names them as written, runs nothing, and fits the window
    sign_in(page, console.base_url, owner.subject, owner.email)
    expect(page.locator("main")).to_contain_text(OWNER_NAME)
    names = page.locator(".due-row .row-name").all_inner_texts()
    for text in HOSTILE.values():
        assert text.strip() in [name.strip() for name in names], text
    expect(page.locator("main")).to_contain_text(LONG_TITLE.strip()[:500])
    expect(page.locator("main")).to_contain_text(LONG_NAME[:500])
    _nothing_ran(page)
    _layout_holds(page, viewport)
    # And so does People
    visit(page, console, "#/people")
    expect(page.locator("li[data-contact-id]")).to_have_count(len(ids))
    expect(page.get_by_role("link", name=HOSTILE["script"])).to_be_visible()
    _nothing_ran(page)
    _layout_holds(page, viewport)
    # And the contact pages: the script-named one, the bidi one, and the longest name (the meeting on its timeline)
    for key in ("script", "longest", "bidi"):
        visit(page, console, f"#/people/{ids[key]}")
        heading = page.locator("h1.contact-name")
        expect(heading).to_have_text(LONGEST_NAME if key == "longest" else HOSTILE[key].strip())
        expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value(
            LONGEST_NAME if key == "longest" else HOSTILE[key]
        )
        if key == "longest":
            expect(page.locator(".timeline")).to_contain_text(LONG_TITLE.strip()[:500])
            expect(page.get_by_label("Notes")).to_have_value(LONG_NOTE)
        _nothing_ran(page)
        _layout_holds(page, viewport)
