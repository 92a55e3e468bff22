"""Chromium driven by Playwright, for the console's browser tests, `make preview`'s console screenshots
and the console's figures in `make bench`: Debian's executable, never a download.

executable = chromium_path()          KITH_CHROMIUM, else chromium, chromium-browser or google-chrome
browser = launch(playwright, executable)
sign_in(page, base_url, subject, email)   through the console and the development sign-in page
open_page(page, base_url, "#/people")     a console page, once it is shown
horizontal_overflow(page)                 how far the document is wider than the viewport
with console_stack("stage") as (kith, fake): the local stack the console is served from, Google and
                                          Microsoft faked (consent pages included)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, ViewportSize

    from kith_local.fake_providers import FakeProviders
    from kith_local.harness import LocalKith

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# A console page is shown once its container (of the page asked for) holds no loading line any more
# and nothing in it is busy (People marks its list aria-busy while a search is under way).
_SHOWN = """(name) => {
  const page = document.querySelector('#main > .page');
  return page !== null && (!name || page.classList.contains('page-' + name))
    && page.querySelector('.loading, [aria-busy="true"]') === null;
}"""


@contextmanager
def console_stack(stage: str) -> Iterator[tuple[LocalKith, FakeProviders]]:
    """The local stack on an embedded AWS and the wall clock, with Google and Outlook on the fake providers:
    the console's Connect buttons go through the fakes' consent pages; Graph checks a subscription's URL
    by calling it, through Kith's own webhook route."""
    from kith_local.aws import local_aws
    from kith_local.clock import WallClock
    from kith_local.demo_calendars import Webhooks
    from kith_local.fake_providers import FakeProviders
    from kith_local.harness import LocalKith
    from kith_local.provider_settings import google_overrides, microsoft_overrides

    clock = WallClock()
    with local_aws(), FakeProviders(clock) as fake, LocalKith(clock, stage=stage) as kith:
        kith.use_settings(google_overrides(fake) | microsoft_overrides(fake))
        fake.notify = Webhooks(kith.base_url, lambda *_: None).notify
        yield kith, fake


def chromium_path() -> str | None:
    configured = os.environ.get("KITH_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next((path for name in CHROMIUM_CANDIDATES if (path := shutil.which(name))), None)


def launch(playwright: Playwright, executable: str) -> Browser:
    # --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
    return playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])


def _hash(route: str) -> str:
    return "#/" + route.lstrip("#").lstrip("/")


def _page_name(route: str) -> str:
    """The page module a hash route renders: #/people/<id> is a contact's page; unknown names are Today's."""
    parts = route.lstrip("#").lstrip("/").split("?", 1)[0].split("/")
    known = {"today", "people", "calendars", "import", "settings", "account", "welcome"}
    if parts[0] == "people" and len(parts) > 1 and parts[1]:
        return "contact"
    return parts[0] if parts[0] in known else "today"


def wait_until_shown(page: Page, route: str | None = None) -> None:
    """Waits until the console shows a page (the one `route` renders, when given) without a loading line."""
    page.wait_for_function(_SHOWN, arg=_page_name(route) if route is not None else None)


def sign_in(page: Page, base_url: str, subject: str, email: str) -> None:
    """Signs in from the console's signed-out page through the development sign-in page, back on a console page."""
    page.goto(f"{base_url}/console/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/dev/oauth2/authorize*")
    page.fill("#subject", subject)
    page.fill("#email", email)
    page.get_by_role("button", name="Sign in").click()
    # ** and not *: the console may already have replaced ?code=… with #/today, and * stops at a slash.
    page.wait_for_url(f"{base_url}/console/**")
    wait_until_shown(page)


def open_page(page: Page, base_url: str, route: str) -> None:
    """Opens a console page by its hash in a signed-in tab and waits until it is shown."""
    page.goto(f"{base_url}/console/{_hash(route)}")
    wait_until_shown(page, route)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport: 0 when nothing scrolls sideways."""
    return int(page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth"))
