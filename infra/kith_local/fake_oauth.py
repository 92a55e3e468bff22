"""Google's and Microsoft's OAuth 2.0 endpoints, faked: consent (see fake_consent), code exchange and refresh.

    GET|POST /google/o/oauth2/v2/auth                    consent page, then back to redirect_uri
    POST /google/token                                   token endpoint (code with PKCE, refresh_token)
    GET|POST /microsoft/{tenant}/oauth2/v2.0/authorize   consent page, then back to redirect_uri
    POST /microsoft/{tenant}/oauth2/v2.0/token           identity platform v2.0 token endpoint (code with PKCE)

An authorization code comes only from a consent given on the fake's page; the token endpoint checks
its client, redirect_uri and PKCE verifier, once. The access tokens it issues are what the fake
calendar APIs accept (`access`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kith_local import fake_consent
from kith_local.clock import Clock
from kith_local.fake_consent import ConsentError, ConsentRequest
from kith_local.fake_http import Answer, Provider, Refusal, Route, form_body, json_answer, rfc3339

GOOGLE_CLIENT = ("kith-local-google.apps.googleusercontent.com", "kith-local-google-secret")
MICROSOFT_CLIENT = ("00000000-0000-4000-8000-00000000c1d0", "kith-local-microsoft-secret")
ACCESS_TOKEN_SECONDS = 3599
_CLIENTS: dict[Provider, tuple[str, str]] = {"google": GOOGLE_CLIENT, "microsoft": MICROSOFT_CLIENT}
_GOOGLE_AUTHORIZE = "/google/o/oauth2/v2/auth"
_MICROSOFT_AUTHORIZE = re.compile(r"/microsoft/(?P<tenant>[^/]+)/oauth2/v2\.0/authorize")


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str


@dataclass
class Grant:
    provider: Provider
    scope: str
    revoked: bool = False
    # Set for a code given at a consent: what the token endpoint checks it is exchanged with.
    redirect_uri: str | None = None
    code_challenge: str | None = None
    offline: bool = True


def bearer(headers: Mapping[str, str]) -> str:
    authorization = headers.get("authorization", "")
    return authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else ""


def _s256(verifier: str) -> str:
    """PKCE S256 as the provider computes it: its own code, not Kith's, so the check tests Kith's challenge."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class FakeOAuth:
    """Both providers' consent and token endpoints; `account(provider)` names the account that consents."""

    def __init__(self, clock: Clock, lock: threading.Lock, account: Callable[[Provider], str]) -> None:
        self.clock = clock
        self._lock = lock
        self._account = account
        self._codes: dict[str, Grant] = {}
        self._consents: dict[str, ConsentRequest] = {}
        self._refresh: dict[str, Grant] = {}
        self._access: dict[str, tuple[Grant, datetime]] = {}
        # Scopes Microsoft leaves out of what it grants, asked or not (a tenant's consent policy, say).
        self.withheld: set[str] = set()
        # Microsoft names Graph's permissions in a token answer as asked, or by their resource's URL.
        self.graph_scope_urls = False

    # -- test controls -----------------------------------------------------------------------

    def grant(self, provider: Provider, scope: str = "") -> Tokens:
        """Consent and code exchange in one step, for tests of the provider APIs after them (no Kith involved)."""
        with self._lock:
            return self._issue(Grant(provider, scope), refresh=None)

    def revoke_refresh_token(self, refresh_token: str) -> None:
        """The owner removed Kith's access: the refresh token and every access token of its grant stop working."""
        with self._lock:
            self._refresh[refresh_token].revoked = True

    def access(self, provider: Provider, headers: Mapping[str, str]) -> Grant | None:
        """The grant of the live access token a request bears for `provider`'s API, if it bears one."""
        held = self._access.get(bearer(headers))
        if held is not None and held[0].provider == provider and not held[0].revoked and self.clock.now() < held[1]:
            return held[0]
        return None

    # -- routes ------------------------------------------------------------------------------

    @property
    def routes(self) -> list[Route]:
        google_path = re.compile(re.escape(_GOOGLE_AUTHORIZE))
        return [
            ("GET", google_path, lambda _, q, __, ___: self._consent_page("google", q, _GOOGLE_AUTHORIZE)),
            ("POST", google_path, lambda _, __, ___, body: self._consent_decision("google", form_body(body))),
            ("GET", _MICROSOFT_AUTHORIZE, self._microsoft_consent_page),
            (
                "POST",
                _MICROSOFT_AUTHORIZE,
                lambda _, __, ___, body: self._consent_decision("microsoft", form_body(body)),
            ),
            ("POST", re.compile(r"/google/token"), lambda _, __, ___, body: self._token("google", form_body(body))),
            (
                "POST",
                re.compile(r"/microsoft/[^/]+/oauth2/v2\.0/token"),
                lambda _, __, ___, body: self._token("microsoft", form_body(body)),
            ),
        ]

    def _microsoft_consent_page(
        self, match: dict[str, str], q: dict[str, str], _: Mapping[str, str], __: bytes
    ) -> Answer:
        return self._consent_page("microsoft", q, f"/microsoft/{match['tenant']}/oauth2/v2.0/authorize")

    # -- consent -----------------------------------------------------------------------------

    def _consent_page(self, provider: Provider, query: dict[str, str], path: str) -> Answer:
        """GET the authorize URL: the consent page for a sound request, else the provider's refusal."""
        try:
            request = fake_consent.read_request(provider, query, _CLIENTS[provider][0])
        except ConsentError as refused:
            return fake_consent.refusal(provider, refused)
        request_id = fake_consent.new_request_id()
        self._consents[request_id] = request
        return fake_consent.page(provider, request_id, request, self._account(provider), path)

    def _consent_decision(self, provider: Provider, form: dict[str, str]) -> Answer:
        """POST the consent page's form: back to the client with a code, or with access_denied."""
        request = self._consents.pop(form.get("request", ""), None)
        if request is None or request.provider != provider:
            refused = ConsentError("invalid_request", "This consent page has expired or was used: start again.")
            return fake_consent.error_page(provider, refused)
        if form.get("decision") != "allow":
            denied = ConsentError("access_denied", "The user declined.", request.redirect_uri, request.state)
            return fake_consent.refusal(provider, denied)
        code = ("4/0A" if provider == "google" else "M.C5") + secrets.token_urlsafe(32)
        self._codes[code] = Grant(
            provider,
            request.scope,
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            offline=request.offline,
        )
        answer: dict[str, str | None] = {"code": code, "state": request.state}
        if provider == "google":
            answer["scope"] = request.scope
        return fake_consent.redirect(request.redirect_uri, answer)

    # -- the token endpoint ------------------------------------------------------------------

    def _token(self, provider: Provider, form: dict[str, str]) -> Answer:
        if (form.get("client_id"), form.get("client_secret")) != _CLIENTS[provider]:
            raise self._refusal(provider, 401, "invalid_client", "The OAuth client was not found.")
        kind = form.get("grant_type")
        if kind == "authorization_code":
            grant = self._exchanged_code(provider, form)
            tokens = self._issue(grant, refresh=None)
        elif kind == "refresh_token":
            grant = self._refreshed_grant(provider, form)
            # Google keeps the refresh token; Microsoft hands out a new one with each refresh.
            tokens = self._issue(grant, refresh=form["refresh_token"] if provider == "google" else None)
        else:
            raise self._refusal(provider, 400, "unsupported_grant_type", f"Invalid grant_type: {kind}")
        return json_answer(200, self._token_answer(provider, kind, grant, tokens), {"cache-control": "no-store"})

    def _exchanged_code(self, provider: Provider, form: dict[str, str]) -> Grant:
        grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or grant.provider != provider:
            raise self._refusal(provider, 400, "invalid_grant", "Malformed auth code.")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise self._refusal(
                provider, 400, "invalid_grant", "redirect_uri does not match the authorization request's."
            )
        verifier = form.get("code_verifier", "")
        if grant.code_challenge is not None and _s256(verifier) != grant.code_challenge:
            raise self._refusal(provider, 400, "invalid_grant", "Invalid code verifier.")
        if provider == "microsoft":
            asked = form.get("scope", grant.scope).split()
            grant.scope = " ".join(scope for scope in asked if scope not in self.withheld)
        return grant

    def _refreshed_grant(self, provider: Provider, form: dict[str, str]) -> Grant:
        held = self._refresh.get(form.get("refresh_token", ""))
        if held is None or held.revoked or held.provider != provider:
            raise self._refusal(provider, 400, "invalid_grant", "Token has been expired or revoked.")
        return held

    def _token_answer(self, provider: Provider, kind: str, grant: Grant, tokens: Tokens) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "access_token": tokens.access_token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "token_type": "Bearer",
            "scope": grant.scope,
        }
        if provider == "microsoft":
            answer["ext_expires_in"] = ACCESS_TOKEN_SECONDS
            if self.graph_scope_urls:
                answer["scope"] = " ".join(_graph_url(scope) for scope in grant.scope.split())
        if _hands_refresh_token(provider, kind, grant):
            answer["refresh_token"] = tokens.refresh_token
        if provider == "google" and kind == "authorization_code" and "openid" in grant.scope.split():
            answer["id_token"] = self._id_token(GOOGLE_CLIENT[0])
        return answer

    def _refusal(self, provider: Provider, status: int, error: str, description: str) -> Refusal:
        body: dict[str, Any] = {"error": error, "error_description": description}
        if provider == "microsoft":
            body |= {"error_codes": [70000], "timestamp": rfc3339(self.clock.now()), "trace_id": secrets.token_hex(8)}
        return Refusal(status, body)

    def _id_token(self, client_id: str) -> str:
        """An OpenID Connect ID token naming the consenting account (signed with nothing Kith checks)."""
        now = int(self.clock.now().timestamp())
        claims = {
            "iss": "https://accounts.google.com",
            "azp": client_id,
            "aud": client_id,
            "sub": "110169484474386276334",
            "email": self._account("google"),
            "email_verified": True,
            "iat": now,
            "exp": now + ACCESS_TOKEN_SECONDS,
        }
        header = {"alg": "RS256", "kid": "fake-kith-local", "typ": "JWT"}
        parts = [json.dumps(part, separators=(",", ":")).encode() for part in (header, claims)]
        encoded = [base64.urlsafe_b64encode(part).rstrip(b"=").decode() for part in parts]
        return ".".join([*encoded, secrets.token_urlsafe(64)])

    def _issue(self, grant: Grant, refresh: str | None) -> Tokens:
        access = (
            f"ya29.{secrets.token_urlsafe(24)}" if grant.provider == "google" else f"eyJ0{secrets.token_urlsafe(24)}"
        )
        refresh = refresh or f"1//{secrets.token_urlsafe(24)}"
        self._access[access] = (grant, self.clock.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS))
        self._refresh[refresh] = grant
        return Tokens(access, refresh)


def _graph_url(scope: str) -> str:
    return (
        scope if scope in {"openid", "email", "profile", "offline_access"} else f"https://graph.microsoft.com/{scope}"
    )


def _hands_refresh_token(provider: Provider, kind: str, grant: Grant) -> bool:
    """Google returns a refresh token with the code exchange of an offline consent; Microsoft with every grant
    that has offline_access."""
    if provider == "google":
        return kind == "authorization_code" and grant.offline
    return "offline_access" in grant.scope.split()
