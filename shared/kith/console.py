"""The web console as the HTTP API serves it: its files, read once, and the sign-in settings the browser reads.

Only the standard library: the console function's cold start pays for no AWS client and no validation
library. Files are read from the function's own folder once per cold start and answered from memory,
so no request ever opens a path it names; a name that tries to leave the folder is refused before
that. Every answer carries the console's security headers.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

CONSOLE_PREFIX = "/console/"
SCOPES = "openid email profile"
# What a file's extension says it is; files of other kinds are not served.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# Already compressed formats gain nothing from gzip.
_INCOMPRESSIBLE = {".png"}
_MIN_GZIP_BYTES = 256


@dataclass(frozen=True)
class SignIn:
    """Where the console sends a person to sign in: the OAuth server's base URL and the console's client."""

    auth_url: str
    client_id: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SignIn:
        return cls(
            environ.get("KITH_AUTH_URL", "").strip().rstrip("/"), environ.get("KITH_CONSOLE_CLIENT_ID", "").strip()
        )

    @property
    def origin(self) -> str | None:
        """scheme://host[:port] of the OAuth server, or None when sign-in is not configured (or not a web URL)."""
        if not self.client_id:
            return None
        parts = urlsplit(self.auth_url)
        if parts.scheme not in {"https", "http"} or not parts.netloc:
            return None
        return f"{parts.scheme}://{parts.netloc}"

    def config(self) -> dict[str, Any]:
        """config.json: the OAuth endpoints (Cognito's paths), or auth null when this stack has no sign-in."""
        if self.origin is None:
            return {"auth": None}
        return {
            "auth": {
                "authorize_url": f"{self.auth_url}/oauth2/authorize",
                "token_url": f"{self.auth_url}/oauth2/token",
                "logout_url": f"{self.auth_url}/logout",
                # Cognito's revocation endpoint (the client enables it): `kith logout` ends the refresh token too.
                "revoke_url": f"{self.auth_url}/oauth2/revoke",
                "client_id": self.client_id,
                "scopes": SCOPES,
            }
        }


class ConsoleFile:
    """One file of the console, with its validator; its gzip form is made the first time a client asks for it."""

    def __init__(self, body: bytes, extension: str) -> None:
        self.body = body
        self.content_type = CONTENT_TYPES[extension]
        self.compressible = extension not in _INCOMPRESSIBLE and len(body) >= _MIN_GZIP_BYTES
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        # A strong validator names one representation: the gzip form has its own.
        self.gzip_etag = self.etag[:-1] + '.gz"'

    @cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.body, compresslevel=9, mtime=0)


def read_files(folder: Path) -> dict[str, ConsoleFile]:
    """Every servable file under folder by its path relative to it (a/b.js); hidden files and other kinds left out."""
    found: dict[str, ConsoleFile] = {}
    if not folder.is_dir():
        return found
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        for name in sorted(names):
            path = Path(directory) / name
            extension = path.suffix.lower()
            if name.startswith(".") or extension not in CONTENT_TYPES or not path.is_file():
                continue
            found[path.relative_to(folder).as_posix()] = ConsoleFile(path.read_bytes(), extension)
    return found


@dataclass(frozen=True)
class Request:
    method: str
    raw_path: str
    headers: Mapping[str, str]

    @property
    def https(self) -> bool:
        return self.headers.get("x-forwarded-proto", "").lower() == "https"

    def accepts_gzip(self) -> bool:
        accepted: dict[str, float] = {}
        for part in self.headers.get("accept-encoding", "").split(","):
            coding, *parameters = (piece.strip() for piece in part.split(";"))
            quality = 1.0
            for parameter in parameters:
                key, _, value = parameter.partition("=")
                if key.strip().lower() == "q":
                    try:
                        quality = float(value)
                    except ValueError:
                        quality = 0.0
            if coding:
                accepted[coding.lower()] = quality
        return accepted.get("gzip", accepted.get("*", 0.0)) > 0

    def none_match(self) -> set[str]:
        """The validators in If-None-Match, weak or strong alike (RFC 9110 compares them weakly here)."""
        tags = {tag.strip().removeprefix("W/") for tag in self.headers.get("if-none-match", "").split(",")}
        return {tag for tag in tags if tag}


def request_of(event: Mapping[str, Any]) -> Request:
    """The parts of an API Gateway HTTP API (payload 2.0) event the console reads."""
    context = event.get("requestContext") or {}
    http = context.get("http") or {}
    headers = {str(name).lower(): str(value) for name, value in (event.get("headers") or {}).items()}
    raw_path = event.get("rawPath") or http.get("path") or "/"
    return Request(str(http.get("method") or "GET").upper(), str(raw_path), headers)


def file_name(raw_path: str) -> str | None:
    """The file a /console/<name> path asks for, or None when the name tries to leave the folder or hide itself.

    Read after one percent-decoding, as a server that decoded it would. Refused: '..' or '.' segments
    (encoded or not), empty segments (an absolute name), backslashes, control characters, an encoded
    slash and an encoded percent sign (a second decoding would read another name).
    """
    raw = raw_path.removeprefix(CONSOLE_PREFIX)
    name = unquote(raw, errors="strict") if "%" in raw else raw
    if name.count("/") != raw.count("/") or "%" in name or "\\" in name:
        return None
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in name):
        return None
    segments = name.split("/")
    if any(segment in {"", ".", ".."} for segment in segments):
        return None
    return name


class Console:
    def __init__(self, files: Mapping[str, ConsoleFile], sign_in: SignIn) -> None:
        self.files = files
        self.sign_in = sign_in
        origin = sign_in.origin
        auth = f" {origin}" if origin else ""
        self.policy = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'{auth}; form-action 'self'{auth}; base-uri 'none'; frame-ancestors 'none'"
        )

    def answer(self, request: Request) -> dict[str, Any]:
        if request.method != "GET":
            return self._page(request, 405, "Not allowed", "The console's pages are read with GET.", Allow="GET")
        path = request.raw_path
        # The console's page names its files relative to /console/: it is always read there.
        if path in {"/", "/console"}:
            return self._answer(request, 302, Location=CONSOLE_PREFIX, **{"Cache-Control": "no-cache"})
        if path == CONSOLE_PREFIX:
            return self._file(request, "index.html")
        if not path.startswith(CONSOLE_PREFIX):
            return self._not_found(request)
        try:
            name = file_name(path)
        except UnicodeDecodeError:
            name = None
        if name is None:
            return self._page(
                request,
                400,
                "Not a console address",
                "This address names no file of the console: a name with '..', a backslash, an encoded "
                "slash or a control character is refused.",
            )
        if name == "config.json":
            body = json.dumps(self.sign_in.config(), separators=(",", ":"))
            return self._answer(
                request,
                200,
                body,
                **{"Content-Type": "application/json", "Cache-Control": "no-cache"},
            )
        return self._file(request, name)

    def _file(self, request: Request, name: str) -> dict[str, Any]:
        file = self.files.get(name)
        if file is None:
            return self._not_found(request)
        zipped = file.compressible and request.accepts_gzip()
        etag = file.gzip_etag if zipped else file.etag
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if file.compressible:
            headers["Vary"] = "Accept-Encoding"
        if request.none_match() & {file.etag, file.gzip_etag, "*"}:
            return self._answer(request, 304, **headers)
        headers["Content-Type"] = file.content_type
        if zipped:
            headers["Content-Encoding"] = "gzip"
        body = file.gzipped if zipped else file.body
        return {
            **self._answer(request, 200, **headers),
            "body": base64.b64encode(body).decode(),
            "isBase64Encoded": True,
        }

    def _not_found(self, request: Request) -> dict[str, Any]:
        return self._page(request, 404, "Not found", "The console has no page or file at this address.")

    def _page(self, request: Request, status: int, title: str, sentence: str, **headers: str) -> dict[str, Any]:
        html = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title} · Kith</title></head><body><main><h1>{title}</h1><p>{sentence}</p>"
            f'<p><a href="{CONSOLE_PREFIX}">Open the Kith console</a></p></main></body></html>'
        )
        headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", **headers}
        return self._answer(request, status, html, **headers)

    def _answer(self, request: Request, status: int, body: str = "", **headers: str) -> dict[str, Any]:
        security = {
            "Content-Security-Policy": self.policy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        if request.https:
            security["Strict-Transport-Security"] = "max-age=31536000"
        return {"statusCode": status, "headers": {**security, **headers}, "body": body, "isBase64Encoded": False}


class ConsoleRuntime:
    """The console function's one dependency, built on first use: its files and the sign-in settings.

    Like kith.runtime.Runtime, it reads the environment it is given (the process's by default), not at import.
    """

    def __init__(self, folder: Path, environ: Mapping[str, str] | None = None) -> None:
        self.folder = folder
        self._environ = environ

    def with_environ(self, environ: Mapping[str, str]) -> ConsoleRuntime:
        return ConsoleRuntime(self.folder, environ)

    @cached_property
    def console(self) -> Console:
        environ = self._environ if self._environ is not None else os.environ
        return Console(read_files(self.folder), SignIn.from_environ(environ))
