"""A browser as far as a calendar consent needs one: one request a hop, redirects seen and never followed on their own.

Shared by `make demo` and the tests. Giving consent is four hops, each answered and checked on its own:

    Kith's consent URL (the provider's authorize endpoint) -> the consent page, 200
    the page's form, Allow or Deny                         -> 302 back to Kith's callback, code and state
    Kith's callback                                        -> 303 to the console's calendars page (or a page why not)

Requests go over HTTP, or, for an origin given a transport of its own, wherever that sends them
(the integration tests hand Kith's origin to its functions in process).
"""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

# (method, absolute URL, headers, body) -> (status, headers with lower-cased names, body)
Transport = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def over_http(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.netloc, timeout=30)
    try:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection.request(method, target, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


@dataclass(frozen=True)
class Form:
    action: str
    method: str
    fields: dict[str, str]
    # (name, value, label) of each submit button
    buttons: list[tuple[str, str, str]]


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    method: str = "GET"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str | None:
        """Where a redirect leads, as an absolute URL (a relative Location is read against this page's)."""
        if self.status not in _REDIRECTS or "location" not in self.headers:
            return None
        return urllib.parse.urljoin(self.url, self.headers["location"])

    def form(self) -> Form:
        parser = _Forms()
        parser.feed(self.text)
        if not parser.forms:
            raise ValueError(f"no form on {self.url} ({self.status})")
        action, method, fields, buttons = parser.forms[0]
        return Form(urllib.parse.urljoin(self.url, action or self.url), method.upper() or "GET", fields, buttons)


@dataclass
class Browser:
    transports: Mapping[str, Transport] = field(default_factory=dict)
    history: list[Page] = field(default_factory=list)

    def open(self, method: str, url: str, form: Mapping[str, str] | None = None) -> Page:
        parts = urllib.parse.urlsplit(url)
        transport = self.transports.get(f"{parts.scheme}://{parts.netloc}", over_http)
        headers = {"accept": "text/html", "user-agent": "kith-local-browser/1"}
        body = b""
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        status, answered, payload = transport(method, url, headers, body)
        page = Page(url, status, answered, payload, method)
        self.history.append(page)
        return page

    def get(self, url: str) -> Page:
        return self.open("GET", url)

    def submit(self, page: Page, button: str) -> Page:
        """Press the button labelled (or valued) `button` of the page's form."""
        form = page.form()
        pressed = next((b for b in form.buttons if button in (b[1], b[2])), None)
        if pressed is None:
            raise ValueError(f"no button {button!r} on {page.url}: {[b[2] for b in form.buttons]}")
        fields = dict(form.fields)
        if pressed[0]:
            fields[pressed[0]] = pressed[1]
        return self.open(form.method, form.action, fields)

    def follow(self, page: Page) -> Page:
        """The one hop a redirect asks for."""
        if page.location is None:
            raise ValueError(f"{page.url} answered {page.status}, not a redirect")
        return self.get(page.location)


@dataclass(frozen=True)
class ConsentTrip:
    consent_page: Page
    back: Page  # the provider sending the browser back to Kith (a 302)
    landed: Page  # what Kith's callback answered: a 303 to the console, or a page saying why not

    @property
    def callback_url(self) -> str:
        assert self.back.location is not None
        return self.back.location


def give_consent(browser: Browser, authorize_url: str, decision: str = "Allow") -> ConsentTrip:
    """Open the provider's consent page, press Allow (or Deny), and follow it back to Kith's callback."""
    consent_page = browser.get(authorize_url)
    if consent_page.status != 200:
        raise ValueError(f"the consent page answered {consent_page.status}: {consent_page.text[:300]}")
    back = browser.submit(consent_page, decision)
    return ConsentTrip(consent_page, back, browser.follow(back))


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str], list[tuple[str, str, str]]]] = []
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((values.get("action", ""), values.get("method", "get"), {}, []))
        elif not self.forms:
            return
        elif tag == "input" and values.get("type", "text") != "submit" and values.get("name"):
            self.forms[-1][2][values["name"]] = values.get("value", "")
        elif tag == "button" and values.get("type", "submit") == "submit":
            self._button = [values.get("name", ""), values.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            name, value, label = self._button
            self.forms[-1][3].append((name, value, label.strip()))
            self._button = None
