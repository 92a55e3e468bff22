"""Signing in as the stack's sign-in server expects: OAuth 2.0 authorization code with PKCE (S256).

The server is Cognito's managed login on a deployed stack and the development sign-in of `make serve`
locally; the console's config.json names it, and nothing here tells the two apart.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import ipaddress
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from kith_cli.errors import Refused, Unreachable

SCOPES = "openid email profile"
TIMEOUT = 30


class OAuthRefused(Exception):
    """The sign-in server said no (an OAuth error such as invalid_grant): nothing it gave is usable."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(f"{code}: {description}" if description else code)
        self.code = code


@dataclass(frozen=True)
class SignInConfig:
    """Where the stack signs people in: the `auth` part of <api>/console/config.json."""

    authorize_url: str
    token_url: str
    client_id: str
    scopes: str = SCOPES
    revoke_url: str | None = None


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    id_token: str | None
    refresh_token: str | None


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(64)
        return cls(verifier, s256(verifier))


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state(port: int) -> str:
    """The loopback port, which the console's relay page forwards to, and a secret this login alone knows."""
    return f"{port}.{secrets.token_urlsafe(32)}"


def authorize_url(config: SignInConfig, redirect_uri: str, state: str, challenge: str) -> str:
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": config.client_id,
            "redirect_uri": redirect_uri,
            "scope": config.scopes,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{config.authorize_url}{'&' if '?' in config.authorize_url else '?'}{query}"


def fetch_config(api: str) -> SignInConfig:
    url = f"{api}/console/config.json"
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=TIMEOUT) as response:
            payload = response.read()
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise Unreachable(f"{url} failed (HTTP {error.code})") from None
        raise Refused(
            f"{api} gives no sign-in settings (GET /console/config.json answered {error.code}): "
            "is it Kith's API (the stack's ApiUrl output), with its console?"
        ) from None
    except (OSError, http.client.HTTPException) as unreachable:
        raise Unreachable(f"cannot reach {api}: {getattr(unreachable, 'reason', None) or unreachable}") from None
    return read_config(api, payload)


def read_config(api: str, payload: bytes) -> SignInConfig:
    try:
        auth = json.loads(payload)["auth"]
    except (ValueError, KeyError, TypeError):
        raise Unreachable(f"{api}/console/config.json is not Kith's console settings: is --api Kith's API?") from None
    if not isinstance(auth, dict) or not all(
        isinstance(auth.get(name), str) and auth[name] for name in ("authorize_url", "token_url", "client_id")
    ):
        raise Refused(f"the stack at {api} has no sign-in configured: give its commands a token with --token")
    scopes = auth.get("scopes")
    revoke_url = auth.get("revoke_url")
    return SignInConfig(
        authorize_url=endpoint(auth["authorize_url"]),
        token_url=endpoint(auth["token_url"]),
        client_id=auth["client_id"],
        scopes=scopes if isinstance(scopes, str) and scopes else SCOPES,
        revoke_url=endpoint(revoke_url) if isinstance(revoke_url, str) and revoke_url else None,
    )


def endpoint(url: str) -> str:
    """A sign-in address tokens may be sent to: https, or plain http only on this computer."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and _loopback(parts.hostname):
        return url
    raise Refused(f"the stack's sign-in address {url!r} is not https: kith sends no tokens to it")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exchange_code(config: SignInConfig, code: str, redirect_uri: str, verifier: str) -> Tokens:
    fields = {
        "grant_type": "authorization_code",
        "client_id": config.client_id,
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    return _tokens(post_form(config.token_url, fields))


def refresh(token_url: str, client_id: str, refresh_token: str) -> Tokens:
    fields = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token}
    return _tokens(post_form(token_url, fields))


def revoke(revoke_url: str, client_id: str, refresh_token: str) -> None:
    post_form(revoke_url, {"token": refresh_token, "client_id": client_id})


def post_form(url: str, fields: dict[str, str]) -> dict[str, Any]:
    """POST a form as RFC 6749 sends it; the JSON answer, OAuthRefused for a 4xx, Unreachable otherwise."""
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST")
    request.add_header("content-type", "application/x-www-form-urlencoded")
    request.add_header("accept", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            payload = response.read()
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise Unreachable(f"the sign-in server failed (HTTP {error.code})") from None
        raise _refusal(error.code, error.read()) from None
    except (OSError, http.client.HTTPException) as unreachable:
        host = urllib.parse.urlsplit(url).netloc
        raise Unreachable(f"cannot reach {host}: {getattr(unreachable, 'reason', None) or unreachable}") from None
    if not payload.strip():
        return {}
    try:
        document = json.loads(payload)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise Unreachable("the sign-in server answered with something that is not an OAuth answer")
    return document


def _refusal(status: int, payload: bytes) -> OAuthRefused:
    try:
        document = json.loads(payload)
    except ValueError:
        document = None
    if isinstance(document, dict) and isinstance(document.get("error"), str):
        description = document.get("error_description")
        return OAuthRefused(document["error"], description if isinstance(description, str) else "")
    return OAuthRefused(f"HTTP {status}", "")


def _tokens(document: dict[str, Any]) -> Tokens:
    access_token, expires_in = document.get("access_token"), document.get("expires_in")
    if not isinstance(access_token, str) or not access_token:
        raise Unreachable("the sign-in server's answer holds no access token")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
        raise Unreachable("the sign-in server's answer does not say when its token expires")
    id_token, refresh_token = document.get("id_token"), document.get("refresh_token")
    return Tokens(
        access_token=access_token,
        expires_in=expires_in,
        id_token=id_token if isinstance(id_token, str) and id_token else None,
        refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else None,
    )
