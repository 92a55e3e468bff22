"""Why a command stopped; main turns each into its exit code."""

from __future__ import annotations

import argparse


class ApiError(Exception):
    """The API refused the request (4xx): nothing was changed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Unreachable(Exception):
    """No answer from the API, an answer that is not Kith's, or a server error (5xx)."""


class Refused(Exception):
    """The command itself declined: a name matching no contact or several, or a confirmation not given."""


class UsageError(Exception):
    """What was asked cannot be sent: a value missing or impossible before the API is asked."""


class BadValue(argparse.ArgumentTypeError, ValueError):
    """A flag's or an answer's value that does not read; argparse prints its message as it is."""
