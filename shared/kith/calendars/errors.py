"""What can go wrong when Kith calls a calendar provider (Google Calendar, Microsoft Graph, their OAuth).

Messages name the method, the host and the status, never a path (calendar ids are e-mail
addresses), a token or a body. `reason` is the provider's own error code (`invalid_grant`,
`fullSyncRequired`, `InvalidRequest`...) when it gave one that looks like a code.
"""

from __future__ import annotations

from kith.errors import KithError, Retryable


class ProviderError(KithError):
    """A provider call that did not give Kith what it asked for."""

    def __init__(self, message: str, *, status: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class ProviderUnavailable(ProviderError, Retryable):
    """The provider is down, slow or throttling, and retrying now did not help: try again later."""

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        last_status: int | None,
        retry_after: float | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message, status=last_status, reason=reason)
        self.attempts = attempts
        self.last_status = last_status
        self.retry_after = retry_after


class ProviderAuthError(ProviderError):
    """The provider refused the credentials (401, 403, or an OAuth `invalid_grant`): the owner must reconnect."""


class ProviderGone(ProviderError):
    """410: what was asked for no longer exists there (a Google sync token that expired: sync in full)."""


class ProviderNotFound(ProviderError):
    """404: the calendar, event, channel or subscription does not exist (any more)."""


class ProviderRejected(ProviderError):
    """Any other 4xx: the request itself is wrong, and sending it again will not change that."""


class ProviderMalformedResponse(ProviderError):
    """A success whose body is not the JSON the provider documents."""
