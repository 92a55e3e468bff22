"""Browser level: the web console in Chromium, driven by Playwright, over the local API server on 127.0.0.1.

One local stack and one browser serve the whole level (package-scoped: they end with its last test,
so the embedded AWS's endpoint in the environment never reaches another level's tests); each test
gets a new browser context (its own sessionStorage) and a fresh owner, a subject no other test uses,
so tests share no data.
A test fails on any dialog, uncaught page error, console error or 5xx answer its page met.

Chromium is Debian's (`apt-get install chromium`, as .ci/run does), never Playwright's download.
Without one the level is skipped, saying so; in CI (CI=true) it fails instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from kith_local.browser import DESKTOP, chromium_path, console_stack, launch, sign_in
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from tests.browser.support import OWNER_TIME_ZONE, Console, Owner, Watch

_WATCH = pytest.StashKey[Watch]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test whose page met a dialog, an error or a 5xx fails, whatever it asserted itself."""
    result = yield
    watch = item.stash.get(_WATCH, None)
    if watch is not None and watch.problems:
        raise AssertionError("the console misbehaved:\n  " + "\n  ".join(watch.problems))
    return result


@pytest.fixture(scope="package")
def console() -> Iterator[Console]:
    with console_stack("browser") as (kith, fake):
        yield Console(kith, fake)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        reason = "no Chromium installed (apt-get install chromium, or set KITH_CHROMIUM)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the browser tests need Chromium in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    browser = launch(playwright, executable)
    yield browser
    browser.close()


def _new_page(browser: Browser, request: pytest.FixtureRequest, viewport: ViewportSize) -> Page:
    context = browser.new_context(viewport=viewport, timezone_id=OWNER_TIME_ZONE, accept_downloads=True)
    context.set_default_timeout(10_000)
    request.addfinalizer(context.close)
    page = context.new_page()
    watch = request.node.stash.setdefault(_WATCH, Watch())
    watch.attach(page)
    return page


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Page:
    """A desktop-sized tab in a context of its own, watched for dialogs, errors and 5xx answers."""
    return _new_page(browser, request, DESKTOP)


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Callable[[ViewportSize], Page]:
    """Another watched tab, in a context of its own, at the given viewport."""
    return lambda viewport: _new_page(browser, request, viewport)


def _unused_owner() -> Owner:
    key = uuid.uuid4().hex[:12]
    return Owner(subject=f"browser-{key}", email=f"owner-{key}@example.com")


@pytest.fixture
def fresh_owner() -> Owner:
    """A subject no other test signs in as: its owner has no profile yet."""
    return _unused_owner()


@pytest.fixture
def newcomer() -> Owner:
    """Another subject no test signs in as, beside `fresh_owner` (which `owner` gives a profile)."""
    return _unused_owner()


@pytest.fixture
def another_owner(console: Console) -> Owner:
    """A second owner with a profile, for what one owner must never reach of another's."""
    other = _unused_owner()
    profile = {"email": other.email, "name": "Otto Other", "time_zone": "UTC"}
    assert console.api(other, "PUT", "/v1/owner", profile).status == 200
    return other


@pytest.fixture
def owner(console: Console, fresh_owner: Owner) -> Owner:
    """A fresh owner with a profile (created through the API), not yet signed in anywhere."""
    profile = {"email": fresh_owner.email, "name": "Olive Owner", "time_zone": OWNER_TIME_ZONE}
    created = console.api(fresh_owner, "PUT", "/v1/owner", profile)
    assert created.status == 200, created.body
    return fresh_owner


@pytest.fixture
def signed_in(console: Console, owner: Owner, page: Page) -> Page:
    """The desktop tab, signed in as `owner` through the development sign-in page, on Today."""
    sign_in(page, console.base_url, owner.subject, owner.email)
    return page
