"""What `kith login` does with the browser's answer at its loopback /callback, the code exchange faked."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kith_cli import login, oauth, tokens
from kith_cli.errors import Refused, Unreachable
from kith_cli.loopback import parameters

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
API = "http://127.0.0.1:4100"
CONFIG = oauth.SignInConfig(f"{API}/dev/oauth2/authorize", f"{API}/dev/oauth2/token", "kith-local-console")
STATE = "53123.the-secret-of-this-login"


class Exchange:
    def __init__(self, answer: oauth.Tokens | Exception) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, config: oauth.SignInConfig, code: str, redirect_uri: str, verifier: str) -> oauth.Tokens:
        self.calls.append((code, redirect_uri, verifier))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.fixture
def store(tmp_path: Path) -> login.SignInStore:
    return login.SignInStore(tmp_path / "kith" / "login.json", lambda: NOW)


def _attempt(store: login.SignInStore) -> login._Attempt:
    attempt = login._Attempt(API, CONFIG, f"{API}/console/cli.html", "the-verifier", store)
    attempt.state = STATE
    return attempt


def _exchanging(monkeypatch: pytest.MonkeyPatch, answer: oauth.Tokens | Exception) -> Exchange:
    exchange = Exchange(answer)
    monkeypatch.setattr(oauth, "exchange_code", exchange)
    return exchange


def test_the_right_state_and_a_code_are_exchanged_and_stored(
    store: login.SignInStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    exchange = _exchanging(monkeypatch, oauth.Tokens("dev:owner-ada", 3600, "a.e30.", "refresh-1"))
    # When the browser comes back with this login's state and a code
    outcome = _attempt(store).receive({"code": "the-code", "state": STATE})
    # Then the code is exchanged with the relay page's address and this login's verifier
    assert exchange.calls == [("the-code", f"{API}/console/cli.html", "the-verifier")]
    # And the browser is told, and the sign-in is stored for its owner alone
    assert outcome.error is None and (outcome.page.status, outcome.page.title) == (200, "Signed in")
    assert "close this tab" in outcome.page.sentence
    stored = tokens.load(store.path)
    assert stored is not None and stored.access_token == "dev:owner-ada" and stored.refresh_token == "refresh-1"
    assert stored.expires_at == NOW + timedelta(hours=1) and stored.api == API
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600


@pytest.mark.parametrize(
    "answer",
    [
        {"code": "the-code", "state": "53123.someone-elses-state"},
        {"code": "the-code", "state": STATE + "x"},
        {"code": "the-code", "state": STATE[:-1]},
        {"code": "the-code", "state": ""},
        {"code": "the-code"},
        {"error": "access_denied", "state": "53123.forged"},
    ],
)
def test_a_state_this_login_did_not_send_is_refused_and_nothing_is_exchanged_or_stored(
    store: login.SignInStore, monkeypatch: pytest.MonkeyPatch, answer: dict[str, str]
) -> None:
    exchange = _exchanging(monkeypatch, oauth.Tokens("dev:x", 3600, None, "r"))
    outcome = _attempt(store).receive(answer)
    assert isinstance(outcome.error, Refused) and "state differs" in str(outcome.error)
    assert outcome.page.status == 400 and "does not belong to the kith login" in outcome.page.sentence
    assert exchange.calls == [] and not store.path.exists()


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ({"error": "access_denied", "state": STATE}, "sign-in cancelled: nothing stored"),
        (
            {"error": "server_error", "error_description": "\x1b[31mred", "state": STATE},
            "did not sign you in: server_error (\ufffd[31mred)",
        ),
        ({"state": STATE}, "without a code"),
        ({"code": "", "state": STATE}, "without a code"),
    ],
)
def test_a_cancelled_or_failed_sign_in_is_refused_in_words(
    store: login.SignInStore, monkeypatch: pytest.MonkeyPatch, answer: dict[str, str], says: str
) -> None:
    exchange = _exchanging(monkeypatch, oauth.Tokens("dev:x", 3600, None, "r"))
    outcome = _attempt(store).receive(answer)
    assert isinstance(outcome.error, Refused) and says in str(outcome.error)
    assert outcome.page.status == 400 and exchange.calls == [] and not store.path.exists()


def test_a_code_the_server_refuses_stores_nothing(store: login.SignInStore, monkeypatch: pytest.MonkeyPatch) -> None:
    _exchanging(monkeypatch, oauth.OAuthRefused("invalid_grant", "the code has expired"))
    outcome = _attempt(store).receive({"code": "old", "state": STATE})
    assert isinstance(outcome.error, Refused)
    assert "refused the code (invalid_grant: the code has expired)" in str(outcome.error)
    assert not store.path.exists()


def test_an_unreachable_token_endpoint_stores_nothing(
    store: login.SignInStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _exchanging(monkeypatch, Unreachable("cannot reach 127.0.0.1:4100: refused"))
    outcome = _attempt(store).receive({"code": "c", "state": STATE})
    assert isinstance(outcome.error, Unreachable) and outcome.page.status == 502 and not store.path.exists()


def test_an_answer_repeating_a_parameter_is_refused() -> None:
    with pytest.raises(Refused, match="state twice"):
        parameters(f"code=c&state={STATE}&state=other")
    assert parameters(f"code=c&state={STATE}") == {"code": "c", "state": STATE}
