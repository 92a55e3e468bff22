"""Webhook signatures: computed and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping


def new_signing_secret() -> str:
    return secrets.token_urlsafe(32)


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(expected_hex: str, presented: str | None) -> bool:
    if not presented:
        return False
    return hmac.compare_digest(expected_hex.encode(), presented.strip().lower().encode())


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """HTTP header names are case-insensitive; API Gateway lowercases them, other callers may not."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)
