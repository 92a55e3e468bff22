"""The development sign-in: the part Cognito's managed login plays for `make serve`, without Cognito.

The same OAuth 2.0 authorization-code flow with PKCE (S256) the console and `kith login` run against
a deployed stack, on the local server's own origin, under /dev:

    GET  /dev/oauth2/authorize   a page: sign in as a subject and an e-mail address (no password)
    POST /dev/oauth2/authorize   a single-use code (5 minutes), 302 to redirect_uri?code&state
    POST /dev/oauth2/token       authorization_code and refresh_token grants, form-encoded
    POST /dev/oauth2/revoke      a refresh token revoked
    GET  /dev/logout             302 to logout_uri

The access token is the development token the local API accepts (`dev:<subject>`); the ID token is
an unsigned JWT naming the subject and the address. Codes and refresh tokens live in memory,
bounded, behind a lock (the server answers each request on its own thread).
"""

from __future__ import annotations

import base64
import hmac
import html
import json
import re
import secrets
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from kith.calendars.consent_state import code_challenge
from kith.domain.models import normalise_email, owner_id_from_subject
from kith.errors import Unauthorized

CLIENT_ID = "kith-local-console"
# The demo owner (demo.py's OWNER_ID and address; a test holds them equal): `serve --demo` seeds them.
PREFILLED_SUBJECT = "owner-ada"
PREFILLED_EMAIL = "ada@example.com"
DEV_TOKEN_PREFIX = "dev:"
CODE_LIFETIME = timedelta(minutes=5)
TOKEN_LIFETIME = timedelta(hours=1)
MOST_CODES = 1000
MOST_REFRESH_TOKENS = 1000
MOST_FORM_BYTES = 16 * 1024
# RFC 7636: a verifier is 43 to 128 unreserved characters; an S256 challenge, 32 bytes in base64url.
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MOST_STATE_CHARACTERS = 2048
AUTHORIZE_FIELDS = ("response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method")

Answer = tuple[int, dict[str, str], bytes]
T = TypeVar("T")


@dataclass(frozen=True)
class AuthorizeRequest:
    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    scope: str

    def fields(self) -> dict[str, str]:
        return {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
            "scope": self.scope,
        }


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str


@dataclass(frozen=True)
class IssuedCode:
    request: AuthorizeRequest
    identity: Identity
    expires_at: datetime


@dataclass(frozen=True)
class RefreshGrant:
    client_id: str
    identity: Identity


class Refused(Exception):
    """An authorize request this sign-in will not serve: answered with a page saying why, never a redirect."""


class TokenRefused(Exception):
    """A token request refused, as OAuth words it: `{"error": code, "error_description": why}` with 400."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code


def unsigned_jwt(claims: Mapping[str, Any]) -> str:
    def part(document: Mapping[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode("ascii")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class DevSignIn:
    def __init__(
        self,
        origin: str,
        now: Callable[[], datetime],
        prefilled: Identity = Identity(PREFILLED_SUBJECT, PREFILLED_EMAIL),
    ) -> None:
        self.origin = origin.rstrip("/")
        self.now = now
        self.prefilled = prefilled
        self._codes: OrderedDict[str, IssuedCode] = OrderedDict()
        self._refresh: OrderedDict[str, RefreshGrant] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def redirect_uris(self) -> tuple[str, str]:
        return (f"{self.origin}/console/", f"{self.origin}/console/cli.html")

    def handle(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Answer:
        routes: dict[tuple[str, str], Callable[[str, Mapping[str, str], bytes], Answer]] = {
            ("GET", "/dev/oauth2/authorize"): self._authorize_page,
            ("POST", "/dev/oauth2/authorize"): self._authorize_decision,
            ("POST", "/dev/oauth2/token"): self._token,
            ("POST", "/dev/oauth2/revoke"): self._revoke,
            ("GET", "/dev/logout"): self._logout,
        }
        route = routes.get((method, path))
        if route is None:
            known = {known_path for _, known_path in routes}
            if path in known:
                return _page(405, "Not this way", "This address of the development sign-in takes another method.")
            return _page(404, "Not found", "The development sign-in has no page at this address.")
        return route(query, headers, body)

    # -- authorize -----------------------------------------------------------------------------------

    def _authorize_page(self, query: str, headers: Mapping[str, str], body: bytes) -> Answer:
        try:
            request = self._authorize_request(_single_values(query))
        except Refused as refused:
            return _page(400, "This sign-in cannot go on", str(refused))
        return _sign_in_form(200, request, self.prefilled, problem=None)

    def _authorize_decision(self, query: str, headers: Mapping[str, str], body: bytes) -> Answer:
        try:
            form = _single_values(_form_text(headers, body))
            request = self._authorize_request(form)
        except Refused as refused:
            return _page(400, "This sign-in cannot go on", str(refused))
        if form.get("action") == "cancel":
            return _redirect(request.redirect_uri, {"error": "access_denied", "state": request.state})
        typed = Identity(form.get("subject", ""), form.get("email", ""))
        try:
            identity = _identity(typed)
        except Refused as refused:
            return _sign_in_form(400, request, typed, problem=str(refused))
        code = secrets.token_urlsafe(32)
        with self._lock:
            _purge_expired(self._codes, self.now())
            _keep(self._codes, code, IssuedCode(request, identity, self.now() + CODE_LIFETIME), MOST_CODES)
        return _redirect(request.redirect_uri, {"code": code, "state": request.state})

    def _authorize_request(self, fields: Mapping[str, str]) -> AuthorizeRequest:
        if not any(fields.get(name) for name in AUTHORIZE_FIELDS):
            raise Refused(
                "This is Kith's development sign-in. It is reached from the console's Sign in button "
                f"({self.origin}/console/) or from `kith login --api {self.origin}`, not on its own."
            )
        if fields.get("client_id") != CLIENT_ID:
            raise Refused(f"The application asking to sign you in is unknown here: the only client is {CLIENT_ID}.")
        if fields.get("redirect_uri") not in self.redirect_uris:
            raise Refused(
                "The address to return to after signing in is not this server's console: "
                f"it must be {' or '.join(self.redirect_uris)}."
            )
        if fields.get("response_type") != "code":
            raise Refused("The request does not ask for an authorization code (response_type=code).")
        if fields.get("code_challenge_method") != "S256" or not _CHALLENGE.match(fields.get("code_challenge", "")):
            raise Refused("The request carries no PKCE challenge (code_challenge with code_challenge_method=S256).")
        state = fields.get("state", "")
        if not state:
            raise Refused("The request carries no state, so its answer could not be checked: nothing was done.")
        if len(state) > MOST_STATE_CHARACTERS or not state.isprintable():
            raise Refused(f"The request's state is not printable text of at most {MOST_STATE_CHARACTERS} characters.")
        return AuthorizeRequest(
            fields["client_id"], fields["redirect_uri"], state, fields["code_challenge"], fields.get("scope", "")
        )

    # -- tokens --------------------------------------------------------------------------------------

    def _token(self, query: str, headers: Mapping[str, str], body: bytes) -> Answer:
        try:
            try:
                form = _single_values(_form_text(headers, body))
            except Refused as refused:
                raise TokenRefused("invalid_request", str(refused)) from None
            grant = form.get("grant_type")
            if grant == "authorization_code":
                return _json(200, self._code_grant(form))
            if grant == "refresh_token":
                return _json(200, self._refresh_grant(form))
            raise TokenRefused("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
        except TokenRefused as refused:
            return _json(400, {"error": refused.code, "error_description": str(refused)})

    def _code_grant(self, form: Mapping[str, str]) -> dict[str, Any]:
        _required(form, "code", "redirect_uri", "client_id", "code_verifier")
        with self._lock:
            # Spent by any attempt, a right one or a wrong one: a code is never tried twice.
            issued = self._codes.pop(form["code"], None)
        if issued is None:
            raise TokenRefused("invalid_grant", "the code is unknown or was already used")
        if self.now() >= issued.expires_at:
            raise TokenRefused("invalid_grant", "the code has expired: sign in again")
        if form["client_id"] != issued.request.client_id:
            raise TokenRefused("invalid_client", "the code was issued to another client")
        if form["redirect_uri"] != issued.request.redirect_uri:
            raise TokenRefused("invalid_grant", "redirect_uri is not the one the code was issued for")
        verifier = form["code_verifier"]
        if not _VERIFIER.match(verifier) or not hmac.compare_digest(
            code_challenge(verifier), issued.request.code_challenge
        ):
            raise TokenRefused("invalid_grant", "code_verifier does not match the code_challenge")
        refresh_token = secrets.token_urlsafe(32)
        with self._lock:
            grant = RefreshGrant(issued.request.client_id, issued.identity)
            _keep(self._refresh, refresh_token, grant, MOST_REFRESH_TOKENS)
        return {**self._tokens(issued.identity, issued.request.client_id), "refresh_token": refresh_token}

    def _refresh_grant(self, form: Mapping[str, str]) -> dict[str, Any]:
        _required(form, "refresh_token", "client_id")
        with self._lock:
            grant = self._refresh.get(form["refresh_token"])
        if grant is None:
            raise TokenRefused("invalid_grant", "the refresh token is unknown or was revoked: sign in again")
        if form["client_id"] != grant.client_id:
            raise TokenRefused("invalid_client", "the refresh token was issued to another client")
        # As Cognito does, without a new refresh token: the one the client holds stays valid.
        return self._tokens(grant.identity, grant.client_id)

    def _tokens(self, identity: Identity, client_id: str) -> dict[str, Any]:
        issued_at = self.now()
        claims = {
            "iss": f"{self.origin}/dev",
            "aud": client_id,
            "sub": identity.subject,
            "email": identity.email,
            "token_use": "id",
            "iat": int(issued_at.timestamp()),
            "exp": int((issued_at + TOKEN_LIFETIME).timestamp()),
        }
        return {
            "access_token": DEV_TOKEN_PREFIX + identity.subject,
            "id_token": unsigned_jwt(claims),
            "expires_in": int(TOKEN_LIFETIME.total_seconds()),
            "token_type": "Bearer",
        }

    def _revoke(self, query: str, headers: Mapping[str, str], body: bytes) -> Answer:
        try:
            try:
                form = _single_values(_form_text(headers, body))
            except Refused as refused:
                raise TokenRefused("invalid_request", str(refused)) from None
            _required(form, "token", "client_id")
            with self._lock:
                grant = self._refresh.get(form["token"])
                if grant is not None and grant.client_id != form["client_id"]:
                    raise TokenRefused("invalid_client", "the token was issued to another client")
                self._refresh.pop(form["token"], None)
        except TokenRefused as refused:
            return _json(400, {"error": refused.code, "error_description": str(refused)})
        return 200, {"cache-control": "no-store"}, b""

    # -- logout --------------------------------------------------------------------------------------

    def _logout(self, query: str, headers: Mapping[str, str], body: bytes) -> Answer:
        try:
            fields = _single_values(query)
        except Refused as refused:
            return _page(400, "Signing out cannot go on", str(refused))
        if fields.get("client_id") != CLIENT_ID:
            unknown = f"The application is unknown here: the only client is {CLIENT_ID}."
            return _page(400, "Signing out cannot go on", unknown)
        logout_uri = fields.get("logout_uri", "")
        if not logout_uri.startswith(self.origin + "/"):
            return _page(400, "Signing out cannot go on", f"The address to return to is not on {self.origin}.")
        return 302, {"location": logout_uri, "cache-control": "no-store"}, b""


def _identity(typed: Identity) -> Identity:
    try:
        subject = owner_id_from_subject(typed.subject.strip())
    except Unauthorized:
        raise Refused("The subject must be 1 to 128 printable ASCII characters, without spaces or #.") from None
    try:
        email = normalise_email(typed.email)
    except ValueError:
        raise Refused("The e-mail address is not one: it needs a name, an @ and a domain.") from None
    return Identity(subject, email)


def _required(form: Mapping[str, str], *names: str) -> None:
    missing = [name for name in names if not form.get(name)]
    if missing:
        raise TokenRefused("invalid_request", f"missing {', '.join(missing)}")


def _form_text(headers: Mapping[str, str], body: bytes) -> str:
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise Refused("The request must be a form (application/x-www-form-urlencoded).")
    if len(body) > MOST_FORM_BYTES:
        raise Refused(f"The form is longer than {MOST_FORM_BYTES} bytes.")
    try:
        return body.decode("ascii")
    except UnicodeDecodeError:
        raise Refused("The form is not URL-encoded text.") from None


def _single_values(encoded: str) -> dict[str, str]:
    """The fields of a query or form; a field given twice is refused rather than one of its values chosen."""
    try:
        pairs = urllib.parse.parse_qsl(encoded, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Refused("A field of the request is not UTF-8 text.") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise Refused(f"The request gives {name} more than once.")
        fields[name] = value
    return fields


def _purge_expired(codes: OrderedDict[str, IssuedCode], now: datetime) -> None:
    for code in [code for code, issued in codes.items() if issued.expires_at <= now]:
        del codes[code]


def _keep(store: OrderedDict[str, T], key: str, value: T, most: int) -> None:
    """Kept in a store of at most `most` entries: the oldest go first."""
    while len(store) >= most:
        store.popitem(last=False)
    store[key] = value


def _redirect(uri: str, parameters: Mapping[str, str]) -> Answer:
    return 302, {"location": f"{uri}?{urllib.parse.urlencode(parameters)}", "cache-control": "no-store"}, b""


def _json(status: int, document: Mapping[str, Any]) -> Answer:
    headers = {"content-type": "application/json", "cache-control": "no-store", "pragma": "no-cache"}
    return status, headers, json.dumps(document).encode()


def _escaped(text: str) -> str:
    return html.escape(text, quote=True)


PAGE_HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def _document(status: int, title: str, content: str) -> Answer:
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_escaped(title)} · Kith</title>\n"
        # The console's look, from the console's own stylesheet on this origin.
        '<link rel="icon" href="/console/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/console/app.css">\n</head>\n<body>\n<main id="main">\n'
        f'<div class="signed-out">\n<h1>{_escaped(title)}</h1>\n{content}</div>\n</main>\n</body>\n</html>\n'
    )
    return status, dict(PAGE_HEADERS), page.encode()


def _page(status: int, title: str, sentence: str) -> Answer:
    return _document(status, title, f"<p>{_escaped(sentence)}</p>\n")


def _sign_in_form(status: int, request: AuthorizeRequest, shown: Identity, problem: str | None) -> Answer:
    hidden = "".join(
        f'<input type="hidden" name="{_escaped(name)}" value="{_escaped(value)}">\n'
        for name, value in request.fields().items()
    )
    alert = f'<p class="form-error" role="alert" id="problem">{_escaped(problem)}</p>\n' if problem else ""
    described = ' aria-describedby="problem"' if problem else ""
    content = (
        "<p>This is the local development sign-in of <code>make serve</code>: there is no password. "
        "Choose whom to sign in as; the subject names the owner in Kith's table.</p>\n"
        f'{alert}<form method="post" action="/dev/oauth2/authorize">\n{hidden}'
        '<div class="field"><label for="subject">Subject</label>\n'
        f'<input id="subject" name="subject" required maxlength="128" autocomplete="username"'
        f' value="{_escaped(shown.subject)}"{described}></div>\n'
        '<div class="field"><label for="email">E-mail</label>\n'
        f'<input id="email" name="email" type="email" required maxlength="254" autocomplete="email"'
        f' value="{_escaped(shown.email)}"{described}></div>\n'
        '<p class="actions">\n'
        '<button class="btn btn-primary" type="submit" name="action" value="sign-in">Sign in</button>\n'
        '<button class="btn" type="submit" name="action" value="cancel" formnovalidate>Cancel</button></p>\n'
        "</form>\n"
    )
    return _document(status, "Sign in to Kith (development)", content)
