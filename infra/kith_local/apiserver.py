"""A local HTTP API: the role `sam local start-api` plays, without Docker.

Routes come from the HttpApi events in template.yaml. Requests become API
Gateway HTTP API (payload 2.0) events for the same handlers that run in Lambda.
Routes behind the JWT authorizer take a development token instead of a JWT:

    Authorization: Bearer dev:<subject>

and the handler sees `<subject>` as the token's `sub` claim, as it would
behind the real authorizer.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kith_local.lambdas import LocalLambdas
from kith_local.template import HttpRoute

DEV_TOKEN_PREFIX = "dev:"
API_GATEWAY_BODY_LIMIT = 10 * 1024 * 1024


@dataclass
class _CompiledRoute:
    route: HttpRoute
    pattern: re.Pattern[str]


def _compile(route: HttpRoute) -> _CompiledRoute:
    regex = ""
    for part in route.path.strip("/").split("/"):
        if part.endswith("+}"):
            regex += "/(?P<" + part[1:-2] + ">.+)"
        elif part.startswith("{"):
            regex += "/(?P<" + part[1:-1] + ">[^/]+)"
        else:
            regex += "/" + re.escape(part)
    return _CompiledRoute(route, re.compile("^" + regex + "$"))


def dev_subject(authorization: str | None) -> str | None:
    if not authorization or not authorization.startswith("Bearer "):
        return None
    token = authorization.removeprefix("Bearer ").strip()
    if not token.startswith(DEV_TOKEN_PREFIX) or len(token) == len(DEV_TOKEN_PREFIX):
        return None
    return token.removeprefix(DEV_TOKEN_PREFIX)


class LocalApi:
    def __init__(self, lambdas: LocalLambdas, now: Callable[[], datetime]) -> None:
        self.lambdas = lambdas
        self.now = now
        self.routes = [_compile(route) for spec in lambdas.stack.functions.values() for route in spec.routes]
        self.requests = 0

    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, host: str
    ) -> tuple[int, dict[str, str], bytes]:
        self.requests += 1
        if len(body) > API_GATEWAY_BODY_LIMIT:
            return _json(413, {"message": "Request Entity Too Large"})
        for compiled in self.routes:
            match = compiled.pattern.match(path)
            if match is None or compiled.route.method not in {method, "ANY"}:
                continue
            claims = None
            if compiled.route.authorized:
                subject = dev_subject(headers.get("authorization"))
                if subject is None:
                    return _json(401, {"message": "Unauthorized"})
                claims = {"sub": subject}
            event = self.event(compiled.route, method, path, query, headers, body, host, match.groupdict(), claims)
            response = self.lambdas.invoke(compiled.route.function, event)
            return _from_proxy_response(response)
        return _json(404, {"message": "Not Found"})

    def event(
        self,
        route: HttpRoute,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        host: str,
        parameters: dict[str, str],
        claims: dict[str, str] | None,
    ) -> dict[str, Any]:
        now = self.now()
        try:
            text, encoded = body.decode("utf-8"), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode(), True
        context: dict[str, Any] = {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        }
        if claims is not None:
            context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        query_parameters = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        return {
            "version": "2.0",
            "routeKey": f"{route.method} {route.path}",
            "rawPath": path,
            "rawQueryString": query,
            "headers": headers,
            "queryStringParameters": query_parameters or None,
            "pathParameters": parameters,
            "requestContext": context,
            "body": text if body else None,
            "isBase64Encoded": encoded,
        }


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


def _from_proxy_response(response: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    body = response.get("body") or ""
    raw = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
    headers = {name.lower(): str(value) for name, value in (response.get("headers") or {}).items()}
    return int(response.get("statusCode", 200)), headers, raw


def serve(api: LocalApi, port: int = 0) -> ThreadingHTTPServer:
    """Start the API on 127.0.0.1 in a background thread; the server's port tells where."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go in two writes: without this, each answer waits ~40 ms for a delayed ACK.
        disable_nagle_algorithm = True

        def _body(self) -> bytes | None:
            """The request body, sent with a length or in chunks; None when it cannot be read."""
            if self.headers.get("transfer-encoding", "").lower() == "chunked":
                parts: list[bytes] = []
                while True:
                    size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
                    try:
                        size = int(size_line, 16)
                    except ValueError:
                        return None
                    if size == 0:
                        while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(parts)
                    parts.append(self.rfile.read(size))
                    self.rfile.readline(1024)
            try:
                length = int(self.headers.get("content-length") or 0)
            except ValueError:
                return None
            return self.rfile.read(length) if length > 0 else b""

        def _dispatch(self) -> None:
            body = self._body()
            if body is None:
                # As API Gateway does; the connection cannot be trusted for another request.
                self.close_connection = True
                self._answer(*_json(400, {"message": "Bad Request"}))
                return
            path, _, query = self.path.partition("?")
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, response_headers, payload = api.handle(
                self.command, path, query, headers, body, self.headers.get("host", "127.0.0.1")
            )
            self._answer(status, response_headers, payload)

        def _answer(self, status: int, response_headers: dict[str, str], payload: bytes) -> None:
            self.send_response(status)
            for name, value in response_headers.items():
                if name != "content-length":
                    self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

        def log_message(self, format: str, *args: Any) -> None:
            return

    class Server(ThreadingHTTPServer):
        # Fifty clients connecting at once fit in the backlog (socketserver's default is 5).
        request_queue_size = 128

    server = Server(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, name="kith-local-api", daemon=True).start()
    return server
