"""Google Calendar, Microsoft Graph and both OAuth providers, faked on 127.0.0.1 for tests and the demo.

One server (`base_url`) routes to the fakes, each with its own routes and test controls:

    oauth       fake_oauth.FakeOAuth             /google/o/oauth2/v2/auth, /google/token,
                                                 /microsoft/{tenant}/oauth2/v2.0/authorize and .../token
    google      fake_google.FakeGoogleCalendar   /google/calendar/v3/...
    graph       fake_graph.FakeGraph             /graph/v1.0/... (events, subscriptions, /me)
    graph_mail  fake_graph_mail.FakeGraphMail    /graph/v1.0/me/messages/..., .../me/mailFolders('SentItems')/messages

Everything but the OAuth endpoints wants `Authorization: Bearer <an access token this fake issued>`.
An authorization code comes only from a consent given on the fake's page (a browser, or
kith_local.plain_browser). The server also scripts faults per path prefix and logs every request.
Given `notify` (how to reach Kith's webhook), Graph validates notificationUrl as Graph does and tests can
deliver Graph notifications through it; Google is not called back.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections import deque
from collections.abc import Mapping
from http.server import ThreadingHTTPServer

from kith_local.clock import Clock
from kith_local.fake_google import GOOGLE_ACCOUNT, FakeGoogleCalendar
from kith_local.fake_graph import FakeGraph, Notify
from kith_local.fake_graph_mail import FakeGraphMail
from kith_local.fake_http import Answer, Fault, LoggedRequest, Provider, Refusal, Route, json_answer, serve
from kith_local.fake_oauth import GOOGLE_CLIENT, MICROSOFT_CLIENT, FakeOAuth, Tokens

__all__ = [
    "GOOGLE_ACCOUNT",
    "GOOGLE_CLIENT",
    "MICROSOFT_CLIENT",
    "FakeProviders",
    "Fault",
    "LoggedRequest",
    "Notify",
    "Tokens",
]


class FakeProviders:
    def __init__(self, clock: Clock, notify: Notify | None = None) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self.oauth = FakeOAuth(clock, self._lock, self._account)
        self.google = FakeGoogleCalendar(clock, self._lock, self.oauth)
        self.graph = FakeGraph(clock, self._lock, self.oauth, lambda: self.graph_url)
        self.graph.notify = notify
        self.graph_mail = FakeGraphMail(self.graph, self._lock, lambda: self.graph_url)
        self._routes: list[Route] = [
            *self.oauth.routes,
            *self.google.routes,
            *self.graph.routes,
            *self.graph_mail.routes,
        ]
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._log: list[LoggedRequest] = []
        self._faults: dict[str, deque[Fault]] = {}

    def _account(self, provider: Provider) -> str:
        return self.google.account[0] if provider == "google" else str(self.graph.user["mail"])

    @property
    def notify(self) -> Notify | None:
        """How the fakes reach Kith's webhook (Graph's validation handshake and its notifications)."""
        return self.graph.notify

    @notify.setter
    def notify(self, notify: Notify | None) -> None:
        self.graph.notify = notify

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FakeProviders:
        self._server = serve(self.handle, self.clock.now)
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "use the fake as a context manager"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def google_authorize_url(self) -> str:
        return f"{self.base_url}/google/o/oauth2/v2/auth"

    @property
    def google_token_url(self) -> str:
        return f"{self.base_url}/google/token"

    @property
    def google_calendar_url(self) -> str:
        return f"{self.base_url}/google/calendar/v3"

    def microsoft_authorize_url(self, tenant: str = "common") -> str:
        return f"{self.base_url}/microsoft/{tenant}/oauth2/v2.0/authorize"

    def microsoft_token_url(self, tenant: str = "common") -> str:
        return f"{self.base_url}/microsoft/{tenant}/oauth2/v2.0/token"

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/graph/v1.0"

    # -- faults and the request log ----------------------------------------------------------

    def fail_next(self, path_prefix: str, *faults: Fault) -> None:
        """The next len(faults) requests whose path starts with `path_prefix` get these faults, in order."""
        with self._lock:
            self._faults.setdefault(path_prefix, deque()).extend(faults)

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def requests_to(self, path_prefix: str) -> list[LoggedRequest]:
        return [request for request in self.requests if request.path.startswith(path_prefix)]

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Answer:
        parameters = urllib.parse.parse_qs(query, keep_blank_values=True)
        with self._lock:
            self._log.append(LoggedRequest(method, path, parameters))
            fault = next((q.popleft() for prefix, q in self._faults.items() if q and path.startswith(prefix)), None)
        if fault is not None:
            if fault.delay:
                self._stopping.wait(fault.delay)
            if fault.status is not None:
                return json_answer(fault.status, fault.body, fault.headers)
        flat = {name: values[-1] for name, values in parameters.items()}
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                try:
                    with self._lock:
                        return handler(match.groupdict(), flat, headers, body)
                except Refusal as refusal:
                    return refusal.answer
        return json_answer(404, {"error": {"code": 404, "message": "Not Found"}})
