"""The messages SES stores in S3 as they arrive: the start of one read, one deleted."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as Unreachable

from kith.errors import Retryable

_MISSING = {"NoSuchKey", "404", "NotFound"}
_BUSY = {"SlowDown", "RequestTimeout", "ServiceUnavailable", "InternalError", "Throttling", "ThrottlingException"}


class StoredMail:
    """kith.ports.InboundMailbox: the objects under `prefix` in `bucket`, named by SES's message id."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def _key(self, message_id: str) -> str:
        return self._prefix + message_id

    def head(self, message_id: str, limit: int) -> bytes | None:
        """The message's first `limit` bytes, however long it is (a ranged GET); None when it is not there."""
        try:
            response = self._client.get_object(
                Bucket=self._bucket, Key=self._key(message_id), Range=f"bytes=0-{limit - 1}"
            )
        except ClientError as error:
            code = _code(error)
            if code in _MISSING:
                return None
            if code == "InvalidRange":
                # An empty object: no byte lies in any range.
                return b""
            _raise_retryable(error)
            raise
        except (Unreachable, HTTPClientError) as error:
            raise Retryable(f"S3 could not be reached ({type(error).__name__})") from error
        body = response["Body"]
        try:
            return bytes(body.read(limit))
        finally:
            body.close()

    def delete(self, message_id: str) -> None:
        """Delete the stored message; deleting one that is gone already is no error in S3."""
        try:
            self._client.delete_object(Bucket=self._bucket, Key=self._key(message_id))
        except ClientError as error:
            _raise_retryable(error)
            raise
        except (Unreachable, HTTPClientError) as error:
            raise Retryable(f"S3 could not be reached ({type(error).__name__})") from error


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _raise_retryable(error: ClientError) -> None:
    """Busy or failing S3 is Retryable; anything else (access denied: a fault of the deployment) stays itself."""
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if _code(error) in _BUSY or status >= 500:
        raise Retryable(f"S3 is busy ({_code(error)})") from error
