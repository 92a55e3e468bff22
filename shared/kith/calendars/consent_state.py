"""A calendar consent under way: the signed `state` that travels through the provider, and what Kith keeps meanwhile.

    state     = <payload>.<signature>
    payload   = base64url of the JSON {"k": key id, "o": owner, "p": provider, "n": nonce, "x": expiry}
    signature = base64url of HMAC-SHA256(key, "kith-consent." + payload)

The key is one of the ring that signs the emails' links, named by its id in the payload, so a
rotated key still verifies the consents begun before it. The nonce names the pending consent in
the table, which holds the PKCE verifier; deleting it there spends the state.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kith.actions.tokens import KeyRing
from kith.domain.connections import Provider
from kith.domain.models import MAX_ID_LENGTH
from kith.errors import Forbidden, InvalidLink

CONSENT_LIFETIME = timedelta(minutes=10)
MAX_STATE_LENGTH = 1024
_CONTEXT = "kith-consent."
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_STATE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH)]
_LATEST_EXPIRY = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp())


class UnreadableState(InvalidLink):
    """A state that is not a whole one: cut short, garbled, or in a form Kith no longer reads."""


class ForgedState(Forbidden):
    """A state Kith did not sign, one altered since, or one signed with a key Kith does not hold."""


class ExpiredConsent(Forbidden):
    """A genuine state, past its ten minutes."""


class ConsentClaim(BaseModel):
    """What a state says: whose consent, for which calendar, which pending consent, until when."""

    model_config = ConfigDict(frozen=True)

    owner_id: str
    provider: Provider
    nonce: str
    expires_at: datetime

    def expired_at(self, moment: datetime) -> bool:
        return moment >= self.expires_at


class PendingConsent(BaseModel):
    """What Kith keeps while the owner is on the provider's consent page (at most CONSENT_LIFETIME)."""

    model_config = ConfigDict(frozen=True)

    nonce: str
    owner_id: str
    provider: Provider
    redirect_uri: str
    code_verifier: str = Field(repr=False)
    expires_at: datetime
    # The owner chose to let Kith see their sent mail too (metadata only).
    mail: bool = False

    @classmethod
    def begin(
        cls, owner_id: str, provider: Provider, redirect_uri: str, now: datetime, *, mail: bool = False
    ) -> PendingConsent:
        return cls(
            nonce=secrets.token_urlsafe(24),
            owner_id=owner_id,
            provider=provider,
            redirect_uri=redirect_uri,
            mail=mail,
            # RFC 7636: 43 to 128 characters of the unreserved set; token_urlsafe(64) gives 86.
            code_verifier=secrets.token_urlsafe(64),
            expires_at=(now + CONSENT_LIFETIME).replace(microsecond=0),
        )

    @property
    def claim(self) -> ConsentClaim:
        return ConsentClaim(
            owner_id=self.owner_id, provider=self.provider, nonce=self.nonce, expires_at=self.expires_at
        )

    @property
    def code_challenge(self) -> str:
        return code_challenge(self.code_verifier)


def code_challenge(verifier: str) -> str:
    """RFC 7636's S256: BASE64URL(SHA256(ASCII(code_verifier))), without padding."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


_ProviderName = Literal["google", "outlook"]


class _SignedState(BaseModel):
    """A claim as it travels: short names, strict types, nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    k: Annotated[str, StringConstraints(pattern=_KEY_ID.pattern)]
    o: _Id
    p: _ProviderName
    n: _Id
    x: Annotated[int, Field(ge=0, le=_LATEST_EXPIRY)]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, (_CONTEXT + payload).encode(), hashlib.sha256).digest())


def sign_state(claim: ConsentClaim, ring: KeyRing) -> str:
    signed = _SignedState(
        k=ring.current,
        o=claim.owner_id,
        p=cast(_ProviderName, claim.provider.value),
        n=claim.nonce,
        x=int(claim.expires_at.timestamp()),
    )
    payload = _b64(signed.model_dump_json().encode())
    key = ring.key(ring.current)
    assert key is not None
    return f"{payload}.{_signature(key, payload)}"


def verify_state(state: str, ring: KeyRing, now: datetime) -> ConsentClaim:
    """The claim a state carries: UnreadableState, ForgedState or ExpiredConsent otherwise."""
    if len(state) > MAX_STATE_LENGTH or not _STATE.match(state):
        raise UnreadableState(
            "the way back from the provider arrived incomplete, so Kith could not tell whose consent it was: "
            "nothing was connected. Start again from Calendars"
        )
    payload, signature = state.split(".")
    key = ring.key(_key_id(payload))
    if key is None or not hmac.compare_digest(_signature(key, payload), signature):
        raise ForgedState(
            "this answer was not started by Kith, or it was changed on the way: "
            "nothing was connected. Start again from Calendars"
        )
    try:
        signed = _SignedState.model_validate_json(_unb64(payload))
    except (binascii.Error, ValidationError):
        raise UnreadableState(
            "this consent was started by an older version of Kith: nothing was connected. Start again from Calendars"
        ) from None
    claim = ConsentClaim(
        owner_id=signed.o,
        provider=Provider(signed.p),
        nonce=signed.n,
        expires_at=datetime.fromtimestamp(signed.x, UTC),
    )
    if claim.expired_at(now):
        raise ExpiredConsent(
            "this consent took longer than the 10 minutes it is good for: "
            "nothing was connected. Start again from Calendars"
        )
    return claim


def _key_id(payload: str) -> str:
    """The key id a payload names, read before its signature is checked (so only to pick the key)."""
    try:
        document = json.loads(_unb64(payload))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        return ""
    key_id = document.get("k") if isinstance(document, dict) else None
    return key_id if isinstance(key_id, str) and _KEY_ID.match(key_id) else ""
