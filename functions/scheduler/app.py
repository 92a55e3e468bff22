"""The tick: every few minutes, queue whatever digests and follow-ups are due."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith.events import schedule_time
from kith.observability import logger, metrics, tracer
from kith.runtime import Runtime
from kith.usecases.sweep import sweep

runtime = Runtime()


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = sweep(
        runtime.mail_store,
        runtime.connection_store,
        runtime.mail_queue,
        runtime.meeting_queue,
        runtime.settings.due_shards,
        schedule_time(event),
    )
    metrics.add_metric(name="DigestsQueued", unit=MetricUnit.Count, value=result.digests_queued)
    metrics.add_metric(name="FollowUpsQueued", unit=MetricUnit.Count, value=result.follow_ups_queued)
    metrics.add_metric(name="RenewalsQueued", unit=MetricUnit.Count, value=result.renewals_queued)
    logger.info("sweep done", extra=asdict(result))
    return asdict(result)
