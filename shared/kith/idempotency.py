"""Exactly one email per (owner, email key), across redeliveries, replays and concurrent workers.

Powertools idempotency claims the key with a conditional write before the
send (a second worker sees it in progress and retries later), and remembers
the result for longer than any message can live, so a replayed job or a late
redelivery returns the stored result instead of sending again. The result is
kept as its plain record (`Delivery.record`) and read back as a `Delivery`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from kith.usecases.delivery import Delivery
from kith.usecases.jobs import DigestJob, FollowUpJob, idempotency_key, mail_job_adapter

EMAIL_MEMORY_SECONDS = 35 * 24 * 3600

Deliver = Callable[[DigestJob | FollowUpJob], Delivery]


class OncePerEmail:
    def __init__(self, client: Any, table_name: str, deliver: Deliver) -> None:
        self.config = IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=EMAIL_MEMORY_SECONDS)
        persistence = DynamoDBPersistenceLayer(
            table_name=table_name,
            key_attr="pk",
            sort_key_attr="sk",
            static_pk_value="IDEMPOTENCY#mail",
            expiry_attr="expires_at",
            boto3_client=client,
        )

        @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=self.config)
        def once(request: dict[str, Any]) -> dict[str, Any]:
            return deliver(mail_job_adapter.validate_python(request["job"])).record()

        self._once = once

    def __call__(self, job: DigestJob | FollowUpJob) -> Delivery:
        """The delivery of this email: sent now, or the one a run before kept."""
        return Delivery.of_record(self._once(request={"key": idempotency_key(job), "job": job.to_message()}))
