"""The consent step of the fake Google and Microsoft: the authorize endpoint a browser is sent to.

    GET  <authorize URL>?client_id&redirect_uri&response_type=code&scope&state&code_challenge&...
         a consent page in words (the account, what the client asks to do, Allow / Deny as a form)
    POST <authorize URL>  request=<id>&decision=allow|deny
         302 to redirect_uri with code and state, or with error=access_denied and state

As the providers document it (RFC 6749 §4.1.2.1): an unknown client or a redirect URI that is not
the registered one is shown as an error page and never redirected to; anything else wrong with the
request (response type, scope, PKCE) is sent back to the redirect URI as `error` with the state.
The registered redirect URI is the one Kith's README has operators register: `<Kith>/oauth/<calendar>/callback`.
A code remembers its redirect URI and PKCE challenge, for the token endpoint to check.
"""

from __future__ import annotations

import html
import re
import secrets
import urllib.parse
from dataclasses import dataclass

from kith_local.fake_http import Answer, Provider

# Each provider's scopes a client may ask for, and how its consent page words them.
SCOPES: dict[Provider, dict[str, str]] = {
    "google": {
        "openid": "Associate you with your personal info on Google",
        "email": "See your primary Google Account email address",
        "profile": "See your personal info, including any personal info you've made publicly available",
        "https://www.googleapis.com/auth/calendar": "See, edit, share, and permanently delete all your calendars",
        "https://www.googleapis.com/auth/calendar.readonly": "See and download any calendar you can access",
        "https://www.googleapis.com/auth/calendar.events": "View and edit events on all your calendars",
        "https://www.googleapis.com/auth/calendar.events.readonly": "View events on all your calendars",
    },
    "microsoft": {
        "openid": "Sign you in",
        "email": "View your email address",
        "profile": "View your basic profile",
        "offline_access": "Maintain access to data you have given it access to",
        "User.Read": "Sign you in and read your profile",
        "Calendars.Read": "Read your calendars",
        "Calendars.ReadWrite": "Have full access to your calendars",
        "Mail.ReadBasic": "Read your basic mail (everything but bodies and attachments)",
        "Mail.Read": "Read your mail",
    },
}
_CALLBACK = {"google": "/oauth/google/callback", "microsoft": "/oauth/outlook/callback"}
_LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
# RFC 7636 §4.2: S256 of a verifier is 43 characters of base64url.
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_MAX_STATE = 2048


class ConsentError(Exception):
    """A request the consent endpoint refuses: on a page (no redirect), or sent back to the redirect URI."""

    def __init__(self, error: str, description: str, back_to: str | None = None, state: str | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.back_to = back_to
        self.state = state


@dataclass(frozen=True)
class ConsentRequest:
    provider: Provider
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    code_challenge: str
    # Google gives a refresh token only to a client that asked for offline access.
    offline: bool


def read_request(provider: Provider, query: dict[str, str], client_id: str) -> ConsentRequest:
    """The authorize request a browser brought, or ConsentError saying what is wrong with it."""
    if query.get("client_id") != client_id:
        raise ConsentError("invalid_client", "The OAuth client was not found.")
    redirect_uri = query.get("redirect_uri", "")
    if not _registered(provider, redirect_uri):
        raise ConsentError("redirect_uri_mismatch", "The redirect URI in the request is not the registered one.")
    state = query.get("state")
    if state is not None and len(state) > _MAX_STATE:
        raise ConsentError("invalid_request", "state is too long.", redirect_uri)

    def back(error: str, description: str) -> ConsentError:
        return ConsentError(error, description, redirect_uri, state)

    if query.get("response_type") != "code":
        raise back("unsupported_response_type", "Only response_type=code is supported.")
    if provider == "microsoft" and query.get("response_mode", "query") != "query":
        raise back("invalid_request", "Only response_mode=query is supported.")
    requested = query.get("scope", "").split()
    unknown = [scope for scope in requested if scope not in SCOPES[provider]]
    if not requested or unknown:
        raise back("invalid_scope", f"Some requested scopes were invalid: {unknown or 'none given'}")
    if query.get("code_challenge_method") != "S256" or not _CHALLENGE.match(query.get("code_challenge", "")):
        raise back("invalid_request", "code_challenge (S256, 43 characters) is required for this client.")
    offline = provider == "microsoft" or query.get("access_type") == "offline"
    return ConsentRequest(
        provider, client_id, redirect_uri, " ".join(requested), state, query["code_challenge"], offline
    )


def _registered(provider: Provider, redirect_uri: str) -> bool:
    parts = urllib.parse.urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or parts.fragment or parts.query or not parts.hostname:
        return False
    if parts.scheme == "http" and parts.netloc.split(":")[0] not in _LOOPBACK:
        return False  # both providers allow plain HTTP only back to the machine itself
    return parts.path == _CALLBACK[provider]


def page(provider: Provider, request_id: str, request: ConsentRequest, account: str, action: str) -> Answer:
    name = "Google" if provider == "google" else "Microsoft"
    asked = "".join(f"<li>{html.escape(SCOPES[provider][scope])}</li>" for scope in request.scope.split())
    body = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with {name} (fake, on this machine)</title></head>
<body>
<main>
<h1>Kith wants to access your {name} account</h1>
<p>Signed in as {html.escape(account)}</p>
<p>This will allow Kith to:</p>
<ul>{asked}</ul>
<form method="post" action="{html.escape(action)}">
<input type="hidden" name="request" value="{html.escape(request_id)}">
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</form>
</main>
</body>
</html>
"""
    headers = {"content-type": "text/html; charset=utf-8", "cache-control": "no-store"}
    return 200, headers, body.encode()


def error_page(provider: Provider, refused: ConsentError) -> Answer:
    name = "Google" if provider == "google" else "Microsoft"
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{name}: error</title></head>'
        f"<body><h1>Error 400: {html.escape(refused.error)}</h1><p>{html.escape(refused.description)}</p></body></html>"
    )
    return 400, {"content-type": "text/html; charset=utf-8"}, body.encode()


def redirect(back_to: str, parameters: dict[str, str | None]) -> Answer:
    query = urllib.parse.urlencode({name: value for name, value in parameters.items() if value is not None})
    return 302, {"location": f"{back_to}?{query}", "cache-control": "no-store"}, b""


def refusal(provider: Provider, refused: ConsentError) -> Answer:
    """An error page, or the browser sent back with the error, as the provider does."""
    if refused.back_to is None:
        return error_page(provider, refused)
    parameters: dict[str, str | None] = {"error": refused.error, "state": refused.state}
    if provider == "microsoft":
        parameters["error_description"] = refused.description
    return redirect(refused.back_to, parameters)


def new_request_id() -> str:
    return secrets.token_urlsafe(16)
