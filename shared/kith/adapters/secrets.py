"""The action-link signing keys, read from Secrets Manager and kept for a few minutes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from kith.actions.tokens import KeyRing
from kith.errors import Retryable

# A rotated key reaches every warm function within this many seconds.
KEEP_SECONDS = 300.0


class ActionKeys:
    def __init__(self, client: Any, secret_id: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._secret_id = secret_id
        self._clock = clock
        self._ring: KeyRing | None = None
        self._read_at = 0.0

    def __call__(self) -> KeyRing:
        if self._ring is None or self._clock() - self._read_at > KEEP_SECONDS:
            try:
                secret = self._client.get_secret_value(SecretId=self._secret_id)["SecretString"]
            except ClientError as error:
                raise Retryable("the action keys could not be read") from error
            self._ring = KeyRing.from_secret(json.loads(secret))
            self._read_at = self._clock()
        return self._ring
