"""The web console's pages as screenshots, at a phone's width and a desktop's, on the demo network.

The local stack serves the console over an embedded AWS with the fake Google and Microsoft; the
demo owner and network are seeded (demo_seed), Google and Outlook are connected through the
fakes' consent pages by clicking Allow, and a small LinkedIn file is checked on the Import page
so its report shows. Chromium (Debian's, driven by Playwright) signs in through the development
sign-in page, as a person does.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kith_local.browser import (
    DESKTOP,
    PHONE,
    chromium_path,
    console_stack,
    launch,
    open_page,
    sign_in,
    wait_until_shown,
)
from kith_local.demo_people import OWNER, OWNER_TOKEN
from kith_local.demo_seed import seed_demo
from kith_local.dev_sign_in import PREFILLED_EMAIL, PREFILLED_SUBJECT
from kith_local.harness import LocalKith

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

ZONE = str(OWNER["time_zone"])
CONTACT = "Priya Natarajan"  # a call logged and a goal: her page has a timeline
NEWCOMER = ("newcomer", "newcomer@example.com")  # no profile yet: the Welcome page
LINKEDIN_FILE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ana,Lima,https://www.linkedin.com/in/ana-lima,ana.lima@lumen.example,Lumen,VP Product,12 Mar 2024\n"
    "Priya,Natarajan,https://www.linkedin.com/in/priya-n,priya@lumen.example,Lumen,Staff Engineer,02 Feb 2021\n"
    "Kenji,Sato,https://www.linkedin.com/in/kenji-sato,,Kumo,Founder,30 Nov 2023\n"
    ",,https://www.linkedin.com/in/nobody,,,,01 Jan 2020\n"
)
# The README's screenshots: the page, and the widths it is shown at.
README_SHOTS = {
    "today": (DESKTOP, PHONE),
    "people": (DESKTOP,),
    "contact": (DESKTOP, PHONE),
    "calendars": (DESKTOP,),
    "import-report": (DESKTOP,),
}


@dataclass(frozen=True)
class Shot:
    page: str
    width: int
    png: Path


@dataclass
class _Demo:
    kith: LocalKith
    contact_id: str


@contextmanager
def _quiet() -> Iterator[None]:
    """The functions' INFO lines (each webhook, each refusal) would bury what preview prints."""
    from kith.observability import logger

    level = logger.log_level
    logger.setLevel("WARNING")
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _demo_stack() -> Iterator[_Demo]:
    with _quiet(), console_stack("preview") as (kith, fake):
        # The accounts she consents with on the fakes are hers: her calendar, her mailbox.
        fake.google.account = (PREFILLED_EMAIL, ZONE)
        fake.graph.user |= {"displayName": OWNER["name"], "mail": PREFILLED_EMAIL, "userPrincipalName": PREFILLED_EMAIL}
        seed_demo(kith)
        contacts = kith.request("GET", "/v1/contacts?limit=200", token=OWNER_TOKEN).body["contacts"]
        yield _Demo(kith, next(c["contact_id"] for c in contacts if c["name"] == CONTACT))


def _connect_by_consent(page: Page, base_url: str, button: str) -> None:
    open_page(page, base_url, "#/calendars")
    page.get_by_role("button", name=button).click()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{base_url}/console/#/calendars?connected=*")
    wait_until_shown(page, "#/calendars")


def _import_report(page: Page, base_url: str) -> None:
    open_page(page, base_url, "#/import")
    page.locator("input[type=file]").set_input_files(
        {"name": "Connections.csv", "mimeType": "text/csv", "buffer": LINKEDIN_FILE.encode()}
    )
    page.locator(".import-report").wait_for()
    # Every row, not the skipped ones the report opens on: the picture shows what each outcome looks like.
    page.get_by_label("Rows shown").select_option("all")


def _pages(demo: _Demo) -> list[tuple[str, Callable[[Page, str], None]]]:
    def showing(route: str) -> Callable[[Page, str], None]:
        return lambda page, base_url: open_page(page, base_url, route)

    return [
        ("today", showing("#/today")),
        ("people", showing("#/people")),
        ("contact", showing(f"#/people/{demo.contact_id}")),
        ("calendars", showing("#/calendars")),
        ("import", showing("#/import")),
        ("import-report", _import_report),
        ("settings", showing("#/settings")),
        ("account", showing("#/account")),
    ]


def _signed_in(browser: Browser, base_url: str, viewport: ViewportSize, who: tuple[str, str]) -> Page:
    context = browser.new_context(viewport=viewport, timezone_id=ZONE, locale="en-GB")
    page = context.new_page()
    sign_in(page, base_url, *who)
    return page


def _shoot(page: Page, name: str, viewport: ViewportSize, folder: Path, readme: Path | None) -> Shot:
    width = viewport["width"]
    png = folder / f"{name}-{width}.png"
    # Focus rings and the caret are the page's business, not the picture's.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.screenshot(path=png, full_page=True, animations="disabled", caret="hide")
    if readme is not None and viewport in README_SHOTS.get(name, ()):
        shown = readme / f"{name}-{width}.png"
        page.screenshot(path=shown, animations="disabled", caret="hide")
        _smaller(shown)
    return Shot(name, width, png)


def _smaller(png: Path) -> None:
    """A README picture in a palette of colours where pngquant is installed: a third of the bytes, alike to the eye."""
    pngquant = shutil.which("pngquant")
    if pngquant is None:
        return
    command = [pngquant, "--quality=80-98", "--strip", "--skip-if-larger", "--force", "--output", str(png), str(png)]
    subprocess.run(command, check=False, capture_output=True, timeout=60)


def render_console(folder: Path, readme: Path | None = None) -> list[Shot] | str:
    """Every console page at 390 and 1280 px into `folder`; the reason instead when there is no browser to do it."""
    executable = chromium_path()
    if executable is None:
        return "no Chromium installed (apt-get install chromium, or set KITH_CHROMIUM)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "Playwright is not installed (make venv)"
    folder.mkdir(parents=True, exist_ok=True)
    if readme is not None:
        readme.mkdir(parents=True, exist_ok=True)
    shots: list[Shot] = []
    with _demo_stack() as demo, sync_playwright() as playwright:
        base_url = demo.kith.base_url
        browser = launch(playwright, executable)
        try:
            setup = _signed_in(browser, base_url, DESKTOP, (PREFILLED_SUBJECT, PREFILLED_EMAIL))
            for provider in ("Connect Google Calendar", "Connect Outlook"):
                _connect_by_consent(setup, base_url, provider)
            setup.context.close()
            for viewport in (PHONE, DESKTOP):
                page = _signed_in(browser, base_url, viewport, (PREFILLED_SUBJECT, PREFILLED_EMAIL))
                for name, show in _pages(demo):
                    show(page, base_url)
                    shots.append(_shoot(page, name, viewport, folder, readme))
                page.context.close()
                newcomer = _signed_in(browser, base_url, viewport, NEWCOMER)
                shots.append(_shoot(newcomer, "welcome", viewport, folder, readme))
                newcomer.context.close()
        finally:
            browser.close()
    return shots
