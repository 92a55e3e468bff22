"""Kith's HTTP API as the command line speaks it: JSON with a bearer token, errors as typed exceptions."""

from __future__ import annotations

import gzip
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kith_cli.errors import ApiError, Unreachable

PAGE = 200


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    payload: bytes

    def json(self) -> Any:
        if not self.payload:
            return None
        try:
            return json.loads(self.payload)
        except ValueError:
            raise Unreachable("the API answered with something that is not JSON: is --api Kith's API?") from None


class Api:
    def __init__(self, base_url: str, token: str | Callable[[], str], timeout: float = 60) -> None:
        """`token` is a bearer token, or what gives one before each request (a stored sign-in renewing itself)."""
        self.base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = raw if raw is not None else json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        token = self._token if isinstance(self._token, str) else self._token()
        request.add_header("authorization", f"Bearer {token}")
        request.add_header("content-type", "application/octet-stream" if raw is not None else "application/json")
        request.add_header("accept-encoding", "gzip")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                reply = Reply(response.status, _lower(response.headers), response.read())
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, _lower(error.headers), error.read())
        except (OSError, http.client.HTTPException) as unreachable:
            reason = getattr(unreachable, "reason", None) or unreachable or type(unreachable).__name__
            raise Unreachable(f"cannot reach {self.base}: {reason}") from None
        reply = _inflated(reply)
        if reply.status >= 500:
            raise Unreachable(f"the API failed: {_error_message(reply.payload)} (HTTP {reply.status})")
        if reply.status >= 400:
            raise ApiError(reply.status, _error_message(reply.payload))
        return reply

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        return self.send(method, path, body, raw=raw).json()

    def every(self, path: str, key: str, query: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a list, following `next_cursor` page after page."""
        found: list[Any] = []
        cursor: str | None = None
        while True:
            params = {**(query or {}), "limit": PAGE, **({"cursor": cursor} if cursor else {})}
            page = self.call("GET", f"{path}?{urllib.parse.urlencode(params)}")
            found.extend(page[key])
            cursor = page.get("next_cursor")
            if not cursor:
                return found


def _lower(headers: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in (headers or {}).items()}


def _inflated(reply: Reply) -> Reply:
    if reply.headers.get("content-encoding") != "gzip":
        return reply
    try:
        return Reply(reply.status, reply.headers, gzip.decompress(reply.payload))
    except (OSError, EOFError):
        raise Unreachable("the API's gzipped answer is cut or corrupt") from None


def _error_message(payload: bytes) -> str:
    """The API's `{"error": ...}` (API Gateway's own answers say `message`)."""
    try:
        document = json.loads(payload)
    except ValueError:
        document = None
    if isinstance(document, dict) and (document.get("error") or document.get("message")):
        return str(document.get("error") or document.get("message"))
    return "no reason given"
