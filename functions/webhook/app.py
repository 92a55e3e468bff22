"""Calendar webhooks: verify, parse, queue durably, then answer."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith.errors import KithError
from kith.events import raw_body, request_time
from kith.http import error_response, status_for
from kith.observability import logger, metrics, tracer
from kith.runtime import Runtime
from kith.usecases.intake import receive_webhook

app = APIGatewayHttpResolver(enable_validation=True)
runtime = Runtime()


@app.post("/webhooks/<provider>/<connection_id>")
def receive(provider: str, connection_id: str) -> Response[str]:
    event = app.current_event
    answer = receive_webhook(
        runtime.meeting_store,
        runtime.meeting_queue,
        lambda: runtime.calendar_accounts,
        provider,
        connection_id,
        dict(event.headers or {}),
        dict(event.query_string_parameters or {}),
        raw_body(event),
        request_time(event),
    )
    metrics.add_metric(name="WebhookAccepted", unit=MetricUnit.Count, value=1)
    logger.info(
        "webhook accepted", extra={"provider": provider, "status": answer.status, "queued": len(answer.changes)}
    )
    return Response(status_code=answer.status, content_type=answer.content_type, body=answer.body)


@app.exception_handler(KithError)
def refuse(error: KithError) -> Response[str]:
    status = status_for(error)
    metrics.add_metric(name="WebhookRefused", unit=MetricUnit.Count, value=1)
    logger.warning("webhook refused", extra={"status": status, "reason": type(error).__name__})
    return error_response(error)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
