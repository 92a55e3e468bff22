"""A local HTTP API: the role `sam local start-api` plays, without Docker.

Routes come from the API Gateway routes in template.yaml. Requests become API
Gateway HTTP API (payload 2.0) events for the same handlers that run in Lambda.
Routes behind the JWT authorizer take a development token instead of a JWT:

    Authorization: Bearer dev:<subject>

and the handler sees `<subject>` as the token's `sub` claim, as it would
behind the real authorizer. Under /dev the server answers what Cognito's
managed login would on a deployed stack: the development sign-in (dev_sign_in),
whose access tokens are such development tokens.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kith_local.dev_sign_in import DEV_TOKEN_PREFIX, DevSignIn
from kith_local.events import Caller, MalformedResponse, Reply, http_event, route_for
from kith_local.lambdas import LocalLambdas

API_GATEWAY_BODY_LIMIT = 10 * 1024 * 1024
# What API Gateway's HTTP API answers when the function fails (500) or answers in a shape it cannot read (502).
FUNCTION_FAILED = 500
MALFORMED_RESPONSE = 502
INTEGRATION_ERROR = {"message": "Internal Server Error"}


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
        self.routes = [route for spec in lambdas.stack.functions.values() for route in spec.routes]
        self.requests = 0
        # Known once the server is bound: it signs in for its own origin only.
        self.sign_in: DevSignIn | None = None

    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, host: str
    ) -> tuple[int, dict[str, str], bytes]:
        self.requests += 1
        if len(body) > API_GATEWAY_BODY_LIMIT:
            return _json(413, {"message": "Request Entity Too Large"})
        if self.sign_in is not None and (path == "/dev" or path.startswith("/dev/")):
            return self.sign_in.handle(method, path, query, headers, body)
        route = route_for(self.routes, method, path)
        if route is None:
            return _json(404, {"message": "Not Found"})
        claims = None
        if route.authorized:
            subject = dev_subject(headers.get("authorization"))
            if subject is None:
                return _json(401, {"message": "Unauthorized"})
            claims = {"sub": subject}
        event = http_event(
            method,
            path,
            self.now(),
            route=f"{route.method} {route.path}",
            query=query,
            headers=headers,
            body=body,
            claims=claims,
            caller=Caller(host=host),
        )
        return self._call(route.function, event)

    def _call(self, function: str, event: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        try:
            response = self.lambdas.invoke(function, event)
        except Exception:
            # An unhandled error ends the invocation, as in Lambda: the client gets API Gateway's answer,
            # the traceback goes to this server's stderr (where Lambda's would go to CloudWatch).
            print(f"{function} raised:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
            return _json(FUNCTION_FAILED, INTEGRATION_ERROR)
        try:
            reply = Reply.of(response)
        except MalformedResponse as malformed:
            print(f"{function} answered in a shape API Gateway cannot read: {malformed}", file=sys.stderr, flush=True)
            return _json(MALFORMED_RESPONSE, INTEGRATION_ERROR)
        return reply.status, dict(reply.headers), reply.content


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


class ApiServer(ThreadingHTTPServer):
    # Fifty clients connecting at once fit in the backlog (socketserver's default is 5).
    request_queue_size = 128
    api: LocalApi


def listen(port: int = 0) -> ApiServer:
    """Bind 127.0.0.1 now and answer once `start` hands over the API: functions can be told the address first."""
    return ApiServer(("127.0.0.1", port), _Handler)


def start(server: ApiServer, api: LocalApi) -> ApiServer:
    host, port = server.server_address[:2]
    api.sign_in = DevSignIn(f"http://{host!s}:{port}", api.now)
    server.api = api
    threading.Thread(target=server.serve_forever, name="kith-local-api", daemon=True).start()
    return server


def serve(api: LocalApi, port: int = 0) -> ApiServer:
    """Start the API on 127.0.0.1 in a background thread; the server's port tells where."""
    return start(listen(port), api)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go in two writes: without this, each answer waits ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True
    server: ApiServer

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
        status, response_headers, payload = self.server.api.handle(
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
