"""Every console page: each control has a label, the keyboard reaches the navigation and the page's buttons
with a visible focus, and nothing scrolls sideways at a phone's width."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kith_local.browser import DESKTOP, PHONE, horizontal_overflow, sign_in, wait_until_shown
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.support import Console, Owner, visit

LINKEDIN = Path(__file__).parents[1] / "fixtures" / "imports" / "linkedin_connections.csv"
NAV = ["Today", "People", "Calendars", "Import", "Settings", "Account"]
# Each page, and the buttons or links on it the keyboard must reach.
MAIN_CONTROLS = {
    "today": ["Done", "Snooze 14 days", "See less often"],
    "people": ["Add a contact", "Search"],
    "contact": ["Done", "Save changes", "Log it", "Delete this contact…"],
    "calendars": ["Connect Google Calendar", "Connect Cal.com", "Disconnect"],
    "import": ["Contact file", "Check the file"],
    "import report": ["Import 8 contacts", "Choose another file", "Rows shown"],
    "settings": ["Save settings", "Add a goal", "Save goals"],
    "account": ["Download everything (JSON)", "Download contacts (CSV)", "Erase my account"],
}
# Each control without a name a person (or a screen reader) could use: none of these may be found.
UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea, button'))
  .filter(el => el.type !== 'hidden' && el.getClientRects().length)
  .filter(el => {
    const named = (text) => Boolean(text && text.trim());
    if (el.tagName === 'BUTTON') return !named(el.textContent) && !named(el.getAttribute('aria-label'));
    if (named(el.getAttribute('aria-label'))) return false;
    const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    if (by.some(id => document.getElementById(id) && named(document.getElementById(id).textContent))) return false;
    return !Array.from(el.labels || []).some(label => named(label.textContent));
  })
  .map(el => el.outerHTML.slice(0, 120))"""
# The focused element's accessible words, and whether its focus can be seen (an outline or a ring).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  const words = el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent)
    || el.textContent || '';
  return {words: words.replace(/\\s+/g, ' ').replace(/ \\*$/, '').trim(), tag: el.tagName, visible};
}"""


def _network(console: Console, owner: Owner) -> str:
    """A contact due now with a logged call, and a Cal.com calendar: every page has something to show."""
    long_ago = (datetime.now(UTC) - timedelta(days=300)).strftime("%Y-%m-%dT%H:%M:%SZ")
    contact = {"name": "Kim Lee", "emails": ["kim@example.com"], "circle": "core", "last_interaction_at": long_ago}
    created = console.api(owner, "POST", "/v1/contacts", contact)
    assert created.status == 201, created.body
    assert console.api(owner, "POST", "/v1/connections", {"provider": "calcom"}).status == 201
    return str(created.body["contact_id"])


def _import_report(page: Page, console: Console) -> None:
    visit(page, console, "#/import")
    page.get_by_label("Contact file").set_input_files(LINKEDIN)
    expect(page.locator(".import-report")).to_be_visible()


def _pages(console: Console, contact_id: str) -> dict[str, Callable[[Page], None]]:
    def showing(route: str) -> Callable[[Page], None]:
        return lambda page: visit(page, console, route)

    return {
        "today": showing("#/today"),
        "people": showing("#/people"),
        "contact": showing(f"#/people/{contact_id}"),
        "calendars": showing("#/calendars"),
        "import": showing("#/import"),
        "import report": lambda page: _import_report(page, console),
        "settings": showing("#/settings"),
        "account": showing("#/account"),
    }


def _tab_through(page: Page, most: int = 150) -> list[dict[str, object]]:
    """What Tab focuses, in order, from the top of the page until it comes round again (or `most` presses)."""
    # Focus starts from a mark at the top of the page, as on a page just opened.
    page.evaluate(
        """() => {
            const mark = document.createElement('span');
            mark.tabIndex = -1;
            mark.id = 'tab-start';
            document.body.prepend(mark);
            mark.focus();
        }"""
    )
    seen: list[dict[str, object]] = []
    for press in range(most):
        page.keyboard.press("Tab")
        if press == 0:
            page.evaluate("() => document.getElementById('tab-start').remove()")
        focused = page.evaluate(FOCUSED)
        if focused is None or (seen and focused == seen[0]):
            break
        seen.append(focused)
    return seen


def test_every_control_on_every_page_has_a_label_and_the_keyboard_reaches_it(
    console: Console, owner: Owner, page: Page, newcomer: Owner, new_page: Callable[[ViewportSize], Page]
) -> None:
    # Given an owner with a contact due and a calendar, signed in
    contact_id = _network(console, owner)
    sign_in(page, console.base_url, owner.subject, owner.email)
    for name, show in _pages(console, contact_id).items():
        # When each page is shown
        show(page)
        # Then every control on it has a label
        assert page.evaluate(UNLABELLED) == [], name
        # And Tab goes first to the skip link, then through the navigation, to the page's buttons, focus visible
        focused = _tab_through(page)
        words = [str(item["words"]) for item in focused]
        assert words[0] == "Skip to the page", (name, words[:3])
        assert [word for word in words if word in NAV][: len(NAV)] == NAV, (name, words)
        assert "Sign out" in words, name
        for control in MAIN_CONTROLS[name]:
            assert control in words, (name, control, words)
        # (Tab visits a date field's parts and its picker button; Chromium rings the picker button itself.)
        unseen = {(i["words"], i["tag"]) for i in focused} - {(i["words"], i["tag"]) for i in focused if i["visible"]}
        assert not unseen, (name, unseen)
    # And the skip link takes the keyboard to the page itself
    _tab_through(page, most=1)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # And the Welcome page of a first sign-in is labelled too
    welcome = new_page(DESKTOP)
    sign_in(welcome, console.base_url, newcomer.subject, newcomer.email)
    wait_until_shown(welcome, "#/welcome")
    assert welcome.evaluate(UNLABELLED) == []
    assert "Start with Kith" in [item["words"] for item in _tab_through(welcome)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_no_page_scrolls_sideways(
    console: Console, owner: Owner, newcomer: Owner, new_page: Callable[[ViewportSize], Page], viewport: ViewportSize
) -> None:
    # Given an owner with a contact due and a calendar, signed in at the width
    contact_id = _network(console, owner)
    page = new_page(viewport)
    sign_in(page, console.base_url, owner.subject, owner.email)
    # When each page is shown, Then the document is no wider than the window
    for name, show in _pages(console, contact_id).items():
        show(page)
        assert horizontal_overflow(page) <= 0, f"{name} is wider than {viewport['width']} px"
    # And neither is the Welcome page of a first sign-in
    welcome = new_page(viewport)
    sign_in(welcome, console.base_url, newcomer.subject, newcomer.email)
    wait_until_shown(welcome, "#/welcome")
    assert horizontal_overflow(welcome) <= 0, "welcome"
