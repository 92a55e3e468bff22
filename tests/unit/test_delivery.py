"""A delivery's outcome, as the mailer returns it and its once-per-email record keeps it; SES's refusals typed."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError
from kith.adapters.kms import SealError, Vault
from kith.adapters.ses import MailRejected, SesMailer
from kith.domain.models import EmailKind, SentEmail
from kith.errors import KithError, Refused, Retryable
from kith.usecases.delivery import Delivery, DeliveryStatus, NotSent

AT = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def _sent() -> SentEmail:
    return SentEmail(
        owner_id="o-1",
        email_key="digest#2026-11-30T07:00:00Z",
        kind=EmailKind.DIGEST,
        recipient="owner@example.com",
        subject="2 people to reconnect with",
        sent_at=AT,
        message_id="m-1",
    )


@pytest.mark.parametrize(
    ("delivery", "record"),
    [
        (Delivery.of_message("m-1"), {"sent": True, "message_id": "m-1"}),
        (Delivery.not_sent(NotSent.SUPPRESSED), {"sent": False, "reason": "suppressed"}),
        (Delivery.not_sent(NotSent.NOTHING_DUE), {"sent": False, "reason": "nothing due"}),
        (
            Delivery.not_sent(NotSent.REJECTED, "SES rejected the message (MessageRejected)"),
            {"sent": False, "reason": "rejected", "detail": "SES rejected the message (MessageRejected)"},
        ),
        (
            Delivery.of_message("m-1", unrecorded=_sent()),
            {"sent": True, "message_id": "m-1", "unrecorded": _sent().model_dump(mode="json")},
        ),
    ],
    ids=["sent", "suppressed", "nothing-due", "rejected", "unrecorded"],
)
def test_a_delivery_is_kept_as_its_record_and_read_back_the_same(delivery: Delivery, record: dict[str, Any]) -> None:
    # Given a delivery, When it is kept, Then its record is the plain form the once-per-email record holds
    assert delivery.record() == record
    # And a replay reads back the same delivery
    assert Delivery.of_record(record) == delivery


def test_a_record_kept_before_the_detail_had_its_field_reads_back() -> None:
    # Given a record an earlier mailer kept for an owner who was gone
    delivery = Delivery.of_record({"sent": False, "reason": "gone: owner o-1 not found"})
    # Then it reads as gone, with what was gone
    assert (delivery.reason, delivery.detail, delivery.status) == (
        NotSent.GONE,
        "owner o-1 not found",
        DeliveryStatus.SKIPPED,
    )


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (None, DeliveryStatus.SENT),
        (NotSent.UNSUBSCRIBED, DeliveryStatus.SUPPRESSED),
        (NotSent.SUPPRESSED, DeliveryStatus.SUPPRESSED),
        (NotSent.REJECTED, DeliveryStatus.FAILED),
        (NotSent.PAUSED, DeliveryStatus.SKIPPED),
        (NotSent.NO_CONTACT_LEFT, DeliveryStatus.SKIPPED),
    ],
)
def test_each_reason_has_one_status(reason: NotSent | None, status: DeliveryStatus) -> None:
    delivery = Delivery.of_message("m-1") if reason is None else Delivery.not_sent(reason)
    assert delivery.status is status


def test_a_delivery_is_sent_with_a_message_id_or_not_sent_with_a_reason() -> None:
    with pytest.raises(ValueError, match="sent with a message id"):
        Delivery.of_record({"sent": True})
    with pytest.raises(ValueError, match="sent with a message id"):
        Delivery.of_record({"sent": False})


class _Ses:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def send_email(self, **_: Any) -> dict[str, Any]:
        raise self.error


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": status}},  # type: ignore[typeddict-item]
        "SendEmail",
    )


def _message() -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "Hello"
    message.set_content("Hi")
    return message


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (_client_error("MessageRejected", 400), MailRejected),
        (_client_error("MailFromDomainNotVerifiedException", 400), MailRejected),
        (_client_error("AccountSuspendedException", 400), MailRejected),
        (_client_error("BadRequestException", 400), MailRejected),
        (_client_error("SendingPausedException", 400), Retryable),
        (_client_error("TooManyRequestsException", 429), Retryable),
        (_client_error("Throttling", 400), Retryable),
        (_client_error("LimitExceededException", 400), Retryable),
        (_client_error("InternalFailure", 500), Retryable),
        (ConnectTimeoutError(endpoint_url="https://email.example"), Retryable),
        (ReadTimeoutError(endpoint_url="https://email.example"), Retryable),
    ],
    ids=lambda value: value.response["Error"]["Code"] if isinstance(value, ClientError) else type(value).__name__,
)
def test_ses_errors_are_kith_errors_with_a_defined_outcome(error: Exception, raised: type[KithError]) -> None:
    # Given SES answers a send with an error, When Kith sends, Then the error is typed: retry later, or refused
    mailer = SesMailer(_Ses(error), "kith@example.com", None)
    with pytest.raises(raised) as caught:
        mailer.send(_message(), "owner@example.com")
    assert caught.value.__cause__ is error


def test_refusals_of_ses_and_kms_are_kith_errors() -> None:
    assert issubclass(MailRejected, Refused) and issubclass(SealError, Refused) and issubclass(Refused, KithError)
    assert not issubclass(Refused, Retryable)


class _Kms:
    def decrypt(self, **_: Any) -> dict[str, Any]:
        raise _client_error("InvalidCiphertextException", 400)


def test_a_secret_that_does_not_open_is_a_seal_error() -> None:
    with pytest.raises(SealError, match="InvalidCiphertextException"):
        Vault(_Kms(), "alias/kith").open("c2VhbGVk", "conn-1")
