"""The one-shot server on 127.0.0.1 that `kith login` waits on for the browser to come back.

The first request to /callback decides the sign-in; the browser is answered with a small page in words
saying how it went, and every later callback is told the sign-in is already over.
"""

from __future__ import annotations

import html
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kith_cli.errors import Refused

WAIT_STEP = 0.25


@dataclass(frozen=True)
class Page:
    status: int
    title: str
    sentence: str


@dataclass(frozen=True)
class Outcome:
    """How the sign-in ended: the page the browser sees, and the error the command stops with (None: done)."""

    page: Page
    error: Exception | None = None


Receive = Callable[[dict[str, str]], Outcome]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receive: Receive
    outcome: Outcome | None
    done: threading.Event
    lock: threading.Lock


class Loopback:
    def __init__(self, receive: Receive) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receive = receive
        self._server.outcome = None
        self._server.done = threading.Event()
        self._server.lock = threading.Lock()
        self._thread = threading.Thread(target=self._server.serve_forever, name="kith-login", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> Loopback:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait(self, seconds: float) -> Outcome | None:
        """The outcome, or None when nothing came back in time; short waits, so Ctrl-C stops it at once."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._server.done.wait(min(WAIT_STEP, max(0.0, deadline - time.monotonic()))):
                return self._server.outcome
        return None


def parameters(query: str) -> dict[str, str]:
    """The callback's parameters; one given twice is refused rather than one of its values chosen."""
    found: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if name in found:
            raise Refused(f"the browser came back with {name} twice: refused, nothing stored")
        found[name] = value
    return found


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # A browser's speculative connection that never sends a request is dropped, not waited on for ever.
    timeout = 10

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path != "/callback":
            self._answer(Page(404, "Not found", "This is the kith command's sign-in; it answers only /callback."))
            return
        with self.server.lock:
            if self.server.outcome is not None:
                page = Page(409, "Already done", "This sign-in is over; its answer was already received.")
            else:
                try:
                    outcome = self.server.receive(parameters(query))
                except Refused as refused:
                    outcome = Outcome(
                        Page(400, "Sign-in refused", "The answer repeats a part, so it was refused."), refused
                    )
                self.server.outcome = outcome
                page = outcome.page
        self._answer(page)
        if page.status != 409:
            self.server.done.set()

    def _answer(self, page: Page) -> None:
        body = (
            '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(page.title)} · kith</title>\n</head>\n<body>\n<main>\n"
            f"<h1>{html.escape(page.title)}</h1>\n<p>{html.escape(page.sentence)}</p>\n</main>\n</body>\n</html>\n"
        ).encode()
        self.send_response(page.status)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-security-policy", "default-src 'none'; base-uri 'none'; frame-ancestors 'none'")
        self.send_header("cache-control", "no-store")
        self.send_header("referrer-policy", "no-referrer")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return
