"""`kith login`'s parts that need no network: PKCE and state, the stored sign-in's file, and its renewal."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import stat
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kith_cli import oauth, tokens
from kith_cli.errors import Refused, Unreachable
from kith_cli.main import main

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CONFIG = oauth.SignInConfig(
    authorize_url="https://kith-dev.auth.us-east-1.amazoncognito.com/oauth2/authorize",
    token_url="https://kith-dev.auth.us-east-1.amazoncognito.com/oauth2/token",
    client_id="client-123",
)


def _id_token(**claims: object) -> str:
    def part(document: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}."


def _login(**changes: object) -> tokens.StoredLogin:
    fields: dict[str, object] = {
        "api": "https://abc.execute-api.us-east-1.amazonaws.com",
        "token_url": CONFIG.token_url,
        "client_id": CONFIG.client_id,
        "access_token": "access-1",
        "id_token": _id_token(sub="sub-1", email="kim@example.com"),
        "refresh_token": "refresh-1",
        "expires_at": NOW + timedelta(hours=1),
        **changes,
    }
    return tokens.StoredLogin(**fields)  # type: ignore[arg-type]


# -- PKCE, state and the authorize address ----------------------------------------------------------


def test_the_verifier_is_long_and_random_and_its_challenge_is_its_s256() -> None:
    first, second = oauth.Pkce.new(), oauth.Pkce.new()
    assert first.verifier != second.verifier and 43 <= len(first.verifier) <= 128
    digest = hashlib.sha256(first.verifier.encode()).digest()
    assert first.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    # RFC 7636's own example
    assert oauth.s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_state_names_the_loopback_port_and_a_secret_never_repeated() -> None:
    state, other = oauth.new_state(53123), oauth.new_state(53123)
    port, secret = state.split(".", 1)
    assert port == "53123" and len(secret) >= 43 and state != other


def test_the_authorize_address_asks_for_a_code_with_pkce_returning_to_the_relay_page() -> None:
    url = oauth.authorize_url(CONFIG, "https://api.example/console/cli.html", "53123.secret", "challenge")
    parts = urllib.parse.urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CONFIG.authorize_url
    assert dict(urllib.parse.parse_qsl(parts.query)) == {
        "response_type": "code",
        "client_id": "client-123",
        "redirect_uri": "https://api.example/console/cli.html",
        "scope": "openid email profile",
        "state": "53123.secret",
        "code_challenge": "challenge",
        "code_challenge_method": "S256",
    }


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://kith.auth.us-east-1.amazoncognito.com/oauth2/token", True),
        ("http://127.0.0.1:4100/dev/oauth2/token", True),
        ("http://localhost:4100/dev/oauth2/token", True),
        ("http://[::1]:4100/dev/oauth2/token", True),
        ("http://kith.example/oauth2/token", False),
        ("http://127.0.0.1.evil.example/oauth2/token", False),
        ("ftp://127.0.0.1/oauth2/token", False),
        ("https:///oauth2/token", False),
    ],
)
def test_tokens_go_only_to_https_or_to_this_computer(url: str, accepted: bool) -> None:
    if accepted:
        assert oauth.endpoint(url) == url
    else:
        with pytest.raises(Refused, match="kith sends no tokens to it"):
            oauth.endpoint(url)


def test_the_consoles_settings_name_where_to_sign_in() -> None:
    auth = {
        "authorize_url": CONFIG.authorize_url,
        "token_url": CONFIG.token_url,
        "logout_url": "https://kith-dev.auth.us-east-1.amazoncognito.com/logout",
        "client_id": "client-123",
        "scopes": "openid email profile",
    }
    assert oauth.read_config("https://api", json.dumps({"auth": auth}).encode()) == CONFIG
    revoke_url = "https://kith-dev.auth.us-east-1.amazoncognito.com/oauth2/revoke"
    with_revoke = oauth.read_config("https://api", json.dumps({"auth": {**auth, "revoke_url": revoke_url}}).encode())
    assert with_revoke.revoke_url == revoke_url


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b'{"auth": {"authorize_url": "", "token_url": "", "client_id": ""}}', "has no sign-in configured"),
        (b'{"auth": null}', "has no sign-in configured"),
        (
            b'{"auth": {"authorize_url": "http://kith.example/a", "token_url": "https://t", "client_id": "c"}}',
            "is not https",
        ),
        (b"<html>", "not Kith's console settings"),
        (b"{}", "not Kith's console settings"),
    ],
)
def test_settings_without_a_sign_in_kith_can_use_are_refused_in_words(payload: bytes, says: str) -> None:
    with pytest.raises((Refused, Unreachable), match=says):
        oauth.read_config("https://api", payload)


# -- the stored sign-in -----------------------------------------------------------------------------


def test_the_file_is_under_xdg_config_home_or_dot_config(tmp_path: Path) -> None:
    assert tokens.login_file({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "kith" / "login.json"
    assert tokens.login_file({}) == Path.home() / ".config" / "kith" / "login.json"
    assert tokens.login_file({"XDG_CONFIG_HOME": "relative"}) == Path.home() / ".config" / "kith" / "login.json"


def test_a_saved_sign_in_is_readable_by_its_owner_alone_and_reads_back(tmp_path: Path) -> None:
    # Given a permissive umask, When a sign-in is saved
    path = tmp_path / "config" / "kith" / "login.json"
    previous = os.umask(0o022)
    try:
        tokens.save(path, _login())
    finally:
        os.umask(previous)
    # Then the file is 0600 in a 0700 folder, holding nothing else, and reads back the same
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert [entry.name for entry in path.parent.iterdir()] == ["login.json"]
    assert tokens.load(path) == _login()
    assert set(json.loads(path.read_text())) == {
        "api",
        "token_url",
        "client_id",
        "access_token",
        "id_token",
        "refresh_token",
        "expires_at",
        "revoke_url",
    }


def test_saving_over_a_file_others_could_read_leaves_one_only_its_owner_can(tmp_path: Path) -> None:
    path = tmp_path / "kith" / "login.json"
    path.parent.mkdir(mode=0o755)
    path.write_text("{}")
    path.chmod(0o644)
    tokens.save(path, _login())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o666])
def test_a_sign_in_others_can_read_is_not_used_and_says_how_to_fix_it(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "login.json"
    tokens.save(path, _login())
    path.chmod(mode)
    with pytest.raises(Refused, match=r"can be read by others .*`chmod 600"):
        tokens.load(path)


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"api": "x"}', json.dumps({**_login().document(), "expires_at": "soon"})]
)
def test_a_file_kith_did_not_write_is_refused_in_words(tmp_path: Path, text: str) -> None:
    path = tmp_path / "login.json"
    tokens.save(path, _login())
    path.write_text(text)
    with pytest.raises(Refused, match="not a sign-in kith can read"):
        tokens.load(path)


def test_no_file_is_nobody_signed_in_and_forgetting_it_twice_is_harmless(tmp_path: Path) -> None:
    path = tmp_path / "login.json"
    assert tokens.load(path) is None
    tokens.save(path, _login())
    assert tokens.forget(path) is True and tokens.forget(path) is False and not path.exists()


def test_the_id_token_tells_who_signed_in_and_a_broken_one_tells_nothing() -> None:
    assert _login().claims() == {"sub": "sub-1", "email": "kim@example.com"}
    for broken in ("", "one-part", "a.!!!.c", "a.bnVsbA.c"):
        assert _login(id_token=broken).claims() == {}


# -- renewal ----------------------------------------------------------------------------------------


class Refresher:
    def __init__(self, answer: oauth.Tokens | Exception) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, token_url: str, client_id: str, refresh_token: str) -> oauth.Tokens:
        self.calls.append((token_url, client_id, refresh_token))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_a_token_far_from_expiring_is_used_as_it_is(tmp_path: Path) -> None:
    refresher = Refresher(oauth.Tokens("access-2", 3600, None, None))
    signed_in = tokens.SignedIn(tmp_path / "login.json", _login(), lambda: NOW + timedelta(minutes=58), refresher)
    assert signed_in() == "access-1" and refresher.calls == []


def test_a_token_expiring_within_a_minute_is_renewed_and_the_renewal_stored(tmp_path: Path) -> None:
    # Given a sign-in whose token has 60 seconds left
    path = tmp_path / "login.json"
    tokens.save(path, _login())
    renewed_id = _id_token(sub="sub-1", email="kim@example.com", exp=2)
    refresher = Refresher(oauth.Tokens("access-2", 3600, renewed_id, None))
    later = NOW + timedelta(minutes=59)
    signed_in = tokens.SignedIn(path, _login(), lambda: later, refresher)
    # When a command asks for the token, Then it is renewed with the refresh token, once
    assert signed_in() == "access-2" and signed_in() == "access-2"
    assert refresher.calls == [(CONFIG.token_url, "client-123", "refresh-1")]
    # And the file holds the new token and expiry, the refresh token kept (Cognito sends none anew), still 0600
    stored = tokens.load(path)
    assert stored == _login(access_token="access-2", id_token=renewed_id, expires_at=later + timedelta(hours=1))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_rotated_refresh_token_is_kept() -> None:
    renewed = tokens.renewed(_login(), NOW, Refresher(oauth.Tokens("access-2", 60, None, "refresh-2")))
    assert (renewed.refresh_token, renewed.id_token) == ("refresh-2", _login().id_token)


@pytest.mark.parametrize(
    "login", [_login(), _login(refresh_token="")], ids=["refused by the server", "no refresh token"]
)
def test_a_refused_renewal_says_the_sign_in_has_expired(login: tokens.StoredLogin) -> None:
    refresher = Refresher(oauth.OAuthRefused("invalid_grant", "Refresh Token has been revoked"))
    with pytest.raises(Refused) as refused:
        tokens.renewed(login, NOW + timedelta(hours=2), refresher)
    assert str(refused.value) == "your sign-in has expired: run `kith login`"


# -- what the commands say without a network ---------------------------------------------------------


def _kith(*argv: str, config: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    environment = {"XDG_CONFIG_HOME": str(config)}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        patch.delenv("KITH_TOKEN", raising=False)
        patch.delenv("KITH_API_URL", raising=False)
        code = main(list(argv), out, err, now=lambda: NOW)
    return code, out.getvalue(), err.getvalue()


def test_whoami_says_who_is_signed_in_to_which_api_until_when(tmp_path: Path) -> None:
    tokens.save(tmp_path / "kith" / "login.json", _login())
    code, out, err = _kith("whoami", config=tmp_path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "signed in as kim@example.com (subject sub-1)",
        "API:    https://abc.execute-api.us-east-1.amazonaws.com",
        "token:  expires 2026-11-30 10:00 UTC (renewed with the refresh token when needed)",
    ]
    code, out, _ = _kith("whoami", "--json", config=tmp_path)
    assert json.loads(out) == {
        "api": "https://abc.execute-api.us-east-1.amazonaws.com",
        "email": "kim@example.com",
        "sub": "sub-1",
        "expires_at": "2026-11-30T10:00:00Z",
    }


def test_whoami_with_nobody_signed_in_exits_1(tmp_path: Path) -> None:
    code, out, err = _kith("whoami", config=tmp_path)
    assert (code, out) == (1, "") and err == "kith: nobody is signed in: run `kith login --api URL`\n"


def test_a_command_without_token_or_sign_in_says_to_run_kith_login(tmp_path: Path) -> None:
    code, _, err = _kith("due", config=tmp_path)
    assert code == 2 and "nobody is signed in: run `kith login --api URL`" in err


def test_the_stored_token_goes_to_no_other_api(tmp_path: Path) -> None:
    tokens.save(tmp_path / "kith" / "login.json", _login())
    code, _, err = _kith("--api", "https://elsewhere.example", "due", config=tmp_path)
    assert code == 2
    assert "signed in to https://abc.execute-api.us-east-1.amazonaws.com, not https://elsewhere.example" in err


def test_a_sign_in_others_can_read_stops_a_command_with_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "kith" / "login.json"
    tokens.save(path, _login())
    path.chmod(0o644)
    code, _, err = _kith("due", config=tmp_path)
    assert code == 1 and "can be read by others" in err


def test_login_needs_an_address_when_none_is_kept(tmp_path: Path) -> None:
    code, _, err = _kith("login", config=tmp_path)
    assert code == 2 and "kith login needs the API's address" in err


def test_logout_removes_the_file_and_says_so_even_when_others_could_read_it(tmp_path: Path) -> None:
    path = tmp_path / "kith" / "login.json"
    tokens.save(path, _login())
    path.chmod(0o644)
    code, out, _ = _kith("logout", config=tmp_path)
    assert code == 0 and out == f"signed out: {path} removed\n" and not path.exists()
    assert _kith("logout", config=tmp_path)[1] == f"nobody was signed in ({path} does not exist)\n"


def test_logout_revokes_the_refresh_token_where_the_stack_names_a_revocation_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    revoked: list[tuple[str, str, str]] = []
    monkeypatch.setattr(oauth, "revoke", lambda *sent: revoked.append(sent))
    revoke_url = "https://kith-dev.auth.us-east-1.amazoncognito.com/oauth2/revoke"
    tokens.save(tmp_path / "kith" / "login.json", _login(revoke_url=revoke_url))
    code, out, err = _kith("logout", config=tmp_path)
    assert (code, err) == (0, "") and out.startswith("signed out of https://abc.execute-api")
    assert revoked == [(revoke_url, "client-123", "refresh-1")]


def test_logout_removes_the_sign_in_even_when_revoking_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*sent: str) -> None:
        raise oauth.OAuthRefused("unsupported_token_type", "")

    monkeypatch.setattr(oauth, "revoke", refuse)
    path = tmp_path / "kith" / "login.json"
    tokens.save(path, _login(revoke_url="https://kith.example/oauth2/revoke"))
    code, _, err = _kith("logout", config=tmp_path)
    assert code == 0 and "did not revoke the refresh token (unsupported_token_type)" in err and not path.exists()


def test_a_stack_without_a_revocation_endpoint_is_signed_out_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oauth, "revoke", lambda *sent: pytest.fail("nothing to revoke at"))
    tokens.save(tmp_path / "kith" / "login.json", _login())
    assert _kith("logout", config=tmp_path)[0] == 0
