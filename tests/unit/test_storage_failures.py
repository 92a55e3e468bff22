"""One mapping from DynamoDB's errors to Kith's: conditions by what the caller says they mean, the rest by code."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from kith.errors import AlreadyDone, ConditionFailed, Conflict, KithError, Retryable, StaleContact
from kith.storage.failures import cancellation_reasons, dynamodb_failures, kith_error

STALE = StaleContact("the contact changed")
CLAIMED = Conflict("another contact already has ann@example.com")
USED = AlreadyDone("this link was used already")


def _error(code: str, operation: str = "PutItem", **response: Any) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "..."}, **response}, operation)


def _cancelled(*reasons: str | None) -> ClientError:
    """A TransactionCanceledException as boto3 raises it: one reason per item, in the items' order."""
    listed = [{"Code": reason} if reason is not None else {} for reason in reasons]
    return _error("TransactionCanceledException", "TransactWriteItems", CancellationReasons=listed)


def test_a_failed_condition_means_what_the_caller_says_of_its_item() -> None:
    assert kith_error(_cancelled("ConditionalCheckFailed", "None"), [STALE, CLAIMED]) is STALE
    assert kith_error(_cancelled("None", "ConditionalCheckFailed"), [STALE, CLAIMED]) is CLAIMED


def test_the_first_failed_condition_in_item_order_wins() -> None:
    reasons = _cancelled("ConditionalCheckFailed", "ConditionalCheckFailed", "None")
    assert kith_error(reasons, [USED, STALE, None]) is USED


def test_a_failed_condition_with_no_stated_meaning_is_a_condition_failure() -> None:
    failure = kith_error(_cancelled("None", "None", "ConditionalCheckFailed"), [STALE])
    assert isinstance(failure, ConditionFailed) and isinstance(failure, Conflict)
    assert not isinstance(STALE, ConditionFailed)


def test_a_plain_conditional_write_is_item_zero() -> None:
    assert kith_error(_error("ConditionalCheckFailedException"), [USED]) is USED
    assert isinstance(kith_error(_error("ConditionalCheckFailedException")), ConditionFailed)


@pytest.mark.parametrize("reason", ["TransactionConflict", "ProvisionedThroughputExceeded", "ThrottlingError"])
def test_a_transaction_cancelled_by_contention_is_retryable(reason: str) -> None:
    failure = kith_error(_cancelled("None", reason), [STALE, CLAIMED])
    assert isinstance(failure, Retryable)


def test_a_failed_condition_outranks_contention_on_another_item() -> None:
    assert kith_error(_cancelled("ThrottlingError", "ConditionalCheckFailed"), [STALE, CLAIMED]) is CLAIMED


@pytest.mark.parametrize("reason", ["ValidationError", "ItemCollectionSizeLimitExceeded"])
def test_a_transaction_only_a_fault_of_the_request_explains_stays_the_exception(reason: str) -> None:
    error = _cancelled("None", reason, "ThrottlingError")
    with pytest.raises(ClientError) as raised:
        kith_error(error, [STALE, CLAIMED])
    assert raised.value is error


def test_a_transaction_cancelled_with_no_reason_named_is_retryable() -> None:
    assert isinstance(kith_error(_cancelled("None", None)), Retryable)
    assert isinstance(kith_error(_error("TransactionCanceledException", "TransactWriteItems")), Retryable)


def test_an_unknown_cancellation_reason_stays_the_exception() -> None:
    error = _cancelled("None", "SomethingNew")
    with pytest.raises(ClientError):
        kith_error(error)


@pytest.mark.parametrize(
    "code",
    [
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionConflictException",
    ],
)
def test_throttling_of_any_request_is_retryable(code: str) -> None:
    failure = kith_error(_error(code, "Query"), [STALE])
    assert isinstance(failure, Retryable) and code in str(failure)


@pytest.mark.parametrize("code", ["ValidationException", "ResourceNotFoundException", "AccessDeniedException"])
def test_any_other_error_stays_the_exception(code: str) -> None:
    error = _error(code, "GetItem")
    with pytest.raises(ClientError) as raised:
        kith_error(error)
    assert raised.value is error


def test_the_reasons_are_read_as_boto3_gives_them() -> None:
    assert cancellation_reasons(_cancelled("None", "ConditionalCheckFailed", None)) == [
        "None",
        "ConditionalCheckFailed",
        "None",
    ]
    assert cancellation_reasons(_error("TransactionCanceledException")) == []


def test_every_mapped_error_is_a_kith_error() -> None:
    for error in (
        _error("ConditionalCheckFailedException"),
        _cancelled("ThrottlingError"),
        _error("RequestLimitExceeded"),
    ):
        assert isinstance(kith_error(error), KithError)


def test_inside_dynamodb_failures_a_client_error_is_raised_as_what_it_means() -> None:
    with pytest.raises(StaleContact) as raised, dynamodb_failures([STALE]):
        raise _cancelled("ConditionalCheckFailed")

    assert raised.value is STALE
    assert isinstance(raised.value.__cause__, ClientError)


def test_inside_dynamodb_failures_a_fault_of_the_request_stays_the_client_error() -> None:
    with pytest.raises(ClientError), dynamodb_failures():
        raise _error("ValidationException")
