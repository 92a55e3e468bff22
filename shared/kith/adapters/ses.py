"""Sending a composed MIME message through SES v2."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from botocore.exceptions import ClientError

from kith.errors import Retryable

_THROTTLED = {"TooManyRequestsException", "Throttling", "ThrottlingException", "LimitExceededException"}


class MailRejected(Exception):
    """SES will not send this message (bad address, unverified sender): retrying will not help."""


class SesMailer:
    def __init__(self, client: Any, sender: str, configuration_set: str | None) -> None:
        self._client = client
        self.sender = sender
        self._configuration_set = configuration_set or None

    def send(self, message: EmailMessage, recipient: str) -> str:
        request: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [recipient]},
            # Lines up to RFC 5322's 998: at the default 78 a long List-Unsubscribe URL is folded into
            # RFC 2047 encoded words, which no receiver reads as the <https://...> RFC 8058 requires.
            "Content": {"Raw": {"Data": message.as_bytes(policy=message.policy.clone(max_line_length=998))}},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            response = self._client.send_email(**request)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _THROTTLED or error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
                raise Retryable(f"SES is busy ({code})") from error
            raise MailRejected(f"SES rejected the message ({code})") from error
        return str(response["MessageId"])
