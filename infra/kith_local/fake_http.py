"""What the fake providers share: their answers and refusals, the values they read, and the HTTP server.

Each fake (fake_oauth, fake_google, fake_graph) lists its routes as (method, path pattern, handler); a
handler gets the path's named groups, the query (last value of each name), the headers (lowercased)
and the body, and answers (status, headers, body) or raises a `Refusal` holding the provider's error.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Answer = tuple[int, dict[str, str], bytes]
Provider = Literal["google", "microsoft"]
Handler = Callable[[dict[str, str], dict[str, str], Mapping[str, str], bytes], Answer]
Route = tuple[str, re.Pattern[str], Handler]
_WINDOWS_ZONES = {
    "Pacific Standard Time": "America/Los_Angeles",
    "Eastern Standard Time": "America/New_York",
    "GMT Standard Time": "Europe/London",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
}


@dataclass(frozen=True)
class Fault:
    """What the next request to a path prefix gets instead; `status=None` answers normally after `delay`."""

    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]


class Refusal(Exception):
    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status)
        self.answer: Answer = json_answer(status, body, headers)


def json_answer(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Answer:
    payload = b"" if body is None else json.dumps(body).encode()
    return (
        status,
        {**({"content-type": "application/json; charset=UTF-8"} if payload else {}), **(headers or {})},
        payload,
    )


def parse_instant(value: str) -> datetime:
    """RFC 3339 with an offset; a fraction of any length (Graph writes seven digits)."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip()).replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("an offset is required")
    return moment


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def zone(name: str) -> ZoneInfo | None:
    """An IANA zone, or the one a Windows zone name (as Graph writes them) stands for."""
    try:
        return ZoneInfo(_WINDOWS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def json_body(body: bytes, refusal: Callable[[], Refusal]) -> dict[str, Any]:
    try:
        document = json.loads(body or b"null")
    except (UnicodeDecodeError, ValueError):
        raise refusal() from None
    if not isinstance(document, dict):
        raise refusal()
    return document


def form_body(body: bytes) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


# (method, path without its query, the query string, lowercased headers, body) -> the answer.
Dispatch = Callable[[str, str, str, dict[str, str], bytes], Answer]


def serve(dispatch: Dispatch, now: Callable[[], datetime]) -> ThreadingHTTPServer:
    """An HTTP/1.1 server on 127.0.0.1 (a free port) answering every request through `dispatch`."""

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, a kept-alive answer's body can wait ~40 ms
        # for the client's delayed ACK, as no real provider's front end would make it.
        disable_nagle_algorithm = True

        def _dispatch(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            raw_path, _, query = self.path.partition("?")
            path = urllib.parse.unquote(raw_path)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, response_headers, payload = dispatch(self.command, path, query, headers, body)
            try:
                self.send_response(status)
                for name, value in response_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                self.close_connection = True  # the client gave up waiting (a scripted delay)

        do_GET = do_POST = do_PATCH = do_DELETE = _dispatch

        def date_time_string(self, timestamp: float | None = None) -> str:
            return format_datetime(now().astimezone(UTC), usegmt=True)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), name="kith-fake-providers", daemon=True).start()
    return server
