"""Meetings queue consumer: records what each calendar notification means."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith.errors import NotFound
from kith.observability import logger, metrics, tracer
from kith.runtime import Runtime
from kith.usecases.intake import MeetingMessage
from kith.usecases.meetings import apply_meeting_event

# Report every failed record, even when all fail, so SQS retries exactly those (and the DLQ catches poison).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
runtime = Runtime()


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    message = MeetingMessage.model_validate_json(record.body)
    try:
        outcome = apply_meeting_event(runtime.repository, message.owner_id, message.event, message.received_at)
    except NotFound:
        logger.warning("meeting for an owner who no longer exists; dropped", extra={"message_id": record.message_id})
        return
    metrics.add_metric(name="MeetingEventsApplied", unit=MetricUnit.Count, value=1)
    logger.info(
        "meeting event applied",
        extra={
            "change": outcome.change.value,
            "interaction_id": outcome.interaction_id,
            "recorded": outcome.recorded,
            "contacts_matched": outcome.contacts_matched,
            "clocks_moved": outcome.clocks_moved,
            "follow_up_created": outcome.follow_up_created,
            "cancelled": outcome.cancelled,
        },
    )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
