"""Signed action tokens: HMAC-SHA256 over a compact claim, under a key chosen by its id.

    <key id>.<claim, base64url JSON>.<HMAC-SHA256 of "<key id>.<claim>", base64url>

The key id travels in the token, so a new key can sign new links while the old
one still verifies the links already sent, until it is retired from the ring.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kith.domain.actions import Action, ActionClaim
from kith.errors import Forbidden, InvalidLink

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_Id = Annotated[str, StringConstraints(min_length=1, max_length=128)]
# Any instant a link can expire at: Kith signs links for 30 days; a claim past these years is not one of its own.
_LATEST_EXPIRY = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp())


class _SignedClaim(BaseModel):
    """A claim as it travels in a link: short names, strict types, nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    o: _Id
    a: Action
    c: _Id | None = None
    i: _Id | None = None
    n: Annotated[int, Field(ge=0, le=500)] | None = None
    x: Annotated[int, Field(ge=0, le=_LATEST_EXPIRY)]
    r: _Id

    @classmethod
    def of(cls, claim: ActionClaim) -> _SignedClaim:
        return cls(
            o=claim.owner_id,
            a=claim.action,
            c=claim.contact_id,
            i=claim.interaction_id,
            n=claim.attendee,
            x=int(claim.expires_at.timestamp()),
            r=claim.nonce,
        )

    def claim(self) -> ActionClaim:
        return ActionClaim(
            owner_id=self.o,
            action=self.a,
            contact_id=self.c,
            interaction_id=self.i,
            attendee=self.n,
            expires_at=datetime.fromtimestamp(self.x, UTC),
            nonce=self.r,
        )


MAX_TOKEN_LENGTH = 1024


class ExpiredLink(Forbidden):
    """A genuine link, past its expiry."""


class KeyRing:
    """Signing keys by id; `current` signs, every key in the ring verifies."""

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError("the current key id must be in the ring")
        for key_id, key in keys.items():
            if not _KEY_ID.match(key_id) or len(key) < 32:
                raise ValueError(f"key {key_id!r} needs an id of letters, digits, - or _ and 32 bytes or more")
        self._keys = dict(keys)
        self.current = current

    @classmethod
    def from_secret(cls, secret: Mapping[str, str]) -> KeyRing:
        """A ring from a secret shaped {"current": "<id>", "<id>": "<key>", ...}."""
        current = secret.get("current")
        if not current:
            raise ValueError("the action key secret names no current key")
        return cls({key_id: key.encode() for key_id, key in secret.items() if key_id != "current"}, current)

    def key(self, key_id: str) -> bytes | None:
        return self._keys.get(key_id)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, signed: str) -> str:
    return _b64(hmac.new(key, signed.encode(), hashlib.sha256).digest())


def sign(claim: ActionClaim, ring: KeyRing) -> str:
    body = _b64(_SignedClaim.of(claim).model_dump_json(exclude_none=True).encode())
    signed = f"{ring.current}.{body}"
    key = ring.key(ring.current)
    assert key is not None
    return f"{signed}.{_signature(key, signed)}"


def verify(token: str, ring: KeyRing, now: datetime) -> ActionClaim:
    """The claim a token carries; InvalidLink if it is not a token, Forbidden if forged, ExpiredLink if old."""
    parts = token.split(".")
    if len(token) > MAX_TOKEN_LENGTH or len(parts) != 3 or not all(parts):
        raise InvalidLink("this link is incomplete: copy the whole address from the email")
    key_id, body, signature = parts
    key = ring.key(key_id)
    if key is None or not hmac.compare_digest(_signature(key, f"{key_id}.{body}"), signature):
        raise Forbidden("this link is not one Kith signed, or it was altered")
    try:
        # JSON mode: strict still reads the action's string as the enum it names.
        claim = _SignedClaim.model_validate_json(_unb64(body)).claim()
    except (binascii.Error, ValidationError) as exc:
        # Signed by us, yet unreadable: a token from an incompatible version.
        raise InvalidLink("this link is in a form Kith no longer reads") from exc
    if claim.expired_at(now):
        raise ExpiredLink("this link has expired: links in Kith's emails work for 30 days")
    return claim
