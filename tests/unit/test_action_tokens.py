"""Signed one-click links: bound to owner, contact and action, expiring, rotatable (PRODUCT.md §6)."""

from __future__ import annotations

import base64
import contextlib
import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kith.actions.links import ActionLinks
from kith.actions.tokens import ExpiredLink, KeyRing, sign, verify
from kith.domain.actions import Action, ActionClaim
from kith.errors import Forbidden, InvalidLink
from kith.http import status_for

from .builders import utc

NOW = utc(2026, 2, 2, 8)
RING = KeyRing({"k1": b"1" * 32}, "k1")


def _claim(**changes: object) -> ActionClaim:
    fields: dict[str, object] = {
        "owner_id": "o-1",
        "action": Action.SNOOZE,
        "contact_id": "c-ana",
        "expires_at": NOW + timedelta(days=30),
        "nonce": "n-1",
    }
    return ActionClaim.model_validate(fields | changes)


def _reencoded(token: str, **changes: object) -> str:
    """The token with its claim changed but its signature kept, as a forger would try."""
    key_id, body, signature = token.split(".")
    fields = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload = base64.urlsafe_b64encode(json.dumps(fields | changes).encode()).rstrip(b"=").decode()
    return f"{key_id}.{payload}.{signature}"


def test_a_signed_claim_reads_back_the_same() -> None:
    # Given a claim signed with the current key
    claim = _claim()
    # When verified before it expires
    # Then the same claim comes back, to the second
    assert verify(sign(claim, RING), RING, NOW) == claim


@pytest.mark.parametrize(("field", "value"), [("c", "c-ben"), ("o", "o-2"), ("a", "done"), ("x", 4102444800)])
def test_changing_what_a_link_is_for_breaks_its_signature(field: str, value: object) -> None:
    # Given a genuine link, When its contact, owner, action or expiry is changed
    forged = _reencoded(sign(_claim(), RING), **{field: value})
    # Then it is refused as forged (403)
    with pytest.raises(Forbidden) as refused:
        verify(forged, RING, NOW)
    assert status_for(refused.value) == 403 and not isinstance(refused.value, ExpiredLink)


def test_a_link_signed_with_another_key_is_refused() -> None:
    # Given a link signed by a key Kith does not hold under that id
    other = KeyRing({"k1": b"2" * 32}, "k1")
    # Then it is refused as forged
    with pytest.raises(Forbidden):
        verify(sign(_claim(), other), RING, NOW)


def test_an_expired_link_is_refused_with_403_saying_so() -> None:
    # Given a link that expired a second ago
    token = sign(_claim(expires_at=NOW - timedelta(seconds=1)), RING)
    # Then it is refused as expired
    with pytest.raises(ExpiredLink, match="expired") as refused:
        verify(token, RING, NOW)
    assert status_for(refused.value) == 403


@pytest.mark.parametrize("token", ["", "abc", "k1.abc", "k1..sig", "k1.a.b.c", "x" * 2000])
def test_a_cut_or_garbled_link_is_a_400(token: str) -> None:
    with pytest.raises(InvalidLink) as refused:
        verify(token, RING, NOW)
    assert status_for(refused.value) == 400


def test_rotating_keeps_old_links_working_until_their_key_is_retired() -> None:
    # Given a link signed under k1, and a ring rotated to k2 that still holds k1
    old_link = sign(_claim(), RING)
    rotated = KeyRing({"k1": b"1" * 32, "k2": b"3" * 32}, "k2")
    # Then the old link still verifies, and new links carry k2
    assert verify(old_link, rotated, NOW) == _claim()
    assert sign(_claim(), rotated).startswith("k2.")
    # And once k1 is retired, the old link is refused
    with pytest.raises(Forbidden):
        verify(old_link, KeyRing({"k2": b"3" * 32}, "k2"), NOW)


def test_a_ring_reads_the_secret_shape_and_refuses_weak_keys() -> None:
    ring = KeyRing.from_secret({"current": "k2", "k1": "a" * 40, "k2": "b" * 40})
    assert ring.current == "k2" and ring.key("k1") == b"a" * 40
    with pytest.raises(ValueError, match="32 bytes"):
        KeyRing({"k1": b"short"}, "k1")
    with pytest.raises(ValueError, match="current"):
        KeyRing.from_secret({"k1": "a" * 40})


def test_links_in_one_email_are_all_different_and_expire_30_days_after_sending() -> None:
    # Given the links of one email
    links = ActionLinks("https://kith.example.com/", RING, "o-1", NOW)
    urls = [links.for_contact(Action.DONE, "c-ana"), links.for_contact(Action.DONE, "c-ana"), links.unsubscribe()]
    # Then each is unique (a second click on one is recognised), under /a/, and lasts 30 days
    assert len(set(urls)) == 3
    assert all(url.startswith("https://kith.example.com/a/") for url in urls)
    claims = [verify(url.rsplit("/", 1)[1], RING, NOW) for url in urls]
    assert {claim.expires_at for claim in claims} == {NOW + timedelta(days=30)}


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0), replacement=st.sampled_from("AQgw_-.0z"))
def test_no_single_character_change_makes_a_different_valid_link(position: int, replacement: str) -> None:
    # Given a genuine link with one character changed
    token = sign(_claim(), RING)
    index = position % len(token)
    altered = token[:index] + replacement + token[index + 1 :]
    # Then it is either refused, or (when the change was a no-op in base64 padding bits) reads as the same claim
    try:
        claim = verify(altered, RING, NOW)
    except (Forbidden, InvalidLink):
        return
    assert claim == _claim()


def _signed(claim_json: bytes, ring: KeyRing = RING) -> str:
    """A token whose claim is exactly these bytes, correctly signed: what only a key holder could make."""
    import hashlib
    import hmac

    body = base64.urlsafe_b64encode(claim_json).rstrip(b"=").decode()
    signed = f"k1.{body}"
    key = ring.key("k1")
    assert key is not None
    signature = base64.urlsafe_b64encode(hmac.new(key, signed.encode(), hashlib.sha256).digest()).rstrip(b"=")
    return f"{signed}.{signature.decode()}"


GOOD = {"o": "o-1", "a": "add", "i": "i-1", "n": 0, "x": 1800000000, "r": "n-1"}


@pytest.mark.parametrize(
    "claim",
    [
        {**GOOD, "x": 1e20},
        {**GOOD, "x": 10**30},
        {**GOOD, "x": -1},
        {**GOOD, "x": True},
        {**GOOD, "x": "1800000000"},
        {**GOOD, "n": -1},
        {**GOOD, "n": 1.5},
        {**GOOD, "o": ""},
        {**GOOD, "o": ["o-1"]},
        {**GOOD, "a": "explode"},
        {**GOOD, "surprise": 1},
        {key: value for key, value in GOOD.items() if key != "r"},
        [GOOD],
        "o-1",
        None,
    ],
    ids=[
        "expiry-1e20",
        "expiry-huge-int",
        "expiry-negative",
        "expiry-bool",
        "expiry-string",
        "attendee-negative",
        "attendee-float",
        "owner-empty",
        "owner-list",
        "unknown-action",
        "unknown-field",
        "no-nonce",
        "a-list",
        "a-string",
        "null",
    ],
)
def test_a_validly_signed_but_malformed_claim_is_an_invalid_link_not_a_crash(claim: object) -> None:
    # Given a claim Kith never writes, signed with a real key (an old version's, or a key holder's mistake)
    token = _signed(json.dumps(claim).encode())
    # When verified, Then it is refused as a link Kith cannot read (400), never an unexpected error
    with pytest.raises(InvalidLink):
        verify(token, RING, NOW)


def test_a_claim_that_is_not_json_is_an_invalid_link() -> None:
    for raw in (b"\xff\xfe", b"{", b'{"o": NaN}', b"[" * 10_000):
        with pytest.raises(InvalidLink):
            verify(_signed(raw), RING, NOW)


def test_an_attendee_index_is_never_negative() -> None:
    # Given an attempt to make a claim for the attendee "-1" (the last one, through Python's negative indexing)
    # Then the claim itself refuses it
    with pytest.raises(ValueError):
        _claim(action=Action.ADD_ATTENDEE, contact_id=None, interaction_id="i-1", attendee=-1)


@settings(max_examples=300, deadline=None)
@given(
    claim=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=8),
        max_leaves=20,
    )
)
def test_any_signed_json_claim_is_read_or_refused_as_a_link_never_raising_anything_else(claim: object) -> None:
    # Given any JSON document at all as a correctly signed claim (NaN and Infinity included)
    token = _signed(json.dumps(claim).encode())
    # When verified, Then it is a claim or one of the link errors (400, 403), nothing else
    with contextlib.suppress(InvalidLink, Forbidden):
        verify(token, RING, NOW)
