"""The one place a DynamoDB error becomes a Kith error.

A write's caller states what each of its conditions failing means, item by item: a transaction's
items in order (item 0 the contact, so StaleContact; item i an e-mail claim, so a Conflict naming
address i; a spent link, so AlreadyDone), a single conditional write as item 0. The first item
whose condition failed gives the error; a condition with no stated meaning is a `ConditionFailed`.
Otherwise throttling and transaction conflicts are Retryable, and what only a fault in Kith's own
request explains (a ValidationError, an item collection over its size limit) stays the exception
DynamoDB raised, as does any error not named here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from botocore.exceptions import ClientError

from kith.errors import ConditionFailed, KithError, Retryable

Meanings = Sequence[KithError | None]

# Error codes of a whole request.
CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"
RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionConflictException",
    }
)

# Cancellation reasons of one item of a transaction (DynamoDB's TransactWriteItems reference).
REASON_CONDITION_FAILED = "ConditionalCheckFailed"
RETRYABLE_REASONS = frozenset({"TransactionConflict", "ProvisionedThroughputExceeded", "ThrottlingError"})
FAULT_REASONS = frozenset({"ValidationError", "ItemCollectionSizeLimitExceeded"})


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def cancellation_reasons(error: ClientError) -> list[str]:
    """A cancelled transaction's reason code per item, in the order of its items ("None" where nothing failed)."""
    return [str(reason.get("Code") or "None") for reason in error.response.get("CancellationReasons") or []]


def kith_error(error: ClientError, meanings: Meanings = ()) -> KithError:
    """The Kith error `error` means, given what each item's condition failing means; raises `error` itself
    when no Kith error fits (a fault of the request, or a code not named here)."""
    code = error_code(error)
    if code == CONDITION_FAILED:
        return _meaning(meanings, 0)
    if code == TRANSACTION_CANCELED:
        return _cancelled(error, meanings)
    if code in RETRYABLE_CODES:
        return Retryable(f"DynamoDB is throttling ({code})")
    raise error


def _meaning(meanings: Meanings, index: int) -> KithError:
    stated = meanings[index] if index < len(meanings) else None
    return stated if stated is not None else ConditionFailed("the write's condition no longer held")


def _cancelled(error: ClientError, meanings: Meanings) -> KithError:
    reasons = cancellation_reasons(error)
    for index, reason in enumerate(reasons):
        if reason == REASON_CONDITION_FAILED:
            return _meaning(meanings, index)
    if FAULT_REASONS.intersection(reasons):
        raise error
    if RETRYABLE_REASONS.intersection(reasons) or not any(reason != "None" for reason in reasons):
        # Cancelled with nothing named: another request's transaction held an item, as far as DynamoDB says.
        return Retryable("the write collided with another; try again")
    raise error


@contextmanager
def dynamodb_failures(meanings: Meanings = ()) -> Iterator[None]:
    """The one place storage catches a DynamoDB ClientError: inside, a failure is raised as what it means."""
    try:
        yield
    except ClientError as error:
        raise kith_error(error, meanings) from error
