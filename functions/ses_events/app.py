"""SES events queue consumer: bounces and complaints put addresses on the suppression list."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith.observability import logger, metrics, pseudonym, tracer
from kith.runtime import Runtime
from kith.usecases.deliverability import read_ses_message

# Report every failed record, even when all fail, so SQS retries exactly those: a failure here is transient
# (an unreadable record is parked in the dead-letter queue by the use case, not failed).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
runtime = Runtime()


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    outcome = read_ses_message(runtime.mail_store, runtime.dead_letters, record.body)
    if outcome.suppressed:
        metrics.add_metric(name="AddressesSuppressed", unit=MetricUnit.Count, value=len(outcome.suppressed))
    if outcome.dead_lettered:
        metrics.add_metric(name="SesEventsDeadLettered", unit=MetricUnit.Count, value=1)
        logger.warning("unreadable ses event parked in the dead-letter queue", extra={"message_id": record.message_id})
        return
    logger.info(
        "ses event read",
        extra={
            "event_type": outcome.event_type,
            "suppressed": [pseudonym(address) for address in outcome.suppressed],
            "already_suppressed": [pseudonym(address) for address in outcome.already_suppressed],
        },
    )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
