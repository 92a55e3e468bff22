"""Sending a composed MIME message through SES v2."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as Unreachable

from kith.errors import Refused, Retryable

# Busy, or sending paused for the account (SendingPausedException: paused until someone resumes it, so the
# message waits in the queue and then the dead-letter queue, from which it can be sent again).
_LATER = {
    "TooManyRequestsException",
    "Throttling",
    "ThrottlingException",
    "LimitExceededException",
    "SendingPausedException",
}


class MailRejected(Refused):
    """SES will not send this message (MessageRejected, an unverified sender domain, an account suspended
    for good, a malformed request): retrying will not help."""


class SesMailer:
    def __init__(self, client: Any, sender: str, configuration_set: str | None) -> None:
        self._client = client
        self.sender = sender
        self._configuration_set = configuration_set or None

    def send(self, message: EmailMessage, recipient: str) -> str:
        """The message id SES gave; Retryable when SES is busy or unreachable, MailRejected when it refuses."""
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
            raise _mapped(error) from error
        except (Unreachable, HTTPClientError) as error:
            raise Retryable(f"SES could not be reached ({type(error).__name__})") from error
        return str(response["MessageId"])


def _mapped(error: ClientError) -> Retryable | MailRejected:
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code in _LATER or error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
        return Retryable(f"SES is busy ({code})")
    return MailRejected(f"SES rejected the message ({code})")
