"""Meetings queue consumer: meetings from booking tools, changes read from calendars, renewals."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith.calendars.accounts import CalendarChange
from kith.calendars.errors import ProviderAuthError
from kith.errors import NotFound
from kith.observability import logger, metrics, tracer
from kith.runtime import Runtime
from kith.usecases.calendar_sync import apply_calendar_change, renew_connection
from kith.usecases.intake import ConnectionRenewal, MeetingMessage, queued_work
from kith.usecases.meetings import MeetingOutcome, apply_meeting_event

# Report every failed record, even when all fail, so SQS retries exactly those (and the DLQ catches poison).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
runtime = Runtime()


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    work = queued_work.validate_json(record.body)
    try:
        if isinstance(work, MeetingMessage):
            _log(apply_meeting_event(runtime.meeting_store, work.owner_id, work.event, work.received_at))
        elif isinstance(work, CalendarChange):
            outcome = apply_calendar_change(
                runtime.connection_store,
                runtime.meeting_store,
                runtime.calendar_accounts,
                work,
                work.received_at,
                runtime.oauth.forget,
                runtime.sent_mail_store,
            )
            for meeting in outcome.meetings:
                _log(meeting)
            logger.info(
                "calendar change read",
                extra={
                    "change": work.change,
                    "meetings": len(outcome.meetings),
                    "emails_counted": outcome.mail.counted,
                    "emails_skipped": outcome.mail.skipped,
                    "clocks_moved_by_email": outcome.mail.clocks_moved,
                },
            )
        elif isinstance(work, ConnectionRenewal):
            state = renew_connection(
                runtime.connection_store,
                runtime.calendar_accounts,
                work.connection_id,
                work.as_of,
                runtime.oauth.forget,
            )
            logger.info("connection renewed", extra={"connection_id": work.connection_id, "state": state})
    except NotFound:
        logger.warning("work for an owner or connection that no longer exists; dropped", extra={"kind": work.kind})
    except ProviderAuthError:
        logger.warning("the provider refused the owner's token; connection marked revoked", extra={"kind": work.kind})


def _log(outcome: MeetingOutcome) -> None:
    metrics.add_metric(name="MeetingEventsApplied", unit=MetricUnit.Count, value=1)
    logger.info(
        "meeting event applied",
        extra={
            "change": outcome.change.value,
            "interaction_id": outcome.interaction_id,
            "recorded": outcome.recorded,
            "revised": outcome.revised,
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
