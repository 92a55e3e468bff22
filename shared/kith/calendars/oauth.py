"""OAuth 2.0 for the calendar providers: the consent URL, exchanging an authorization code, refreshing access tokens.

The consent URL asks for the provider's code with PKCE S256 (RFC 7636): the code is exchanged
with the verifier only Kith holds, so a code seen on the way is of no use to anyone else.
Access tokens live in memory only (one warm container reuses one until shortly
before it expires); refresh tokens are stored sealed with KMS. A refresh that
the provider refuses (`invalid_grant`, 401) means the owner revoked access: the
caller marks the connection revoked.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kith.adapters.kms import Vault
from kith.calendars.errors import ProviderAuthError, ProviderMalformedResponse
from kith.calendars.http_client import ProviderHttp
from kith.config import ConfigurationError
from kith.domain.connections import CalendarConnection, Provider

_EARLY = timedelta(seconds=60)


class OAuthApp(BaseModel):
    """Kith's registration with one provider."""

    model_config = ConfigDict(frozen=True)

    authorize_url: str
    token_url: str
    client_id: str
    client_secret: str = Field(repr=False)
    scope: str
    # Added to `scope` when the owner chooses to let Kith see their sent mail (metadata only).
    mail_scope: str = ""
    # What else the provider's consent endpoint is asked for (Google: offline access, Microsoft: the query).
    consent_parameters: Mapping[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_at: datetime
    refresh_token: str | None
    id_token: str | None = None
    # The scopes the provider granted, space-separated, when its token endpoint says (RFC 6749 §5.1).
    scope: str | None = None

    def granted(self, scope: str) -> bool:
        """Whether every scope in `scope` was granted; a provider that does not say granted what was asked."""
        if self.scope is None:
            return True
        return {_scope_name(name) for name in scope.split()} <= {_scope_name(name) for name in self.scope.split()}

    def identity(self) -> dict[str, Any]:
        """The OpenID Connect ID token's claims, {} without one.

        Its signature is not checked: it came straight from the provider's token endpoint over TLS,
        which OpenID Connect Core (3.1.3.7) accepts in place of it. Only what names the account is read.
        """
        if not self.id_token or self.id_token.count(".") != 2:
            return {}
        payload = self.id_token.split(".")[1]
        try:
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
            return {}
        return claims if isinstance(claims, dict) else {}


# Microsoft may answer a Graph permission asked for as `Mail.ReadBasic` with its resource's URL in front,
# and spells permissions in any case.
_GRAPH_RESOURCE = "https://graph.microsoft.com/"


def _scope_name(scope: str) -> str:
    """One scope as granted and as asked for, compared alike: Graph's resource prefix off, in one case."""
    name = unquote(scope)
    if name.lower().startswith(_GRAPH_RESOURCE):
        name = name[len(_GRAPH_RESOURCE) :]
    return name.casefold()


class _TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    access_token: str
    expires_in: int = 3600
    refresh_token: str | None = None
    id_token: str | None = None
    scope: str | None = None


class OAuth:
    def __init__(self, http: ProviderHttp, vault: Vault, apps: dict[Provider, OAuthApp]) -> None:
        self._http = http
        self._vault = vault
        self._apps = apps
        self._cache: dict[str, Tokens] = {}
        self._lock = threading.Lock()

    def scope(self, provider: Provider, *, mail: bool) -> str:
        """The scopes asked for: the calendar's, and the sent mail's when the owner chose it."""
        app = self.app(provider)
        return f"{app.scope} {app.mail_scope}" if mail and app.mail_scope else app.scope

    def app(self, provider: Provider) -> OAuthApp:
        app = self._apps.get(provider)
        if app is None:
            raise ConfigurationError(f"no OAuth client is configured for {provider.value}")
        return app

    def consent_url(
        self, provider: Provider, redirect_uri: str, state: str, code_challenge: str, *, mail: bool = False
    ) -> str:
        """Where the owner's browser goes to consent: the provider's page, asking for the least Kith needs."""
        app = self.app(provider)
        query = {
            "client_id": app.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": self.scope(provider, mail=mail),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            **app.consent_parameters,
        }
        return f"{app.authorize_url}?{urlencode(query, quote_via=quote)}"

    def exchange_code(
        self,
        provider: Provider,
        code: str,
        redirect_uri: str,
        now: datetime,
        code_verifier: str | None = None,
        *,
        mail: bool = False,
    ) -> Tokens:
        app = self.app(provider)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "scope": self.scope(provider, mail=mail),
        }
        if code_verifier is not None:
            form["code_verifier"] = code_verifier
        return self._tokens(self._http.request("POST", app.token_url, form=form).json(), now)

    def seal(self, tokens: Tokens, connection_id: str) -> str | None:
        return self._vault.seal(tokens.refresh_token, connection_id) if tokens.refresh_token else None

    def access_token(self, connection: CalendarConnection, now: datetime) -> tuple[str, str | None]:
        """A valid access token for the connection, and the newly sealed refresh token if the provider rotated it."""
        with self._lock:
            cached = self._cache.get(connection.connection_id)
        if cached is not None and cached.expires_at - _EARLY > now:
            return cached.access_token, None
        if not connection.refresh_token_sealed:
            raise ProviderAuthError("the connection holds no refresh token")
        app = self.app(connection.provider)
        refresh_token = self._vault.open(connection.refresh_token_sealed, connection.connection_id)
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "scope": self.scope(connection.provider, mail=connection.mail),
        }
        tokens = self._tokens(self._http.request("POST", app.token_url, form=form).json(), now)
        with self._lock:
            self._cache[connection.connection_id] = tokens
        rotated = tokens.refresh_token not in (None, refresh_token)
        return tokens.access_token, self.seal(tokens, connection.connection_id) if rotated else None

    def forget(self, connection_id: str) -> None:
        with self._lock:
            self._cache.pop(connection_id, None)

    @staticmethod
    def _tokens(document: object, now: datetime) -> Tokens:
        try:
            response = _TokenResponse.model_validate(document)
        except ValidationError:
            raise ProviderMalformedResponse("the token endpoint answered without an access token") from None
        return Tokens(
            response.access_token,
            now + timedelta(seconds=response.expires_in),
            response.refresh_token,
            response.id_token,
            response.scope,
        )
