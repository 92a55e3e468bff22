"""Sending messages to SQS in batches of ten, retrying the entries SQS refused."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from kith.errors import Retryable

_BATCH = 10
_ATTEMPTS = 4


class Queue:
    def __init__(self, client: Any, url: str) -> None:
        self._client = client
        self.url = url

    def send(self, message: dict[str, Any]) -> None:
        try:
            self._client.send_message(QueueUrl=self.url, MessageBody=json.dumps(message, separators=(",", ":")))
        except ClientError as error:
            raise Retryable(f"SQS refused the message ({error.response['Error'].get('Code')})") from error

    def send_all(self, messages: Sequence[dict[str, Any]]) -> int:
        """Send every message, ten per request; returns the number of requests made."""
        requests = 0
        for start in range(0, len(messages), _BATCH):
            pending = {
                str(index): json.dumps(message, separators=(",", ":"))
                for index, message in enumerate(messages[start : start + _BATCH])
            }
            for attempt in range(_ATTEMPTS):
                entries = [{"Id": entry_id, "MessageBody": body} for entry_id, body in pending.items()]
                try:
                    response = self._client.send_message_batch(QueueUrl=self.url, Entries=entries)
                except ClientError as error:
                    raise Retryable(f"SQS refused a batch ({error.response['Error'].get('Code')})") from error
                requests += 1
                failed = {entry["Id"] for entry in response.get("Failed", [])}
                pending = {entry_id: body for entry_id, body in pending.items() if entry_id in failed}
                if not pending:
                    break
                time.sleep(0.05 * 2**attempt)
            if pending:
                raise Retryable(f"SQS refused {len(pending)} messages after {_ATTEMPTS} attempts")
        return requests
