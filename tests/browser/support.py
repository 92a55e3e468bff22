"""What the browser tests share: the stack the console is served from, its owners, and the page watch."""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from kith_local.browser import open_page
from kith_local.fake_providers import FakeProviders
from kith_local.harness import HttpResult, LocalKith
from playwright.sync_api import ConsoleMessage, Dialog, Page, Response

# Chromium logs each refused fetch as a console error; a 4xx is an answer the page shows in words.
_REFUSED_FETCH = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d\b")
OWNER_TIME_ZONE = "Europe/Berlin"


@dataclass
class Owner:
    subject: str
    email: str

    @property
    def token(self) -> str:
        return f"dev:{self.subject}"


@dataclass
class Console:
    """The local stack the console is served from, with the fake Google and Microsoft it consents on."""

    kith: LocalKith
    fake: FakeProviders

    @property
    def base_url(self) -> str:
        return self.kith.base_url

    @property
    def url(self) -> str:
        return f"{self.kith.base_url}/console/"

    def api(self, owner: Owner, method: str, path: str, body: Any = None, **options: Any) -> HttpResult:
        return self.kith.request(method, path, body, token=owner.token, **options)

    def contacts(self, owner: Owner) -> list[dict[str, Any]]:
        """Every contact of the owner, through every page of GET /v1/contacts."""
        found: list[dict[str, Any]] = []
        cursor = ""
        while True:
            page = self.api(
                owner, "GET", "/v1/contacts?limit=200" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
            )
            assert page.status == 200, page.body
            found.extend(page.body["contacts"])
            cursor = page.body.get("next_cursor") or ""
            if not cursor:
                return found

    def items_of(self, owner: Owner) -> list[dict[str, Any]]:
        """Every item of the table that names the owner or their address anywhere: a key, an attribute, an index key."""
        found: list[dict[str, Any]] = []
        paginator = self.kith.dynamodb.get_paginator("scan")
        for page in paginator.paginate(TableName=self.kith.stack.table_name):
            for item in page["Items"]:
                text = json.dumps(item).lower()
                if owner.subject.lower() in text or owner.email.lower() in text:
                    found.append(item)
        return found


@dataclass
class Watch:
    """What a page did that no person should see: dialogs, script errors, console errors, 5xx answers."""

    problems: list[str] = field(default_factory=list)

    def dialog(self, dialog: Dialog) -> None:
        self.problems.append(f"a {dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    def page_error(self, error: Exception) -> None:
        self.problems.append(f"page error: {error}")

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not _REFUSED_FETCH.match(message.text):
            self.problems.append(f"console error: {message.text} at {message.location}")

    def response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.request.method} {response.url}")

    def attach(self, page: Page) -> None:
        page.on("dialog", self.dialog)
        page.on("pageerror", self.page_error)
        page.on("console", self.console)
        page.on("response", self.response)


def visit(page: Page, console: Console, hash_route: str) -> None:
    """Opens a console page by its hash in a signed-in tab and waits until it is shown."""
    open_page(page, console.base_url, hash_route)
