"""A consumed queue's dead-letter queue, written to directly for records no retry could ever read."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from kith.errors import Retryable

# The message attribute that says why a record was parked (SQS allows 256 characters in a name).
REASON = "kith-unreadable"
_REASON_LIMIT = 256


class DeadLetterQueue:
    def __init__(self, client: Any, url: str) -> None:
        self._client = client
        self.url = url

    def park(self, body: str, reason: str) -> None:
        """The original body, unchanged, with why it was parked; refused, it raises so SQS tries the record again."""
        try:
            self._client.send_message(
                QueueUrl=self.url,
                MessageBody=body,
                MessageAttributes={
                    REASON: {"DataType": "String", "StringValue": reason[:_REASON_LIMIT] or "unreadable"}
                },
            )
        except ClientError as error:
            raise Retryable(f"SQS refused the dead letter ({error.response['Error'].get('Code')})") from error
