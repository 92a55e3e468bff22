"""Typed errors. Each maps to one HTTP status in one place (kith.api.errors)."""

from __future__ import annotations


class KithError(Exception):
    """Base for errors Kith raises on purpose."""


class NotFound(KithError):
    """The thing asked for does not exist (or is not the caller's)."""


class Gone(KithError):
    """The thing a link points to existed once and was deleted."""


class Forbidden(KithError):
    """Proof was offered and refused: a forged or altered signature, an expired link."""


class InvalidLink(KithError):
    """A link that is not a whole Kith link (cut short, or garbled on the way)."""


class Conflict(KithError):
    """The request clashes with what is stored (an e-mail already in use, a stale version)."""


class PreconditionFailed(KithError):
    """A conditional request (If-Match) whose condition no longer holds: the thing moved on since it was read."""


class InvalidCursor(KithError):
    """A page cursor that this list did not give out (cut, garbled, or from another list)."""


class ConditionFailed(Conflict):
    """A conditional write whose condition no longer held, where its caller said nothing more of what that means."""


class StaleContact(Conflict):
    """The contact changed between reading and writing it."""


class AlreadyDone(Conflict):
    """A one-click link that was used already: its action happened once and will not happen again."""


class InvalidInput(KithError):
    """The request is well-formed but asks for something impossible."""


class ProviderUnavailable(InvalidInput):
    """A calendar provider this stack was not deployed with (no OAuth client for it)."""


class Unauthorized(KithError):
    """Credentials are missing or wrong."""


class PayloadTooLarge(KithError):
    """A request body over the size Kith accepts."""


class UnsupportedMediaType(KithError):
    """A body in a format the route does not read (JSON sent as text/plain or as a form)."""


class MalformedBody(KithError):
    """A body that is not the JSON it claims to be."""


class Unprocessable(KithError):
    """JSON that does not have the shape or types required."""

    def __init__(self, message: str, details: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class Retryable(KithError):
    """A temporary condition: the work should be retried later, not dropped."""


class Refused(KithError):
    """A service refused the request for good (SES will not send a message, KMS will not open a secret).

    Retrying will not help: the mailer records a refused email as failed instead of retrying it; over HTTP
    it is a server fault (500).
    """
