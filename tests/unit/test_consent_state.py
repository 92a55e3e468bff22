"""The state a calendar consent carries through the provider: signed, bound to owner and calendar, expiring."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from kith.actions.tokens import KeyRing
from kith.calendars.consent_state import (
    CONSENT_LIFETIME,
    MAX_STATE_LENGTH,
    ConsentClaim,
    ExpiredConsent,
    ForgedState,
    PendingConsent,
    UnreadableState,
    code_challenge,
    sign_state,
    verify_state,
)
from kith.calendars.oauth import OAuth, OAuthApp
from kith.config import Settings
from kith.domain.connections import Provider
from kith.errors import Forbidden
from kith.http import status_for

from .builders import utc

NOW = utc(2026, 11, 30, 10)
RING = KeyRing({"k1": b"1" * 32}, "k1")
REDIRECT = "https://api.kith.test/oauth/google/callback"


def _consent(**changes: object) -> PendingConsent:
    return PendingConsent.begin("owner-1", Provider.GOOGLE, REDIRECT, NOW).model_copy(update=changes)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _fields(state: str) -> dict[str, object]:
    payload = state.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _reencoded(state: str, **changes: object) -> str:
    """The state with what it says changed and its signature kept, as a forger would try."""
    return f"{_b64(json.dumps(_fields(state) | changes).encode())}.{state.split('.')[1]}"


def test_a_signed_state_reads_back_the_same_claim() -> None:
    # Given a consent begun now, When its state is signed and verified within its 10 minutes
    consent = _consent()
    claim = verify_state(sign_state(consent.claim, RING), RING, NOW + timedelta(minutes=9, seconds=59))
    # Then the same owner, calendar, nonce and expiry come back
    assert claim == consent.claim
    assert claim.expires_at == NOW + CONSENT_LIFETIME


def test_a_state_names_its_key_and_nothing_secret() -> None:
    # Given a signed state, When its payload is read as anyone on the way could
    consent = _consent()
    fields = _fields(sign_state(consent.claim, RING))
    # Then it names the key, owner, calendar, nonce and expiry, and not the PKCE verifier
    assert fields == {
        "k": "k1",
        "o": "owner-1",
        "p": "google",
        "n": consent.nonce,
        "x": int(consent.expires_at.timestamp()),
    }
    assert consent.code_verifier not in json.dumps(fields)


@pytest.mark.parametrize(
    ("field", "value"), [("o", "owner-2"), ("p", "outlook"), ("n", "another-nonce"), ("x", 4102444800), ("k", "k2")]
)
def test_changing_what_a_state_says_breaks_its_signature(field: str, value: object) -> None:
    # Given a genuine state, When its owner, calendar, nonce, expiry or key is changed
    forged = _reencoded(sign_state(_consent().claim, RING), **{field: value})
    # Then it is refused as forged (403)
    with pytest.raises(ForgedState) as refused:
        verify_state(forged, KeyRing({"k1": b"1" * 32, "k2": b"2" * 32}, "k1"), NOW)
    assert status_for(refused.value) == 403


def test_a_state_signed_with_a_key_kith_does_not_hold_is_forged() -> None:
    # Given a state signed under the same key id with another key
    state = sign_state(_consent().claim, KeyRing({"k1": b"9" * 32}, "k1"))
    # When verified with Kith's ring, Then it is forged
    with pytest.raises(ForgedState):
        verify_state(state, RING, NOW)


def test_a_link_signature_over_the_same_payload_is_not_a_consent_signature() -> None:
    # Given a payload signed as Kith signs its email links (HMAC of the bare text, no consent context)
    payload = sign_state(_consent().claim, RING).split(".")[0]
    signature = _b64(hmac.new(b"1" * 32, payload.encode(), hashlib.sha256).digest())
    # When verified as a consent state, Then it is forged
    with pytest.raises(ForgedState):
        verify_state(f"{payload}.{signature}", RING, NOW)


@pytest.mark.parametrize(
    "state",
    ["", "nodot", ".", "payload.", ".signature", "a.b.c", "with space.sig", "é.sig", "x" * (MAX_STATE_LENGTH + 1)],
)
def test_a_state_that_is_not_a_whole_one_is_unreadable(state: str) -> None:
    # When something that is no signed state is verified, Then it is unreadable (400), not a 500
    with pytest.raises(UnreadableState) as refused:
        verify_state(state, RING, NOW)
    assert status_for(refused.value) == 400


def test_an_unsigned_state_is_forged() -> None:
    # Given a well-formed payload with a signature of the right shape but made up
    payload = sign_state(_consent().claim, RING).split(".")[0]
    # When verified, Then it is forged
    with pytest.raises(ForgedState):
        verify_state(f"{payload}.{'A' * 43}", RING, NOW)


def test_a_payload_kith_signed_but_cannot_read_is_unreadable() -> None:
    # Given a payload of another shape, correctly signed under Kith's key (a state of another version)
    payload = _b64(json.dumps({"k": "k1", "o": "owner-1", "p": "calcom", "n": "n", "x": 1}).encode())
    signature = _b64(hmac.new(b"1" * 32, f"kith-consent.{payload}".encode(), hashlib.sha256).digest())
    # When verified, Then it is unreadable, not forged and not a 500
    with pytest.raises(UnreadableState):
        verify_state(f"{payload}.{signature}", RING, NOW)


def test_a_state_expires_after_ten_minutes() -> None:
    # Given a state begun now, When verified at its tenth minute
    state = sign_state(_consent().claim, RING)
    # Then it has expired (a 403, told apart from a forgery)
    with pytest.raises(ExpiredConsent) as refused:
        verify_state(state, RING, NOW + CONSENT_LIFETIME)
    assert isinstance(refused.value, Forbidden) and "10 minutes" in str(refused.value)


def test_a_state_begun_under_a_retired_current_key_still_verifies() -> None:
    # Given a state signed with k1, and the ring rotated since: k2 signs, k1 still verifies
    state = sign_state(_consent().claim, RING)
    rotated = KeyRing({"k1": b"1" * 32, "k2": b"2" * 32}, "k2")
    # When verified, Then it reads, and a new state names k2
    assert verify_state(state, rotated, NOW).owner_id == "owner-1"
    assert _fields(sign_state(_consent().claim, rotated))["k"] == "k2"
    # And once k1 leaves the ring, the old state is forged
    with pytest.raises(ForgedState):
        verify_state(state, KeyRing({"k2": b"2" * 32}, "k2"), NOW)


def test_pkce_s256_is_rfc_7636s() -> None:
    # Given RFC 7636's worked example (appendix B), When its challenge is computed, Then it is the RFC's
    assert (
        code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_each_consent_has_its_own_nonce_and_a_verifier_of_rfc_length() -> None:
    # When two consents are begun, Then they share no nonce or verifier, and each verifier is 43 to 128 unreserved
    first, second = _consent(), _consent()
    assert first.nonce != second.nonce and first.code_verifier != second.code_verifier
    for consent in (first, second):
        assert 43 <= len(consent.code_verifier) <= 128
        assert set(consent.code_verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        assert consent.code_verifier not in repr(consent)


def test_a_claim_is_for_google_or_outlook_only() -> None:
    # Given a claim for a booking tool (they sign webhooks; no consent), When signed, Then it is refused
    with pytest.raises(ValueError):
        sign_state(ConsentClaim(owner_id="o", provider=Provider.CALCOM, nonce="n", expires_at=NOW), RING)


def test_a_deployed_stack_sends_the_owner_to_googles_and_microsofts_own_consent_pages() -> None:
    # Given a stack's settings with both OAuth clients and a Microsoft tenant of its own
    settings = Settings.from_environ({"KITH_TABLE_NAME": "t", "KITH_MICROSOFT_TENANT": "contoso.onmicrosoft.com"})
    assert settings.google_authorize_url == "https://accounts.google.com/o/oauth2/v2/auth"
    assert (
        settings.microsoft_authorize_url
        == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
    )
    # When a consent URL is made for an app with two scopes and a parameter of its own
    app = OAuthApp(
        authorize_url=settings.google_authorize_url,
        token_url=settings.google_token_url,
        client_id="kith.apps.googleusercontent.com",
        client_secret="s",
        scope="openid email",
        consent_parameters={"access_type": "offline"},
    )
    oauth = OAuth(http=None, vault=None, apps={Provider.GOOGLE: app})  # type: ignore[arg-type]
    url = urlsplit(oauth.consent_url(Provider.GOOGLE, REDIRECT, "st.sig", "c" * 43))
    # Then it is the endpoint with every parameter once, the scopes one space-separated value (as %20)
    assert f"{url.scheme}://{url.netloc}{url.path}" == settings.google_authorize_url
    assert parse_qs(url.query) == {
        "client_id": ["kith.apps.googleusercontent.com"],
        "response_type": ["code"],
        "redirect_uri": [REDIRECT],
        "scope": ["openid email"],
        "state": ["st.sig"],
        "code_challenge": ["c" * 43],
        "code_challenge_method": ["S256"],
        "access_type": ["offline"],
    }
    assert "scope=openid%20email" in url.query
