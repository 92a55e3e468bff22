"""Part 12: the web console in Chromium over the local server.

On make serve --demo's network (the demo owner, 20 contacts): the first load, every response from
opening the console signed in with the browser's cache off until Today is shown (bytes of the
bodies, bytes on the wire with their headers as served, the bodies gzipped at level 9), and the
time from the navigation's start until Today's list is on the page, the median of `loads` reloads;
then the API requests a page view makes (Today, a contact's page, People).

On a network of `contacts` contacts (10,000 by default), written straight to the table with the
storage layer's own item builders: the time until Today and People's first page are shown, and the
time People takes to show a search result, from the last keystroke (so the page's 250 ms typing
pause is in it) until the list holds the answer and nothing is busy; each search is then asked of
the API alone, timed, with the DynamoDB requests it made counted.

Chromium is Debian's, driven by Playwright; the local API server, the functions and moto's server
are threads of this one process, so the times are those of this machine's harness, not of API
Gateway, Lambda and DynamoDB. Without Chromium (or Playwright) the part says so and measures nothing.
"""

from __future__ import annotations

import gzip
import statistics
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kith_local.harness import LocalKith
    from playwright.sync_api import Browser, Page, Request

OWNER = ("bench-network", "bench-network@example.com")  # the large network's owner
DEMO_CONTACT = "Priya Natarajan"  # of the demo network: a call logged, so her page has a timeline
ZONE = "Europe/Berlin"
FIRST_NAMES = ("Ana", "Ben", "Chiara", "Dmitri", "Eitan", "Farah", "Gus", "Hana", "Ivo", "Jonas", "Kim", "Lea")
# Surnames are three syllables, one for each digit of the contact's number over the first names: the
# first five letters of one name a dozen people (one for each first name) out of the network.
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "so", "ta", "vi", "zu", "be")
SEARCHES = 5
# A console page is on the screen once its own container holds no loading line and nothing busy.
_SHOWN = """(name) => {
  const page = document.querySelector('#main > .page');
  return page !== null && page.classList.contains('page-' + name)
    && page.querySelector('.loading, [aria-busy="true"]') === null;
}"""
# Set before any of the console's scripts run: when Today's list (or its empty state) first shows.
_WATCH_TODAY = """(() => {
  const seen = () => {
    const page = document.querySelector('#main > .page-today');
    if (page && page.querySelector('#due-heading') && !page.querySelector('.loading')) {
      window.kithTodayShownAt = performance.now();
      return true;
    }
    return false;
  };
  new MutationObserver((_, observer) => { if (seen()) observer.disconnect(); })
    .observe(document, {subtree: true, childList: true});
})();"""
# Types the query as the last keystroke would, and resolves the milliseconds until the list shows its answer.
_SEARCH = """([query, expected]) => new Promise((resolve) => {
  const input = document.querySelector('input[name=q]');
  const started = performance.now();
  input.value = query;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  const answered = () => {
    const rows = Array.from(document.querySelectorAll('.people-list li[data-contact-id]'));
    const busy = document.querySelector('#main [aria-busy="true"]');
    return !busy && rows.length === expected && rows.every((row) => row.textContent.includes(query));
  };
  const check = () => (answered() ? resolve(performance.now() - started) : requestAnimationFrame(check));
  check();
})"""


@dataclass(frozen=True)
class Loaded:
    """One response of the first load."""

    path: str
    kind: str  # console (its files and config.json), api, sign-in
    body_bytes: int
    wire_bytes: int
    gzip_bytes: int


@dataclass
class ConsoleBench:
    available: str | None = None  # why nothing was measured, or None
    loads: int = 0
    first_load: list[Loaded] = field(default_factory=list)
    today_shown_ms: list[float] = field(default_factory=list)
    requests_per_view: dict[str, list[str]] = field(default_factory=dict)
    contacts: int = 0
    seed_seconds: float = 0.0
    large_today_shown_ms: float = 0.0
    people_shown_ms: float = 0.0
    search_ms: list[float] = field(default_factory=list)
    search_hits: list[int] = field(default_factory=list)
    search_api_ms: list[float] = field(default_factory=list)
    search_reads: list[dict[str, int]] = field(default_factory=list)

    def total(self, kind: str | None, attribute: str) -> int:
        return sum(getattr(item, attribute) for item in self.first_load if kind is None or item.kind == kind)

    def figures(self) -> dict[str, Any]:
        return asdict(self) | {
            "today_shown_median_ms": statistics.median(self.today_shown_ms) if self.today_shown_ms else None,
            "search_median_ms": statistics.median(self.search_ms) if self.search_ms else None,
            "search_api_median_ms": statistics.median(self.search_api_ms) if self.search_api_ms else None,
        }


def _name(index: int) -> tuple[str, str]:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    rest = index // len(FIRST_NAMES)
    syllables = [SYLLABLES[(rest // 10**place) % 10] for place in range(3)]
    last = "".join(syllables).capitalize()
    return f"{first} {last}", f"{first.lower()}.{last.lower()}.{index}@example.com"


def _seed(kith: LocalKith, token: str, contacts: int) -> None:
    """The owner through the API; the contacts written to the table as the API stores them (its own item
    builders), 25 to a BatchWriteItem: through the API, moto takes minutes per thousand."""
    from zoneinfo import ZoneInfo

    from kith.domain.models import Circle, Contact
    from kith.storage import items, keys
    from kith.storage.table import to_wire

    profile = {"email": OWNER[1], "name": "Bea Bench", "time_zone": ZONE, "digest_limit": 10}
    assert kith.request("PUT", "/v1/owner", profile, token=token).status == 200
    now = datetime.now(UTC)
    zone = ZoneInfo(ZONE)
    circles = (Circle.INNER, Circle.CORE, Circle.WIDER)
    written: list[dict[str, Any]] = []
    for index in range(contacts):
        name, address = _name(index)
        contact = Contact(
            contact_id=f"bench{index:05d}",
            owner_id=OWNER[0],
            name=name,
            emails=(address,),
            circle=circles[index % 3],
            added_at=now - timedelta(days=400),
            last_interaction_at=now - timedelta(days=(index * 37) % 365),
        )
        written.append(items.contact_to_item(contact, zone))
        written.append(items.email_item(keys.owner_pk(OWNER[0]), address, contact.contact_id))
        written += items.term_items(contact)
    table = kith.stack.table_name
    for start in range(0, len(written), 25):
        pending: Any = {table: [{"PutRequest": {"Item": to_wire(item)}} for item in written[start : start + 25]]}
        while pending:
            pending = kith.dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems")


def _searches(contacts: int) -> list[tuple[str, int]]:
    """Queries spread over the network, each with how many people it finds (a page holds 50)."""
    surnames = [_name(index)[0].split()[1] for index in range(contacts)]
    queries = dict.fromkeys(surnames[contacts * (part + 1) // (SEARCHES + 1)][:5] for part in range(SEARCHES))
    return [(query, min(50, sum(1 for name in surnames if name.startswith(query)))) for query in queries]


def _kind(path: str) -> str:
    if path.startswith("/v1/"):
        return "api"
    return "console" if path == "/" or path.startswith("/console") else "sign-in"


def _loaded(request: Request) -> Loaded:
    response = request.response()
    assert response is not None
    body = response.body()
    sizes = request.sizes()
    path = urllib.parse.urlsplit(request.url).path
    wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return Loaded(path, _kind(path), len(body), wire, len(gzip.compress(body, compresslevel=9, mtime=0)))


def _api_requests(page: Page, route: str, name: str) -> list[str]:
    """The API requests the page at `route` makes, from the hash change until it is shown."""
    asked: list[str] = []

    def note(request: Request) -> None:
        parts = urllib.parse.urlsplit(request.url)
        if parts.path.startswith("/v1/"):
            asked.append(f"{request.method} {parts.path}" + (f"?{parts.query}" if parts.query else ""))

    page.on("request", note)
    page.evaluate("(hash) => { location.hash = hash; }", route)
    # A contact's id is not a figure: the requests are shown with <id> in its place.
    page.wait_for_function(_SHOWN, arg=name)
    page.remove_listener("request", note)
    identifier = route.rsplit("/", 1)[-1] if name == "contact" else None
    return [line.replace(identifier, "<id>") if identifier else line for line in asked]


@contextmanager
def _stack() -> Iterator[LocalKith]:
    from kith_local.aws import local_aws
    from kith_local.clock import WallClock
    from kith_local.harness import LocalKith

    from bench.in_process import quiet_logs

    with local_aws(), quiet_logs(), LocalKith(WallClock(), stage="console") as kith:
        yield kith


def _signed_in(browser: Browser, base_url: str, who: tuple[str, str]) -> Page:
    from kith_local.browser import DESKTOP, sign_in

    page = browser.new_context(viewport=DESKTOP, timezone_id=ZONE).new_page()
    sign_in(page, base_url, *who)
    page.wait_for_function(_SHOWN, arg="today")
    return page


def _first_loads(run: ConsoleBench, page: Page) -> None:
    """Reloads Today `run.loads` times with the browser's cache off: what each load fetched, and when Today showed."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.add_init_script(_WATCH_TODAY)
    for attempt in range(run.loads):
        finished: list[Request] = []

        def keep(request: Request, into: list[Request] = finished) -> None:
            into.append(request)

        page.on("requestfinished", keep)
        page.reload()
        page.wait_for_function("() => window.kithTodayShownAt !== undefined")
        run.today_shown_ms.append(float(page.evaluate("() => window.kithTodayShownAt")))
        page.wait_for_function(_SHOWN, arg="today")
        page.remove_listener("requestfinished", keep)
        if attempt == 0:
            run.first_load = [_loaded(request) for request in finished]


def _demo_network(run: ConsoleBench, kith: LocalKith, browser: Browser) -> None:
    """make serve --demo's owner (20 contacts, calls logged, a meeting ended and one planned): first load, requests."""
    from kith_local.demo_people import OWNER_TOKEN
    from kith_local.demo_seed import seed_demo
    from kith_local.dev_sign_in import PREFILLED_EMAIL, PREFILLED_SUBJECT

    seed_demo(kith)
    contacts = kith.request("GET", "/v1/contacts?limit=200", token=OWNER_TOKEN).body["contacts"]
    contact_id = next(contact["contact_id"] for contact in contacts if contact["name"] == DEMO_CONTACT)
    page = _signed_in(browser, kith.base_url, (PREFILLED_SUBJECT, PREFILLED_EMAIL))
    _first_loads(run, page)
    _api_requests(page, "#/calendars", "calendars")
    run.requests_per_view["Today"] = _api_requests(page, "#/today", "today")
    run.requests_per_view["a contact's page"] = _api_requests(page, f"#/people/{contact_id}", "contact")
    run.requests_per_view["People"] = _api_requests(page, "#/people", "people")
    page.context.close()


def _large_network(run: ConsoleBench, kith: LocalKith, browser: Browser) -> None:
    """`run.contacts` contacts: People's first page, searches in the page and through the API alone, and Today."""
    import time

    from bench.counting import RequestLog

    token = f"dev:{OWNER[0]}"
    started = time.perf_counter()
    _seed(kith, token, run.contacts)
    run.seed_seconds = time.perf_counter() - started
    page = _signed_in(browser, kith.base_url, OWNER)
    run.large_today_shown_ms = _shown_after(page, "#/calendars", "#/today", "today")
    run.people_shown_ms = _shown_after(page, "#/calendars", "#/people", "people")
    log = RequestLog().attach(kith.lambdas.modules["ApiFunction"].runtime.dynamodb)
    for query, expected in _searches(run.contacts):
        run.search_ms.append(float(page.evaluate(_SEARCH, [query, expected])))
        run.search_hits.append(expected)
        log.clear()
        asked = time.perf_counter()
        answer = kith.request("GET", f"/v1/contacts?limit=50&q={query}", token=token)
        run.search_api_ms.append((time.perf_counter() - asked) * 1000)
        assert answer.status == 200 and len(answer.body["contacts"]) == expected, answer.body
        run.search_reads.append(log.by_operation())
    page.context.close()


def _shown_after(page: Page, away: str, route: str, name: str) -> float:
    """Milliseconds from the hash change to `route` until its page is shown (from `away`, so it renders anew)."""
    page.evaluate("(hash) => { location.hash = hash; }", away)
    page.wait_for_function(_SHOWN, arg=away.strip("#/"))
    started = page.evaluate("(hash) => { const at = performance.now(); location.hash = hash; return at; }", route)
    page.wait_for_function(_SHOWN, arg=name, timeout=120_000)
    return float(page.evaluate("() => performance.now()")) - float(started)


def console_bench(loads: int = 5, contacts: int = 10_000) -> ConsoleBench:
    from kith_local.browser import chromium_path, launch

    run = ConsoleBench(loads=loads, contacts=contacts)
    executable = chromium_path()
    if executable is None:
        run.available = "no Chromium installed (apt-get install chromium)"
        return run
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        run.available = "Playwright is not installed"
        return run
    with _stack() as kith, sync_playwright() as playwright:
        browser = launch(playwright, executable)
        try:
            _demo_network(run, kith, browser)
            _large_network(run, kith, browser)
        finally:
            browser.close()
    return run
