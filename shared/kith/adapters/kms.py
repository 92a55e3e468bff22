"""Sealing secrets (OAuth refresh tokens) with KMS, bound to the connection they belong to."""

from __future__ import annotations

import base64
from typing import Any

from botocore.exceptions import ClientError

from kith.errors import Refused, Retryable

_THROTTLED = {"ThrottlingException", "KMSInternalException", "LimitExceededException"}


class SealError(Refused):
    """A sealed secret could not be opened (wrong key, wrong connection, tampered with), or KMS refused to
    seal one (a key disabled or out of reach): retrying will not help."""


class Vault:
    def __init__(self, client: Any, key_id: str) -> None:
        self._client = client
        self._key_id = key_id

    def seal(self, secret: str, connection_id: str) -> str:
        try:
            response = self._client.encrypt(
                KeyId=self._key_id, Plaintext=secret.encode(), EncryptionContext=_context(connection_id)
            )
        except ClientError as error:
            raise _mapped(error) from error
        return base64.b64encode(response["CiphertextBlob"]).decode()

    def open(self, sealed: str, connection_id: str) -> str:
        try:
            response = self._client.decrypt(
                CiphertextBlob=base64.b64decode(sealed), EncryptionContext=_context(connection_id)
            )
        except ClientError as error:
            raise _mapped(error) from error
        return bytes(response["Plaintext"]).decode()


def _context(connection_id: str) -> dict[str, str]:
    # The ciphertext opens only for the connection it was sealed for.
    return {"kith:connection": connection_id}


def _mapped(error: ClientError) -> Retryable | SealError:
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code in _THROTTLED:
        return Retryable(f"KMS is busy ({code})")
    return SealError(f"KMS refused ({code})")
