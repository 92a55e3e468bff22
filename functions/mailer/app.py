"""Mail queue consumer: one digest or follow-up per message, never twice."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith.observability import logger, metrics, tracer
from kith.runtime import Runtime
from kith.usecases.delivery import DeliveryStatus
from kith.usecases.jobs import parse_job
from kith.usecases.mailing import Deferred, keep_in_history

# Report every failed record, even when all fail, so SQS retries exactly those (and the DLQ catches poison).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
runtime = Runtime()


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    job = parse_job(record.body)
    try:
        delivery = runtime.deliver_once(job)
    except Deferred:
        logger.info("mail job deferred: the owner paused nudges", extra={"kind": job.kind, "email_key": job.email_key})
        return
    keep_in_history(runtime.mail_store, delivery)
    if delivery.status is DeliveryStatus.SENT:
        metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=1)
    elif delivery.status is DeliveryStatus.FAILED:
        # Kept as failed and acknowledged: SES refused it for good, so a retry would only fill the dead-letter queue.
        metrics.add_metric(name="EmailsRejected", unit=MetricUnit.Count, value=1)
    logger.info(
        "mail job done",
        extra={
            "kind": job.kind,
            "email_key": job.email_key,
            "sent": delivery.sent,
            "status": delivery.status.value,
            "reason": delivery.reason.value if delivery.reason else None,
        },
    )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    runtime.deliver_once.config.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
