"""The development sign-in of `make serve`: Cognito's authorization-code flow with PKCE, and each of its refusals."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kith.calendars.consent_state import code_challenge
from kith_local import demo_people as demo
from kith_local.dev_sign_in import (
    CLIENT_ID,
    MOST_CODES,
    PREFILLED_EMAIL,
    PREFILLED_SUBJECT,
    DevSignIn,
)

ORIGIN = "http://127.0.0.1:4100"
CONSOLE = f"{ORIGIN}/console/"
CLI = f"{ORIGIN}/console/cli.html"
VERIFIER = "v" * 43 + "-._~" + "x" * 20
FORM = {"content-type": "application/x-www-form-urlencoded"}
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sign_in(clock: Clock) -> DevSignIn:
    return DevSignIn(ORIGIN, clock)


def _authorize(**changes: str | None) -> dict[str, str]:
    fields: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": CLI,
        "state": "4321.some-random-token",
        "code_challenge": code_challenge(VERIFIER),
        "code_challenge_method": "S256",
        "scope": "openid email profile",
        **changes,
    }
    return {name: value for name, value in fields.items() if value is not None}


def _get(sign_in: DevSignIn, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str]:
    status, headers, body = sign_in.handle("GET", path, urllib.parse.urlencode(fields), {}, b"")
    return status, headers, body.decode()


def _post(sign_in: DevSignIn, path: str, fields: dict[str, str], headers: dict[str, str] = FORM) -> Any:
    return sign_in.handle("POST", path, "", headers, urllib.parse.urlencode(fields).encode())


def _signed_in(sign_in: DevSignIn, subject: str = "owner-kim", email: str = "kim@example.com", **changes: str) -> str:
    """The code the sign-in hands back through its redirect."""
    status, headers, _ = _post(
        sign_in, "/dev/oauth2/authorize", {**_authorize(**changes), "subject": subject, "email": email}
    )
    assert status == 302, headers
    returned = urllib.parse.urlsplit(headers["location"])
    query = dict(urllib.parse.parse_qsl(returned.query))
    assert query["state"] == _authorize(**changes)["state"]
    return query["code"]


def _exchange(sign_in: DevSignIn, issued: str, **changes: str) -> tuple[int, dict[str, Any]]:
    fields = {
        "grant_type": "authorization_code",
        "code": issued,
        "client_id": CLIENT_ID,
        "redirect_uri": CLI,
        "code_verifier": VERIFIER,
        **changes,
    }
    status, _, body = _post(sign_in, "/dev/oauth2/token", fields)
    return status, json.loads(body)


def _claims(id_token: str) -> dict[str, Any]:
    header, payload, signature = id_token.split(".")
    padded = payload + "=" * (-len(payload) % 4)
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))) == {"alg": "none", "typ": "JWT"}
    assert signature == ""
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return claims


def test_the_page_asks_whom_to_sign_in_as_prefilled_with_the_demo_owner(sign_in: DevSignIn) -> None:
    # When the console sends a person to sign in
    status, headers, page = _get(sign_in, "/dev/oauth2/authorize", _authorize(redirect_uri=CONSOLE))
    # Then the page says what it is, with labelled inputs holding the demo owner, and a Cancel
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "Sign in to Kith (development)" in page and "no password" in page
    assert '<label for="subject">Subject</label>' in page and '<label for="email">E-mail</label>' in page
    assert f'value="{PREFILLED_SUBJECT}"' in page and f'value="{PREFILLED_EMAIL}"' in page
    assert ">Sign in</button>" in page and ">Cancel</button>" in page
    assert "default-src 'none'" in headers["content-security-policy"]
    # And the demo owner is the one `serve --demo` seeds
    assert (demo.OWNER_ID, demo.OWNER["email"]) == (PREFILLED_SUBJECT, PREFILLED_EMAIL)


def test_a_sign_in_gives_a_code_that_buys_the_development_token_once(sign_in: DevSignIn) -> None:
    # Given a person signed in on the page
    code = _signed_in(sign_in)
    # When the client exchanges the code with its verifier
    status, tokens = _exchange(sign_in, code)
    # Then it holds the token the local API accepts, an ID token naming the person, and a refresh token
    assert status == 200, tokens
    assert tokens["access_token"] == "dev:owner-kim" and tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600 and tokens["refresh_token"]
    claims = _claims(tokens["id_token"])
    assert (claims["sub"], claims["email"], claims["aud"]) == ("owner-kim", "kim@example.com", CLIENT_ID)
    assert claims["exp"] == int((START + timedelta(hours=1)).timestamp())
    # And the same code a second time is refused
    assert _exchange(sign_in, code)[1]["error"] == "invalid_grant"


def test_a_refresh_token_buys_new_tokens_without_signing_in_again(sign_in: DevSignIn, clock: Clock) -> None:
    refresh_token = _exchange(sign_in, _signed_in(sign_in))[1]["refresh_token"]
    clock.at = START + timedelta(hours=2)
    status, _, body = _post(
        sign_in,
        "/dev/oauth2/token",
        {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT_ID},
    )
    refreshed = json.loads(body)
    assert status == 200 and refreshed["access_token"] == "dev:owner-kim" and "refresh_token" not in refreshed
    assert _claims(refreshed["id_token"])["exp"] == int((START + timedelta(hours=3)).timestamp())


def test_cancel_returns_access_denied_with_the_state(sign_in: DevSignIn) -> None:
    status, headers, _ = _post(sign_in, "/dev/oauth2/authorize", {**_authorize(), "action": "cancel"})
    assert status == 302
    assert headers["location"] == f"{CLI}?error=access_denied&state=4321.some-random-token"


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"client_id": "someone-else"}, "the only client is kith-local-console"),
        ({"client_id": None}, "the only client is kith-local-console"),
        ({"redirect_uri": "https://evil.example/console/"}, "not this server's console"),
        ({"redirect_uri": f"{ORIGIN}/console/elsewhere.html"}, "not this server's console"),
        ({"redirect_uri": "http://127.0.0.1:9999/console/"}, "not this server's console"),
        ({"response_type": "token"}, "response_type=code"),
        ({"code_challenge_method": "plain"}, "PKCE"),
        ({"code_challenge": None}, "PKCE"),
        ({"code_challenge": "short"}, "PKCE"),
        ({"state": None}, "no state"),
        ({"state": ""}, "no state"),
        ({"state": "a\x00b"}, "printable"),
        ({"state": "s" * 2049}, "printable"),
    ],
)
def test_an_authorize_request_it_cannot_serve_is_a_page_in_words_never_a_redirect(
    sign_in: DevSignIn, changes: dict[str, str | None], says: str
) -> None:
    # When the page is asked for, or the form posted, with one part of the request wrong
    for status, headers, page in (
        _get(sign_in, "/dev/oauth2/authorize", _authorize(**changes)),
        _post(sign_in, "/dev/oauth2/authorize", {**_authorize(**changes), "subject": "me", "email": "me@example.com"}),
    ):
        text = page if isinstance(page, str) else page.decode()
        # Then it is a 400 page saying what was wrong, and nobody is sent anywhere
        assert status == 400 and "location" not in headers
        assert says in text.replace("&#x27;", "'")
    # And no code was issued
    assert not sign_in._codes


def test_the_page_without_any_request_says_where_sign_in_starts(sign_in: DevSignIn) -> None:
    status, _, page = _get(sign_in, "/dev/oauth2/authorize", {})
    assert status == 400 and "console" in page and f"kith login --api {ORIGIN}" in page


def test_a_field_given_twice_is_refused(sign_in: DevSignIn) -> None:
    query = urllib.parse.urlencode(_authorize()) + "&redirect_uri=" + urllib.parse.quote(CONSOLE)
    status, headers, page = sign_in.handle("GET", "/dev/oauth2/authorize", query, {}, b"")
    assert status == 400 and "redirect_uri more than once" in page.decode() and "location" not in headers


@pytest.mark.parametrize(
    ("subject", "email", "says"),
    [
        ("", "kim@example.com", "subject must be"),
        ("has space", "kim@example.com", "subject must be"),
        ("owner#1", "kim@example.com", "subject must be"),
        ("s" * 129, "kim@example.com", "subject must be"),
        ("owner-kim", "not an address", "e-mail address is not one"),
        ("owner-kim", "", "e-mail address is not one"),
    ],
)
def test_a_subject_or_address_kith_cannot_use_is_asked_again_keeping_what_was_typed(
    sign_in: DevSignIn, subject: str, email: str, says: str
) -> None:
    fields = {**_authorize(), "subject": subject, "email": email}
    status, headers, page = _post(sign_in, "/dev/oauth2/authorize", fields)
    text = page.decode()
    assert status == 400 and "location" not in headers and says in text and 'role="alert"' in text
    assert "<form" in text and 'name="state" value="4321.some-random-token"' in text
    assert not sign_in._codes


def test_typed_text_is_escaped_on_the_page(sign_in: DevSignIn) -> None:
    fields = {**_authorize(state='x"><script>alert(1)</script>'), "subject": "<b>", "email": "bad"}
    _, _, page = _post(sign_in, "/dev/oauth2/authorize", fields)
    text = page.decode()
    assert "<script>" not in text and "&lt;script&gt;" in text and "<b>" not in text


def _code_refusal(sign_in: DevSignIn, issued: str, **changes: str) -> dict[str, Any]:
    status, error = _exchange(sign_in, issued, **changes)
    assert status == 400, error
    return error


def test_a_wrong_verifier_is_refused_and_spends_the_code(sign_in: DevSignIn) -> None:
    code = _signed_in(sign_in)
    error = _code_refusal(sign_in, code, code_verifier="w" * 43)
    assert error["error"] == "invalid_grant" and "code_verifier" in error["error_description"]
    # Then the right verifier cannot use it after the wrong one
    assert "already used" in _code_refusal(sign_in, code)["error_description"]


def test_a_verifier_that_is_not_one_is_refused(sign_in: DevSignIn) -> None:
    assert _code_refusal(sign_in, _signed_in(sign_in), code_verifier="short")["error"] == "invalid_grant"


def test_a_replayed_code_is_refused(sign_in: DevSignIn) -> None:
    code = _signed_in(sign_in)
    assert _exchange(sign_in, code)[0] == 200
    error = _code_refusal(sign_in, code)
    assert (error["error"], error["error_description"]) == ("invalid_grant", "the code is unknown or was already used")


def test_a_code_exchanged_for_another_redirect_uri_is_refused(sign_in: DevSignIn) -> None:
    error = _code_refusal(sign_in, _signed_in(sign_in), redirect_uri=CONSOLE)
    assert error["error"] == "invalid_grant" and "redirect_uri" in error["error_description"]


def test_a_code_exchanged_by_an_unknown_client_is_refused(sign_in: DevSignIn) -> None:
    error = _code_refusal(sign_in, _signed_in(sign_in), client_id="someone-else")
    assert error["error"] == "invalid_client"


def test_an_expired_code_is_refused(sign_in: DevSignIn, clock: Clock) -> None:
    code = _signed_in(sign_in)
    clock.at = START + timedelta(minutes=5)
    error = _code_refusal(sign_in, code)
    assert error["error"] == "invalid_grant" and "expired" in error["error_description"]


def test_a_code_nobody_issued_is_refused(sign_in: DevSignIn) -> None:
    assert _code_refusal(sign_in, "made-up")["error"] == "invalid_grant"


@pytest.mark.parametrize("missing", ["code", "redirect_uri", "client_id", "code_verifier"])
def test_a_code_exchange_missing_a_field_is_an_invalid_request(sign_in: DevSignIn, missing: str) -> None:
    error = _code_refusal(sign_in, _signed_in(sign_in), **{missing: ""})
    assert error == {"error": "invalid_request", "error_description": f"missing {missing}"}


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"grant_type": "refresh_token", "refresh_token": "made-up", "client_id": CLIENT_ID}, "invalid_grant"),
        ({"grant_type": "refresh_token", "refresh_token": "", "client_id": CLIENT_ID}, "invalid_request"),
        ({"grant_type": "password", "username": "kim", "password": "x"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
    ],
)
def test_a_bad_refresh_token_or_an_unknown_grant_is_refused(
    sign_in: DevSignIn, fields: dict[str, str], error: str
) -> None:
    status, headers, body = _post(sign_in, "/dev/oauth2/token", fields)
    assert status == 400 and json.loads(body)["error"] == error and headers["cache-control"] == "no-store"


def test_a_refresh_token_of_another_client_or_revoked_is_refused(sign_in: DevSignIn) -> None:
    refresh_token = _exchange(sign_in, _signed_in(sign_in))[1]["refresh_token"]
    refresh = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    status, _, body = _post(sign_in, "/dev/oauth2/token", {**refresh, "client_id": "someone-else"})
    assert (status, json.loads(body)["error"]) == (400, "invalid_client")
    # When it is revoked, Then it buys nothing more
    assert _post(sign_in, "/dev/oauth2/revoke", {"token": refresh_token, "client_id": CLIENT_ID})[0] == 200
    status, _, body = _post(sign_in, "/dev/oauth2/token", {**refresh, "client_id": CLIENT_ID})
    assert (status, json.loads(body)["error"]) == (400, "invalid_grant")


def test_a_token_request_that_is_not_a_form_is_refused(sign_in: DevSignIn) -> None:
    body = json.dumps({"grant_type": "authorization_code", "code": _signed_in(sign_in)}).encode()
    status, _, answer = sign_in.handle("POST", "/dev/oauth2/token", "", {"content-type": "application/json"}, body)
    assert status == 400 and json.loads(answer)["error"] == "invalid_request"


def test_codes_are_bounded_the_oldest_going_first(sign_in: DevSignIn) -> None:
    first = _signed_in(sign_in)
    for _ in range(MOST_CODES):
        _signed_in(sign_in)
    assert len(sign_in._codes) == MOST_CODES and first not in sign_in._codes


def test_logout_returns_to_the_console_and_only_there(sign_in: DevSignIn) -> None:
    status, headers, _ = _get(sign_in, "/dev/logout", {"client_id": CLIENT_ID, "logout_uri": CONSOLE})
    assert (status, headers["location"]) == (302, CONSOLE)
    for fields in (
        {"client_id": CLIENT_ID, "logout_uri": "https://evil.example/"},
        {"client_id": CLIENT_ID, "logout_uri": ORIGIN + ".evil.example/"},
        {"client_id": "someone-else", "logout_uri": CONSOLE},
    ):
        status, headers, page = _get(sign_in, "/dev/logout", fields)
        assert status == 400 and "location" not in headers and "Signing out cannot go on" in page


def test_an_unknown_address_or_method_is_a_page_in_words(sign_in: DevSignIn) -> None:
    assert _get(sign_in, "/dev/elsewhere", {})[0] == 404
    status, _, page = sign_in.handle("GET", "/dev/oauth2/token", "", {}, b"")
    assert status == 405 and re.search(r"<p>.+</p>", page.decode())
