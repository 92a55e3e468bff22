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
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import ValidationError

from kith.domain.actions import ActionClaim
from kith.errors import Forbidden, InvalidLink

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_SHORT = {
    "owner_id": "o",
    "action": "a",
    "contact_id": "c",
    "interaction_id": "i",
    "attendee": "n",
    "expires_at": "x",
    "nonce": "r",
}
_LONG = {short: name for name, short in _SHORT.items()}
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
    fields = claim.model_dump(mode="json", exclude_none=True)
    fields["expires_at"] = int(claim.expires_at.timestamp())
    body = _b64(json.dumps({_SHORT[name]: value for name, value in fields.items()}, separators=(",", ":")).encode())
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
        fields = json.loads(_unb64(body))
        claim = ActionClaim.model_validate(
            {_LONG[short]: value for short, value in fields.items()}
            | {"expires_at": datetime.fromtimestamp(fields["x"], UTC)}
        )
    except (binascii.Error, ValueError, KeyError, TypeError, ValidationError) as exc:
        # Signed by us, yet unreadable: a token from an incompatible version.
        raise InvalidLink("this link is in a form Kith no longer reads") from exc
    if claim.expired_at(now):
        raise ExpiredLink("this link has expired: links in Kith's emails work for 30 days")
    return claim
