"""SES receipt rule's Lambda action: mail an owner BCC'd or forwarded to their Kith address, logged or refused.

SES invokes it asynchronously once the S3 action stored the message. A refused or unreadable
message is counted (InboundRefused, by reason) and acknowledged, never retried; only a failure
worth retrying (storage or S3 busy) is raised, for Lambda's retries and then its on-failure queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith.mail.inbound import arrivals
from kith.observability import logger, metrics, tracer
from kith.runtime import Runtime
from kith.usecases.inbound import Received, receive_inbound

runtime = Runtime()


def _refused(reason: str) -> None:
    with single_metric(name="InboundRefused", unit=MetricUnit.Count, value=1, namespace=metrics.namespace) as metric:
        metric.add_dimension(name="reason", value=reason)


def _report(message_id: str, received: Received) -> None:
    for reason in received.refused:
        _refused(reason)
    if received.mail.counted:
        metrics.add_metric(name="InboundLogged", unit=MetricUnit.Count, value=received.mail.counted)
    logger.info(
        "inbound message refused" if received.refused and not received.owners else "inbound message read",
        extra={
            "ses_message_id": message_id,
            "refusals": received.refused,
            "owners": received.owners,
            "counted": received.mail.counted,
            "skipped": received.mail.skipped,
            "interactions": received.mail.interactions,
            "clocks_moved": received.mail.clocks_moved,
        },
    )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    found, unreadable = arrivals(event)
    for _ in range(unreadable):
        _refused("unreadable_event")
    if unreadable:
        logger.warning("unreadable SES receipt records dropped", extra={"records": unreadable})
    logged = 0
    refused: list[str] = []
    for arrival in found:
        received = receive_inbound(
            runtime.inbound_store,
            runtime.sent_mail_store,
            runtime.inbound_mailbox,
            arrival,
            runtime.settings.require("mail_domain"),
        )
        _report(arrival.message_id, received)
        logged += received.mail.counted
        refused += received.refused
    return {"messages": len(found), "logged": logged, "refusals": refused + ["unreadable_event"] * unreadable}
